// The application-key workflow as OctoPrint's appkeys plugin serves it (what Cura's OctoPrint
// plugin, PrusaSlicer's and the phone apps call): `probe`, `request` (rate-limited as OctoPrint
// does: 3 a minute, 5 in ten minutes, 10 an hour per address), the app's poll, the user's
// decision, and `/api/plugin/appkeys` to list, make and revoke a user's app keys. An approved
// app gets a new key of the approving user, labelled `app: <name>`; the key is shown once, in
// the poll's answer. Pending requests are announced on the event stream (`AppKeyRequested`, not
// stored) for the web app's prompt.
#include "json_body.hpp"
#include "routes.hpp"
#include "shapes.hpp"

namespace strata::server::api {
namespace {

constexpr std::string_view label_prefix = "app: ";

std::string label_of(std::string_view app) {
    return std::string(label_prefix) + std::string(app);
}

// A new key for `user` labelled for `app`; empty when the store refused it.
std::string make_key(Services& services, const User& user, std::string_view app) {
    const Result<std::string> key = services.store.with(
        [&](Database& db) { return Accounts(db).add_api_key(user.id, label_of(app)); });
    return key ? *key : std::string();
}

std::optional<User> user_named(Services& services, std::string_view name) {
    return services.store.with([&](Database& db) -> std::optional<User> {
        for (User& user : Accounts(db).users())
            if (user.name == name) return std::move(user);
        return std::nullopt;
    });
}

}  // namespace

http::Response get_appkeys_probe(Services& /*services*/, const Call& /*call*/) {
    return http::Response::empty(204);
}

http::Response post_appkeys_request(Services& services, const Call& call) {
    JsonBody body;
    if (std::optional<http::Response> refused = read_body(call, body)) return *refused;
    const std::optional<std::string> app = body.string("app");
    if (!app || app->empty() || app->size() > 100) return field_error("app", "no app name given");
    const std::string user = body.string("user").value_or("");
    const double now_s = unix_now_s();
    // Every request counts (OctoPrint's limit is on requests, not on failures).
    if (!services.app_key_limiter.allowed(call.peer.address, now_s))
        return http::Response::error(
            429, "You have made too many app key requests. Please try again later.");
    services.app_key_limiter.record_failure(call.peer.address, now_s);
    const AppKeyRequest request = services.app_keys.open(*app, user, call.peer.address, now_s);
    {
        std::ostringstream payload;
        JsonWriter(payload)
            .begin_object()
            .field("app", request.app)
            .field("user", request.user)
            .field("user_token", request.user_token)
            .field("remote_address", request.remote_address)
            .end_object();
        services.events.broadcast("AppKeyRequested", payload.str());
    }
    const std::string origin = call.origin();
    http::Response answer = json_reply(201, [&](JsonWriter& json) {
        json.begin_object().field("app_token", request.app_token);
        json.field("auth_dialog", origin + "/appkeys/" + request.app_token +
                                      (user.empty() ? "" : "?user=" + url_path(user)));
        json.end_object();
    });
    answer.add_header("Location", origin + "/plugin/appkeys/request/" + request.app_token);
    return answer;
}

http::Response get_appkeys_poll(Services& services, const Call& call) {
    const AppKeyRequests::PollResult result =
        services.app_keys.poll(call.captures.at(0), unix_now_s());
    switch (result.state) {
        case AppKeyRequests::PollState::pending:
            return json_reply(202, [](JsonWriter& json) {
                json.begin_object().field("message", "Awaiting decision").end_object();
            });
        case AppKeyRequests::PollState::approved: {
            const std::optional<User> owner = user_named(services, result.user);
            const std::string key = owner ? make_key(services, *owner, result.app) : "";
            if (key.empty()) return http::Response::error(500, "the key could not be stored");
            http::Response answer = json_reply(200, [&](JsonWriter& json) {
                json.begin_object().field("api_key", key).end_object();
            });
            answer.add_header("Cache-Control", "no-store");
            return answer;
        }
        case AppKeyRequests::PollState::unknown: break;
    }
    return http::Response::error(404, "no such request: denied, expired or never made");
}

http::Response post_appkeys_decision(Services& services, const Call& call) {
    JsonBody body;
    if (std::optional<http::Response> refused = read_body(call, body)) return *refused;
    const rapidjson::Value* decision = body.value("decision");
    if (decision == nullptr) return field_error("decision", "no decision provided");
    const bool approve = decision->IsBool()     ? decision->GetBool()
                         : decision->IsString() ? truthy(decision->GetString())
                                                : false;
    if (!services.app_keys.decide(call.captures.at(0), approve, call.principal->user.name,
                                  unix_now_s()))
        return http::Response::error(404, "no such pending request for this user");
    return http::Response::empty(204);
}

http::Response get_plugin_appkeys(Services& services, const Call& call) {
    const User& user = call.principal->user;
    const std::vector<ApiKeyRecord> keys =
        services.store.with([&](Database& db) { return Accounts(db).api_keys(user.id); });
    const std::vector<AppKeyRequest> pending =
        services.app_keys.pending_for(user.name, unix_now_s());
    const std::string app_filter(call.query_value("app").value_or(""));
    return json_reply(200, [&](JsonWriter& json) {
        json.begin_object().key("keys").begin_array();
        for (const ApiKeyRecord& key : keys) {
            if (!key.label.starts_with(label_prefix)) continue;
            const std::string app = key.label.substr(label_prefix.size());
            if (!app_filter.empty() && app != app_filter) continue;
            json.begin_object().field("app_id", app).field("user_id", user.name);
            json.field("created", key.created_s).field("last_used", key.last_used_s);
            json.end_object();
        }
        json.end_array();
        json.key("pending").begin_object();
        for (const AppKeyRequest& request : pending) {
            json.key(request.user_token).begin_object();
            json.field("app_id", request.app);
            if (request.user.empty())
                json.key("user_id").null();
            else
                json.field("user_id", request.user);
            json.field("user_token", request.user_token);
            json.field("remote_address", request.remote_address).end_object();
        }
        json.end_object().end_object();
    });
}

http::Response post_plugin_appkeys(Services& services, const Call& call) {
    JsonBody body;
    if (std::optional<http::Response> refused = read_body(call, body)) return *refused;
    const std::string command = body.string("command").value_or("");
    const std::optional<std::string> app = body.string("app");
    const User& user = call.principal->user;
    if (const std::optional<std::string> other = body.string("user"); other && *other != user.name)
        return http::Response::error(403, "keys are made and revoked for the caller only");
    if (command == "generate") {
        if (!app || app->empty()) return field_error("app", "no app name given");
        const std::string key = make_key(services, user, *app);
        if (key.empty()) return http::Response::error(500, "the key could not be stored");
        return json_reply(200, [&](JsonWriter& json) {
            json.begin_object().field("user_id", user.name).field("app_id", *app);
            json.field("api_key", key).end_object();
        });
    }
    if (command == "revoke") {
        if (!app || app->empty()) return field_error("app", "need the app's name");
        const std::int64_t removed = services.store.with(
            [&](Database& db) { return Accounts(db).remove_api_keys(user.id, label_of(*app)); });
        if (removed == 0) return http::Response::error(404, "no key for this app");
        services.keys.forget_all();  // A revoked key stops working now, not in 10 s.
        return http::Response::empty(204);
    }
    return field_error("command", "must be generate or revoke");
}

}  // namespace strata::server::api
