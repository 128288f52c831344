// /api/printer and its tool, bed and printhead commands. Everything answers 409 while the
// printer is not operational (FDM Monster turns that 409 and its `error` into "USB
// disconnected"); jogging, homing and extruding are refused while a job prints. Every number
// that becomes G-code is finite and within limits (travel within the default printer profile's
// bed, a sane extrusion, speeds a printer can do), else the answer is a 400 naming the field.
#include <array>
#include <charconv>
#include <cmath>

#include "json_body.hpp"
#include "routes.hpp"
#include "shapes.hpp"
#include "strata/common/gcode_number.hpp"
#include "strata/server/profiles.hpp"

namespace strata::server::api {
namespace {

constexpr const char* not_operational = "Printer is not operational";
constexpr double max_extrude_mm = 200.0;  // A filament load is about 100 mm.
constexpr double max_extrude_speed_mm_min = 6000.0;
constexpr double max_travel_speed_mm_min = 30000.0;  // 500 mm/s.

// The bed of the default printer profile (the stock one when none is stored).
PrinterProfile printer_limits(Services& services) {
    PrinterProfile profile;
    const std::optional<StoredProfile> stored = services.store.with(
        [](Database& db) { return Profiles(db).default_of(ProfileKind::printer); });
    if (stored) (void)read_printer_profile(stored->body_json, profile);
    return profile;
}

// `name` from the body when present: a finite number within [low, high], else a 400 that says so.
std::optional<http::Response> number_within(const JsonBody& body, const char* name, double low,
                                            double high, double& out, const char* why = "") {
    if (!body.has(name)) return std::nullopt;
    const std::optional<double> value = body.number(name);
    if (value && std::isfinite(*value) && *value >= low && *value <= high) {
        out = *value;
        return std::nullopt;
    }
    char range[96];
    std::snprintf(range, sizeof range, " must be a number from %g to %g", low, high);
    return http::Response::error(400, std::string(name) + range + why);
}

bool printing(const PrinterStatus& status) {
    using State = streamer::PrinterState;
    return status.state == State::printing || status.state == State::pausing ||
           status.state == State::cancelling;
}

std::string number_text(double value) {
    return gcode_number_short(value, 3);
}

http::Response send(Services& services, const std::vector<std::string>& commands) {
    if (const Status sent = services.printer.send_commands(commands); !sent)
        return refused(sent.error().message);
    return http::Response::empty(204);
}

// `history=true` with an optional `limit=N` (OctoPrint's query): the reports to list, or the
// answer to a bad `limit`.
struct HistoryQuery {
    bool wanted = false;
    std::size_t limit = 0;  ///< 0: every kept report.
    std::optional<http::Response> bad;
};

HistoryQuery history_query(const Call& call) {
    HistoryQuery query;
    query.wanted = call.query_flag("history");
    const std::optional<std::string_view> limit = call.query_value("limit");
    if (!query.wanted || !limit) return query;
    std::size_t value = 0;
    const auto [end, problem] =
        std::from_chars(limit->data(), limit->data() + limit->size(), value);
    if (problem != std::errc() || end != limit->data() + limit->size() || value == 0)
        query.bad = field_error("limit", "must be a whole number above 0");
    query.limit = value;
    return query;
}

http::Response temperatures(Services& services, const Call& call, bool tools, bool bed) {
    if (!services.printer.operational()) return refused(not_operational);
    const HistoryQuery history = history_query(call);
    if (history.bad) return *history.bad;
    const PrinterStatus status = services.printer.status();
    const std::vector<TemperatureSample> samples =
        history.wanted ? services.printer.temperature_history(history.limit)
                       : std::vector<TemperatureSample>{};
    return json_reply(200, [&](JsonWriter& json) {
        write_temperatures(json, status, tools, bed, history.wanted ? &samples : nullptr);
    });
}

// A tool's key, `tool0` to `tool7` (the tools a temperature offset is kept for), as its number.
// Anything else is refused rather than passed on: the number becomes part of a G-code line, and
// a key such as `tool1; M502` or `tool0\nM500` must not reach the printer as a second command.
constexpr const char* tool_range = "tool0 to tool7";

std::optional<std::size_t> tool_of(std::string_view key) {
    constexpr std::size_t tool_count = streamer::TemperatureOffsets::max_tools;
    static_assert(tool_count == 8, "tool_range names tool0 to tool7");
    if (!key.starts_with("tool") || key.size() != 5) return std::nullopt;
    const char digit = key[4];
    if (digit < '0' || digit >= static_cast<char>('0' + tool_count)) return std::nullopt;
    return static_cast<std::size_t>(digit - '0');
}

// `target` for tools: {"targets": {"tool0": 210, ...}}.
http::Response tool_targets(Services& services, const JsonBody& body) {
    const rapidjson::Value* targets = body.value("targets");
    if (targets == nullptr || !targets->IsObject())
        return http::Response::error(400, "Mandatory parameters missing: targets");
    std::vector<std::string> commands;
    for (const auto& member : targets->GetObject()) {
        const std::string name(member.name.GetString(), member.name.GetStringLength());
        const std::optional<std::size_t> tool = tool_of(name);
        if (!tool || !member.value.IsNumber())
            return http::Response::error(400, "targets." + name + " must be " + tool_range);
        const double celsius = member.value.GetDouble();
        if (celsius < 0.0 || celsius > 500.0)
            return http::Response::error(400, "targets." + name + " is out of range (0-500)");
        commands.push_back("M104 T" + std::to_string(*tool) + " S" + number_text(celsius));
    }
    return send(services, commands);
}

// OctoPrint accepts offsets within ±50 °C.
constexpr double max_offset_c = 50.0;

http::Response set_offsets(Services& services, const TemperatureOffsetChange& change) {
    if (const Status set = services.printer.set_temperature_offsets(change); !set)
        return refused(set.error().message);
    return http::Response::empty(204);
}

// `offset` for tools: {"offsets": {"tool0": 10, ...}}.
http::Response tool_offsets(Services& services, const JsonBody& body) {
    const rapidjson::Value* offsets = body.value("offsets");
    if (offsets == nullptr || !offsets->IsObject())
        return http::Response::error(400, "Mandatory parameters missing: offsets");
    TemperatureOffsetChange change;
    for (const auto& member : offsets->GetObject()) {
        const std::string name(member.name.GetString(), member.name.GetStringLength());
        const std::optional<std::size_t> tool = tool_of(name);
        if (!tool) return http::Response::error(400, "offsets." + name + " must be " + tool_range);
        if (!member.value.IsNumber() || std::abs(member.value.GetDouble()) > max_offset_c)
            return http::Response::error(400,
                                         "offsets." + name + " must be a number from -50 to 50");
        change.tool_c[*tool] = member.value.GetDouble();
    }
    return set_offsets(services, change);
}

}  // namespace

http::Response get_printer(Services& services, const Call& call) {
    if (!services.printer.operational()) return refused(not_operational);
    const HistoryQuery history = history_query(call);
    if (history.bad) return *history.bad;
    const PrinterStatus status = services.printer.status();
    const std::string exclude(call.query_value("exclude").value_or(""));
    const auto excluded = [&exclude](std::string_view part) {
        return exclude.find(part) != std::string::npos;
    };
    const std::vector<TemperatureSample> samples =
        history.wanted && !excluded("temperature")
            ? services.printer.temperature_history(history.limit)
            : std::vector<TemperatureSample>{};
    return json_reply(200, [&](JsonWriter& json) {
        json.begin_object();
        if (!excluded("temperature")) {
            json.key("temperature");
            write_temperatures(json, status, true, true, history.wanted ? &samples : nullptr);
        }
        if (!excluded("sd")) json.key("sd").begin_object().field("ready", false).end_object();
        if (!excluded("state")) {
            json.key("state");
            write_state(json, status);
        }
        json.end_object();
    });
}

http::Response post_printer_command(Services& services, const Call& call) {
    JsonBody body;
    if (std::optional<http::Response> refused = read_body(call, body)) return *refused;
    const bool one = body.has("command");
    const bool many = body.has("commands");
    if (body.has("script"))
        return http::Response::error(400, "scripts are not supported: send commands");
    if (one == many)
        return http::Response::error(400, "send either 'command' or 'commands', not both");
    const std::optional<std::vector<std::string>> commands =
        body.strings(one ? "command" : "commands");
    if (!commands) return http::Response::error(400, "commands must be strings");
    if (!services.printer.operational()) return refused(not_operational);
    return send(services, *commands);
}

http::Response get_printer_tool(Services& services, const Call& call) {
    return temperatures(services, call, true, false);
}

http::Response get_printer_bed(Services& services, const Call& call) {
    return temperatures(services, call, false, true);
}

http::Response post_printer_tool(Services& services, const Call& call) {
    JsonBody body;
    std::string command;
    if (std::optional<http::Response> refused = read_command(call, body, command)) return *refused;
    if (!services.printer.operational()) return refused(not_operational);
    if (command == "target") return tool_targets(services, body);
    if (command == "select") {
        const std::optional<std::size_t> tool = tool_of(body.string("tool").value_or(""));
        if (!tool) return http::Response::error(400, std::string("tool must be ") + tool_range);
        return send(services, {"T" + std::to_string(*tool)});
    }
    if (command == "extrude") {
        if (!body.has("amount"))
            return http::Response::error(400, "Mandatory parameters missing: amount");
        double amount_mm = 0.0;
        double speed_mm_min = 300.0;
        if (auto wrong = number_within(body, "amount", -max_extrude_mm, max_extrude_mm, amount_mm))
            return *wrong;
        if (auto wrong = number_within(body, "speed", 1.0, max_extrude_speed_mm_min, speed_mm_min))
            return *wrong;
        if (printing(services.printer.status())) return refused("Printer is currently printing");
        return send(services, {"G91", "M83",
                               "G1 E" + number_text(amount_mm) + " F" + number_text(speed_mm_min),
                               "M82", "G90"});
    }
    if (command == "flowrate") {
        const std::optional<double> factor = body.number("factor");
        if (!factor || *factor < 75.0 || *factor > 125.0)
            return http::Response::error(400, "factor must be a number from 75 to 125");
        return send(services, {"M221 S" + number_text(*factor)});
    }
    if (command == "offset") return tool_offsets(services, body);
    return http::Response::error(400, "command is invalid: " + command);
}

http::Response post_printer_bed(Services& services, const Call& call) {
    JsonBody body;
    std::string command;
    if (std::optional<http::Response> refused = read_command(call, body, command)) return *refused;
    if (!services.printer.operational()) return refused(not_operational);
    if (command == "target") {
        const std::optional<double> target = body.number("target");
        if (!target || *target < 0.0 || *target > 200.0)
            return http::Response::error(400, "target must be a number from 0 to 200");
        return send(services, {"M140 S" + number_text(*target)});
    }
    if (command == "offset") {
        const std::optional<double> offset = body.number("offset");
        if (!offset || std::abs(*offset) > max_offset_c)
            return http::Response::error(400, "offset must be a number from -50 to 50");
        TemperatureOffsetChange change;
        change.bed_c = *offset;
        return set_offsets(services, change);
    }
    return http::Response::error(400, "command is invalid: " + command);
}

http::Response post_printhead(Services& services, const Call& call) {
    JsonBody body;
    std::string command;
    if (std::optional<http::Response> refused = read_command(call, body, command)) return *refused;
    if (!services.printer.operational()) return refused(not_operational);
    if (command == "feedrate") {
        const std::optional<double> factor = body.number("factor");
        if (!factor || *factor < 50.0 || *factor > 200.0)
            return http::Response::error(400, "factor must be a number from 50 to 200");
        return send(services, {"M220 S" + number_text(*factor)});
    }
    if (command != "jog" && command != "home")
        return http::Response::error(400, "command is invalid: " + command);
    if (printing(services.printer.status())) return refused("Printer is currently printing");
    if (command == "home") {
        const std::optional<std::vector<std::string>> axes = body.strings("axes");
        if (!axes || axes->empty()) return http::Response::error(400, "axes must be a list");
        std::string home = "G28";
        for (const std::string& axis : *axes) {
            if (axis != "x" && axis != "y" && axis != "z")
                return http::Response::error(400, "unknown axis '" + axis + "'");
            home += " " + std::string(1, static_cast<char>(std::toupper(axis[0])));
        }
        return send(services, {home});
    }
    const bool absolute = body.flag("absolute").value_or(false);
    const PrinterProfile limits = printer_limits(services);
    const std::array<double, 3> extent_mm = {limits.bed_x_mm, limits.bed_y_mm, limits.max_z_mm};
    const std::array<const char*, 3> axes = {"x", "y", "z"};
    std::string move = "G1";
    for (std::size_t i = 0; i < axes.size(); ++i) {
        double distance_mm = 0.0;
        if (!body.has(axes[i])) continue;
        // Relative: no further than the bed is long; absolute: on the bed.
        const double low = absolute ? 0.0 : -extent_mm[i];
        if (auto wrong = number_within(body, axes[i], low, extent_mm[i], distance_mm,
                                       " (the printer profile's size)"))
            return *wrong;
        move += " " + std::string(1, static_cast<char>(std::toupper(axes[i][0]))) +
                number_text(distance_mm);
    }
    if (move == "G1") return http::Response::error(400, "jog needs x, y or z");
    double speed_mm_min = 6000.0;
    if (auto wrong = number_within(body, "speed", 1.0, max_travel_speed_mm_min, speed_mm_min))
        return *wrong;
    move += " F" + number_text(speed_mm_min);
    return send(services, {absolute ? "G90" : "G91", move, "G90"});
}

}  // namespace strata::server::api
