// Browser sessions: a random token in an HttpOnly SameSite cookie and a CSRF token the page
// sends back on state-changing requests. The store keeps the token's digest only; a session
// ends at logout, at its expiry, or with its user.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "strata/server/accounts.hpp"
#include "strata/server/store.hpp"

namespace strata::server {

struct Session {
    std::int64_t id = 0;
    User user;
    std::string csrf_token;
    double expires_s = 0.0;
};

/// What a new session hands out, once.
struct NewSession {
    std::string token;  ///< The cookie's value.
    std::string csrf_token;
    double expires_s = 0.0;
};

class Sessions {
  public:
    explicit Sessions(Database& db, double lifetime_s = 7.0 * 24 * 3600)
        : db_(db), lifetime_s_(lifetime_s) {}

    [[nodiscard]] Result<NewSession> open(std::int64_t user_id, double now_s);
    /// The one session an API key's passive logins share (clients such as FDM Monster log in
    /// again every few seconds): its token is derived from the key, so the live session is
    /// found again, and renewed once half its lifetime is gone, so a key in use never sees it
    /// expire under it; once it has expired or been closed, a new one takes its place.
    [[nodiscard]] Result<NewSession> open_for_key(std::int64_t user_id, std::string_view api_key,
                                                  double now_s);
    /// The live session of an active user that `token` opens; nothing when unknown or expired.
    [[nodiscard]] std::optional<Session> find(std::string_view token, double now_s);
    /// Logout: the token opens nothing afterwards.
    [[nodiscard]] Status close(std::string_view token);
    /// The same by the session's id.
    [[nodiscard]] Status close(std::int64_t session_id);
    /// Deletes expired sessions; how many.
    std::int64_t expire(double now_s);

  private:
    Database& db_;
    double lifetime_s_;
};

/// Whether `presented` is the session's CSRF token, compared in constant time.
[[nodiscard]] bool csrf_matches(const Session& session, std::string_view presented);

}  // namespace strata::server
