// How many straight segments the firmware cuts an arc into: Marlin 2 (Prusa Buddy) scales the
// segment length with the radius and the feedrate; other firmwares keep the chord within a fixed
// tolerance. The planner then sees the segments as ordinary moves.
#pragma once

#include <cstddef>

#include "strata/planner/motion_limits.hpp"

namespace strata::planner::motion {

std::size_t arc_segment_count(FirmwareKind firmware, double radius_mm, double sweep_rad,
                              double feedrate_mm_s);

}  // namespace strata::planner::motion
