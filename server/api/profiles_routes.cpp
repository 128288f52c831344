// /api/strata/profiles/{kind}[/{name}]: printer, timelapse and camera profiles. A profile is
// stored only when valid; a refused one gets 400 with `error` and `field` (the dotted name of the
// setting at fault), so a form can point at it. `PUT ...?default=true` makes it its kind's
// default.
#include "json_body.hpp"
#include "routes.hpp"
#include "shapes.hpp"
#include "strata/server/profiles.hpp"

namespace strata::server::api {
namespace {

void write_profile(JsonWriter& json, ProfileKind kind, const StoredProfile& profile) {
    json.begin_object();
    json.field("name", profile.name).field("default", profile.is_default);
    json.field("updated", profile.updated_s);
    json.key("settings").raw(without_secrets(kind, profile.body_json));
    json.end_object();
}

std::optional<http::Response> kind_of(const Call& call, ProfileKind& kind) {
    const std::optional<ProfileKind> parsed = parse_profile_kind(call.captures[0]);
    if (!parsed)
        return http::Response::error(
            404, "no profile kind '" + call.captures[0] + "': printer, timelapse or camera");
    kind = *parsed;
    return std::nullopt;
}

}  // namespace

http::Response get_profiles(Services& services, const Call& call) {
    ProfileKind kind{};
    if (std::optional<http::Response> refused = kind_of(call, kind)) return *refused;
    const std::vector<StoredProfile> profiles =
        services.store.with([kind](Database& db) { return Profiles(db).list(kind); });
    return json_reply(200, [&](JsonWriter& json) {
        json.begin_object().key("profiles").begin_array();
        for (const StoredProfile& profile : profiles)
            write_profile(json, kind, profile);
        json.end_array().end_object();
    });
}

http::Response get_profile(Services& services, const Call& call) {
    ProfileKind kind{};
    if (std::optional<http::Response> refused = kind_of(call, kind)) return *refused;
    const std::string& name = call.captures[1];
    const std::optional<StoredProfile> profile =
        services.store.with([&](Database& db) { return Profiles(db).find(kind, name); });
    if (!profile) return http::Response::error(404, "no " + call.captures[0] + " profile " + name);
    return json_reply(200, [&](JsonWriter& json) { write_profile(json, kind, *profile); });
}

http::Response put_profile(Services& services, const Call& call) {
    ProfileKind kind{};
    if (std::optional<http::Response> refused = kind_of(call, kind)) return *refused;
    const std::string& name = call.captures[1];
    if (name.empty() || name.size() > 100)
        return http::Response::error(400, "a profile name has 1 to 100 characters");
    const std::optional<StoredProfile> before =
        services.store.with([&](Database& db) { return Profiles(db).find(kind, name); });
    const std::string body =
        with_stored_secrets(kind, call.body, before ? before->body_json : "{}");
    if (const std::optional<ProfileProblem> problem = validate_profile(kind, body)) {
        return json_reply(400, [&](JsonWriter& json) {
            const std::string where = problem->field.empty() ? "" : problem->field + ": ";
            json.begin_object().field("error", where + problem->message);
            json.field("field", problem->field).end_object();
        });
    }
    bool existed = false;
    const Status stored_now = services.store.with([&](Database& db) {
        existed = Profiles(db).find(kind, name).has_value();
        return Profiles(db).put(kind, name, body, call.query_flag("default"), unix_now_s());
    });
    if (!stored_now)
        return http::Response::error(
            500, "the profile could not be stored: " + stored_now.error().message);
    const std::optional<StoredProfile> stored =
        services.store.with([&](Database& db) { return Profiles(db).find(kind, name); });
    return json_reply(existed ? 200 : 201,
                      [&](JsonWriter& json) { write_profile(json, kind, *stored); });
}

http::Response delete_profile(Services& services, const Call& call) {
    ProfileKind kind{};
    if (std::optional<http::Response> refused = kind_of(call, kind)) return *refused;
    const Result<bool> removed = services.store.with(
        [&](Database& db) { return Profiles(db).remove(kind, call.captures[1]); });
    if (!removed) return http::Response::error(500, removed.error().message);
    if (!*removed)
        return http::Response::error(404,
                                     "no " + call.captures[0] + " profile " + call.captures[1]);
    return http::Response::empty(204);
}

}  // namespace strata::server::api
