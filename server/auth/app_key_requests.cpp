// AppKeyRequests: pending requests and approvals not yet collected, both expiring. An approval
// not collected within the request's lifetime is dropped too: its key was never made.
#include "strata/server/app_key_requests.hpp"

#include <algorithm>

#include "strata/server/accounts.hpp"

namespace strata::server {

AppKeyRequest AppKeyRequests::open(std::string_view app, std::string_view user,
                                   std::string_view remote, double now_s) {
    AppKeyRequest request;
    request.app = std::string(app);
    request.user = std::string(user);
    request.app_token = generate_secret(24);
    request.user_token = generate_secret(24);
    request.remote_address = std::string(remote);
    request.created_s = now_s;
    request.polled_s = now_s;
    const std::lock_guard lock(mutex_);
    expire_locked(now_s);
    pending_.push_back(request);
    return request;
}

AppKeyRequests::PollResult AppKeyRequests::poll(std::string_view app_token, double now_s) {
    const std::lock_guard lock(mutex_);
    expire_locked(now_s);
    for (AppKeyRequest& request : pending_)
        if (request.app_token == app_token) {
            request.polled_s = now_s;
            return {PollState::pending, request.app, request.user};
        }
    const auto approved = std::find_if(approved_.begin(), approved_.end(),
                                       [&](const Approved& a) { return a.app_token == app_token; });
    if (approved == approved_.end()) return {};
    PollResult result{PollState::approved, approved->app, approved->user};
    approved_.erase(approved);  // Handed out once.
    return result;
}

bool AppKeyRequests::decide(std::string_view user_token, bool approve, std::string_view user_name,
                            double now_s) {
    const std::lock_guard lock(mutex_);
    expire_locked(now_s);
    const auto found = std::find_if(pending_.begin(), pending_.end(), [&](const AppKeyRequest& r) {
        return r.user_token == user_token && (r.user.empty() || r.user == user_name);
    });
    if (found == pending_.end()) return false;
    if (approve) approved_.push_back({found->app_token, found->app, std::string(user_name), now_s});
    pending_.erase(found);
    return true;
}

std::vector<AppKeyRequest> AppKeyRequests::pending_for(std::string_view user_name, double now_s) {
    const std::lock_guard lock(mutex_);
    expire_locked(now_s);
    std::vector<AppKeyRequest> mine;
    for (const AppKeyRequest& request : pending_)
        if (request.user.empty() || request.user == user_name) mine.push_back(request);
    return mine;
}

void AppKeyRequests::expire_locked(double now_s) {
    std::erase_if(pending_, [now_s](const AppKeyRequest& request) {
        return now_s - request.created_s > lifetime_s || now_s - request.polled_s > poll_timeout_s;
    });
    std::erase_if(approved_, [now_s](const Approved& approved) {
        return now_s - approved.approved_s > lifetime_s;
    });
}

}  // namespace strata::server
