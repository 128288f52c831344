// The machine limits an estimate starts from, chosen from the slicer's settings the way the
// slicer itself chose them when it wrote its estimate (PrusaSlicer's rules: limits only for
// firmwares that understand them and unless told to ignore them), or from a printer profile, or
// from firmware defaults.
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
};

/// Firmware family from a slicer's flavour name and the slicer (Cura's "RepRap" is RRF).
FirmwareKind firmware_from(const parser::SlicerInfo& slicer, parser::FirmwareFlavor simulated);

MachineSetup machine_setup(const parser::SlicerInfo& slicer, parser::FirmwareFlavor simulated,
                           const MotionLimits* profile, bool exact_firmware);

}  // namespace strata::planner::motion
