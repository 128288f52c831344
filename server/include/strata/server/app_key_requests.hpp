// The application-key workflow (OctoPrint's appkeys plugin) that slicers and phone apps use to
// get an API key without the user copying one: the app asks, the user approves or denies in a
// logged-in client, the app polls and receives its key once. Requests live in memory only, as in
// OctoPrint: a request not polled for 5 s, or older than 10 minutes, is dropped. Time is passed
// in, so the expiry is tested without waiting. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::server {

struct AppKeyRequest {
    std::string app;         ///< The app's name, as it gave it.
    std::string user;        ///< The user it asked for; empty: whoever decides.
    std::string app_token;   ///< The app polls with this.
    std::string user_token;  ///< The deciding user answers with this.
    std::string remote_address;
    double created_s = 0.0;
    double polled_s = 0.0;
};

class AppKeyRequests {
  public:
    static constexpr double lifetime_s = 10.0 * 60.0;  ///< OctoPrint's CUTOFF_TIME.
    static constexpr double poll_timeout_s = 5.0;      ///< Unpolled this long: the app gave up.

    /// A new request; its tokens.
    AppKeyRequest open(std::string_view app, std::string_view user, std::string_view remote,
                       double now_s);

    enum class PollState : std::uint8_t { pending, approved, unknown };
    struct PollResult {
        PollState state = PollState::unknown;
        std::string app;
        std::string user;  ///< Who approved (the key's owner), when approved.
    };
    /// The app's poll: pending (and kept alive), approved (once: the caller then makes the
    /// key), or unknown (denied, expired, never made).
    PollResult poll(std::string_view app_token, double now_s);

    /// The user's answer to the request `user_token`; false when there is no such pending
    /// request for `user_name` (a request for another user, or expired).
    bool decide(std::string_view user_token, bool approve, std::string_view user_name,
                double now_s);
    /// The requests `user_name` may decide (its own and those for anyone).
    [[nodiscard]] std::vector<AppKeyRequest> pending_for(std::string_view user_name, double now_s);

  private:
    struct Approved {
        std::string app_token;
        std::string app;
        std::string user;
        double approved_s = 0.0;
    };
    void expire_locked(double now_s);

    std::mutex mutex_;
    std::vector<AppKeyRequest> pending_;
    std::vector<Approved> approved_;
};

}  // namespace strata::server
