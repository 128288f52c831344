// Slicer dialects: which slicer wrote a file, its version, and the settings later stages need
// (retraction, z-hop, speeds, layer heights, vase mode, bed, firmware flavour, machine limits,
// the slicer's own time estimate). Read from the comment lines at the head and tail of a file,
// where every slicer keeps its header and configuration dump; one file per slicer in dialects/.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "strata/parser/machine_state.hpp"

namespace strata::parser {

enum class Slicer : std::uint8_t {
    unknown,
    prusaslicer,
    superslicer,
    orcaslicer,
    bambustudio,
    slic3r,
    cura,
    crealityprint,
    simplify3d,
    ideamaker,
    kisslicer,
    craftware,
    mattercontrol,
    icesl,
    kirimoto,
};
std::string_view to_string(Slicer slicer);

struct AxisLimits {
    std::optional<double> x, y, z, e;
};

/// Firmware motion limits a slicer declared for its printer profile (one time mode).
struct MachineLimits {
    AxisLimits max_feedrate_mm_s;
    AxisLimits max_acceleration_mm_s2;
    AxisLimits max_jerk_mm_s;
    std::optional<double> print_acceleration_mm_s2;
    std::optional<double> retract_acceleration_mm_s2;
    std::optional<double> travel_acceleration_mm_s2;
    std::optional<double> junction_deviation_mm;
    std::optional<double> min_extruding_feedrate_mm_s;
    std::optional<double> min_travel_feedrate_mm_s;
};

struct SlicerSettings {
    std::optional<double> retract_length_mm;
    std::optional<double> retract_speed_mm_s;
    std::optional<double> deretract_speed_mm_s;
    std::optional<double> z_hop_mm;
    std::optional<double> travel_speed_mm_s;
    std::optional<double> layer_height_mm;
    std::optional<double> first_layer_height_mm;
    std::optional<bool> vase_mode;
    std::optional<bool> relative_e;
    std::optional<int> extruder_count;
    std::optional<std::array<double, 2>> bed_size_mm;
    std::optional<std::array<double, 2>> bed_origin_mm;
    std::optional<FirmwareFlavor> firmware_flavor;
    std::string firmware_flavor_name;  ///< As the slicer wrote it (`marlin2`, `klipper`, ...).
    /// PrusaSlicer's `machine_limits_usage` (emit_to_gcode, time_estimate_only, ignore).
    std::string machine_limits_usage;
    std::optional<bool> stealth_mode;              ///< The printer has a stealth (silent) mode.
    std::optional<double> filament_load_time_s;    ///< MMU load time per tool change.
    std::optional<double> filament_unload_time_s;  ///< MMU unload time per tool change.
    /// Bambu's AMS (Bambu Studio, Orca): the machine's own filament load and unload times.
    std::optional<double> machine_load_filament_time_s;
    std::optional<double> machine_unload_filament_time_s;
    /// Bambu's allowance for the bed levelling its start G-code may run (`G29` between
    /// `M622 J1` and `M623`).
    std::optional<double> prepare_compensation_time_s;
    /// The printer notes name a Prusa XL (PrusaSlicer's test for its toolchanger).
    bool prusa_xl = false;
    std::string printer_model;  ///< The slicer's printer model (`Bambu Lab X1 Carbon`, `XL5IS`).
    std::optional<MachineLimits> limits_normal;
    std::optional<MachineLimits> limits_stealth;  ///< PrusaSlicer's "silent mode" column.
    std::optional<double> estimate_s;             ///< The slicer's own print-time estimate.
    /// Fixed allowances some slicers add to their estimate (SuperSlicer's time_start_gcode and
    /// time_toolchange): not motion, so they are taken out before comparing motion times.
    std::optional<double> estimate_start_allowance_s;
    std::optional<double> estimate_toolchange_allowance_s;
    std::optional<double> estimate_stealth_s;
};

struct SlicerInfo {
    Slicer slicer = Slicer::unknown;
    std::string version;
    SlicerSettings settings;
};

/// Identifies the slicer and reads its settings from the first and last bytes of a file (the
/// analysis passes 256 KiB of each; a small file may pass the same text twice).
[[nodiscard]] SlicerInfo detect_slicer(std::string_view head, std::string_view tail);

/// Whether a comment (the text after `;`) is a slicer's layer-change marker; when the marker
/// carries the layer's height it is stored in `z_mm`.
[[nodiscard]] bool is_layer_marker(std::string_view comment, std::optional<double>& z_mm);

}  // namespace strata::parser
