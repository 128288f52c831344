// Accounts and the secrets behind them. libsodium is initialised on first use (sodium_init is
// idempotent and thread-safe); argon2id hashing takes about 75 ms and 64 MiB, so callers do
// one at a time.
#include "strata/server/accounts.hpp"

#include <sodium.h>

#include <array>
#include <ctime>
#include <vector>

namespace strata::server {
namespace {

constexpr std::size_t minimum_password_length = 8;

bool sodium_ready() {
    static const bool ready = sodium_init() >= 0;  // NOLINT: libsodium's own one-time init.
    return ready;
}

double now_unix_s() {
    return static_cast<double>(std::time(nullptr));
}

std::optional<User> read_user(Statement& statement) {
    if (statement.step() != Statement::Step::row) return std::nullopt;
    User user;
    user.id = statement.int64(0);
    user.name = statement.text(1);
    user.role = parse_role(statement.text(2)).value_or(Role::viewer);
    user.active = statement.int64(3) != 0;
    return user;
}

}  // namespace

std::string_view to_string(Role role) {
    switch (role) {
        case Role::viewer: return "viewer";
        case Role::operator_: return "operator";
        case Role::admin: return "admin";
    }
    return "viewer";
}

std::optional<Role> parse_role(std::string_view text) {
    if (text == "viewer") return Role::viewer;
    if (text == "operator") return Role::operator_;
    if (text == "admin") return Role::admin;
    return std::nullopt;
}

std::string generate_secret(std::size_t bytes) {
    (void)sodium_ready();
    std::vector<unsigned char> random(bytes);
    randombytes_buf(random.data(), random.size());
    std::string text(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                     '\0');
    sodium_bin2base64(text.data(), text.size(), random.data(), random.size(),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    text.resize(text.find('\0'));
    return text;
}

std::string secret_digest(std::string_view secret) {
    (void)sodium_ready();
    std::array<unsigned char, crypto_generichash_BYTES> digest{};
    crypto_generichash(digest.data(), digest.size(),
                       reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                       nullptr, 0);
    std::string hex(digest.size() * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
    hex.pop_back();
    return hex;
}

std::string hash_password(std::string_view password) {
    (void)sodium_ready();
    std::array<char, crypto_pwhash_STRBYTES> hash{};
    if (crypto_pwhash_str(hash.data(), password.data(), password.size(),
                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return {};
    return hash.data();
}

bool password_matches(const std::string& hash, std::string_view password) {
    (void)sodium_ready();
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

Result<NewUser> Accounts::add_user(std::string_view name, Role role,
                                   std::optional<std::string_view> password) {
    if (name.empty() || name.size() > 64)
        return fail(ErrorCode::invalid, "name: 1 to 64 characters");
    NewUser created;
    created.password = password ? std::string(*password) : generate_secret(12);
    if (created.password.size() < minimum_password_length)
        return fail(ErrorCode::invalid, "password: at least 8 characters");
    const std::string hash = hash_password(created.password);
    if (hash.empty()) return fail(ErrorCode::internal, "password: hashing ran out of memory");
    Statement insert =
        db_.prepare("INSERT INTO users (name, password_hash, role, created_s) VALUES (?, ?, ?, ?)");
    insert.bind(1, name).bind(2, std::string_view(hash)).bind(3, to_string(role));
    insert.bind(4, now_unix_s());
    if (const Status added = insert.run(); !added) {
        if (added.error().code == ErrorCode::conflict)
            return fail(ErrorCode::conflict, "name: '" + std::string(name) + "' is taken");
        return added.error();
    }
    created.user = User{db_.last_insert_id(), std::string(name), role, true};
    Result<std::string> key = add_api_key(created.user.id, "first key");
    if (!key) return key.take_error();
    created.api_key = std::move(*key);
    return created;
}

std::optional<std::pair<User, std::string>> Accounts::password_record(std::string_view name) {
    Statement select =
        db_.prepare("SELECT id, name, role, active, password_hash FROM users WHERE name = ?");
    if (!select.valid()) return std::nullopt;
    select.bind(1, name);
    std::optional<User> user = read_user(select);
    if (!user) return std::nullopt;
    return std::pair{std::move(*user), select.text(4)};
}

std::optional<User> Accounts::check_password(std::string_view name, std::string_view password) {
    std::optional<std::pair<User, std::string>> record = password_record(name);
    // A hash is checked whether the user exists or not, and for inactive users too, so the
    // answer's timing tells nothing about which names exist.
    if (!record) {
        if (unknown_user_hash_.empty()) unknown_user_hash_ = hash_password(generate_secret(16));
        (void)password_matches(unknown_user_hash_, password);
        return std::nullopt;
    }
    if (!password_matches(record->second, password) || !record->first.active) return std::nullopt;
    return record->first;
}

Result<std::string> Accounts::add_api_key(std::int64_t user_id, std::string_view label) {
    std::string key = generate_secret(32);
    Statement insert = db_.prepare(
        "INSERT INTO api_keys (user_id, key_hash, label, created_s) VALUES (?, ?, ?, ?)");
    insert.bind(1, user_id).bind(2, std::string_view(secret_digest(key))).bind(3, label);
    insert.bind(4, now_unix_s());
    if (Status added = insert.run(); !added) return added.take_error();
    return key;
}

std::vector<ApiKeyRecord> Accounts::api_keys(std::int64_t user_id) {
    std::vector<ApiKeyRecord> keys;
    Statement select = db_.prepare(
        "SELECT id, label, created_s, last_used_s FROM api_keys WHERE user_id = ? ORDER BY id");
    if (!select.valid()) return keys;
    select.bind(1, user_id);
    while (select.step() == Statement::Step::row) {
        ApiKeyRecord key{select.int64(0), select.text(1), select.real(2), std::nullopt};
        if (!select.is_null(3)) key.last_used_s = select.real(3);
        keys.push_back(std::move(key));
    }
    return keys;
}

std::int64_t Accounts::remove_api_keys(std::int64_t user_id, std::string_view label) {
    const std::int64_t before = static_cast<std::int64_t>(api_keys(user_id).size());
    Statement remove = db_.prepare("DELETE FROM api_keys WHERE user_id = ? AND label = ?");
    if (!remove.valid() || !remove.bind(1, user_id).bind(2, label).run()) return 0;
    return before - static_cast<std::int64_t>(api_keys(user_id).size());
}

std::vector<User> Accounts::users() {
    std::vector<User> found;
    Statement select = db_.prepare("SELECT id, name, role, active FROM users ORDER BY name");
    if (!select.valid()) return found;
    while (std::optional<User> user = read_user(select))
        found.push_back(std::move(*user));
    return found;
}

std::optional<User> Accounts::user_for_api_key(std::string_view key, double now_s) {
    const std::string digest = secret_digest(key);
    Statement select = db_.prepare(
        "SELECT users.id, users.name, users.role, users.active FROM api_keys "
        "JOIN users ON users.id = api_keys.user_id WHERE api_keys.key_hash = ?");
    if (!select.valid()) return std::nullopt;
    select.bind(1, std::string_view(digest));
    std::optional<User> user = read_user(select);
    if (!user || !user->active) return std::nullopt;
    Statement touch = db_.prepare("UPDATE api_keys SET last_used_s = ? WHERE key_hash = ?");
    // When a key was last used is for its owner to see; failing to note it refuses no call.
    (void)touch.bind(1, now_s).bind(2, std::string_view(digest)).run();
    return user;
}

std::int64_t Accounts::admin_count() {
    Statement count = db_.prepare("SELECT count(*) FROM users WHERE role = 'admin' AND active = 1");
    if (!count.valid() || count.step() != Statement::Step::row) return 0;
    return count.int64(0);
}

namespace {

constexpr std::size_t per_address_minute = 3;
// Accounts are keyed apart from addresses (an address has no NUL byte).
std::string account_key(const std::string& account) {
    return std::string("\0account:", 9) + account;
}

}  // namespace

// Names tried once and never again would otherwise stay for ever: a flood of made-up names
// grew the table without end. Entries with nothing in the last hour go, at most once a minute.
void LoginLimiter::forget_old_locked(double now_s) {
    if (now_s - forgot_at_s_ < 60.0) return;
    forgot_at_s_ = now_s;
    std::erase_if(failures_, [now_s](const auto& entry) {
        return entry.second.empty() || entry.second.back() <= now_s - 3600.0;
    });
}

bool LoginLimiter::allowed_locked(const std::string& key, const Limits& limits, double now_s) {
    const auto found = failures_.find(key);
    if (found == failures_.end()) return true;
    std::deque<double>& times = found->second;
    while (!times.empty() && times.front() <= now_s - 3600.0)
        times.pop_front();
    const auto within = [&](double window_s) {
        std::size_t count = 0;
        for (const double at : times)
            count += at > now_s - window_s ? 1 : 0;
        return count;
    };
    return within(60.0) < limits.per_minute && within(600.0) < limits.per_ten_minutes &&
           times.size() < limits.per_hour;
}

bool LoginLimiter::allowed(const std::string& remote, double now_s) {
    const std::lock_guard lock(mutex_);
    return allowed_locked(remote, {per_address_minute, 5, 10}, now_s);
}

void LoginLimiter::record_failure(const std::string& remote, double now_s) {
    const std::lock_guard lock(mutex_);
    forget_old_locked(now_s);
    failures_[remote].push_back(now_s);
}

bool LoginLimiter::try_attempt(const std::string& remote, const std::string& account,
                               double now_s) {
    const std::lock_guard lock(mutex_);
    forget_old_locked(now_s);
    const std::string by_account = account_key(account);
    if (!allowed_locked(remote, {per_address_minute, 5, 10}, now_s) ||
        !allowed_locked(by_account, {5, 10, 20}, now_s))
        return false;
    failures_[remote].push_back(now_s);
    failures_[by_account].push_back(now_s);
    return true;
}

void LoginLimiter::take_back(const std::string& remote, const std::string& account) {
    const std::lock_guard lock(mutex_);
    for (const std::string& key : {remote, account_key(account)}) {
        const auto found = failures_.find(key);
        if (found == failures_.end()) continue;
        if (!found->second.empty()) found->second.pop_back();
        if (found->second.empty()) failures_.erase(found);  // A flood of names leaves nothing.
    }
}

}  // namespace strata::server
