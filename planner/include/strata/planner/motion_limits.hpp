// The firmware's motion limits for one time mode (normal or stealth): what the planner emulation
// needs to turn moves into time. Built from, in order of precedence, the file's own limit
// commands (applied while estimating), the slicer's configuration comments, a printer profile,
// and firmware defaults. Immutable once estimation starts, except through limit commands.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace strata::planner {

/// How the firmware computes the speed allowed through a corner between two moves.
enum class JunctionModel : std::uint8_t {
    classic_jerk,        ///< Marlin's per-axis "jerk" (also RepRapFirmware's M566).
    junction_deviation,  ///< Marlin's junction deviation (`M205 J`).
    square_corner,       ///< Klipper's square corner velocity.
    /// Bambu Studio's and OrcaSlicer's estimator: jerk on the XYZ velocity vector, plus a
    /// centripetal speed limit through gentle curves.
    vector_jerk,
    /// CuraEngine's estimator (Marlin 1.0's planner): one jerk for the change of the XY
    /// velocity, Z and E apart; a move starts and stops at half the jerk.
    xy_jerk,
};

/// Firmware family, for the commands whose meaning differs between firmwares.
enum class FirmwareKind : std::uint8_t { marlin_legacy, marlin2, klipper, reprapfirmware, other };
std::string_view to_string(FirmwareKind kind);

/// Axis order everywhere: X, Y, Z, E.
struct MotionLimits {
    std::array<double, 4> max_feedrate_mm_s = {500.0, 500.0, 12.0, 120.0};
    std::array<double, 4> max_acceleration_mm_s2 = {9000.0, 9000.0, 500.0, 10000.0};
    std::array<double, 4> max_jerk_mm_s = {10.0, 10.0, 0.2, 2.5};
    /// Upper bounds that M204 values are clamped to (0: no bound).
    double max_print_acceleration_mm_s2 = 1500.0;
    double max_retract_acceleration_mm_s2 = 1500.0;
    double max_travel_acceleration_mm_s2 = 0.0;
    /// Accelerations in force at the start of the print.
    double print_acceleration_mm_s2 = 1500.0;
    double retract_acceleration_mm_s2 = 1500.0;
    double travel_acceleration_mm_s2 = 1250.0;
    double min_extruding_feedrate_mm_s = 0.0;
    double min_travel_feedrate_mm_s = 0.0;
    JunctionModel junction = JunctionModel::classic_jerk;
    double junction_deviation_mm = 0.013;
    /// Klipper: square corner velocity and the acceleration used to plan decelerations
    /// (max_accel_to_decel; 0 means half the acceleration, Klipper's default).
    double square_corner_velocity_mm_s = 5.0;
    double accel_to_decel_mm_s2 = 0.0;
    /// The slicer's estimator takes `SET_VELOCITY_LIMIT SQUARE_CORNER_VELOCITY` for the X and Y
    /// jerk (OrcaSlicer and Creality Print 5; Creality Print 4 writes its jerk that way).
    bool square_corner_sets_jerk = false;
};

/// Immutable settings of one estimate besides the limits.
struct EstimatorConfig {
    FirmwareKind firmware = FirmwareKind::marlin2;
    /// Look-ahead window: blocks kept for re-planning when older ones are timed.
    std::size_t planner_queue_blocks = 64;
    /// Blocks accumulated before a planning pass (the planner's refresh interval).
    std::size_t planner_refresh_blocks = 256;
    /// Heat-up rates for M109/M190 (degrees per second) and the starting temperature.
    double hotend_heating_rate_c_s = 2.0;
    double bed_heating_rate_c_s = 0.6;
    double ambient_temperature_c = 25.0;
    /// Model the firmware itself rather than the slicer's approximation of it. Slicers time
    /// Klipper files with Marlin's jerk model; Klipper corners by square corner velocity and plans
    /// peaks with accel_to_decel (minimum_cruise_ratio). Off by default: against the slicers'
    /// estimates, the jerk model is the more accurate one (see docs/ARCHITECTURE.md).
    bool exact_firmware = false;
    /// Plan as older Marlin and the Bambu/Orca estimator do: forward pass before reverse pass,
    /// and no pinning of the first kept block's entry speed.
    bool legacy_planner_passes = false;
    /// Bambu firmware's timed wait, which its slicers count: `M400 S<s> P<ms>`. Set from the
    /// file.
    bool timed_m400 = false;
};

}  // namespace strata::planner
