// BlockQueue: trapezoids and the two planner passes. Comments cite the Marlin planner logic
// they reproduce; speeds are in mm/s, distances in mm.
#include "block_queue.hpp"

#include <algorithm>
#include <cmath>

namespace strata::planner::motion {

namespace {

// Distance needed to go from `from_mm_s` to `to_mm_s` at `acceleration_mm_s2` (negative when
// decelerating is asked with a positive acceleration).
double acceleration_distance(double from_mm_s, double to_mm_s, double acceleration_mm_s2) {
    return acceleration_mm_s2 == 0.0
               ? 0.0
               : (to_mm_s * to_mm_s - from_mm_s * from_mm_s) / (2.0 * acceleration_mm_s2);
}

// Where a block too short to cruise stops accelerating so it ends exactly at its exit speed.
double intersection_distance(double entry_mm_s, double exit_mm_s, double acceleration_mm_s2,
                             double distance_mm) {
    return acceleration_mm_s2 == 0.0 ? 0.0
                                     : (2.0 * acceleration_mm_s2 * distance_mm -
                                        entry_mm_s * entry_mm_s + exit_mm_s * exit_mm_s) /
                                           (4.0 * acceleration_mm_s2);
}

// Marlin's forward pass kernel: an accelerating block too short to reach the next block's entry
// speed lowers that entry speed.
void forward_pass_kernel(const Block& previous, Block& current) {
    if (previous.nominal_length || previous.entry_mm_s >= current.entry_mm_s) return;
    const double reachable_mm_s = max_allowable_speed(-previous.acceleration_mm_s2,
                                                      previous.entry_mm_s, previous.distance_mm);
    if (reachable_mm_s < current.entry_mm_s) {
        current.entry_mm_s = reachable_mm_s;
        current.recalculate = true;
    }
}

// Marlin's reverse pass kernel: raise each entry speed to the most the block can still
// decelerate from, down to the next block's entry speed.
void reverse_pass_kernel(Block& current, const Block& next) {
    if (current.entry_mm_s == current.max_entry_mm_s && !next.recalculate) return;
    const double entry_mm_s =
        current.nominal_length
            ? current.max_entry_mm_s
            : std::min(current.max_entry_mm_s,
                       max_allowable_speed(-current.acceleration_mm_s2, next.entry_mm_s,
                                           current.distance_mm));
    if (current.entry_mm_s != entry_mm_s) {
        current.entry_mm_s = entry_mm_s;
        current.recalculate = true;
    }
}

// The older reverse kernel (Marlin 1, Bambu/Orca estimator): only blocks below their maximum
// entry speed are revisited, whether or not the next block changed.
void legacy_reverse_pass_kernel(Block& current, const Block& next) {
    if (current.entry_mm_s == current.max_entry_mm_s) return;
    current.entry_mm_s = (!current.nominal_length && current.max_entry_mm_s > next.entry_mm_s)
                             ? std::min(current.max_entry_mm_s,
                                        max_allowable_speed(-current.acceleration_mm_s2,
                                                            next.entry_mm_s, current.distance_mm))
                             : current.max_entry_mm_s;
    current.recalculate = true;
}

}  // namespace

double speed_after(double initial_mm_s, double distance_mm, double acceleration_mm_s2) {
    return std::sqrt(
        std::max(0.0, initial_mm_s * initial_mm_s + 2.0 * acceleration_mm_s2 * distance_mm));
}

double max_allowable_speed(double deceleration_mm_s2, double target_mm_s, double distance_mm) {
    return std::sqrt(
        std::max(0.0, target_mm_s * target_mm_s - 2.0 * deceleration_mm_s2 * distance_mm));
}

void Block::calculate_trapezoid() {
    if (smoothed_acceleration_mm_s2 > 0.0) {
        // Klipper: peak_v² ≤ (entry² + exit²) / 2 + distance · accel_to_decel.
        const double smoothed_peak_mm_s =
            std::sqrt(0.5 * (entry_mm_s * entry_mm_s + exit_mm_s * exit_mm_s) +
                      distance_mm * smoothed_acceleration_mm_s2);
        cruise_mm_s = std::min(cruise_mm_s, smoothed_peak_mm_s);
    }
    double accelerate_mm =
        std::max(0.0, acceleration_distance(entry_mm_s, cruise_mm_s, acceleration_mm_s2));
    const double decelerate_mm =
        std::max(0.0, acceleration_distance(cruise_mm_s, exit_mm_s, -acceleration_mm_s2));
    double cruise_mm = distance_mm - accelerate_mm - decelerate_mm;
    peak_mm_s = cruise_mm_s;
    final_mm_s = exit_mm_s;
    if (cruise_mm < 0.0) {
        // Too short to reach cruise speed: accelerate to the apex, then brake to the exit speed.
        const double apex_mm =
            intersection_distance(entry_mm_s, exit_mm_s, acceleration_mm_s2, distance_mm);
        accelerate_mm = std::clamp(apex_mm, 0.0, distance_mm);
        cruise_mm = 0.0;
        peak_mm_s = speed_after(entry_mm_s, accelerate_mm, acceleration_mm_s2);
        // Entry and exit too far apart for the distance: the profile cannot meet the exit speed.
        if (apex_mm != accelerate_mm) {
            final_mm_s = speed_after(peak_mm_s, distance_mm - accelerate_mm, -acceleration_mm_s2);
        }
    }
    accelerate_until_mm = accelerate_mm;
    decelerate_after_mm = accelerate_mm + cruise_mm;
}

double Block::time_s() const {
    // Speeds at the corners of the trapezoid are known, so each ramp's time is its speed change
    // over the acceleration: no square roots on this per-block path.
    if (acceleration_mm_s2 <= 0.0) return peak_mm_s > 0.0 ? distance_mm / peak_mm_s : 0.0;
    const double accelerating_s = std::max(0.0, peak_mm_s - entry_mm_s) / acceleration_mm_s2;
    const double cruising_s =
        peak_mm_s > 0.0 ? (decelerate_after_mm - accelerate_until_mm) / peak_mm_s : 0.0;
    const double decelerating_s = std::max(0.0, peak_mm_s - final_mm_s) / acceleration_mm_s2;
    return accelerating_s + cruising_s + decelerating_s;
}

BlockQueue::BlockQueue(std::size_t keep_blocks, std::size_t refresh_blocks, bool legacy_passes,
                       Timeline* timeline)
    : keep_blocks_(keep_blocks),
      refresh_blocks_(std::max(refresh_blocks, keep_blocks + 1)),
      legacy_passes_(legacy_passes),
      timeline_(timeline) {
    blocks_.reserve(refresh_blocks_ + 1);
}

void BlockQueue::push(const Block& block) {
    blocks_.push_back(block);
    if (blocks_.size() <= refresh_blocks_) return;
    plan();
    time_front(blocks_.size() - keep_blocks_);
    // The new first block's entry speed is fixed now: the blocks before it are gone.
    if (!legacy_passes_) blocks_.front().max_entry_mm_s = blocks_.front().entry_mm_s;
}

void BlockQueue::synchronize(double extra_s) {
    if (!blocks_.empty()) {
        plan();
        time_front(blocks_.size());
    }
    elapsed_s_ += extra_s;
}

void BlockQueue::plan() {
    if (legacy_passes_) {
        for (std::size_t i = 0; i + 1 < blocks_.size(); ++i)
            forward_pass_kernel(blocks_[i], blocks_[i + 1]);
        for (std::size_t i = blocks_.size() - 1; i > 0; --i)
            legacy_reverse_pass_kernel(blocks_[i - 1], blocks_[i]);
    } else {
        for (std::size_t i = blocks_.size() - 1; i > 0; --i)
            reverse_pass_kernel(blocks_[i - 1], blocks_[i]);
        for (std::size_t i = 0; i + 1 < blocks_.size(); ++i)
            forward_pass_kernel(blocks_[i], blocks_[i + 1]);
    }
    // Recalculate trapezoids whose entry or exit junction changed; the newest block always, ending
    // at the speed it could stop from.
    for (std::size_t i = 0; i + 1 < blocks_.size(); ++i) {
        Block& current = blocks_[i];
        const Block& next = blocks_[i + 1];
        if (!current.recalculate && !next.recalculate) continue;
        current.exit_mm_s = next.entry_mm_s;
        current.calculate_trapezoid();
        current.recalculate = false;
    }
    Block& newest = blocks_.back();
    newest.exit_mm_s = newest.safe_exit_mm_s;
    newest.calculate_trapezoid();
    newest.recalculate = false;
}

void BlockQueue::time_front(std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
        const double block_s = blocks_[i].time_s();
        elapsed_s_ += block_s;
        if (timeline_ != nullptr) timeline_->record(blocks_[i].line, elapsed_s_);
    }
    blocks_.erase(blocks_.begin(), blocks_.begin() + static_cast<std::ptrdiff_t>(count));
}

}  // namespace strata::planner::motion
