// The machine model the simulator keeps: immutable configuration (what firmware, what printer)
// apart from the state after each line. Units are in the names: _mm, _mm_s, _ratio.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace strata::parser {

/// How the firmware interprets modal commands where firmwares disagree.
enum class FirmwareFlavor : std::uint8_t { marlin, klipper, reprapfirmware, unknown };
std::string_view to_string(FirmwareFlavor flavor);

/// What one line did to the toolhead, in the terms of Octolapse's move types.
enum class MoveKind : std::uint8_t {
    none,       ///< Not a move (or a move that went nowhere).
    travel,     ///< XY (and maybe Z) without extrusion.
    extrude,    ///< Extrusion with motion (or a prime in place with nothing to undo).
    retract,    ///< E backwards without XY motion.
    deretract,  ///< E forwards in place, undoing an earlier retraction.
    lift,       ///< Z up alone (z-hop).
    lower,      ///< Z down alone.
    wipe,       ///< E backwards while moving in XY.
};
std::string_view to_string(MoveKind kind);

/// Octolapse's ten extruder states, as bit flags (several hold at once).
namespace extruder_flag {
inline constexpr std::uint16_t extruding_start = 1u << 0;
inline constexpr std::uint16_t extruding = 1u << 1;
inline constexpr std::uint16_t primed = 1u << 2;
inline constexpr std::uint16_t retracting_start = 1u << 3;
inline constexpr std::uint16_t retracting = 1u << 4;
inline constexpr std::uint16_t partially_retracted = 1u << 5;
inline constexpr std::uint16_t retracted = 1u << 6;
inline constexpr std::uint16_t deretracting_start = 1u << 7;
inline constexpr std::uint16_t deretracting = 1u << 8;
inline constexpr std::uint16_t deretracted = 1u << 9;
}  // namespace extruder_flag

/// Immutable per-run configuration of the simulated machine.
struct MachineConfig {
    FirmwareFlavor flavor = FirmwareFlavor::marlin;
    std::array<double, 3> home_position_mm = {0.0, 0.0, 0.0};
    /// A retraction of at least this much counts as "retracted", less as "partially retracted".
    /// 0 means: any retraction counts as retracted (length unknown).
    double retract_length_mm = 0.0;
    /// Firmware retraction (G10/G11) defaults until M207/M208 change them (Marlin's defaults).
    double firmware_retract_length_mm = 3.0;
    double firmware_retract_speed_mm_s = 45.0;
    double firmware_retract_zhop_mm = 0.0;
    double firmware_recover_extra_mm = 0.0;
    double firmware_recover_speed_mm_s = 0.0;  ///< 0: same as the retract speed.
    double initial_feedrate_mm_s = 25.0;
    /// Coordinates beyond this are rejected as absurd rather than simulated.
    double coordinate_limit_mm = 1.0e6;
    /// Higher T numbers are not tools: Bambu writes T255 (unload), T1000 and T1100 for its AMS.
    int max_tools = 64;
};

/// The state after one line.
struct MachineState {
    std::array<double, 3> position_mm = {0.0, 0.0, 0.0};  ///< Nozzle, bed coordinates.
    /// Offset of the active tool's nozzle from the head (M218, G10 P): head = nozzle - offset.
    std::array<double, 2> tool_offset_mm = {0.0, 0.0};
    double e_mm = 0.0;            ///< Logical E of the active tool (what the file writes).
    double e_delta_mm = 0.0;      ///< E commanded by this line (after flow factor).
    double move_length_mm = 0.0;  ///< XYZ path length of this line (arcs: along the arc).
    double feedrate_mm_s = 25.0;
    double speed_factor_ratio = 1.0;  ///< M220.
    double retraction_mm = 0.0;       ///< How far the active tool is retracted now.
    std::uint32_t tool = 0;
    MoveKind move = MoveKind::none;
    std::uint16_t extruder = extruder_flag::primed;  ///< extruder_flag bits.
    bool xyz_relative = false;
    bool e_relative = false;
    bool inches = false;
    bool homed = false;  ///< Some G28 was seen (or the position was set by G92).
    bool is_arc = false;
};

}  // namespace strata::parser
