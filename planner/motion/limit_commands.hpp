// Limit commands as the firmware applies them to its planner: M201 (axis accelerations), M203
// (axis feedrates), M204 (print/retract/travel accelerations), M205 (jerk, minimum feedrates,
// junction deviation), M566 (RepRapFirmware jerk), and Klipper's SET_VELOCITY_LIMIT. Units and
// the meaning of M204 S follow the firmware family.
#pragma once

#include "strata/parser/gcode_line.hpp"
#include "strata/planner/motion_limits.hpp"

namespace strata::planner::motion {

/// Applies `line` to `limits` when it is a limit command; returns whether it was one.
bool apply_limit_command(const parser::GcodeLine& line, FirmwareKind firmware, bool inches,
                         MotionLimits& limits);

/// Whether `line` is a limit command at all (cheap; for dispatch).
bool is_limit_command(const parser::GcodeLine& line);

}  // namespace strata::planner::motion
