// The look-ahead block queue of a Marlin-style planner, as a time calculator: blocks carry a
// trapezoidal velocity profile (accelerate, cruise, decelerate); reverse and forward passes over
// the queue settle each junction speed; blocks that leave the queue are timed. The kernels follow
// Marlin's planner.cpp, in the form PrusaSlicer's estimator uses them, so a file's time can be
// compared with the slicer's own estimate.
#pragma once

#include <cstdint>
#include <vector>

#include "strata/planner/timeline.hpp"

namespace strata::planner::motion {

/// One planner block: a straight move with its speeds (mm/s), distance (mm), acceleration.
struct Block {
    double distance_mm = 0.0;
    double acceleration_mm_s2 = 0.0;
    double entry_mm_s = 0.0;
    double cruise_mm_s = 0.0;
    double exit_mm_s = 0.0;
    double max_entry_mm_s = 0.0;  ///< The junction limit: entry can never exceed it.
    double safe_exit_mm_s = 0.0;  ///< Speed the block may stop from within the jerk limit.
    /// Klipper's accel_to_decel: the peak is limited as if accelerating and decelerating at
    /// this rate to the midpoint (0: no such limit).
    double smoothed_acceleration_mm_s2 = 0.0;
    // Trapezoid: distances from the start where acceleration ends and deceleration begins.
    double accelerate_until_mm = 0.0;
    double decelerate_after_mm = 0.0;
    double peak_mm_s = 0.0;   ///< Highest speed reached (cruise, or the triangle's apex).
    double final_mm_s = 0.0;  ///< Speed at the end: the exit speed, unless it cannot be reached.
    std::uint64_t line = 0;
    bool nominal_length = false;  ///< Long enough to reach cruise from any entry and stop again.
    bool recalculate = true;

    void calculate_trapezoid();
    [[nodiscard]] double time_s() const;
};

/// Speed reached after `distance_mm` starting at `initial_mm_s` with `acceleration_mm_s2`.
double speed_after(double initial_mm_s, double distance_mm, double acceleration_mm_s2);
/// Highest speed from which `target_mm_s` can still be reached over `distance_mm` when
/// decelerating at `deceleration_mm_s2`.
double max_allowable_speed(double deceleration_mm_s2, double target_mm_s, double distance_mm);

/// The queue. Completed blocks are recorded in `timeline` (when given) as they are timed.
class BlockQueue {
  public:
    BlockQueue(std::size_t keep_blocks, std::size_t refresh_blocks, bool legacy_passes,
               Timeline* timeline);

    [[nodiscard]] bool empty() const { return blocks_.empty(); }
    [[nodiscard]] const Block& back() const { return blocks_.back(); }
    void push(const Block& block);
    /// Plans and times every queued block, as when the firmware empties its queue (M400, a dwell,
    /// a tool change); `extra_s` is added to the elapsed time after them.
    void synchronize(double extra_s);
    [[nodiscard]] double elapsed_s() const { return elapsed_s_; }

  private:
    void plan();
    void time_front(std::size_t count);

    std::size_t keep_blocks_;
    std::size_t refresh_blocks_;
    bool legacy_passes_;
    Timeline* timeline_;
    std::vector<Block> blocks_;
    double elapsed_s_ = 0.0;
};

}  // namespace strata::planner::motion
