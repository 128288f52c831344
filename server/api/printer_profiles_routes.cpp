// /api/printerprofiles: strata's printer profiles in OctoPrint's shape. A profile's name is
// OctoPrint's `id`; `volume` is the bed (bed_x_mm, bed_y_mm, max_z_mm); `name` and `model` are
// kept as display_name and model. OctoPrint's other settings (axes, extruder, heated bed, colour)
// are shown with fixed values and ignored on writes: strata takes the printer's speeds from the
// G-code and the firmware. The default profile is the current one (the server connects with its
// port and keeps jogs inside its bed); when none is marked, the built-in `_default` is, as in
// OctoPrint, where `_default` always exists.
#include "json_body.hpp"
#include "routes.hpp"
#include "shapes.hpp"
#include "strata/common/json_member.hpp"
#include "strata/server/profiles.hpp"

namespace strata::server::api {
namespace {

constexpr std::string_view built_in_id = "_default";

struct NamedPrinter {
    std::string id;
    PrinterProfile settings;
    bool is_default = false;
    bool stored = false;  ///< False for the built-in `_default`.
};

std::vector<NamedPrinter> all_printers(Services& services) {
    const std::vector<StoredProfile> stored =
        services.store.with([](Database& db) { return Profiles(db).list(ProfileKind::printer); });
    std::vector<NamedPrinter> printers;
    bool any_default = false;
    for (const StoredProfile& profile : stored) {
        NamedPrinter printer{profile.name, {}, profile.is_default, true};
        (void)read_printer_profile(profile.body_json, printer.settings);  // Validated when stored.
        any_default = any_default || profile.is_default;
        printers.push_back(std::move(printer));
    }
    const bool built_in_stored = std::any_of(printers.begin(), printers.end(),
                                             [](const auto& p) { return p.id == built_in_id; });
    if (!any_default && !built_in_stored)
        printers.insert(printers.begin(),
                        NamedPrinter{std::string(built_in_id), {"Default", "", "", 0}, true});
    return printers;
}

// The profile `id` names; `_default` also stands for whichever profile is the default, as
// clients that never list profiles send it.
std::optional<NamedPrinter> find_printer(Services& services, std::string_view id) {
    const std::vector<NamedPrinter> printers = all_printers(services);
    for (const NamedPrinter& printer : printers)
        if (printer.id == id) return printer;
    if (id == built_in_id)
        for (const NamedPrinter& printer : printers)
            if (printer.is_default) return printer;
    return std::nullopt;
}

void write_axis(JsonWriter& json, const char* axis, int speed_mm_min) {
    json.key(axis).begin_object().field("speed", speed_mm_min).field("inverted", false);
    json.end_object();
}

void write_printer(JsonWriter& json, const NamedPrinter& printer, const Call& call) {
    const PrinterProfile& settings = printer.settings;
    json.begin_object();
    json.field("id", printer.id);
    json.field("name", settings.display_name.empty() ? printer.id : settings.display_name);
    json.field("model", settings.model).field("color", "default");
    json.field("default", printer.is_default).field("current", printer.is_default);
    json.field("resource", call.origin() + "/api/printerprofiles/" + url_path(printer.id));
    json.key("volume").begin_object();
    json.field("width", settings.bed_x_mm).field("depth", settings.bed_y_mm);
    json.field("height", settings.max_z_mm);
    json.field("formFactor", "rectangular");
    json.field("origin", settings.origin_at_center ? "center" : "lowerleft");
    json.key("custom_box").value(false);
    json.end_object();
    json.field("heatedBed", true).field("heatedChamber", false);
    json.key("axes").begin_object();
    write_axis(json, "x", 6000);
    write_axis(json, "y", 6000);
    write_axis(json, "z", 200);
    write_axis(json, "e", 300);
    json.end_object();
    json.key("extruder").begin_object();
    json.field("count", 1).field("nozzleDiameter", 0.4).field("sharedNozzle", false);
    json.field("defaultExtrusionLength", 5);
    json.key("offsets").begin_array().begin_array().value(0).value(0).end_array().end_array();
    json.end_object();
    json.end_object();
}

http::Response profile_reply(int status, const NamedPrinter& printer, const Call& call) {
    return json_reply(status, [&](JsonWriter& json) {
        json.begin_object().key("profile");
        write_printer(json, printer, call);
        json.end_object();
    });
}

// Reads `number` from `object.name` into `out` when present; a problem naming the field if it
// is no number.
std::optional<std::string> read_dimension(const rapidjson::Value& volume, const char* name,
                                          double& out) {
    const rapidjson::Value* value = json_member(volume, name);
    if (value == nullptr) return std::nullopt;
    if (!value->IsNumber()) return std::string("profile.volume.") + name + " must be a number";
    out = value->GetDouble();
    return std::nullopt;
}

std::optional<std::string> read_text(const rapidjson::Value& profile, const char* name,
                                     std::string& out) {
    const rapidjson::Value* value = json_member(profile, name);
    if (value == nullptr) return std::nullopt;
    if (!value->IsString()) return std::string("profile.") + name + " must be a string";
    out.assign(value->GetString(), value->GetStringLength());
    return std::nullopt;
}

// OctoPrint's `profile` object merged over `settings`: the members strata keeps.
std::optional<std::string> merge_profile(const rapidjson::Value& profile,
                                         PrinterProfile& settings) {
    if (auto wrong = read_text(profile, "name", settings.display_name)) return wrong;
    if (auto wrong = read_text(profile, "model", settings.model)) return wrong;
    const rapidjson::Value* volume = json_member(profile, "volume");
    if (volume == nullptr) return std::nullopt;
    if (!volume->IsObject()) return std::string("profile.volume must be an object");
    if (auto wrong = read_dimension(*volume, "width", settings.bed_x_mm)) return wrong;
    if (auto wrong = read_dimension(*volume, "depth", settings.bed_y_mm)) return wrong;
    if (const rapidjson::Value* origin = json_member(*volume, "origin")) {
        const bool known =
            origin->IsString() && (std::string_view(origin->GetString()) == "center" ||
                                   std::string_view(origin->GetString()) == "lowerleft");
        if (!known) return std::string("profile.volume.origin must be lowerleft or center");
        settings.origin_at_center = std::string_view(origin->GetString()) == "center";
    }
    return read_dimension(*volume, "height", settings.max_z_mm);
}

// Validates and stores `printer`; the answer to send when that fails.
std::optional<http::Response> store_printer(Services& services, const NamedPrinter& printer,
                                            bool make_default) {
    const std::string body = printer_profile_json(printer.settings);
    if (const std::optional<ProfileProblem> problem =
            validate_profile(ProfileKind::printer, body)) {
        const std::string field = problem->field == "bed_x_mm"   ? "profile.volume.width"
                                  : problem->field == "bed_y_mm" ? "profile.volume.depth"
                                  : problem->field == "max_z_mm" ? "profile.volume.height"
                                                                 : "profile." + problem->field;
        return http::Response::error(400, "profile is invalid: " + field + " " + problem->message);
    }
    const Status stored = services.store.with([&](Database& db) {
        return Profiles(db).put(ProfileKind::printer, printer.id, body, make_default, unix_now_s());
    });
    if (!stored)
        return http::Response::error(500, "Could not save profile: " + stored.error().message);
    return std::nullopt;
}

void publish_profile_event(Services& services, const char* type, const std::string& id) {
    std::ostringstream payload;
    JsonWriter(payload).begin_object().field("identifier", id).end_object();
    services.events.publish(type, payload.str());
}

const rapidjson::Value* profile_member(const JsonBody& body) {
    const rapidjson::Value* profile = body.value("profile");
    return profile != nullptr && profile->IsObject() ? profile : nullptr;
}

// `default: true` makes a profile the default; false never unmarks one (another must be marked).
bool asks_default(const rapidjson::Value& profile) {
    const rapidjson::Value* value = json_member(profile, "default");
    return value != nullptr && value->IsBool() && value->GetBool();
}

bool valid_id(std::string_view id) {
    return !id.empty() && id.size() <= 100 && id.find('/') == std::string_view::npos;
}

}  // namespace

std::string current_printer_profile_id(Services& services) {
    for (const NamedPrinter& printer : all_printers(services))
        if (printer.is_default) return printer.id;
    return std::string(built_in_id);
}

void write_printer_profile_options(JsonWriter& json, Services& services) {
    json.begin_array();
    for (const NamedPrinter& printer : all_printers(services)) {
        json.begin_object().field("id", printer.id);
        json.field("name", printer.settings.display_name.empty() ? printer.id
                                                                 : printer.settings.display_name);
        json.end_object();
    }
    json.end_array();
}

http::Response get_printerprofiles(Services& services, const Call& call) {
    const std::vector<NamedPrinter> printers = all_printers(services);
    return json_reply(200, [&](JsonWriter& json) {
        json.begin_object().key("profiles").begin_object();
        for (const NamedPrinter& printer : printers) {
            json.key(printer.id);
            write_printer(json, printer, call);
        }
        json.end_object().end_object();
    });
}

http::Response get_printerprofile(Services& services, const Call& call) {
    const std::optional<NamedPrinter> printer = find_printer(services, call.captures[0]);
    if (!printer) return http::Response::error(404, "no printer profile " + call.captures[0]);
    return json_reply(200, [&](JsonWriter& json) { write_printer(json, *printer, call); });
}

http::Response post_printerprofile(Services& services, const Call& call) {
    JsonBody body;
    if (std::optional<http::Response> refused = read_body(call, body)) return *refused;
    const rapidjson::Value* profile = profile_member(body);
    if (profile == nullptr) return http::Response::error(400, "profile is missing");
    // As OctoPrint: the new profile starts from `basedOn` (else the default) and overrides it.
    NamedPrinter base = find_printer(services, built_in_id).value_or(NamedPrinter{});
    if (const std::optional<std::string> based_on = body.string("basedOn"))
        if (std::optional<NamedPrinter> other = find_printer(services, *based_on)) base = *other;
    NamedPrinter created{"", base.settings, false, true};
    created.settings.display_name.clear();
    if (auto wrong = read_text(*profile, "id", created.id))
        return http::Response::error(400, *wrong);
    if (json_member(*profile, "id") == nullptr)
        return http::Response::error(400, "profile.id is missing");
    if (json_member(*profile, "name") == nullptr)
        return http::Response::error(400, "profile.name is missing");
    if (!valid_id(created.id))
        return http::Response::error(400, "profile.id must have 1 to 100 characters and no '/'");
    if (auto wrong = merge_profile(*profile, created.settings))
        return http::Response::error(400, *wrong);
    if (created.id == built_in_id || find_printer(services, created.id))
        return http::Response::error(400, "Profile already exists and overwriting was not allowed");
    if (auto refused = store_printer(services, created, asks_default(*profile))) return *refused;
    publish_profile_event(services, "PrinterProfileAdded", created.id);
    return profile_reply(200, *find_printer(services, created.id), call);
}

http::Response patch_printerprofile(Services& services, const Call& call) {
    JsonBody body;
    if (std::optional<http::Response> refused = read_body(call, body)) return *refused;
    const rapidjson::Value* profile = profile_member(body);
    if (profile == nullptr) return http::Response::error(400, "profile missing");
    std::optional<NamedPrinter> printer = find_printer(services, call.captures[0]);
    if (!printer) return http::Response::error(404, "no printer profile " + call.captures[0]);
    if (auto wrong = merge_profile(*profile, printer->settings))
        return http::Response::error(400, *wrong);
    // Storing replaces the default mark: the default (the built-in one included, stored on its
    // first change) stays the default.
    const bool make_default = asks_default(*profile) || printer->is_default;
    if (auto refused = store_printer(services, *printer, make_default)) return *refused;
    publish_profile_event(services, "PrinterProfileModified", printer->id);
    return profile_reply(200, *find_printer(services, printer->id), call);
}

http::Response delete_printerprofile(Services& services, const Call& call) {
    const std::optional<NamedPrinter> printer = find_printer(services, call.captures[0]);
    if (!printer) return http::Response::error(404, "no printer profile " + call.captures[0]);
    if (printer->is_default) return http::Response::error(409, "Cannot delete default profile");
    if (!printer->stored)
        return http::Response::error(409, "the built-in _default profile cannot be deleted");
    const Result<bool> removed = services.store.with(
        [&](Database& db) { return Profiles(db).remove(ProfileKind::printer, printer->id); });
    if (!removed) return http::Response::error(500, removed.error().message);
    publish_profile_event(services, "PrinterProfileDeleted", printer->id);
    return http::Response::empty(204);
}

}  // namespace strata::server::api
