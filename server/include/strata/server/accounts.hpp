// Accounts: users with a role, argon2id password hashes (libsodium), API keys, and the rate limit
// on failed logins. Secrets are generated from the system's CSPRNG and stored only as digests,
// so a copied database file yields no password, key or session. Errors come back as values.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/server/store.hpp"

namespace strata::server {

enum class Role : std::uint8_t { viewer, operator_, admin };

[[nodiscard]] std::string_view to_string(Role role);
[[nodiscard]] std::optional<Role> parse_role(std::string_view text);

/// A random secret: `bytes` from the CSPRNG as URL-safe base64 without padding.
[[nodiscard]] std::string generate_secret(std::size_t bytes = 32);
/// The digest a secret is stored and looked up by (BLAKE2b-256, hex). Fit only for
/// high-entropy secrets (keys, tokens); passwords go through `hash_password`.
[[nodiscard]] std::string secret_digest(std::string_view secret);
/// argon2id with libsodium's interactive limits (64 MiB, 2 passes); empty when out of memory.
[[nodiscard]] std::string hash_password(std::string_view password);
[[nodiscard]] bool password_matches(const std::string& hash, std::string_view password);

struct User {
    std::int64_t id = 0;
    std::string name;
    Role role = Role::viewer;
    bool active = true;
};

/// An API key as listed (the key itself is never stored).
struct ApiKeyRecord {
    std::int64_t id = 0;
    std::string label;
    double created_s = 0.0;
    std::optional<double> last_used_s;
};

/// What `strata user add` prints once: the only time the password and the key exist in clear.
struct NewUser {
    User user;
    std::string password;
    std::string api_key;
};

class Accounts {
  public:
    explicit Accounts(Database& db) : db_(db) {}

    /// Adds a user with a generated password (or `password` when given) and a first API key;
    /// refused naming the field (a taken name, an empty one, a short password).
    [[nodiscard]] Result<NewUser> add_user(std::string_view name, Role role,
                                           std::optional<std::string_view> password);
    /// The user whose name and password these are (active users only).
    [[nodiscard]] std::optional<User> check_password(std::string_view name,
                                                     std::string_view password);
    /// The user of this name (active or not) with the stored password hash, for a check made
    /// elsewhere (`PasswordChecker`); nothing is hashed here.
    [[nodiscard]] std::optional<std::pair<User, std::string>> password_record(
        std::string_view name);
    /// A new API key for `user_id`, returned in clear once.
    [[nodiscard]] Result<std::string> add_api_key(std::int64_t user_id, std::string_view label);
    /// `user_id`'s keys, oldest first.
    [[nodiscard]] std::vector<ApiKeyRecord> api_keys(std::int64_t user_id);
    /// Deletes `user_id`'s keys labelled `label`; how many (0 when none, or on error).
    std::int64_t remove_api_keys(std::int64_t user_id, std::string_view label);
    /// Every user, by name.
    [[nodiscard]] std::vector<User> users();
    /// The active user an API key belongs to; records when it was last used.
    [[nodiscard]] std::optional<User> user_for_api_key(std::string_view key, double now_s);
    [[nodiscard]] std::int64_t admin_count();

  private:
    Database& db_;
    std::string unknown_user_hash_;  ///< Checked against when the name is unknown.
};

/// OctoPrint's limit on failed logins per client address: 3 a minute, 5 in ten minutes, 10 an
/// hour; and per account, whatever the address (many addresses would otherwise check 3 passwords
/// a minute each): 5 a minute, 10 in ten minutes, 20 an hour. Time is passed in, so it is tested
/// without waiting. Thread-safe.
class LoginLimiter {
  public:
    [[nodiscard]] bool allowed(const std::string& remote, double now_s);
    void record_failure(const std::string& remote, double now_s);
    /// One check and record for both the address and the account: an attempt allowed is counted
    /// as a failure at once, so parallel tries cannot slip past the limit between the check and
    /// the answer; `take_back` undoes it (the password was right, or it was never checked).
    [[nodiscard]] bool try_attempt(const std::string& remote, const std::string& account,
                                   double now_s);
    void take_back(const std::string& remote, const std::string& account);

  private:
    struct Limits {
        std::size_t per_minute;
        std::size_t per_ten_minutes;
        std::size_t per_hour;
    };
    bool allowed_locked(const std::string& key, const Limits& limits, double now_s);
    void forget_old_locked(double now_s);

    std::mutex mutex_;
    std::map<std::string, std::deque<double>> failures_;
    double forgot_at_s_ = 0.0;  ///< When entries older than an hour were last dropped.
};

}  // namespace strata::server
