// The push API's payloads. `state_members` is written once a round and shared: each client's
// `current` is that object with its own backlog appended, so N clients cost one status read.
#include "push_messages.hpp"

#include <charconv>
#include <cmath>

#include "routes.hpp"
#include "shapes.hpp"
#include "strata/common/json_member.hpp"

namespace strata::server::api {
namespace {

// OctoPrint keeps its last 300 terminal lines for a new client's history (comm.py's log).
constexpr std::size_t history_lines = 300;

// Two JSON objects made one: `{"a":1}` + `{"b":2}` -> `{"a":1,"b":2}`.
std::string merged(const std::string& object, const std::string& more) {
    std::string out = object.substr(0, object.size() - 1);
    out += ',';
    out.append(more, 1);
    return out;
}

void write_strings(JsonWriter& json, const std::vector<std::string>& lines) {
    json.begin_array();
    for (const std::string& line : lines)
        json.value(line);
    json.end_array();
}

}  // namespace

void write_terminal_members(JsonWriter& json, const std::deque<std::string>& logs,
                            const std::deque<std::string>& messages,
                            const PushSubscription& subscription) {
    json.key("logs");
    write_strings(json, subscription.filter(logs, false));
    json.key("messages");
    write_strings(json, subscription.filter(messages, true));
}

namespace {

// A subscription's `logs` or `messages`: a boolean or a regex (OctoPrint's re.search).
bool read_line_filter(const rapidjson::Value* value, bool& enabled,
                      std::optional<std::regex>& filter) {
    if (value == nullptr) {
        enabled = false;
        filter.reset();
        return true;
    }
    if (value->IsBool()) {
        enabled = value->GetBool();
        filter.reset();
        return true;
    }
    if (!value->IsString()) return false;
    try {
        filter.emplace(value->GetString(), std::regex::ECMAScript);
    } catch (const std::regex_error&) {
        return false;
    }
    enabled = true;
    return true;
}

}  // namespace

bool PushSubscription::wants_event(std::string_view type) const {
    if (!active || all_events) return true;
    return std::find(events.begin(), events.end(), type) != events.end();
}

std::vector<std::string> PushSubscription::filter(const std::deque<std::string>& lines,
                                                  bool for_messages) const {
    const bool enabled = for_messages ? messages : logs;
    const std::optional<std::regex>& pattern = for_messages ? messages_filter : logs_filter;
    std::vector<std::string> kept;
    if (!enabled) return kept;
    for (const std::string& line : lines)
        if (!pattern || std::regex_search(line, *pattern)) kept.push_back(line);
    return kept;
}

bool read_subscription(const rapidjson::Value& value, PushSubscription& subscription) {
    if (!value.IsObject()) return false;
    PushSubscription read;
    read.active = true;
    const rapidjson::Value* state = json_member(value, "state");
    if (state == nullptr || state->IsBool()) {
        // `true` means the logs but not the messages (OctoPrint's default for a boolean).
        read.state = state != nullptr && state->GetBool();
        read.logs = read.state;
        read.messages = false;
    } else if (state->IsObject()) {
        read.state = true;
        if (!read_line_filter(json_member(*state, "logs"), read.logs, read.logs_filter) ||
            !read_line_filter(json_member(*state, "messages"), read.messages, read.messages_filter))
            return false;
    } else {
        return false;
    }
    const rapidjson::Value* events = json_member(value, "events");
    if (events == nullptr) {
        read.all_events = false;  // OctoPrint's default: none.
    } else if (events->IsBool()) {
        read.all_events = events->GetBool();
    } else if (events->IsArray()) {
        read.all_events = false;
        for (const rapidjson::Value& type : events->GetArray()) {
            if (!type.IsString()) return false;
            read.events.emplace_back(type.GetString(), type.GetStringLength());
        }
    } else {
        return false;
    }
    subscription = std::move(read);  // `plugins` is accepted and unused: strata has none.
    return true;
}

std::optional<std::int64_t> whole_number(std::string_view text) {
    while (!text.empty() && text.front() == ' ')
        text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ')
        text.remove_suffix(1);
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    std::int64_t number = 0;
    const auto [end, code] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (code != std::errc() || end != text.data() + text.size() || text.empty())
        return std::nullopt;
    return number;
}

std::string connected_payload(const ServerConfig& config) {
    // The hashes tell OctoPrint's own page to reload after an update; strata's change with its
    // version.
    const std::string version_hash =
        std::to_string(std::hash<std::string>{}("strata " + config.version));
    std::ostringstream out;
    JsonWriter json(out);
    json.begin_object();
    json.field("version", octoprint_server_version);
    json.field("display_version", "1.11.8 (strata " + config.version + ")");
    json.key("branch").null();
    json.field("python_version", "");
    json.field("plugin_hash", version_hash).field("config_hash", version_hash);
    json.field("debug", false).field("safe_mode", false);
    json.key("online").null();  // strata does not probe the internet.
    json.key("permissions");
    write_permissions(json);
    json.end_object();
    return out.str();
}

std::string timelapse_payload(PrinterService& printer) {
    std::ostringstream out;
    JsonWriter json(out);
    write_timelapse_config(json, printer);
    return out.str();
}

std::string temperature_sample_json(const TemperatureSample& sample) {
    std::ostringstream out;
    JsonWriter json(out);
    write_temperature_sample(json, sample);
    return out.str();
}

std::string log_text(const streamer::TerminalLine& line) {
    return (line.sent ? "Send: " : "Recv: ") + line.text;
}

std::string event_payload(std::string_view type, std::string_view payload_json) {
    std::string out = "{\"type\":" + json_string(type) + ",\"payload\":";
    out += payload_json.empty() ? "null" : payload_json;
    out += '}';
    return out;
}

std::string state_members(PrinterService& printer, double now_s, std::string& state_text) {
    using State = streamer::PrinterState;
    const PrinterStatus status = printer.status();
    state_text = octoprint_state_text(status);
    std::ostringstream out;
    JsonWriter json(out);
    json.begin_object();
    json.key("state");
    write_state(json, status);
    write_job_members(json, status);
    const bool busy =
        status.selected && (status.state == State::printing || status.state == State::pausing ||
                            status.state == State::paused || status.state == State::cancelling);
    if (busy && status.progress.layer >= 0)
        json.field("currentZ", status.progress.z_mm);
    else
        json.key("currentZ").null();
    json.key("offsets").begin_object();
    for (std::uint8_t i = 0; i < status.heater_count; ++i) {
        const streamer::HeaterReading& heater = status.heaters[i];
        const std::size_t tool = heater.index < 0 ? 0 : static_cast<std::size_t>(heater.index);
        if (heater.heater == 'T' && tool < status.temperature_offsets.tool_c.size())
            json.field("tool" + std::to_string(tool), status.temperature_offsets.tool_c[tool]);
    }
    json.field("bed", status.temperature_offsets.bed_c);
    json.end_object();
    json.key("resends").begin_object();
    json.field("count", status.resends).field("transmitted", status.lines_sent);
    json.field("ratio", status.lines_sent == 0 ? 0
                                               : static_cast<std::int64_t>(std::lround(
                                                     100.0 * static_cast<double>(status.resends) /
                                                     static_cast<double>(status.lines_sent))));
    json.end_object();
    json.key("busyFiles").begin_array();
    if (busy)
        json.begin_object()
            .field("origin", "local")
            .field("path", status.selected->path)
            .end_object();
    json.end_array();
    json.key("markings").begin_array().end_array();
    json.field("serverTime", now_s);
    json.end_object();
    return out.str();
}

std::string history_payload(PrinterService& printer, const std::string& state,
                            const PushSubscription& subscription) {
    std::ostringstream out;
    JsonWriter json(out);
    json.begin_object();
    json.key("temps").begin_array();
    for (const TemperatureSample& sample : printer.temperature_history(0))
        write_temperature_sample(json, sample);
    json.end_array();
    std::uint64_t first_kept = 0;
    const streamer::TerminalLog& terminal = printer.terminal();
    const std::uint64_t newest = terminal.last_seq();
    const std::vector<streamer::TerminalLine> lines = terminal.since(
        newest > history_lines ? newest - history_lines : 0, history_lines, first_kept);
    std::deque<std::string> logs;
    std::deque<std::string> messages;
    for (const streamer::TerminalLine& line : lines) {
        logs.push_back(log_text(line));
        if (!line.sent) messages.push_back(line.text);
    }
    write_terminal_members(json, logs, messages, subscription);
    json.end_object();
    return merged(state, out.str());
}

std::string current_payload(const std::string& state, const std::deque<std::string>& temps,
                            const std::deque<std::string>& logs,
                            const std::deque<std::string>& messages,
                            const PushSubscription& subscription) {
    std::ostringstream out;
    JsonWriter json(out);
    json.begin_object();
    json.key("temps").begin_array();
    for (const std::string& sample : temps)
        json.raw(sample);
    json.end_array();
    write_terminal_members(json, logs, messages, subscription);
    json.end_object();
    return merged(state, out.str());
}

}  // namespace strata::server::api
