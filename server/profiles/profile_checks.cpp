// Profile validation. A timelapse profile is the planner's own (its loader names the field it
// refuses); printer and camera profiles are checked here, field by field: unknown fields are
// refused (a misspelt key must not be silently ignored), types and ranges are checked, and the
// first problem is returned with the field's name.
#include <rapidjson/document.h>

#include <cmath>
#include <functional>
#include <map>
#include <sstream>

#include "strata/common/json_limits.hpp"
#include "strata/common/json_member.hpp"
#include "strata/common/json_writer.hpp"
#include "strata/planner/timelapse_profile.hpp"
#include "strata/server/profiles.hpp"

namespace strata::server {
namespace {

using Check = std::function<std::optional<std::string>(const rapidjson::Value&)>;

Check number_in(double low, double high) {
    return [low, high](const rapidjson::Value& value) -> std::optional<std::string> {
        if (!value.IsNumber() || !std::isfinite(value.GetDouble()) || value.GetDouble() < low ||
            value.GetDouble() > high)
            return "must be a number from " + std::to_string(low).substr(0, 8) + " to " +
                   std::to_string(high).substr(0, 8);
        return std::nullopt;
    };
}

std::optional<std::string> is_text(const rapidjson::Value& value) {
    if (!value.IsString()) return std::string("must be a string");
    return std::nullopt;
}

std::optional<std::string> is_flag(const rapidjson::Value& value) {
    if (!value.IsBool()) return std::string("must be true or false");
    return std::nullopt;
}

std::optional<std::string> is_http_url(const rapidjson::Value& value) {
    if (!value.IsString()) return std::string("must be a string");
    const std::string_view url(value.GetString(), value.GetStringLength());
    if (!url.starts_with("http://") && !url.starts_with("https://"))
        return std::string("must be an http:// or https:// address");
    return std::nullopt;
}

std::optional<std::string> is_camera_kind(const rapidjson::Value& value) {
    if (!value.IsString()) return std::string("must be snapshot, stream or script");
    const std::string_view kind(value.GetString(), value.GetStringLength());
    if (kind != "snapshot" && kind != "stream" && kind != "script")
        return std::string("must be snapshot, stream or script");
    return std::nullopt;
}

std::optional<std::string> is_bed_origin(const rapidjson::Value& value) {
    const bool known = value.IsString() && (std::string_view(value.GetString()) == "lower_left" ||
                                            std::string_view(value.GetString()) == "center");
    if (!known) return std::string("must be lower_left or center");
    return std::nullopt;
}

std::optional<std::string> is_rotation(const rapidjson::Value& value) {
    if (!value.IsInt() || value.GetInt() % 90 != 0 || value.GetInt() < 0 || value.GetInt() > 270)
        return std::string("must be 0, 90, 180 or 270");
    return std::nullopt;
}

// Parses `body` strictly into `document`: a stored body is embedded as it is in the API's
// answers, so it must be a JSON object in UTF-8 with nothing before or after it (found by
// fuzz/api_bodies: NUL bytes, stray bytes RapidJSON passes over, comments).
std::optional<ProfileProblem> parse_strict_object(std::string_view body,
                                                  rapidjson::Document& document) {
    if (const auto deep = json_too_deep_at(body))
        return ProfileProblem{"", "nested deeper than " + std::to_string(max_json_depth) +
                                      " levels at byte " + std::to_string(*deep)};
    if (const auto nul = json_nul_at(body))
        return ProfileProblem{"", "a NUL byte at byte " + std::to_string(*nul)};
    document.Parse<rapidjson::kParseValidateEncodingFlag>(body.data(), body.size());
    if (!json_opens_object(body) || document.HasParseError() || !document.IsObject())
        return ProfileProblem{"", "the profile must be a JSON object in UTF-8"};
    return std::nullopt;
}

// Parses `body` and checks each member against `checks`; the document for reading afterwards.
std::optional<ProfileProblem> check_fields(std::string_view body,
                                           const std::map<std::string, Check>& checks,
                                           rapidjson::Document& document) {
    if (auto problem = parse_strict_object(body, document)) return problem;
    const rapidjson::Value& root = document;
    for (const auto& member : root.GetObject()) {
        const std::string name(member.name.GetString(), member.name.GetStringLength());
        const auto check = checks.find(name);
        if (check == checks.end()) return ProfileProblem{name, "unknown setting"};
        if (std::optional<std::string> wrong = check->second(member.value))
            return ProfileProblem{name, *wrong};
    }
    return std::nullopt;
}

std::string text_of(const rapidjson::Value& object, std::string_view name,
                    std::string fallback = {}) {
    const rapidjson::Value* found = json_member(object, name);
    return found != nullptr ? std::string(found->GetString(), found->GetStringLength())
                            : std::move(fallback);
}

double number_of(const rapidjson::Value& object, std::string_view name, double fallback) {
    const rapidjson::Value* found = json_member(object, name);
    return found != nullptr ? found->GetDouble() : fallback;
}

bool flag_of(const rapidjson::Value& object, std::string_view name, bool fallback) {
    const rapidjson::Value* found = json_member(object, name);
    return found != nullptr ? found->GetBool() : fallback;
}

const std::map<std::string, Check>& printer_checks() {
    static const std::map<std::string, Check> checks = {
        {"display_name", is_text},
        {"model", is_text},
        {"port", is_text},
        {"baudrate", number_in(0, 4'000'000)},
        {"bed_x_mm", number_in(1, 2000)},
        {"bed_y_mm", number_in(1, 2000)},
        {"max_z_mm", number_in(1, 2000)},
        {"bed_origin", is_bed_origin},
    };
    return checks;
}

const std::map<std::string, Check>& camera_checks() {
    static const std::map<std::string, Check> checks = {
        {"kind", is_camera_kind}, {"url", is_http_url},          {"command", is_text},
        {"username", is_text},    {"password", is_text},         {"verify_tls", is_flag},
        {"enabled", is_flag},     {"delay_s", number_in(0, 60)}, {"timeout_s", number_in(0.1, 300)},
        {"rotate", is_rotation},  {"flip_h", is_flag},           {"flip_v", is_flag},
    };
    return checks;
}

// The planner's "field 'a.b': why" as a problem.
ProfileProblem planner_problem(const std::string& error) {
    constexpr std::string_view prefix = "field '";
    if (error.rfind(prefix, 0) == 0) {
        const std::size_t end = error.find("': ", prefix.size());
        if (end != std::string::npos)
            return {error.substr(prefix.size(), end - prefix.size()), error.substr(end + 3)};
    }
    return {"", error};
}

}  // namespace

std::optional<ProfileKind> parse_profile_kind(std::string_view text) {
    if (text == "printer") return ProfileKind::printer;
    if (text == "timelapse") return ProfileKind::timelapse;
    if (text == "camera") return ProfileKind::camera;
    return std::nullopt;
}

std::string_view to_string(ProfileKind kind) {
    switch (kind) {
        case ProfileKind::printer: return "printer";
        case ProfileKind::timelapse: return "timelapse";
        case ProfileKind::camera: return "camera";
    }
    return "camera";
}

std::optional<ProfileProblem> validate_profile(ProfileKind kind, std::string_view body_json) {
    if (kind == ProfileKind::timelapse) {
        // The planner's loader also takes comments, trailing commas and an empty file (the
        // defaults), as a hand-written profile file may have them; a stored body may not.
        rapidjson::Document strict;
        if (auto problem = parse_strict_object(body_json, strict)) return problem;
        const Result<planner::TimelapseProfile> load = planner::load_timelapse_profile(body_json);
        if (load.ok()) return std::nullopt;
        return planner_problem(load.error().message);
    }
    if (kind == ProfileKind::printer) {
        PrinterProfile ignored;
        return read_printer_profile(body_json, ignored);
    }
    timelapse::CameraConfig ignored;
    return read_camera_profile("camera", body_json, ignored);
}

std::optional<ProfileProblem> read_printer_profile(std::string_view body_json,
                                                   PrinterProfile& out) {
    rapidjson::Document document;
    if (auto problem = check_fields(body_json, printer_checks(), document)) return problem;
    PrinterProfile read;
    read.display_name = text_of(document, "display_name");
    read.model = text_of(document, "model");
    read.port = text_of(document, "port");
    read.baudrate = static_cast<int>(number_of(document, "baudrate", 0.0));
    read.bed_x_mm = number_of(document, "bed_x_mm", read.bed_x_mm);
    read.bed_y_mm = number_of(document, "bed_y_mm", read.bed_y_mm);
    read.max_z_mm = number_of(document, "max_z_mm", read.max_z_mm);
    read.origin_at_center = text_of(document, "bed_origin") == "center";
    out = read;
    return std::nullopt;
}

std::string printer_profile_json(const PrinterProfile& profile) {
    std::ostringstream out;
    JsonWriter json(out);
    json.begin_object();
    if (!profile.display_name.empty()) json.field("display_name", profile.display_name);
    if (!profile.model.empty()) json.field("model", profile.model);
    if (!profile.port.empty()) json.field("port", profile.port);
    if (profile.baudrate > 0) json.field("baudrate", profile.baudrate);
    json.field("bed_x_mm", profile.bed_x_mm).field("bed_y_mm", profile.bed_y_mm);
    json.field("max_z_mm", profile.max_z_mm);
    if (profile.origin_at_center) json.field("bed_origin", "center");
    json.end_object();
    return out.str();
}

planner::PrintableArea bed_area_of(const PrinterProfile& profile) {
    if (!profile.origin_at_center) return {{0.0, 0.0}, {profile.bed_x_mm, profile.bed_y_mm}};
    const double half_x_mm = profile.bed_x_mm / 2.0;
    const double half_y_mm = profile.bed_y_mm / 2.0;
    return {{-half_x_mm, -half_y_mm}, {half_x_mm, half_y_mm}};
}

std::optional<ProfileProblem> read_camera_profile(std::string_view name, std::string_view body_json,
                                                  timelapse::CameraConfig& out) {
    rapidjson::Document document;
    if (auto problem = check_fields(body_json, camera_checks(), document)) return problem;
    timelapse::CameraConfig camera;
    camera.name = std::string(name);
    const std::string kind = text_of(document, "kind", "snapshot");
    camera.kind = kind == "stream"   ? timelapse::CameraKind::mjpeg_stream
                  : kind == "script" ? timelapse::CameraKind::script
                                     : timelapse::CameraKind::http_snapshot;
    camera.url = text_of(document, "url");
    camera.command = text_of(document, "command");
    if (camera.kind == timelapse::CameraKind::script && camera.command.empty())
        return ProfileProblem{"command", "a script camera needs its command"};
    if (camera.kind != timelapse::CameraKind::script && camera.url.empty())
        return ProfileProblem{"url", "a " + kind + " camera needs its address"};
    camera.username = text_of(document, "username");
    camera.password = text_of(document, "password");
    camera.verify_tls = flag_of(document, "verify_tls", true);
    camera.enabled = flag_of(document, "enabled", true);
    camera.delay_s = number_of(document, "delay_s", camera.delay_s);
    camera.timeout_s =
        number_of(document, "timeout_s", camera.kind == timelapse::CameraKind::script ? 30.0 : 5.0);
    camera.transform.rotation =
        static_cast<timelapse::Rotation>(static_cast<int>(number_of(document, "rotate", 0)) / 90);
    camera.transform.flip_horizontal = flag_of(document, "flip_h", false);
    camera.transform.flip_vertical = flag_of(document, "flip_v", false);
    out = camera;
    return std::nullopt;
}

}  // namespace strata::server
