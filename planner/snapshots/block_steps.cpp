// Snapshot block steps (see block_steps.hpp).
#include "block_steps.hpp"

#include <algorithm>
#include <cmath>

namespace strata::planner::snapshots {
namespace {

constexpr double epsilon_mm = 1e-9;

// Builds the steps one after the other, keeping the head's target and the logical E.
class StepList {
  public:
    explicit StepList(const BlockEntry& entry)
        : target_{entry.machine.position_mm[0], entry.machine.position_mm[1],
                  entry.machine.position_mm[2], entry.machine.e_mm} {}

    void move(StepKind kind, std::array<double, 4> target, double feedrate_mm_s) {
        BlockStep step;
        step.kind = kind;
        step.feedrate_mm_s = feedrate_mm_s;
        for (std::size_t axis = 0; axis < 4; ++axis)
            step.delta_mm[axis] = target[axis] - target_[axis];
        step.target = target;
        target_ = target;
        steps_.push_back(step);
    }
    void extrude(StepKind kind, double e_delta_mm, double feedrate_mm_s) {
        to_e(kind, target_[3] + e_delta_mm, feedrate_mm_s);
    }
    /// Back to an exact logical E: absolute-E files must see the very value they left.
    void to_e(StepKind kind, double e_mm, double feedrate_mm_s) {
        std::array<double, 4> target = target_;
        target[3] = e_mm;
        move(kind, target, feedrate_mm_s);
    }
    /// A Z move that also moves E by `e_delta_mm` (0: none).
    void to_z_and_e(StepKind kind, double z_mm, double e_delta_mm, double feedrate_mm_s) {
        to_z_and_exact_e(kind, z_mm, target_[3] + e_delta_mm, feedrate_mm_s);
    }
    void to_z_and_exact_e(StepKind kind, double z_mm, double e_mm, double feedrate_mm_s) {
        std::array<double, 4> target = target_;
        target[2] = z_mm;
        target[3] = e_mm;
        move(kind, target, feedrate_mm_s);
    }
    void to_xy(StepKind kind, double x_mm, double y_mm, double feedrate_mm_s) {
        std::array<double, 4> target = target_;
        target[0] = x_mm;
        target[1] = y_mm;
        move(kind, target, feedrate_mm_s);
    }
    /// G10/G11: the firmware moves the filament but the logical E stays; the delta is only there
    /// so the move can be timed.
    void firmware(StepKind kind, double e_delta_mm, double feedrate_mm_s) {
        still(kind);
        steps_.back().delta_mm[3] = e_delta_mm;
        steps_.back().feedrate_mm_s = feedrate_mm_s;
    }
    void still(StepKind kind, double dwell_s = 0.0) {
        BlockStep step;
        step.kind = kind;
        step.target = target_;
        step.dwell_s = dwell_s;
        steps_.push_back(step);
    }
    [[nodiscard]] std::vector<BlockStep> release() { return std::move(steps_); }

  private:
    std::array<double, 4> target_;
    std::vector<BlockStep> steps_;
};

// The feedrate (of the Z move, as G-code's F is) that keeps Z within `z_speed_mm_s` and E
// within `e_speed_mm_s` when both move together.
double together_mm_s(double z_mm, double z_speed_mm_s, double e_mm, double e_speed_mm_s) {
    if (e_mm <= epsilon_mm) return z_speed_mm_s;
    return std::min(z_speed_mm_s, e_speed_mm_s * z_mm / e_mm);
}

}  // namespace

std::optional<double> travel_z_mm(const BlockEntry& entry, const BlockMotion& motion) {
    const double z_mm = std::max(entry.machine.position_mm[2], entry.highest_printed_z_mm) +
                        std::max(motion.lift_mm, 0.0);
    if (motion.max_z_mm && z_mm > *motion.max_z_mm + epsilon_mm) return std::nullopt;
    return z_mm;
}

std::vector<BlockStep> block_steps(const BlockEntry& entry,
                                   const std::optional<std::array<double, 2>>& park_mm, bool stop,
                                   const BlockMotion& motion) {
    StepList steps(entry);
    if (!stop) {
        steps.still(StepKind::capture);
        return steps.release();
    }
    double retracted_mm = 0.0;
    bool firmware = false;
    std::optional<double> lift_to_mm;
    const double entry_z_mm = entry.machine.position_mm[2];
    bool lifts = false;
    if (park_mm) {
        // Only what is still needed: a head already retracted by the slicer is not retracted
        // twice, and the de-retraction undoes exactly this block's own retraction.
        const double missing_mm = motion.retract_length_mm - entry.machine.retraction_mm;
        if (motion.retract && missing_mm > epsilon_mm) {
            firmware = motion.firmware_retraction && entry.machine.retraction_mm <= epsilon_mm;
            if (firmware) {
                steps.firmware(StepKind::firmware_retract, -motion.retract_length_mm,
                               motion.retract_speed_mm_s);
            } else {
                retracted_mm = missing_mm;
            }
        }
        lift_to_mm = travel_z_mm(entry, motion);
        lifts = lift_to_mm && *lift_to_mm > entry_z_mm + epsilon_mm;
        if (lifts) {
            // The retraction rides along with the lift: one move, each axis within its own
            // speed, as long as the slower of the two alone (the Z hop is mostly acceleration).
            steps.to_z_and_e(StepKind::lift, *lift_to_mm, -retracted_mm,
                             together_mm_s(*lift_to_mm - entry_z_mm, motion.lift_speed_mm_s,
                                           retracted_mm, motion.retract_speed_mm_s));
        } else if (retracted_mm > 0.0) {
            steps.extrude(StepKind::retract, -retracted_mm, motion.retract_speed_mm_s);
        }
        steps.to_xy(StepKind::travel, (*park_mm)[0], (*park_mm)[1], motion.travel_speed_mm_s);
    }
    if (motion.dwell_ms > 0.0) steps.still(StepKind::dwell, motion.dwell_ms / 1000.0);
    steps.still(StepKind::wait);
    steps.still(StepKind::capture);
    if (park_mm) {
        steps.to_xy(StepKind::travel_back, entry.machine.position_mm[0],
                    entry.machine.position_mm[1], motion.travel_speed_mm_s);
        if (lifts) {
            // Down and primed again in one move, back to the very E the file left.
            steps.to_z_and_exact_e(StepKind::lower, entry_z_mm, entry.machine.e_mm,
                                   together_mm_s(*lift_to_mm - entry_z_mm, motion.lift_speed_mm_s,
                                                 retracted_mm, motion.deretract_speed_mm_s));
        } else if (retracted_mm > 0.0) {
            steps.to_e(StepKind::deretract, entry.machine.e_mm, motion.deretract_speed_mm_s);
        }
        if (firmware)
            steps.firmware(StepKind::firmware_deretract, motion.retract_length_mm,
                           motion.deretract_speed_mm_s);
        steps.still(StepKind::restore_feedrate);
    }
    return steps.release();
}

double travel_distance_mm(const std::vector<BlockStep>& steps) {
    double distance_mm = 0.0;
    for (const BlockStep& step : steps) {
        if (step.kind == StepKind::travel || step.kind == StepKind::travel_back)
            distance_mm += std::hypot(step.delta_mm[0], step.delta_mm[1]);
    }
    return distance_mm;
}

}  // namespace strata::planner::snapshots
