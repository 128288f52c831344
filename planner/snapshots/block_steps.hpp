// The moves of one snapshot block, as data: retract what is still needed, lift clear of the
// print, travel to the parking point, wait and capture, then undo each step in reverse order.
// One list serves the G-code writer (planner/splice), the cost model and the tests, so what is
// timed is exactly what is written.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "strata/planner/snapshot_plan.hpp"

namespace strata::planner::snapshots {

enum class StepKind : std::uint8_t {
    retract,             ///< G1 E- (in the file's E mode).
    firmware_retract,    ///< G10.
    lift,                ///< G1 Z up, with the retraction's E- when the block retracts by G1.
    travel,              ///< G1 X Y to the parking point.
    dwell,               ///< G4 P: the camera settles.
    wait,                ///< M400: every move done.
    capture,             ///< @STRATA SNAPSHOT: the host captures (never sent to the printer).
    travel_back,         ///< G1 X Y back to where the head was.
    lower,               ///< G1 Z back down, undoing the lift's retraction exactly.
    deretract,           ///< G1 E+ undoing `retract` exactly.
    firmware_deretract,  ///< G11.
    restore_feedrate,    ///< G1 F the file had in force.
};

struct BlockStep {
    StepKind kind = StepKind::wait;
    /// The target after the step: X, Y, Z bed coordinates and the logical E.
    std::array<double, 4> target = {0.0, 0.0, 0.0, 0.0};
    std::array<double, 4> delta_mm = {0.0, 0.0, 0.0, 0.0};
    double feedrate_mm_s = 0.0;
    double dwell_s = 0.0;
};

/// The height the block travels at: above both the head and the highest printed Z, plus the
/// lift; nothing when the maximum height leaves no room for that.
[[nodiscard]] std::optional<double> travel_z_mm(const BlockEntry& entry, const BlockMotion& motion);

/// The steps of a block from `entry`, parking at `park_mm` (nothing: in place, no travel). A
/// block that does not `stop` is the capture alone. Precondition: `travel_z_mm` has a value
/// when `park_mm` does.
[[nodiscard]] std::vector<BlockStep> block_steps(
    const BlockEntry& entry, const std::optional<std::array<double, 2>>& park_mm, bool stop,
    const BlockMotion& motion);

/// XY distance travelled by the steps (out and back).
[[nodiscard]] double travel_distance_mm(const std::vector<BlockStep>& steps);

}  // namespace strata::planner::snapshots
