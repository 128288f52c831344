// What a snapshot block costs in print time, from the firmware planner emulation: the block's
// own moves (each starting and ending at rest around the M400), plus what the forced stop costs
// the moves around it, plus the dwell. Camera time is not included: it depends on the camera.
#pragma once

#include <array>
#include <optional>
#include <vector>

#include "block_steps.hpp"
#include "strata/planner/motion_limits.hpp"
#include "strata/planner/snapshot_plan.hpp"

namespace strata::planner::snapshots {

/// The move that follows the block in the file (X, Y, Z, E deltas and feedrate).
struct FollowingMove {
    std::array<double, 4> delta_mm = {0.0, 0.0, 0.0, 0.0};
    double feedrate_mm_s = 0.0;
};

class SnapshotCost {
  public:
    SnapshotCost(const MotionLimits& limits, const EstimatorConfig& config)
        : limits_(limits), config_(config) {}

    /// Seconds the block adds. Without the following move (not known yet while planning), the
    /// incoming move is assumed to continue straight on: the dearest junction to interrupt.
    [[nodiscard]] double added_s(const BlockEntry& entry, const std::vector<BlockStep>& steps,
                                 const std::optional<FollowingMove>& following) const;

  private:
    MotionLimits limits_;
    EstimatorConfig config_;
};

}  // namespace strata::planner::snapshots
