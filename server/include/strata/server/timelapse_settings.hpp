// OctoPrint's timelapse configuration (`POST /api/timelapse`) as strata applies it to the jobs it
// starts: `zchange` prints the prepared job and captures at its planned, stabilized snapshots
// (the default timelapse profile: every layer unless it says otherwise); `timed` prints the file
// as it was uploaded and captures every `interval_s` without moving the head, as OctoPrint does;
// `off` prints the file as uploaded and captures nothing. The render options apply to the
// videos of the next job. Stored as OctoPrint's config object in the `settings` table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "strata/common/json_writer.hpp"

namespace strata::server {

enum class TimelapseType : std::uint8_t { off, zchange, timed };
/// When the videos are made: OctoPrint's renderAfterPrint. A job whose outcome is not wanted
/// keeps its frames, listed as an unrendered timelapse.
enum class RenderAfterPrint : std::uint8_t { always, success, failure, never };

struct TimelapseSettings {
    TimelapseType type = TimelapseType::zchange;
    double fps = 30.0;
    double post_roll_s = 0.0;  ///< The last frame held this long.
    RenderAfterPrint render_after_print = RenderAfterPrint::always;
    double interval_s = 10.0;  ///< `timed`: seconds between frames.
    /// `zchange` options, kept for clients: strata's planner tells layer changes from z-hops
    /// itself and never snapshots twice in a layer.
    double retraction_zhop_mm = 0.0;
    double min_delay_s = 5.0;

    bool operator==(const TimelapseSettings&) const = default;
};

[[nodiscard]] std::optional<TimelapseType> parse_timelapse_type(std::string_view text);
[[nodiscard]] std::string_view to_string(TimelapseType type);
[[nodiscard]] std::optional<RenderAfterPrint> parse_render_after_print(std::string_view text);
[[nodiscard]] std::string_view to_string(RenderAfterPrint when);

/// OctoPrint's `config` object; `type` is "off" when `can_capture` is false (no camera), as
/// OctoPrint reports a timelapse it cannot take.
void write_timelapse_settings(JsonWriter& json, const TimelapseSettings& settings,
                              bool can_capture);
/// Reads what `write_timelapse_settings` wrote over `settings`; the field at fault otherwise.
[[nodiscard]] std::optional<std::string> read_timelapse_settings(const rapidjson::Value& object,
                                                                 TimelapseSettings& settings);
/// Whether a job that ended with `result` (finished, cancelled, failed) gets its videos.
[[nodiscard]] bool renders_after(RenderAfterPrint when, std::string_view result);

}  // namespace strata::server
