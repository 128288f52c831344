// MoveTimer (see move_timer.hpp): a MotionPlanner whose queue is the firmware's size, and a
// timeline that keeps every block so each move's end time can be read back.
#include "strata/planner/move_timer.hpp"

#include "motion_planner.hpp"
#include "strata/planner/timeline.hpp"

namespace strata::planner {

MoveTimer::MoveTimer(const MotionLimits& limits, std::size_t lookahead_blocks)
    : timeline_(std::make_unique<Timeline>(1, 0.0)) {
    // The queue plans once it holds more than `refresh` blocks and then times all but `keep`:
    // with these, a full firmware planner of `lookahead_blocks` always has its oldest two timed.
    EstimatorConfig config;
    config.planner_queue_blocks = lookahead_blocks > 2 ? lookahead_blocks - 2 : 1;
    config.planner_refresh_blocks = config.planner_queue_blocks + 1;
    planner_ = std::make_unique<motion::MotionPlanner>(limits, config, timeline_.get());
}

MoveTimer::~MoveTimer() = default;

void MoveTimer::move(const std::array<double, 4>& delta_mm, double feedrate_mm_s,
                     std::uint64_t id) {
    const bool moved_xyz = delta_mm[0] != 0.0 || delta_mm[1] != 0.0 || delta_mm[2] != 0.0;
    motion::MoveClass move_class = motion::MoveClass::print;
    if (!moved_xyz) {
        move_class = motion::MoveClass::retract;
    } else if (delta_mm[3] <= 0.0) {
        move_class = motion::MoveClass::travel;
    }
    planner_->move({delta_mm, feedrate_mm_s, move_class, id, 0.0});
    ++held_;
    collect();
}

void MoveTimer::flush() {
    planner_->synchronize(0.0);
    collect();
}

bool MoveTimer::next_timed(TimedMove& timed) {
    if (timed_.empty()) return false;
    timed = timed_.front();
    timed_.pop_front();
    return true;
}

void MoveTimer::collect() {
    for (const TimeSample& sample : timeline_->release()) {
        timed_.push_back({sample.line, sample.elapsed_s});
        if (held_ > 0) --held_;
    }
}

}  // namespace strata::planner
