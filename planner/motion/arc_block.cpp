// MotionPlanner::arc: a G2/G3 as one block, the way Bambu Studio's estimator (and OrcaSlicer's,
// built on it) times arcs. A firmware cuts an arc into chords and slows at every chord junction
// by its jerk; the estimator instead follows the circle at what the print acceleration allows
// on its radius, and turns at the arc's ends by the change of direction alone. On files of short
// arcs at zig-zag turnarounds (Bambu's arc fitting) the two differ by several per cent, so the
// Bambu family's files are timed as their slicer times them (see machine_setup.cpp).
#include <algorithm>
#include <cmath>
#include <limits>

#include "motion_planner.hpp"

namespace strata::planner::motion {

namespace {
constexpr double previous_feedrate_threshold_mm_s = 0.0001;
}  // namespace

void MotionPlanner::arc(const MoveRequest& request, const ArcShape& shape) {
    const double dz_mm = request.delta_mm[2];
    const double distance_mm = std::sqrt(shape.length_mm * shape.length_mm + dz_mm * dz_mm);
    if (distance_mm == 0.0) return;
    AxisSpeeds current;
    const double cruise_mm_s = arc_speeds(request, shape, distance_mm, current);
    push(request, current, cruise_mm_s, arc_junction(shape, current, cruise_mm_s));
    // The next move turns from where the arc ends.
    previous_.unit = {shape.exit_unit[0], shape.exit_unit[1], 0.0, previous_.unit[3]};
}

double MotionPlanner::arc_speeds(const MoveRequest& request, const ArcShape& shape,
                                 double distance_mm, AxisSpeeds& current) const {
    const auto& delta = request.delta_mm;
    const double inverse_distance = 1.0 / distance_mm;
    const double along_xy = shape.length_mm * inverse_distance;
    current.distance_mm = distance_mm;
    const double minimum_mm_s =
        delta[3] == 0.0 ? limits_.min_travel_feedrate_mm_s : limits_.min_extruding_feedrate_mm_s;
    double feedrate_mm_s = std::max(request.feedrate_mm_s, minimum_mm_s);
    if (shape.radius_mm > 0.0 && along_xy > 0.0) {
        feedrate_mm_s =
            std::min(feedrate_mm_s,
                     std::sqrt(limits_.print_acceleration_mm_s2 * shape.radius_mm) / along_xy);
    }
    // The estimator gives X and Y each the whole speed in the plane when it checks their limits.
    const std::array<double, 4> share = {along_xy, along_xy, delta[2] * inverse_distance,
                                         delta[3] * inverse_distance * extrude_factor_ratio_};
    double factor = 1.0;
    for (std::size_t axis = 0; axis < 4; ++axis) {
        current.axis_mm_s[axis] = feedrate_mm_s * share[axis];
        const double axis_speed = std::fabs(current.axis_mm_s[axis]);
        const double axis_limit = limits_.max_feedrate_mm_s[axis];
        if (axis_limit != 0.0 && axis_speed * factor > axis_limit) factor = axis_limit / axis_speed;
    }
    const double cruise_mm_s = factor * feedrate_mm_s;
    current.feedrate_mm_s = cruise_mm_s;
    for (double& axis_speed : current.axis_mm_s)
        axis_speed *= factor;
    double acceleration =
        delta[3] > 0.0 ? limits_.print_acceleration_mm_s2 : limits_.travel_acceleration_mm_s2;
    for (std::size_t axis = 0; axis < 3; ++axis) {
        const double axis_share = std::fabs(share[axis]);
        if (axis_share > 0.0 && acceleration * axis_share > limits_.max_acceleration_mm_s2[axis])
            acceleration = limits_.max_acceleration_mm_s2[axis] / axis_share;
    }
    current.acceleration_mm_s2 = acceleration;
    current.safe_mm_s = cruise_mm_s;
    for (std::size_t axis = 0; axis < 4; ++axis) {
        if (std::fabs(current.axis_mm_s[axis]) > limits_.max_jerk_mm_s[axis])
            current.safe_mm_s = std::min(current.safe_mm_s, limits_.max_jerk_mm_s[axis]);
    }
    current.unit = {shape.entry_unit[0], shape.entry_unit[1], 0.0, delta[3] * inverse_distance};
    return cruise_mm_s;
}

double MotionPlanner::arc_junction(const ArcShape& shape, const AxisSpeeds& current,
                                   double cruise_mm_s) const {
    if (!has_previous_ || queue_.empty() ||
        previous_.feedrate_mm_s <= previous_feedrate_threshold_mm_s) {
        return current.safe_mm_s;
    }
    // The change of the unit direction, per axis: each axis' jerk over it bounds the speed.
    double junction_mm_s = std::min(previous_.feedrate_mm_s, cruise_mm_s);
    double bound_mm_s = std::numeric_limits<double>::infinity();
    const std::array<double, 3> entry = {shape.entry_unit[0], shape.entry_unit[1], 0.0};
    for (std::size_t axis = 0; axis < 3; ++axis) {
        const double change = std::fabs(entry[axis] - previous_.unit[axis]);
        if (change > 0.0) bound_mm_s = std::min(bound_mm_s, limits_.max_jerk_mm_s[axis] / change);
    }
    if (bound_mm_s != std::numeric_limits<double>::infinity()) junction_mm_s = bound_mm_s;
    const double threshold_mm_s = junction_mm_s * 0.99;
    if (previous_.safe_mm_s > threshold_mm_s && current.safe_mm_s > threshold_mm_s)
        junction_mm_s = current.safe_mm_s;
    return junction_mm_s;
}

}  // namespace strata::planner::motion
