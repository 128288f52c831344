// Sessions in the store, looked up by the digest of their token.
#include "strata/server/sessions.hpp"

#include <sodium.h>

#include <string>

namespace strata::server {

Result<NewSession> Sessions::open(std::int64_t user_id, double now_s) {
    NewSession created;
    created.token = generate_secret(32);
    created.csrf_token = generate_secret(24);
    created.expires_s = now_s + lifetime_s_;
    Statement insert = db_.prepare(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_s, expires_s) "
        "VALUES (?, ?, ?, ?, ?)");
    insert.bind(1, std::string_view(secret_digest(created.token))).bind(2, user_id);
    insert.bind(3, std::string_view(created.csrf_token)).bind(4, now_s).bind(5, created.expires_s);
    if (Status stored = insert.run(); !stored) return stored.take_error();
    return created;
}

Result<NewSession> Sessions::open_for_key(std::int64_t user_id, std::string_view api_key,
                                          double now_s) {
    NewSession session;
    // One-way from the key: the token tells nothing of the key, and only the key's holder,
    // who can act as the user anyway, can make it.
    session.token = secret_digest("strata passive login session\n" + std::string(api_key));
    if (const std::optional<Session> live = find(session.token, now_s);
        live && live->user.id == user_id) {
        session.csrf_token = live->csrf_token;
        session.expires_s = live->expires_s;
        // A session in use is kept alive: handed out moments before it expires, the client's
        // next call with it (the push API's auth) would be refused.
        if (session.expires_s - now_s < lifetime_s_ / 2.0) {
            Statement renew = db_.prepare("UPDATE sessions SET expires_s = ? WHERE id = ?");
            if (Status renewed = renew.bind(1, now_s + lifetime_s_).bind(2, live->id).run();
                !renewed)
                return renewed.take_error();
            session.expires_s = now_s + lifetime_s_;
        }
        return session;
    }
    session.csrf_token = generate_secret(24);
    session.expires_s = now_s + lifetime_s_;
    Statement upsert = db_.prepare(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_s, expires_s) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (token_hash) DO UPDATE SET user_id = "
        "excluded.user_id, csrf_token = excluded.csrf_token, created_s = excluded.created_s, "
        "expires_s = excluded.expires_s");
    upsert.bind(1, std::string_view(secret_digest(session.token))).bind(2, user_id);
    upsert.bind(3, std::string_view(session.csrf_token)).bind(4, now_s);
    upsert.bind(5, session.expires_s);
    if (Status stored = upsert.run(); !stored) return stored.take_error();
    return session;
}

std::optional<Session> Sessions::find(std::string_view token, double now_s) {
    Statement select = db_.prepare(
        "SELECT sessions.id, sessions.csrf_token, sessions.expires_s, users.id, users.name, "
        "users.role, users.active FROM sessions JOIN users ON users.id = sessions.user_id "
        "WHERE sessions.token_hash = ?");
    if (!select.valid()) return std::nullopt;
    select.bind(1, std::string_view(secret_digest(token)));
    if (select.step() != Statement::Step::row) return std::nullopt;
    Session session;
    session.id = select.int64(0);
    session.csrf_token = select.text(1);
    session.expires_s = select.real(2);
    session.user = User{select.int64(3), select.text(4),
                        parse_role(select.text(5)).value_or(Role::viewer), select.int64(6) != 0};
    if (session.expires_s <= now_s || !session.user.active) return std::nullopt;
    return session;
}

Status Sessions::close(std::string_view token) {
    Statement remove = db_.prepare("DELETE FROM sessions WHERE token_hash = ?");
    return remove.bind(1, std::string_view(secret_digest(token))).run();
}

Status Sessions::close(std::int64_t session_id) {
    Statement remove = db_.prepare("DELETE FROM sessions WHERE id = ?");
    return remove.bind(1, session_id).run();
}

std::int64_t Sessions::expire(double now_s) {
    Statement remove = db_.prepare("DELETE FROM sessions WHERE expires_s <= ?");
    if (!remove.bind(1, now_s).run()) return 0;
    return db_.changes();
}

bool csrf_matches(const Session& session, std::string_view presented) {
    return presented.size() == session.csrf_token.size() &&
           sodium_memcmp(presented.data(), session.csrf_token.data(), presented.size()) == 0;
}

}  // namespace strata::server
