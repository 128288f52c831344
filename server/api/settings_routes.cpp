// OctoPrint's settings as clients read them (Cura reads `feature.sdSupport` and
// `webcam.streamUrl`), what an admin changes through POST /api/settings as in OctoPrint (the
// temperature presets, the appearance name FDM Monster syncs, the webcam URLs clients embed,
// the serial port and rate a connect uses by default), and the custom command buttons
// (OctoPrint's GET /api/printer/command/custom; strata lets an admin change them through
// PUT /api/strata/controls, where OctoPrint needs its config file). All are kept in the
// `settings` table as the JSON this file wrote after checking every field; until an admin
// stores one, the ready-made value (or the configured one) is served.
#include <cstdio>
#include <set>

#include "json_body.hpp"
#include "routes.hpp"
#include "shapes.hpp"
#include "strata/common/json_member.hpp"
#include "strata/common/log.hpp"
#include "strata/server/settings_table.hpp"

namespace strata::server::api {
namespace {

constexpr const char* profiles_key = "temperature.profiles";
constexpr const char* controls_key = "controls";

constexpr const char* default_profiles_json =
    R"([{"name":"PLA","extruder":210,"bed":60,"chamber":null},)"
    R"({"name":"PETG","extruder":240,"bed":80,"chamber":null},)"
    R"({"name":"ABS","extruder":250,"bed":100,"chamber":null}])";

// Ready-made filament buttons for a direct or Bowden extruder without M701/M702 (which Marlin
// has only with FILAMENT_LOAD_UNLOAD_GCODES): relative E, a fast push then a slow prime, and
// the reverse with a quick tip-forming pull first. Marlin refuses either when the nozzle is
// cold ("cold extrusion prevented"), which the terminal shows.
constexpr const char* default_controls_json =
    R"([{"name":"Load filament","commands":["M83","G1 E70 F600","G1 E30 F150","M82"],)"
    R"("confirm":"Load filament? The nozzle must be hot."},)"
    R"({"name":"Unload filament","commands":["M83","G1 E5 F300","G1 E-15 F3000",)"
    R"("G1 E-80 F1200","M82"],"confirm":"Unload filament? The nozzle must be hot."}])";

// The setting stored under `key`, or `fallback` when none is (or the store cannot say: the
// defaults then show, and the failure is logged).
std::string read_setting(Services& services, const char* key, const char* fallback) {
    const Result<std::optional<std::string>> stored =
        services.store.with([&](Database& db) { return SettingsTable(db).value_json(key); });
    if (!stored) {
        log_message(LogLevel::warning, "strata serve: setting %s: %s\n", key,
                    stored.error().message.c_str());
        return fallback;
    }
    return stored->value_or(fallback);
}

Status write_setting(Services& services, const char* key, const std::string& json) {
    return services.store.with([&](Database& db) { return SettingsTable(db).put(key, json); });
}

// A temperature in °C from `max_c` down to 0, or null where `nullable`; the problem otherwise.
std::optional<std::string> check_temperature(const rapidjson::Value& item, const char* name,
                                             double max_c, bool nullable, JsonWriter& json) {
    const auto found = item.FindMember(name);
    if (found == item.MemberEnd() || found->value.IsNull()) {
        if (!nullable) return std::string(name) + " is missing";
        json.key(name).null();
        return std::nullopt;
    }
    if (!found->value.IsNumber() || found->value.GetDouble() < 0.0 ||
        found->value.GetDouble() > max_c)
        return std::string(name) + " must be a temperature from 0 to " +
               std::to_string(static_cast<int>(max_c)) + " °C";
    json.field(name, found->value.GetDouble());
    return std::nullopt;
}

std::optional<std::string> check_name(const rapidjson::Value& item, std::set<std::string>& names,
                                      JsonWriter& json) {
    const auto name = item.FindMember("name");
    if (name == item.MemberEnd() || !name->value.IsString() || name->value.GetStringLength() == 0 ||
        name->value.GetStringLength() > 40)
        return "name must be text of 1 to 40 characters";
    const std::string text(name->value.GetString(), name->value.GetStringLength());
    if (!JsonWriter::is_utf8(text)) return "name must be UTF-8";
    if (!names.insert(text).second) return "name '" + text + "' is used twice";
    json.field("name", text);
    return std::nullopt;
}

using ItemCheck = std::optional<std::string> (*)(const rapidjson::Value& item, JsonWriter& json);

// A list of at most `max_items` objects, each with a name of its own, the rest checked (and
// written as stored) by `check_item`; the list as stored, or the 400 naming the first wrong
// item (`where[index]`).
std::optional<http::Response> check_named_list(const rapidjson::Value& list,
                                               const std::string& where,
                                               rapidjson::SizeType max_items, const char* what,
                                               ItemCheck check_item, std::string& stored) {
    if (!list.IsArray() || list.Size() > max_items)
        return field_error(where,
                           "must be a list of at most " + std::to_string(max_items) + " " + what);
    std::ostringstream out;
    JsonWriter json(out);
    json.begin_array();
    std::set<std::string> names;
    for (rapidjson::SizeType index = 0; index < list.Size(); ++index) {
        const rapidjson::Value& item = list[index];
        const std::string field = where + "[" + std::to_string(index) + "]";
        if (!item.IsObject()) return field_error(field, "must be an object");
        json.begin_object();
        std::optional<std::string> problem = check_name(item, names, json);
        if (!problem) problem = check_item(item, json);
        if (problem) return field_error(field, *problem);
        json.end_object();
    }
    json.end_array();
    stored = out.str();
    return std::nullopt;
}

// OctoPrint's profile: {name, extruder, bed, chamber}.
std::optional<std::string> check_profile(const rapidjson::Value& item, JsonWriter& json) {
    std::optional<std::string> problem = check_temperature(item, "extruder", 400.0, false, json);
    if (!problem) problem = check_temperature(item, "bed", 150.0, false, json);
    if (!problem) problem = check_temperature(item, "chamber", 100.0, true, json);
    return problem;
}

std::optional<http::Response> check_profiles(const rapidjson::Value& list, std::string& stored) {
    return check_named_list(list, "temperature.profiles", 20, "profiles", check_profile, stored);
}

// One control's commands: `commands` (a list) or OctoPrint's single `command`; each one line.
std::optional<std::string> check_commands(const rapidjson::Value& item, JsonWriter& json) {
    std::vector<std::string> commands;
    const auto many = item.FindMember("commands");
    const auto one = item.FindMember("command");
    if (many != item.MemberEnd() && many->value.IsArray()) {
        for (const rapidjson::Value& command : many->value.GetArray()) {
            if (!command.IsString()) return "commands must be a list of G-code lines";
            commands.emplace_back(command.GetString(), command.GetStringLength());
        }
    } else if (one != item.MemberEnd() && one->value.IsString()) {
        commands.emplace_back(one->value.GetString(), one->value.GetStringLength());
    } else {
        return "commands (a list of G-code lines) is missing";
    }
    if (commands.empty() || commands.size() > 50) return "commands must hold 1 to 50 lines";
    json.key("commands").begin_array();
    for (const std::string& command : commands) {
        if (command.empty() || command.size() > 200 ||
            command.find_first_of("\r\n") != std::string::npos || !JsonWriter::is_utf8(command))
            return "each command must be one line of 1 to 200 characters";
        json.value(command);
    }
    json.end_array();
    return std::nullopt;
}

// A button: its commands, and the question asked before they go (optional).
std::optional<std::string> check_control(const rapidjson::Value& item, JsonWriter& json) {
    if (std::optional<std::string> problem = check_commands(item, json)) return problem;
    const auto confirm = item.FindMember("confirm");
    if (confirm == item.MemberEnd() || confirm->value.IsNull()) return std::nullopt;
    if (!confirm->value.IsString()) return "confirm must be text of at most 200 characters";
    const std::string_view question(confirm->value.GetString(), confirm->value.GetStringLength());
    if (question.size() > 200 || !JsonWriter::is_utf8(question))
        return "confirm must be text of at most 200 characters";
    if (!question.empty()) json.field("confirm", question);
    return std::nullopt;
}

std::optional<http::Response> check_controls(const rapidjson::Value& list, std::string& stored) {
    return check_named_list(list, "controls", 50, "buttons", check_control, stored);
}

using Check = std::optional<http::Response> (*)(const rapidjson::Value&, std::string&);

// Checks `value` and stores it as checked under `key`; the refusal (or the store's failure),
// or nothing once stored.
std::optional<http::Response> check_and_store(Services& services, const char* key,
                                              const rapidjson::Value& value, Check check) {
    std::string stored;
    if (std::optional<http::Response> wrong = check(value, stored)) return wrong;
    if (const Status written = write_setting(services, key, stored); !written)
        return http::Response::error(status_of(written.error()), written.error().message);
    return std::nullopt;
}

// A stored text setting (a JSON string), or `fallback` when none is stored.
std::string text_setting(Services& services, const char* key, const std::string& fallback) {
    const std::string stored = read_setting(services, key, "");
    rapidjson::Document value;
    value.Parse(stored.c_str());
    if (stored.empty() || value.HasParseError() || !value.IsString()) return fallback;
    return {value.GetString(), value.GetStringLength()};
}

constexpr const char* appearance_name_key = "appearance.name";
constexpr const char* stream_url_key = "webcam.streamUrl";
constexpr const char* snapshot_url_key = "webcam.snapshotUrl";
constexpr const char* serial_port_key = "serial.port";
constexpr const char* serial_baudrate_key = "serial.baudrate";

void write_feature_settings(JsonWriter& json, Services& services, bool admin) {
    const ServerConfig& config = services.config;
    const streamer::LinkOptions serial = preferred_link(services);
    json.key("api").begin_object().field("allowCrossOrigin", false).end_object();
    json.key("appearance").begin_object();
    json.field("name", text_setting(services, appearance_name_key, "strata")).end_object();
    json.key("feature").begin_object();
    json.field("sdSupport", false).field("temperatureGraph", true);
    json.end_object();
    if (admin) {
        json.key("folder").begin_object();
        json.field("uploads", (config.data_directory / "files").string());
        json.field("timelapse", config.printer.timelapse_directory.string());
        json.end_object();
    }
    json.key("gcodeAnalysis").begin_object().field("runAt", "always").end_object();
    json.key("serial").begin_object();
    if (admin) json.field("port", serial.target);
    json.field("baudrate", serial.baud);
    json.end_object();
    const std::string stream_url = text_setting(services, stream_url_key, config.webcam_stream_url);
    json.key("webcam").begin_object();
    json.field("webcamEnabled", !stream_url.empty());
    json.field("streamUrl", stream_url);
    json.field("snapshotUrl", text_setting(services, snapshot_url_key, config.webcam_snapshot_url));
    json.field("timelapseEnabled", !config.printer.cameras.empty());
    json.end_object();
}

}  // namespace

http::Response get_settings(Services& services, const Call& call) {
    // Where strata keeps its data and which device it talks to is for admins only.
    const bool admin = call.principal && call.principal->user.role == Role::admin;
    const std::string profiles = read_setting(services, profiles_key, default_profiles_json);
    return json_reply(200, [&](JsonWriter& json) {
        json.begin_object();
        write_feature_settings(json, services, admin);
        json.key("temperature").begin_object().key("profiles").raw(profiles).end_object();
        json.key("plugins").begin_object().end_object();
        json.end_object();
    });
}

namespace {

// What a settings change stores: each key of the `settings` table with its checked JSON.
using SettingWrites = std::vector<std::pair<const char*, std::string>>;

// A text setting: at most `max_bytes` of UTF-8; `url` also wants http(s):// or a path on this
// server ("/webcam/?action=stream", as OctoPrint's own default is), or nothing.
std::optional<http::Response> read_text_setting(const rapidjson::Value& value,
                                                const std::string& field, std::size_t max_bytes,
                                                bool url, const char* key, SettingWrites& writes) {
    if (!value.IsString()) return field_error(field, "must be text");
    const std::string text(value.GetString(), value.GetStringLength());
    if (text.size() > max_bytes || !JsonWriter::is_utf8(text))
        return field_error(field,
                           "must be UTF-8 of at most " + std::to_string(max_bytes) + " bytes");
    if (url && !text.empty() && !text.starts_with("http://") && !text.starts_with("https://") &&
        !text.starts_with("/"))
        return field_error(field, "must be an http(s) URL or a path on this server");
    writes.emplace_back(key, json_string(text));
    return std::nullopt;
}

// `serial`: the port (one of those offered, or null/AUTO for the configured one) and the rate
// (one of OctoPrint's, or 0/null: detect) a connect without its own uses.
std::optional<http::Response> read_serial_settings(Services& services,
                                                   const rapidjson::Value& serial,
                                                   SettingWrites& writes) {
    if (const rapidjson::Value* port = json_member(serial, "port")) {
        std::string text = port->IsString() ? port->GetString() : "";
        if (!port->IsNull() && !port->IsString()) return field_error("serial.port", "must be text");
        if (text == "AUTO") text.clear();
        const std::vector<std::string> offered = offered_ports(services);
        if (!text.empty() && std::find(offered.begin(), offered.end(), text) == offered.end())
            return field_error("serial.port", "not one of the ports offered (GET /api/connection)");
        writes.emplace_back(serial_port_key, json_string(text));
    }
    if (const rapidjson::Value* rate = json_member(serial, "baudrate")) {
        const std::span<const int> rates = streamer::candidate_baud_rates();
        const int baud = rate->IsInt() ? rate->GetInt() : 0;
        if ((!rate->IsNull() && !rate->IsInt()) ||
            (baud != 0 && std::find(rates.begin(), rates.end(), baud) == rates.end()))
            return field_error("serial.baudrate", "must be one of the rates offered, or 0");
        writes.emplace_back(serial_baudrate_key, std::to_string(baud));
    }
    return std::nullopt;
}

// One top-level member of a settings change: what strata keeps is checked and queued for
// writing; the rest is ignored, as OctoPrint ignores keys it does not know.
std::optional<http::Response> read_settings_member(Services& services, std::string_view name,
                                                   const rapidjson::Value& value,
                                                   SettingWrites& writes) {
    if (name != "temperature" && name != "appearance" && name != "webcam" && name != "serial")
        return std::nullopt;
    if (!value.IsObject()) return field_error(std::string(name), "must be an object");
    if (name == "temperature") {
        const rapidjson::Value* profiles = json_member(value, "profiles");
        if (profiles == nullptr) return std::nullopt;
        std::string stored;
        if (std::optional<http::Response> wrong = check_profiles(*profiles, stored)) return wrong;
        writes.emplace_back(profiles_key, std::move(stored));
        return std::nullopt;
    }
    if (name == "appearance") {
        const rapidjson::Value* title = json_member(value, "name");
        if (title == nullptr) return std::nullopt;
        return read_text_setting(*title, "appearance.name", 100, false, appearance_name_key,
                                 writes);
    }
    if (name == "webcam") {
        for (const auto& [field, key] :
             {std::pair{"streamUrl", stream_url_key}, std::pair{"snapshotUrl", snapshot_url_key}})
            if (const rapidjson::Value* url = json_member(value, field))
                if (std::optional<http::Response> wrong = read_text_setting(
                        *url, std::string("webcam.") + field, 2048, true, key, writes))
                    return wrong;
        return std::nullopt;
    }
    return read_serial_settings(services, value, writes);
}

}  // namespace

streamer::LinkOptions preferred_link(Services& services) {
    streamer::LinkOptions link = services.config.printer.streamer.link;
    const std::string port = text_setting(services, serial_port_key, "");
    if (!port.empty()) link.target = port;
    const std::string rate = read_setting(services, serial_baudrate_key, "");
    if (!rate.empty()) link.baud = std::atoi(rate.c_str());
    return link;
}

// OctoPrint clients send the whole settings tree back with a change in it (FDM Monster sends
// `appearance.name`): what strata keeps is checked field by field and stored all together, or
// nothing is; keys it does not keep are ignored, as OctoPrint ignores those it does not know.
http::Response post_settings(Services& services, const Call& call) {
    JsonBody body;
    if (std::optional<http::Response> refused = read_body(call, body)) return *refused;
    const rapidjson::Value& root = body.root();
    if (!root.IsObject()) return http::Response::error(400, "the settings must be a JSON object");
    SettingWrites writes;
    for (const auto& member : root.GetObject())
        if (std::optional<http::Response> refused = read_settings_member(
                services, std::string_view(member.name.GetString(), member.name.GetStringLength()),
                member.value, writes))
            return *refused;
    for (const auto& [key, json] : writes) {
        if (const Status written = write_setting(services, key, json); !written)
            return http::Response::error(status_of(written.error()), written.error().message);
    }
    return get_settings(services, call);
}

http::Response get_custom_controls(Services& services, const Call&) {
    const std::string controls = read_setting(services, controls_key, default_controls_json);
    return json_reply(200, [&](JsonWriter& json) {
        json.begin_object().key("controls").raw(controls).end_object();
    });
}

http::Response put_custom_controls(Services& services, const Call& call) {
    JsonBody body;
    if (std::optional<http::Response> refused = read_body(call, body)) return *refused;
    const rapidjson::Value* controls = body.value("controls");
    if (controls == nullptr) return field_error("controls", "is missing");
    if (std::optional<http::Response> refused =
            check_and_store(services, controls_key, *controls, check_controls))
        return *refused;
    return get_custom_controls(services, call);
}

}  // namespace strata::server::api
