// The machine limits an estimate starts from, chosen from the slicer's settings the way the
// slicer itself chose them when it wrote its estimate (PrusaSlicer's rules: limits only for
// firmwares that understand them and unless told to ignore them), or from a printer profile, or
// from firmware defaults; and the slicer's own junction model (Bambu/Orca's vector jerk,
// CuraEngine's XY jerk) unless the firmware's is asked for.
#pragma once

#include <optional>
#include <string>

#include "strata/parser/dialect.hpp"
#include "strata/parser/machine_state.hpp"
#include "strata/planner/motion_limits.hpp"

namespace strata::planner::motion {

struct MachineSetup {
    FirmwareKind firmware = FirmwareKind::marlin2;
    MotionLimits normal;
    std::optional<MotionLimits> stealth;  ///< When the file declares a stealth mode.
    std::string source;  ///< "slicer settings", "printer profile", "firmware defaults".
    bool legacy_planner_passes = false;  ///< The Bambu/Orca estimator's pass order.
    bool bambu_family = false;  ///< Bambu Studio, Orca, Creality Print 5: Bambu's waits count.
};

/// Bambu's estimators add a fixed allowance for the calibration a Bambu printer may run before
/// printing (`machine_prepare_compensation_time`, 260 s where older files do not say): at a
/// `G29` between `M622 J1` and `M623` (the printer's levelling flag) on Bambu printers, at
/// every `G29` on others; Bambu Studio versions without the setting, and Orca 1.x, added it at
/// the first `G28`.
struct LevellingAllowance {
    enum class At : std::uint8_t { nowhere, flagged_g29, any_g29, first_g28 };
    At at = At::nowhere;
    double seconds = 0.0;
};
[[nodiscard]] LevellingAllowance levelling_allowance(const parser::SlicerInfo& slicer);

/// Firmware family from a slicer's flavour name and the slicer (Cura's "RepRap" is RRF).
FirmwareKind firmware_from(const parser::SlicerInfo& slicer, parser::FirmwareFlavor simulated);

MachineSetup machine_setup(const parser::SlicerInfo& slicer, parser::FirmwareFlavor simulated,
                           const MotionLimits* profile, bool exact_firmware);

}  // namespace strata::planner::motion
