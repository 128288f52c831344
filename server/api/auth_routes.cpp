// /api/version, /api/server, /api/login, /api/logout, /api/currentuser. Login opens a session in
// an HttpOnly, SameSite=Strict cookie and hands out its CSRF token. Failed logins are limited per
// client address and per account (LoginLimiter); the password is checked on the
// PasswordChecker's thread, and the answer is given from there (http::LaterAnswer), so a flood
// of logins does not hold up the reactor threads that serve everything else.
#include "routes.hpp"

#include "json_body.hpp"
#include "shapes.hpp"

namespace strata::server::api {
namespace {

std::string session_cookie(const std::string& token, double max_age_s) {
    std::string cookie = "strata_session=" + token + "; Path=/; HttpOnly; SameSite=Strict";
    if (max_age_s > 0.0) cookie += "; Max-Age=" + std::to_string(static_cast<long>(max_age_s));
    return cookie;
}

// The login answer: the user, the session (its token, for clients that authenticate a push
// channel with it) and the CSRF token state-changing requests must send back.
http::Response login_answer(const User& user, const NewSession& session,
                            std::string_view mechanism) {
    http::Response answer = json_reply(200, [&](JsonWriter& json) {
        json.begin_object();
        write_user(json, user, true);
        json.key("apikey").null();
        json.field("session", session.token);
        json.field("csrf_token", session.csrf_token);
        json.field("_is_external_client", false);
        json.field("_login_mechanism", mechanism);
        json.end_object();
    });
    answer.add_header("Cache-Control", "no-store");  // It carries the session's tokens.
    return answer;
}

// The password checker's queue is full: the login was not tried, and may be again shortly.
http::Response too_busy() {
    http::Response busy = http::Response::error(503, "too many logins at once: try again");
    busy.add_header("Retry-After", "1");
    return busy;
}

// A session for a user whose password was right: the answer with the session cookie.
http::Response open_session(Services& services, const User& user, bool remember) {
    const Result<NewSession> opened = services.store.with([&](Database& db) {
        return Sessions(db, services.config.session_lifetime_s).open(user.id, unix_now_s());
    });
    if (!opened) return http::Response::error(500, opened.error().message);
    const NewSession& session = *opened;
    http::Response response = login_answer(user, session, "password");
    response.add_header(
        "Set-Cookie",
        session_cookie(session.token, remember ? session.expires_s - unix_now_s() : 0.0));
    return response;
}

}  // namespace

http::Response get_version(Services& services, const Call&) {
    return json_reply(200, [&](JsonWriter& json) {
        json.begin_object()
            .field("api", octoprint_api_version)
            .field("server", octoprint_server_version)
            .field("text", "OctoPrint 1.11.8 (strata " + services.config.version + ")")
            .field("strata", services.config.version)
            .end_object();
    });
}

http::Response get_server(Services& services, const Call&) {
    return json_reply(200, [&](JsonWriter& json) {
        json.begin_object()
            .field("version", octoprint_server_version)
            .field("safemode", false)
            .field("strata", services.config.version)
            .end_object();
    });
}

http::Response post_login(Services& services, const Call& call) {
    JsonBody body;
    if (std::optional<http::Response> refused = read_body(call, body)) return *refused;
    if (body.flag("passive").value_or(false)) {
        if (!call.principal) return http::Response::error(403, "not logged in");
        // A browser's own session (a reloaded page): the same session and CSRF token again,
        // not one more session per reload.
        if (call.principal->session) {
            const Session& open = *call.principal->session;
            return login_answer(call.principal->user,
                                {call.principal->session_token, open.csrf_token, open.expires_s},
                                "session");
        }
        // A key's passive logins share one session: clients that log in again every few
        // seconds would otherwise leave a week-long session behind each time.
        const Result<NewSession> opened = services.store.with([&](Database& db) {
            return Sessions(db, services.config.session_lifetime_s)
                .open_for_key(call.principal->user.id, call.principal->api_key, unix_now_s());
        });
        if (!opened) return http::Response::error(500, opened.error().message);
        return login_answer(call.principal->user, *opened, "apikey");
    }
    const std::optional<std::string> name = body.string("user");
    const std::optional<std::string> password = body.string("pass");
    if (!name || !password)
        return http::Response::error(400, "Mandatory parameters missing: user and pass");
    if (!services.password_checker.has_room()) return too_busy();
    // Counted before the password is checked: tries in parallel cannot pass the limit.
    if (!services.login_limiter.try_attempt(call.peer.address, *name, unix_now_s()))
        return http::Response::error(429, "too many failed logins: try again later");
    std::optional<std::pair<User, std::string>> record =
        services.store.with([&](Database& db) { return Accounts(db).password_record(*name); });
    std::optional<std::string> stored_hash;
    if (record) stored_hash = record->second;
    auto answer = std::make_shared<http::LaterAnswer>();
    const bool queued = services.password_checker.submit(
        std::move(stored_hash), *password,
        [&services, answer, record = std::move(record), address = call.peer.address, name = *name,
         remember = body.flag("remember").value_or(false)](bool matches) {
            if (!matches || !record || !record->first.active) {
                answer->give(http::Response::error(403, "wrong user name or password"));
                return;
            }
            services.login_limiter.take_back(address, name);
            answer->give(open_session(services, record->first, remember));
        });
    if (!queued) {
        services.login_limiter.take_back(call.peer.address, *name);  // Never checked.
        return too_busy();
    }
    http::Response later;
    later.later = std::move(answer);
    return later;
}

http::Response post_logout(Services& services, const Call& call) {
    if (call.principal && call.principal->session) {
        // The session that authenticated this call is the one to end.
        const Status closed = services.store.with(
            [&](Database& db) { return Sessions(db).close(call.principal->session->id); });
        // A logout that did not happen must not look like one: the session would stay open.
        if (!closed) return http::Response::error(500, "not logged out: " + closed.error().message);
    }
    http::Response response = http::Response::empty(204);
    response.add_header("Set-Cookie",
                        "strata_session=; Path=/; HttpOnly; SameSite=Strict; "
                        "Max-Age=0");
    return response;
}

http::Response get_currentuser(Services&, const Call& call) {
    return json_reply(200, [&](JsonWriter& json) {
        json.begin_object();
        write_user(json, call.principal->user, false);
        json.end_object();
    });
}

}  // namespace strata::server::api
