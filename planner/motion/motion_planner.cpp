// MotionPlanner: one move becomes one planner block. The classic-jerk junction follows Marlin's
// planner (as PrusaSlicer's estimator does); junction deviation follows Marlin 2; the square
// corner rule follows Klipper's toolhead look-ahead.
#include "motion_planner.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace strata::planner::motion {

namespace {
constexpr double previous_feedrate_threshold_mm_s = 0.0001;
constexpr double minimum_planner_speed_mm_s = 0.05;  // Marlin's MINIMUM_PLANNER_SPEED
}  // namespace

MotionPlanner::MotionPlanner(const MotionLimits& limits, const EstimatorConfig& config,
                             Timeline* timeline)
    : limits_(limits),
      config_(config),
      queue_(config.planner_queue_blocks, config.planner_refresh_blocks,
             config.legacy_planner_passes, timeline) {}

double MotionPlanner::acceleration_for(const MoveRequest& request, double inverse_distance) const {
    double acceleration =
        request.move_class == MoveClass::travel    ? limits_.travel_acceleration_mm_s2
        : request.move_class == MoveClass::retract ? limits_.retract_acceleration_mm_s2
                                                   : limits_.print_acceleration_mm_s2;
    // No axis may exceed its own maximum acceleration along this direction.
    for (std::size_t axis = 0; axis < 4; ++axis) {
        const double share = std::fabs(request.delta_mm[axis]) * inverse_distance;
        if (acceleration * share > limits_.max_acceleration_mm_s2[axis]) {
            acceleration = limits_.max_acceleration_mm_s2[axis] / share;
        }
    }
    return acceleration;
}

double MotionPlanner::speeds_for(const MoveRequest& request, double distance_mm,
                                 AxisSpeeds& current) const {
    const auto& delta = request.delta_mm;
    const double inverse_distance = 1.0 / distance_mm;
    current.distance_mm = distance_mm;
    const double minimum_mm_s =
        delta[3] == 0.0 ? limits_.min_travel_feedrate_mm_s : limits_.min_extruding_feedrate_mm_s;
    current.feedrate_mm_s = std::max(request.feedrate_mm_s, minimum_mm_s);
    if (limits_.junction == JunctionModel::vector_jerk && has_previous_) {
        current.feedrate_mm_s = std::min(current.feedrate_mm_s, centripetal_limit(delta));
    }
    // Cruise: the requested feedrate, scaled down until every axis is within its maximum.
    double factor = 1.0;
    for (std::size_t axis = 0; axis < 4; ++axis) {
        current.unit[axis] = delta[axis] * inverse_distance;
        current.axis_mm_s[axis] =
            current.feedrate_mm_s * current.unit[axis] * (axis == 3 ? extrude_factor_ratio_ : 1.0);
        // Divide only for the axes over their limit (rare): divisions are slow on this path.
        const double axis_speed = std::fabs(current.axis_mm_s[axis]);
        const double axis_limit = limits_.max_feedrate_mm_s[axis];
        if (axis_limit != 0.0 && axis_speed * factor > axis_limit) factor = axis_limit / axis_speed;
    }
    const double cruise_mm_s = factor * current.feedrate_mm_s;
    // The Bambu/Orca and Cura estimators keep the clamped speed as the move's feedrate for the
    // next junction.
    if (limits_.junction == JunctionModel::vector_jerk ||
        limits_.junction == JunctionModel::xy_jerk)
        current.feedrate_mm_s = cruise_mm_s;
    if (factor < 1.0) {
        for (double& axis_speed : current.axis_mm_s)
            axis_speed *= factor;
    }
    current.acceleration_mm_s2 = acceleration_for(request, inverse_distance);
    // The speed this move can start or stop from without exceeding any axis' jerk.
    if (limits_.junction == JunctionModel::xy_jerk) {
        current.safe_mm_s = safe_speed_by_xy_jerk(current, cruise_mm_s);
        return cruise_mm_s;
    }
    current.safe_mm_s = cruise_mm_s;
    for (std::size_t axis = 0; axis < 4; ++axis) {
        if (std::fabs(current.axis_mm_s[axis]) > limits_.max_jerk_mm_s[axis]) {
            current.safe_mm_s = std::min(current.safe_mm_s, limits_.max_jerk_mm_s[axis]);
        }
    }
    return cruise_mm_s;
}

double MotionPlanner::safe_speed_by_xy_jerk(const AxisSpeeds& current, double cruise_mm_s) const {
    // CuraEngine: half the XY jerk, or half the Z or E jerk when that axis alone would exceed it.
    double safe_mm_s = limits_.max_jerk_mm_s[0] / 2.0;
    for (std::size_t axis = 2; axis < 4; ++axis) {
        const double half_jerk_mm_s = limits_.max_jerk_mm_s[axis] / 2.0;
        if (std::fabs(current.axis_mm_s[axis]) > half_jerk_mm_s)
            safe_mm_s = std::min(safe_mm_s, half_jerk_mm_s);
    }
    return std::min(safe_mm_s, cruise_mm_s);
}

double MotionPlanner::junction_speed(const AxisSpeeds& current, double cruise_mm_s) const {
    if (!has_previous_ || queue_.empty() ||
        previous_.feedrate_mm_s <= previous_feedrate_threshold_mm_s) {
        return current.safe_mm_s;
    }
    switch (limits_.junction) {
        case JunctionModel::classic_jerk: return junction_by_jerk(current, cruise_mm_s);
        case JunctionModel::junction_deviation: return junction_by_deviation(current, cruise_mm_s);
        case JunctionModel::square_corner: return junction_square_corner(current, cruise_mm_s);
        case JunctionModel::vector_jerk: return junction_by_vector_jerk(current, cruise_mm_s);
        case JunctionModel::xy_jerk: return junction_by_xy_jerk(current, cruise_mm_s);
    }
    return current.safe_mm_s;
}

void MotionPlanner::move(const MoveRequest& request) {
    const auto& delta = request.delta_mm;
    double distance_mm = request.xyz_length_mm;
    if (distance_mm <= 0.0) {
        const double xyz_squared = delta[0] * delta[0] + delta[1] * delta[1] + delta[2] * delta[2];
        distance_mm = xyz_squared > 0.0 ? std::sqrt(xyz_squared) : std::fabs(delta[3]);
    }
    if (distance_mm == 0.0) return;
    AxisSpeeds current;
    const double cruise_mm_s = speeds_for(request, distance_mm, current);
    push(request, current, cruise_mm_s, junction_speed(current, cruise_mm_s));
}

void MotionPlanner::push(const MoveRequest& request, const AxisSpeeds& current, double cruise_mm_s,
                         double junction_mm_s) {
    const double distance_mm = current.distance_mm;
    const double allowable_mm_s =
        max_allowable_speed(-current.acceleration_mm_s2, current.safe_mm_s, distance_mm);
    // The trapezoid is computed when the queue plans: every new block is marked for it.
    const Block block{
        .distance_mm = distance_mm,
        .acceleration_mm_s2 = current.acceleration_mm_s2,
        .entry_mm_s = std::min(junction_mm_s, allowable_mm_s),
        .cruise_mm_s = cruise_mm_s,
        .exit_mm_s = current.safe_mm_s,
        .max_entry_mm_s = junction_mm_s,
        .safe_exit_mm_s = current.safe_mm_s,
        .smoothed_acceleration_mm_s2 = smoothed_acceleration(current.acceleration_mm_s2),
        .line = request.line,
        .nominal_length = cruise_mm_s <= allowable_mm_s,
        .recalculate = true};
    previous_ = current;
    has_previous_ = true;
    queue_.push(block);
}

double MotionPlanner::smoothed_acceleration(double acceleration_mm_s2) const {
    if (limits_.junction != JunctionModel::square_corner) return 0.0;
    // Klipper's default minimum_cruise_ratio of 0.5 is an accel_to_decel of half the acceleration.
    return limits_.accel_to_decel_mm_s2 > 0.0
               ? std::min(limits_.accel_to_decel_mm_s2, acceleration_mm_s2)
               : 0.5 * acceleration_mm_s2;
}

double MotionPlanner::junction_by_jerk(const AxisSpeeds& current, double cruise_mm_s) const {
    // Marlin's classic jerk: the junction runs at the lower nominal speed, reduced until no axis
    // changes speed by more than its jerk. An axis coasting in one direction changes by the
    // difference of its speeds; an axis that reverses (or starts, or stops) by the larger speed.
    // Marlin scales the speeds axis after axis; since the jerk scales with the speeds, that is
    // the smallest max_jerk / jerk over the axes, which needs no per-axis rescaling.
    const bool previous_faster = previous_.feedrate_mm_s > cruise_mm_s;
    const double exit_ratio = previous_faster ? cruise_mm_s / previous_.feedrate_mm_s : 1.0;
    double scale = 1.0;
    for (std::size_t axis = 0; axis < 4; ++axis) {
        const double exit_mm_s = previous_.axis_mm_s[axis] * exit_ratio;
        const double entry_mm_s = current.axis_mm_s[axis];
        const double jerk_mm_s = exit_mm_s * entry_mm_s > 0.0
                                     ? std::fabs(exit_mm_s - entry_mm_s)
                                     : std::max(std::fabs(exit_mm_s), std::fabs(entry_mm_s));
        if (jerk_mm_s * scale > limits_.max_jerk_mm_s[axis])
            scale = limits_.max_jerk_mm_s[axis] / jerk_mm_s;
    }
    double junction_mm_s = (previous_faster ? cruise_mm_s : previous_.feedrate_mm_s) * scale;
    // Both moves could start and stop from the junction speed anyway: start this one from its own
    // safe speed instead.
    const double threshold_mm_s = junction_mm_s * 0.99;
    if (previous_.safe_mm_s > threshold_mm_s && current.safe_mm_s > threshold_mm_s)
        junction_mm_s = current.safe_mm_s;
    return junction_mm_s;
}

double MotionPlanner::junction_by_xy_jerk(const AxisSpeeds& current, double cruise_mm_s) const {
    // CuraEngine's estimator: the change of the XY velocity against one XY jerk, Z and E each
    // against their own; the junction never beats the previous move's speed.
    const double dx_mm_s = current.axis_mm_s[0] - previous_.axis_mm_s[0];
    const double dy_mm_s = current.axis_mm_s[1] - previous_.axis_mm_s[1];
    const double xy_jerk_mm_s = std::sqrt(dx_mm_s * dx_mm_s + dy_mm_s * dy_mm_s);
    double factor = 1.0;
    if (xy_jerk_mm_s > limits_.max_jerk_mm_s[0]) factor = limits_.max_jerk_mm_s[0] / xy_jerk_mm_s;
    for (std::size_t axis = 2; axis < 4; ++axis) {
        const double jerk_mm_s = std::fabs(current.axis_mm_s[axis] - previous_.axis_mm_s[axis]);
        if (jerk_mm_s > limits_.max_jerk_mm_s[axis])
            factor = std::min(factor, limits_.max_jerk_mm_s[axis] / jerk_mm_s);
    }
    return std::min(previous_.feedrate_mm_s, cruise_mm_s * factor);
}

double MotionPlanner::centripetal_limit(const std::array<double, 4>& delta) const {
    // Bambu Studio's estimator: through a gentle turn (direction change under ~29°), the speed is
    // what the print acceleration allows on the circle through the segment, v² = a · r.
    const double xy_mm = std::sqrt(delta[0] * delta[0] + delta[1] * delta[1]);
    const double previous_xy =
        std::sqrt(previous_.unit[0] * previous_.unit[0] + previous_.unit[1] * previous_.unit[1]);
    if (xy_mm == 0.0 || previous_xy == 0.0) return std::numeric_limits<double>::infinity();
    const double v1x = previous_.unit[0] / previous_xy, v1y = previous_.unit[1] / previous_xy;
    const double v2x = delta[0] / xy_mm, v2y = delta[1] / xy_mm;
    const double difference = std::sqrt((v2x - v1x) * (v2x - v1x) + (v2y - v1y) * (v2y - v1y));
    if (!(difference < 0.5 && difference > 0.00001)) return std::numeric_limits<double>::infinity();
    const double cos_angle = std::clamp(v1x * v2x + v1y * v2y, -1.0, 1.0);
    const double sin_half_angle = std::sqrt((1.0 - cos_angle) * 0.5);
    if (sin_half_angle <= 0.0) return std::numeric_limits<double>::infinity();
    const double radius_mm = xy_mm * 0.5 / sin_half_angle;
    return std::sqrt(limits_.print_acceleration_mm_s2 * radius_mm);
}

double MotionPlanner::junction_by_vector_jerk(const AxisSpeeds& current, double cruise_mm_s) const {
    // Bambu Studio's estimator: the XYZ jerk is the per-axis change of the velocity vector (no
    // coasting/reversal distinction), with its quirk of rescaling the whole jerk vector by the
    // running factor after each limited axis; the extruder keeps Marlin's rule.
    const bool previous_faster = previous_.feedrate_mm_s > cruise_mm_s;
    const double exit_ratio = previous_faster ? cruise_mm_s / previous_.feedrate_mm_s : 1.0;
    std::array<double, 3> jerk{};
    for (std::size_t axis = 0; axis < 3; ++axis) {
        // unit[] is the XYZ direction for moves with XYZ motion and zero for extruder-only ones.
        jerk[axis] = std::fabs(cruise_mm_s * current.unit[axis] -
                               previous_.feedrate_mm_s * exit_ratio * previous_.unit[axis]);
    }
    double factor = 1.0;
    for (std::size_t axis = 0; axis < 3; ++axis) {
        if (jerk[axis] > limits_.max_jerk_mm_s[axis]) {
            factor *= limits_.max_jerk_mm_s[axis] / jerk[axis];
            for (double& component : jerk)
                component *= factor;
        }
    }
    const double exit_e = previous_.axis_mm_s[3] * exit_ratio * factor;
    const double entry_e = current.axis_mm_s[3] * factor;
    const double jerk_e = exit_e * entry_e > 0.0 ? std::fabs(exit_e - entry_e)
                                                 : std::max(std::fabs(exit_e), std::fabs(entry_e));
    if (jerk_e > limits_.max_jerk_mm_s[3]) factor *= limits_.max_jerk_mm_s[3] / jerk_e;
    double junction_mm_s = (previous_faster ? cruise_mm_s : previous_.feedrate_mm_s) * factor;
    const double threshold_mm_s = junction_mm_s * 0.99;
    if (previous_.safe_mm_s > threshold_mm_s && current.safe_mm_s > threshold_mm_s)
        junction_mm_s = current.safe_mm_s;
    return junction_mm_s;
}

double MotionPlanner::junction_by_deviation(const AxisSpeeds& current, double cruise_mm_s) const {
    // Marlin 2's junction deviation: the speed at which a circle of the deviation's size through
    // the corner can be followed at the block's acceleration.
    double cos_theta = 0.0;
    for (std::size_t axis = 0; axis < 3; ++axis)
        cos_theta -= previous_.unit[axis] * current.unit[axis];
    const double nominal_mm_s = std::min(cruise_mm_s, previous_.feedrate_mm_s);
    if (cos_theta > 0.999999) return minimum_planner_speed_mm_s;  // A full reversal.
    if (cos_theta < -0.999999) return nominal_mm_s;               // Straight on.
    const double sin_theta_d2 = std::sqrt(0.5 * (1.0 - cos_theta));
    const double speed_squared = current.acceleration_mm_s2 * limits_.junction_deviation_mm *
                                 sin_theta_d2 / (1.0 - sin_theta_d2);
    return std::min(std::sqrt(speed_squared), nominal_mm_s);
}

double MotionPlanner::junction_square_corner(const AxisSpeeds& current, double cruise_mm_s) const {
    // Klipper: junction deviation derived from the square corner velocity, and the centripetal
    // limit of both moves (toolhead.py, Move.calc_junction).
    double cos_theta = 0.0;
    for (std::size_t axis = 0; axis < 3; ++axis)
        cos_theta -= previous_.unit[axis] * current.unit[axis];
    const double nominal_mm_s = std::min(cruise_mm_s, previous_.feedrate_mm_s);
    if (cos_theta > 0.999999) return 0.0;
    if (cos_theta < -0.999999) return nominal_mm_s;
    const double scv = limits_.square_corner_velocity_mm_s;
    auto deviation_for = [scv](double accel) { return scv * scv * (std::sqrt(2.0) - 1.0) / accel; };
    const double sin_theta_d2 = std::sqrt(0.5 * (1.0 - cos_theta));
    const double r_jd = sin_theta_d2 / (1.0 - sin_theta_d2);
    const double tan_theta_d2 = sin_theta_d2 / std::sqrt(0.5 * (1.0 + cos_theta));
    const double speed_squared =
        std::min({r_jd * deviation_for(current.acceleration_mm_s2) * current.acceleration_mm_s2,
                  r_jd * deviation_for(previous_.acceleration_mm_s2) * previous_.acceleration_mm_s2,
                  0.5 * current.distance_mm * tan_theta_d2 * current.acceleration_mm_s2,
                  0.5 * previous_.distance_mm * tan_theta_d2 * previous_.acceleration_mm_s2});
    return std::min(std::sqrt(speed_squared), nominal_mm_s);
}

}  // namespace strata::planner::motion
