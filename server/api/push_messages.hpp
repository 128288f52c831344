// The push API's payloads, in OctoPrint's shapes (OctoPrint's server/util/sockjs.py and
// printer/standard.py): `connected`, the state members `history` and `current` share, each
// client's backlog of temperatures and terminal lines, events, and the client's subscription
// (`{"subscribe": ...}`, OctoPrint 1.8). Internal to server/api; push_hub.cpp sends them.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "api.hpp"

namespace strata::server::api {

/// What a client subscribed to. Before its first `subscribe`, everything (OctoPrint's default).
struct PushSubscription {
    bool active = false;  ///< The client has sent a `subscribe`.
    bool state = true;    ///< `history` and `current`.
    /// Terminal lines and printer messages: all (true), none (false), or those a filter finds.
    bool logs = true;
    bool messages = true;
    std::optional<std::regex> logs_filter;
    std::optional<std::regex> messages_filter;
    bool all_events = true;
    std::vector<std::string> events;  ///< When not `all_events`: the types wanted.

    [[nodiscard]] bool wants_event(std::string_view type) const;
    /// `lines` with the logs (or messages) subscription applied.
    [[nodiscard]] std::vector<std::string> filter(const std::deque<std::string>& lines,
                                                  bool messages) const;
};

/// The members `logs` and `messages`, as the subscription lets them through.
void write_terminal_members(JsonWriter& json, const std::deque<std::string>& logs,
                            const std::deque<std::string>& messages,
                            const PushSubscription& subscription);

/// Reads `{"state": bool | {logs, messages}, "events": bool | [..], "plugins": ..}`; false (and
/// `subscription` unchanged) when a field has the wrong type or a filter is no valid regex.
bool read_subscription(const rapidjson::Value& value, PushSubscription& subscription);

/// A whole number written as text ("2"), as Python's int() reads it.
[[nodiscard]] std::optional<std::int64_t> whole_number(std::string_view text);

[[nodiscard]] std::string connected_payload(const ServerConfig& config);
[[nodiscard]] std::string timelapse_payload(PrinterService& printer);
[[nodiscard]] std::string temperature_sample_json(const TemperatureSample& sample);
/// A terminal line as OctoPrint logs it: "Send: G28" or "Recv: ok".
[[nodiscard]] std::string log_text(const streamer::TerminalLine& line);
/// `{"type": type, "payload": payload}` (an empty payload is null).
[[nodiscard]] std::string event_payload(std::string_view type, std::string_view payload_json);

/// The members every client's `history` and `current` share, as a JSON object: state (text,
/// flags, error), job, progress, currentZ, offsets, resends, busyFiles, markings, serverTime.
[[nodiscard]] std::string state_members(PrinterService& printer, double now_s,
                                        std::string& state_text);
/// `history`: the state, the temperature history and the recent terminal lines.
[[nodiscard]] std::string history_payload(PrinterService& printer, const std::string& state,
                                          const PushSubscription& subscription);
/// `current`: the state with what arrived since the client's last one.
[[nodiscard]] std::string current_payload(const std::string& state,
                                          const std::deque<std::string>& temps,
                                          const std::deque<std::string>& logs,
                                          const std::deque<std::string>& messages,
                                          const PushSubscription& subscription);

}  // namespace strata::server::api
