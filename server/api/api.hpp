// What every route handler sees: the services (store, accounts, events, files, printer), the
// call (head, path captures, query, the authenticated principal, the body) and the route table
// entry type. Internal to server/api; one handler file per resource includes it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "push_hub.hpp"
#include "strata/server/accounts.hpp"
#include "strata/server/app_key_requests.hpp"
#include "strata/server/clock.hpp"
#include "strata/server/event_hub.hpp"
#include "strata/server/http.hpp"
#include "strata/server/library.hpp"
#include "strata/server/password_checker.hpp"
#include "strata/server/printer_service.hpp"
#include "strata/server/recordings.hpp"
#include "strata/server/server.hpp"
#include "strata/server/sessions.hpp"

namespace strata::server::api {

/// Who may call a route: `anyone` (login, the web app's files), else the least role.
enum class Access : std::uint8_t { anyone, viewer, operator_, admin };

struct Principal {
    User user;
    std::optional<Session> session;  ///< Set when the cookie, not a key, authenticated.
    std::string session_token;       ///< The cookie's token, with `session`.
    std::string api_key;             ///< The key presented, when a key authenticated.
};

/// API keys seen recently, so a poll does not cost a store lookup and write each time. A key
/// removed from the store stops working within `lifetime`.
class KeyCache {
  public:
    static constexpr std::chrono::seconds lifetime{10};
    std::optional<User> find(const std::string& key);
    void remember(const std::string& key, const User& user);
    void forget_all();

  private:
    struct Entry {
        User user;
        std::chrono::steady_clock::time_point expires;
    };
    std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
};

struct Services {
    const ServerConfig& config;
    Store& store;
    EventHub& events;
    FileLibrary& library;
    PrinterService& printer;
    Recordings& recordings;
    KeyCache keys;
    LoginLimiter login_limiter;
    /// Apps waiting for a key, and the limit on their requests per address.
    AppKeyRequests app_keys;
    LoginLimiter app_key_limiter;
    /// The push API's clients (OctoPrint's socket).
    PushHub push;
    /// Last, so it is stopped first: its checks finish while the rest still stands.
    PasswordChecker password_checker;
};

struct Call {
    http::RequestHead head;
    http::Peer peer;
    std::vector<std::string> captures;  ///< The pattern's `{...}` parts, in order.
    std::vector<std::pair<std::string, std::string>> query;
    std::optional<Principal> principal;
    std::string body;

    [[nodiscard]] std::optional<std::string_view> query_value(std::string_view name) const;
    [[nodiscard]] bool query_flag(std::string_view name) const;
    /// The request's own origin (scheme, host, port), for Location headers.
    [[nodiscard]] std::string origin() const;
};

using Handler = http::Response (*)(Services&, const Call&);
/// For routes that read their body as it streams (uploads) or never end (event streams).
using StreamingHandler = std::unique_ptr<http::Exchange> (*)(Services&, Call&&);

struct Route {
    std::string_view method;
    std::string_view pattern;  ///< `/api/files/{origin}/{path*}`: `*` takes the rest.
    Access access;
    Handler handler = nullptr;
    StreamingHandler streaming = nullptr;
    std::string_view summary;  ///< For the OpenAPI document.
};

/// Every route the server has, in one place (routes.cpp).
[[nodiscard]] std::span<const Route> routes();

[[nodiscard]] std::string_view role_name(Access access);
/// The OpenAPI 3 document of `routes()`.
[[nodiscard]] std::string openapi_json(std::string_view version);

/// OctoPrint's booleans: true, yes, y, 1 (any case).
[[nodiscard]] bool truthy(std::string_view text);

}  // namespace strata::server::api
