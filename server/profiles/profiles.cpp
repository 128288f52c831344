// Profiles over the `profiles` table: one row per (kind, name), at most one default per kind.
#include "strata/server/profiles.hpp"

namespace strata::server {
namespace {

StoredProfile profile_from_row(const Statement& row) {
    return {row.text(0), row.int64(1) != 0, row.real(2), row.text(3)};
}

}  // namespace

std::vector<StoredProfile> Profiles::list(ProfileKind kind) {
    std::vector<StoredProfile> profiles;
    std::string error;
    Statement select = db_.prepare(
        "SELECT name, is_default, updated_s, body_json FROM profiles WHERE kind = ? ORDER BY name",
        error);
    if (!select.valid()) return profiles;
    select.bind(1, to_string(kind));
    while (select.step(error) == Statement::Step::row)
        profiles.push_back(profile_from_row(select));
    return profiles;
}

std::optional<StoredProfile> Profiles::find(ProfileKind kind, std::string_view name) {
    std::string error;
    Statement select = db_.prepare(
        "SELECT name, is_default, updated_s, body_json FROM profiles WHERE kind = ? AND name = ?",
        error);
    if (!select.valid() ||
        select.bind(1, to_string(kind)).bind(2, name).step(error) != Statement::Step::row)
        return std::nullopt;
    return profile_from_row(select);
}

std::optional<StoredProfile> Profiles::default_of(ProfileKind kind) {
    std::string error;
    Statement select = db_.prepare(
        "SELECT name, is_default, updated_s, body_json FROM profiles WHERE kind = ? AND "
        "is_default = 1",
        error);
    if (!select.valid() || select.bind(1, to_string(kind)).step(error) != Statement::Step::row)
        return std::nullopt;
    return profile_from_row(select);
}

bool Profiles::put(ProfileKind kind, std::string_view name, std::string_view body_json,
                   bool is_default, double now_s, std::string& error) {
    if (!db_.execute("BEGIN IMMEDIATE", error)) return false;
    bool ok = true;
    if (is_default) {
        Statement clear = db_.prepare("UPDATE profiles SET is_default = 0 WHERE kind = ?", error);
        ok = clear.valid() && clear.bind(1, to_string(kind)).run(error);
    }
    if (ok) {
        Statement upsert = db_.prepare(
            "INSERT INTO profiles (kind, name, body_json, is_default, updated_s) VALUES "
            "(?, ?, ?, ?, ?) ON CONFLICT (kind, name) DO UPDATE SET body_json = "
            "excluded.body_json, is_default = excluded.is_default, updated_s = "
            "excluded.updated_s",
            error);
        ok = upsert.valid() && upsert.bind(1, to_string(kind))
                                   .bind(2, name)
                                   .bind(3, body_json)
                                   .bind(4, std::int64_t{is_default ? 1 : 0})
                                   .bind(5, now_s)
                                   .run(error);
    }
    std::string ignored;
    (void)db_.execute(ok ? "COMMIT" : "ROLLBACK", ok ? error : ignored);
    return ok;
}

bool Profiles::remove(ProfileKind kind, std::string_view name) {
    std::string error;
    Statement remove = db_.prepare("DELETE FROM profiles WHERE kind = ? AND name = ?", error);
    if (!remove.valid() || !remove.bind(1, to_string(kind)).bind(2, name).run(error)) return false;
    Statement changes = db_.prepare("SELECT changes()", error);
    return changes.valid() && changes.step(error) == Statement::Step::row && changes.int64(0) > 0;
}

}  // namespace strata::server
