// The REST application on the HTTP adapter: each request is matched against the route table,
// authenticated (API key in `X-Api-Key`, `Authorization: Bearer` or `?apikey=`, else the session
// cookie), checked against the route's role and, for a cookie session changing state, its CSRF
// token; only then is its body read. Nothing but `Access::anyone` routes answers without
// credentials: OctoPrint's routes with its 403, strata's own with 401; 403 with too small a role.
#include "application.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "strata/common/json_writer.hpp"

namespace strata::server::api {
namespace {

constexpr std::size_t max_json_body_bytes = std::size_t{1} << 20;
constexpr std::string_view session_cookie = "strata_session";

bool changes_state(std::string_view method) {
    return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

std::optional<std::string> presented_key(const Call& call) {
    if (const auto key = call.query_value("apikey")) return std::string(*key);
    if (const auto key = call.head.header("x-api-key")) return std::string(*key);
    if (const auto authorization = call.head.header("authorization")) {
        constexpr std::string_view bearer = "Bearer ";
        if (authorization->size() > bearer.size() &&
            std::equal(bearer.begin(), bearer.end(), authorization->begin(),
                       [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
            return std::string(authorization->substr(bearer.size()));
    }
    return std::nullopt;
}

std::optional<std::string> cookie_value(const http::RequestHead& head, std::string_view name) {
    for (const auto& [header, value] : head.headers) {
        if (header != "cookie") continue;
        std::string_view rest = value;
        while (!rest.empty()) {
            const std::size_t semicolon = rest.find(';');
            std::string_view pair = rest.substr(0, semicolon);
            rest = semicolon == std::string_view::npos ? std::string_view()
                                                       : rest.substr(semicolon + 1);
            while (!pair.empty() && pair.front() == ' ')
                pair.remove_prefix(1);
            if (pair.size() > name.size() && pair.substr(0, name.size()) == name &&
                pair[name.size()] == '=')
                return std::string(pair.substr(name.size() + 1));
        }
    }
    return std::nullopt;
}

Role least_role(Access access) {
    switch (access) {
        case Access::admin: return Role::admin;
        case Access::operator_: return Role::operator_;
        default: return Role::viewer;
    }
}

}  // namespace

ApiApplication::ApiApplication(Services& services) : services_(services) {
    for (const Route& route : routes()) {
        CompiledRoute compiled{&route, {}, false};
        std::string_view pattern = route.pattern.substr(1);
        while (!pattern.empty()) {
            const std::size_t slash = pattern.find('/');
            compiled.segments.emplace_back(pattern.substr(0, slash));
            pattern =
                slash == std::string_view::npos ? std::string_view() : pattern.substr(slash + 1);
        }
        compiled.rest = !compiled.segments.empty() && compiled.segments.back().ends_with("*}");
        compiled_.push_back(std::move(compiled));
    }
}

const Route* ApiApplication::match(std::string_view method, std::string_view path,
                                   std::vector<std::string>& captures, bool& path_known) const {
    path_known = false;
    std::vector<std::string_view> parts;
    std::string_view rest = path.substr(1);
    while (!rest.empty()) {
        const std::size_t slash = rest.find('/');
        parts.push_back(rest.substr(0, slash));
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    }
    for (const CompiledRoute& route : compiled_) {
        const std::size_t fixed = route.segments.size() - (route.rest ? 1 : 0);
        if (route.rest ? parts.size() <= fixed : parts.size() != fixed) continue;
        std::vector<std::string> found;
        bool same = true;
        for (std::size_t i = 0; i < fixed && same; ++i) {
            const std::string_view segment = route.segments[i];
            if (segment.starts_with("{"))
                found.emplace_back(parts[i]);
            else
                same = segment == parts[i];
        }
        if (!same) continue;
        if (route.rest) {
            // The rest of the decoded path, slashes included.
            std::string tail;
            for (std::size_t i = fixed; i < parts.size(); ++i)
                tail += (i == fixed ? "" : "/") + std::string(parts[i]);
            found.push_back(std::move(tail));
        }
        path_known = true;
        if (route.route->method != method && !(method == "HEAD" && route.route->method == "GET"))
            continue;
        captures = std::move(found);
        return route.route;
    }
    return nullptr;
}

namespace {

// OctoPrint answers a call without valid credentials as one from its anonymous user: 403 with
// werkzeug's text (clients such as Cura and FDM Monster look for 403). strata's own routes say
// 401, the status that means it.
http::Response refuse_credentials(const Route& route, const std::string& refusal) {
    const std::string_view pattern = route.pattern;
    const bool strata_own = pattern.starts_with("/api/strata/") || pattern == "/api/events" ||
                            pattern == "/api/openapi.json";
    if (strata_own) return http::Response::error(401, refusal);
    std::ostringstream body;
    JsonWriter(body)
        .begin_object()
        .field("error",
               "You don't have the permission to access the requested resource. It is either "
               "read-protected or not readable by the server.")
        .field("reason", refusal)
        .end_object();
    return http::Response::json(403, body.str());
}

}  // namespace

std::optional<Principal> ApiApplication::authenticate(const Call& call, std::string& refusal) {
    if (const std::optional<std::string> key = presented_key(call)) {
        if (std::optional<User> cached = services_.keys.find(*key))
            return Principal{*cached, {}, {}, *key};
        const std::optional<User> user = services_.store.with(
            [&key](Database& db) { return Accounts(db).user_for_api_key(*key, unix_now_s()); });
        if (!user) {
            refusal = "invalid API key";
            return std::nullopt;
        }
        services_.keys.remember(*key, *user);
        return Principal{*user, {}, {}, *key};
    }
    if (const std::optional<std::string> token = cookie_value(call.head, session_cookie)) {
        std::optional<Session> session = services_.store.with(
            [&token](Database& db) { return Sessions(db).find(*token, unix_now_s()); });
        if (!session) {
            refusal = "the session has ended: log in again";
            return std::nullopt;
        }
        return Principal{session->user, std::move(session), *token, {}};
    }
    refusal = "credentials needed: an API key (X-Api-Key) or a session";
    return std::nullopt;
}

std::unique_ptr<http::Exchange> ApiApplication::begin(http::RequestHead head,
                                                      const http::Peer& peer) {
    Call call;
    bool path_known = false;
    const Route* route = match(head.method, head.path, call.captures, path_known);
    if (route == nullptr)
        return http::answer_now(path_known ? http::Response::error(405, "method not allowed here")
                                           : http::Response::error(404, "no such resource"));
    call.head = std::move(head);
    call.peer = peer;
    call.query = http::parse_query(call.head.query);
    std::string refusal;
    call.principal = authenticate(call, refusal);
    if (route->access != Access::anyone) {
        if (!call.principal) return http::answer_now(refuse_credentials(*route, refusal));
        if (call.principal->user.role < least_role(route->access))
            return http::answer_now(http::Response::error(
                403,
                "this needs the " + std::string(to_string(least_role(route->access))) + " role"));
        if (call.principal->session && changes_state(call.head.method)) {
            const auto token = call.head.header("x-csrf-token");
            if (!token || !csrf_matches(*call.principal->session, *token))
                return http::answer_now(
                    http::Response::error(403, "missing or wrong X-CSRF-Token header"));
        }
    }
    if (route->streaming != nullptr) return route->streaming(services_, std::move(call));
    Handler handler = route->handler;
    Services& services = services_;
    return http::collect_body(max_json_body_bytes, [handler, &services, call = std::move(call)](
                                                       std::string&& body) mutable {
        call.body = std::move(body);
        return handler(services, call);
    });
}

std::optional<User> KeyCache::find(const std::string& key) {
    const std::lock_guard lock(mutex_);
    const auto found = entries_.find(key);
    if (found == entries_.end() || found->second.expires < std::chrono::steady_clock::now())
        return std::nullopt;
    return found->second.user;
}

void KeyCache::remember(const std::string& key, const User& user) {
    const std::lock_guard lock(mutex_);
    if (entries_.size() > 1000) entries_.clear();  // Many keys: start over rather than grow.
    entries_[key] = {user, std::chrono::steady_clock::now() + lifetime};
}

void KeyCache::forget_all() {
    const std::lock_guard lock(mutex_);
    entries_.clear();
}

std::optional<std::string_view> Call::query_value(std::string_view name) const {
    for (const auto& [key, value] : query)
        if (key == name) return std::string_view(value);
    return std::nullopt;
}

bool Call::query_flag(std::string_view name) const {
    const auto value = query_value(name);
    return value && truthy(*value);
}

// The Host header goes into Location headers and `refs`: only a host name or address with an
// optional port is taken as it is (no quotes, slashes, spaces or markup a client could plant).
std::string Call::origin() const {
    const std::string_view host = head.header("host").value_or("");
    const bool plain =
        !host.empty() && host.size() <= 255 && std::all_of(host.begin(), host.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' ||
                   c == ':' || c == '[' || c == ']' || c == '_';
        });
    return "http://" + std::string(plain ? host : "127.0.0.1");
}

bool truthy(std::string_view text) {
    std::string lowered(text);
    std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lowered == "true" || lowered == "yes" || lowered == "y" || lowered == "1";
}

}  // namespace strata::server::api
