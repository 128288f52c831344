// Snapshot cost (see snapshot_cost.hpp): the same two stretches of motion planned twice, once as
// the file has them and once with the block between them, with the file's own limits.
#include "snapshot_cost.hpp"

#include <algorithm>

#include "../motion/motion_planner.hpp"

namespace strata::planner::snapshots {
namespace {

motion::MoveClass class_of(const std::array<double, 4>& delta_mm) {
    const bool moved_xy = delta_mm[0] != 0.0 || delta_mm[1] != 0.0;
    if (!moved_xy && delta_mm[2] == 0.0) return motion::MoveClass::retract;
    return moved_xy && delta_mm[3] > 0.0 ? motion::MoveClass::print : motion::MoveClass::travel;
}

void plan(motion::MotionPlanner& planner, const std::array<double, 4>& delta_mm,
          double feedrate_mm_s) {
    if (feedrate_mm_s <= 0.0) return;
    if (delta_mm[0] == 0.0 && delta_mm[1] == 0.0 && delta_mm[2] == 0.0 && delta_mm[3] == 0.0)
        return;
    planner.move({delta_mm, feedrate_mm_s, class_of(delta_mm), 0});
}

}  // namespace

double SnapshotCost::added_s(const BlockEntry& entry, const std::vector<BlockStep>& steps,
                             const std::optional<FollowingMove>& following) const {
    const FollowingMove after =
        following.value_or(FollowingMove{entry.incoming_delta_mm, entry.incoming_feedrate_mm_s});

    motion::MotionPlanner as_file(limits_, config_, nullptr);
    plan(as_file, entry.incoming_delta_mm, entry.incoming_feedrate_mm_s);
    plan(as_file, after.delta_mm, after.feedrate_mm_s);
    as_file.synchronize(0.0);

    motion::MotionPlanner with_block(limits_, config_, nullptr);
    plan(with_block, entry.incoming_delta_mm, entry.incoming_feedrate_mm_s);
    bool stopped = false;
    for (const BlockStep& step : steps) {
        switch (step.kind) {
            case StepKind::dwell:
            case StepKind::wait:
                with_block.synchronize(step.dwell_s);
                stopped = true;
                break;
            case StepKind::capture:
            case StepKind::restore_feedrate: break;
            default: plan(with_block, step.delta_mm, step.feedrate_mm_s); break;
        }
    }
    if (stopped) with_block.synchronize(0.0);
    plan(with_block, after.delta_mm, after.feedrate_mm_s);
    with_block.synchronize(0.0);
    return std::max(0.0, with_block.elapsed_s() - as_file.elapsed_s());
}

}  // namespace strata::planner::snapshots
