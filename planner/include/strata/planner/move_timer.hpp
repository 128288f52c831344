// How long each move takes on a firmware whose planner holds `lookahead_blocks` moves (its oldest
// moves are timed as soon as that many are held, looking ahead over the rest): the motion
// planner of the time estimator, driven move by move rather than from a file. The virtual printer
// runs its planner queue on it, so its moves take the time strata's estimates assume.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>

#include "strata/planner/motion_limits.hpp"

namespace strata::planner {

class Timeline;
namespace motion {
class MotionPlanner;
}

/// A move whose time is settled: it ends `end_s` after the first move began.
struct TimedMove {
    std::uint64_t id;
    double end_s;
};

class MoveTimer {
  public:
    MoveTimer(const MotionLimits& limits, std::size_t lookahead_blocks);
    ~MoveTimer();
    MoveTimer(const MoveTimer&) = delete;
    MoveTimer& operator=(const MoveTimer&) = delete;

    /// Plans a move (X, Y, Z, E deltas); `id` is the caller's and must grow.
    void move(const std::array<double, 4>& delta_mm, double feedrate_mm_s, std::uint64_t id);
    /// Times every move still held for look-ahead, as the firmware does when the queue runs dry.
    void flush();
    /// The next move whose time is settled, oldest first; false when none is yet.
    bool next_timed(TimedMove& timed);
    /// Moves whose time is settled and not read yet, plus those held for look-ahead.
    [[nodiscard]] std::size_t pending() const { return timed_.size() + held_; }

  private:
    void collect();

    std::unique_ptr<Timeline> timeline_;
    std::unique_ptr<motion::MotionPlanner> planner_;
    std::deque<TimedMove> timed_;
    std::size_t held_ = 0;
};

}  // namespace strata::planner
