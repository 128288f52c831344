// Resolving the block's values (see snapshot_planner.hpp): the profile first, then the slicer
// settings found in the file, then what the file itself does.
#include <algorithm>
#include <string>

#include "snapshot_planner.hpp"

namespace strata::planner::snapshots {
namespace {

// A lift is worth having even when the slicer uses none: a stabilization travel crosses the
// print, and a nozzle dragged across it at layer height leaves a scar.
constexpr double default_lift_mm = 0.5;
constexpr double default_retract_length_mm = 1.0;
constexpr double default_retract_speed_mm_s = 25.0;
constexpr double default_travel_speed_mm_s = 100.0;
constexpr double default_lift_speed_mm_s = 10.0;

// The first positive value, naming where it came from.
double first_of(std::initializer_list<std::pair<std::optional<double>, const char*>> choices,
                double fallback, std::string& source, const char* field) {
    for (const auto& [value, origin] : choices) {
        if (value && *value > 0.0) {
            source += std::string(field) + "=" + origin + " ";
            return *value;
        }
    }
    source += std::string(field) + "=default ";
    return fallback;
}

std::optional<double> positive(double value) {
    return value > 0.0 ? std::optional(value) : std::nullopt;
}

}  // namespace

BlockMotion resolve_motion(const SnapshotMotionSettings& settings, const SafetySettings& safety,
                           const parser::SlicerSettings& slicer, const FileHabits& habits,
                           const MotionLimits& limits) {
    BlockMotion motion;
    std::string& source = motion.source;
    motion.retract = settings.retract;
    motion.retract_length_mm = first_of({{settings.retract_length_mm, "profile"},
                                         {slicer.retract_length_mm, "slicer"},
                                         {positive(habits.longest_retraction_mm), "file"}},
                                        default_retract_length_mm, source, "retract_length");
    motion.retract_speed_mm_s = first_of({{settings.retract_speed_mm_s, "profile"},
                                          {slicer.retract_speed_mm_s, "slicer"},
                                          {positive(habits.fastest_retract_mm_s), "file"}},
                                         default_retract_speed_mm_s, source, "retract_speed");
    motion.deretract_speed_mm_s = first_of(
        {{settings.deretract_speed_mm_s, "profile"}, {slicer.deretract_speed_mm_s, "slicer"}},
        motion.retract_speed_mm_s, source, "deretract_speed");
    switch (settings.firmware_retraction) {
        case FirmwareRetraction::always: motion.firmware_retraction = true; break;
        case FirmwareRetraction::never: motion.firmware_retraction = false; break;
        case FirmwareRetraction::automatic:
            motion.firmware_retraction = habits.uses_firmware_retraction;
            break;
    }
    motion.lift_mm = settings.lift
                         ? first_of({{settings.lift_mm, "profile"}, {slicer.z_hop_mm, "slicer"}},
                                    default_lift_mm, source, "lift")
                         : 0.0;
    motion.lift_speed_mm_s = first_of(
        {{settings.lift_speed_mm_s, "profile"}, {positive(habits.fastest_lift_mm_s), "file"}},
        std::min(default_lift_speed_mm_s, limits.max_feedrate_mm_s[2]), source, "lift_speed");
    motion.travel_speed_mm_s = first_of({{settings.travel_speed_mm_s, "profile"},
                                         {slicer.travel_speed_mm_s, "slicer"},
                                         {positive(habits.fastest_travel_mm_s), "file"}},
                                        default_travel_speed_mm_s, source, "travel_speed");
    if (!source.empty()) source.pop_back();
    motion.max_z_mm = safety.max_z_mm;
    motion.dwell_ms = settings.dwell_ms;
    motion.wait_for_moves = settings.wait_for_moves;
    return motion;
}

}  // namespace strata::planner::snapshots
