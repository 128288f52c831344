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
    Statement select = db_.prepare(
        "SELECT name, is_default, updated_s, body_json FROM profiles WHERE kind = ? ORDER BY name");
    if (!select.valid()) return profiles;
    select.bind(1, to_string(kind));
    while (select.step() == Statement::Step::row)
        profiles.push_back(profile_from_row(select));
    return profiles;
}

std::optional<StoredProfile> Profiles::find(ProfileKind kind, std::string_view name) {
    Statement select = db_.prepare(
        "SELECT name, is_default, updated_s, body_json FROM profiles WHERE kind = ? AND name = ?");
    if (!select.valid() ||
        select.bind(1, to_string(kind)).bind(2, name).step() != Statement::Step::row)
        return std::nullopt;
    return profile_from_row(select);
}

std::optional<StoredProfile> Profiles::default_of(ProfileKind kind) {
    Statement select = db_.prepare(
        "SELECT name, is_default, updated_s, body_json FROM profiles WHERE kind = ? AND "
        "is_default = 1");
    if (!select.valid() || select.bind(1, to_string(kind)).step() != Statement::Step::row)
        return std::nullopt;
    return profile_from_row(select);
}

Status Profiles::put(ProfileKind kind, std::string_view name, std::string_view body_json,
                     bool is_default, double now_s) {
    if (Status begun = db_.execute("BEGIN IMMEDIATE"); !begun) return begun;
    Status stored;
    if (is_default) {
        Statement clear = db_.prepare("UPDATE profiles SET is_default = 0 WHERE kind = ?");
        stored = clear.bind(1, to_string(kind)).run();
    }
    if (stored) {
        Statement upsert = db_.prepare(
            "INSERT INTO profiles (kind, name, body_json, is_default, updated_s) VALUES "
            "(?, ?, ?, ?, ?) ON CONFLICT (kind, name) DO UPDATE SET body_json = "
            "excluded.body_json, is_default = excluded.is_default, updated_s = "
            "excluded.updated_s");
        stored = upsert.bind(1, to_string(kind))
                     .bind(2, name)
                     .bind(3, body_json)
                     .bind(4, std::int64_t{is_default ? 1 : 0})
                     .bind(5, now_s)
                     .run();
    }
    if (stored) return db_.execute("COMMIT");
    // The failure is what the caller needs to know; the rollback only tidies up after it.
    (void)db_.execute("ROLLBACK");
    return stored;
}

Result<bool> Profiles::remove(ProfileKind kind, std::string_view name) {
    Statement remove = db_.prepare("DELETE FROM profiles WHERE kind = ? AND name = ?");
    if (Status removed = remove.bind(1, to_string(kind)).bind(2, name).run(); !removed)
        return removed.take_error();
    return db_.changes() > 0;
}

}  // namespace strata::server
