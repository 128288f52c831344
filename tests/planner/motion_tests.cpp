// Planner emulation tests on analytic cases: one move with known acceleration and speed, a
// corner at a known junction speed, triangle profiles too short to cruise, look-ahead through
// collinear segments, each junction model (CuraEngine's XY jerk too), and the arc segment counts.
#include <cmath>
#include <numbers>

#include <gtest/gtest.h>

#include "../../planner/motion/arc_segments.hpp"
#include "../../planner/motion/motion_planner.hpp"

namespace strata::planner::motion {
namespace {

// Limits where nothing but the acceleration and the jerk matters.
MotionLimits simple_limits(double acceleration_mm_s2, double jerk_mm_s) {
    MotionLimits limits;
    limits.max_feedrate_mm_s = {1000.0, 1000.0, 1000.0, 1000.0};
    limits.max_acceleration_mm_s2 = {100000.0, 100000.0, 100000.0, 100000.0};
    limits.max_jerk_mm_s = {jerk_mm_s, jerk_mm_s, jerk_mm_s, jerk_mm_s};
    limits.max_print_acceleration_mm_s2 = limits.max_retract_acceleration_mm_s2 = 0.0;
    limits.print_acceleration_mm_s2 = limits.travel_acceleration_mm_s2 =
        limits.retract_acceleration_mm_s2 = acceleration_mm_s2;
    return limits;
}

double run(const MotionLimits& limits, const std::vector<std::array<double, 4>>& moves,
           double feedrate_mm_s) {
    MotionPlanner planner(limits, EstimatorConfig{}, nullptr);
    std::uint64_t line = 0;
    for (const auto& delta : moves)
        planner.move({delta, feedrate_mm_s, MoveClass::travel, ++line});
    planner.synchronize(0.0);
    return planner.elapsed_s();
}

TEST(Motion, SingleMoveTrapezoidFromRestToRest) {
    // 100 mm at 50 mm/s with 1000 mm/s²: 1.25 mm to accelerate and to brake, cruise the rest.
    const double time_s = run(simple_limits(1000.0, 0.0), {{100.0, 0.0, 0.0, 0.0}}, 50.0);
    EXPECT_NEAR(time_s, 100.0 / 50.0 + 50.0 / 1000.0, 1e-9);
}

TEST(Motion, TriangleProfileTooShortToCruise) {
    // 1 mm at 100 mm/s with 1000 mm/s² never reaches 100 mm/s: t = 2·sqrt(d/a).
    const double time_s = run(simple_limits(1000.0, 0.0), {{1.0, 0.0, 0.0, 0.0}}, 100.0);
    EXPECT_NEAR(time_s, 2.0 * std::sqrt(1.0 / 1000.0), 1e-9);
}

TEST(Motion, StartsAtTheJerkSpeed) {
    // With 10 mm/s jerk the move starts and ends at 10 mm/s instead of 0.
    const double v = 50.0, j = 10.0, a = 1000.0, d = 100.0;
    const double ramp_mm = (v * v - j * j) / (2.0 * a);
    const double expected_s = 2.0 * (v - j) / a + (d - 2.0 * ramp_mm) / v;
    EXPECT_NEAR(run(simple_limits(a, j), {{d, 0.0, 0.0, 0.0}}, v), expected_s, 1e-9);
}

TEST(Motion, RightAngleCornerAtTheJerkSpeed) {
    // Each axis goes from 50 mm/s to 0 (or 0 to 50): the classic-jerk junction is the jerk, 10.
    const double v = 50.0, j = 10.0, a = 1000.0, d = 100.0;
    const double ramp_mm = (v * v - j * j) / (2.0 * a);
    const double one_move_s = 2.0 * (v - j) / a + (d - 2.0 * ramp_mm) / v;
    EXPECT_NEAR(run(simple_limits(a, j), {{d, 0.0, 0.0, 0.0}, {0.0, d, 0.0, 0.0}}, v),
                2.0 * one_move_s, 1e-9);
}

// A move of `d` at cruise `v` entered at `v0` and left at `v1`, accelerating at `a`.
double trapezoid_s(double d, double v0, double v, double v1, double a) {
    const double ramps_mm = (v * v - v0 * v0) / (2.0 * a) + (v * v - v1 * v1) / (2.0 * a);
    return (v - v0) / a + (v - v1) / a + (d - ramps_mm) / v;
}

TEST(Motion, CuraEnginesXyJerkCorner) {
    // CuraEngine's estimator takes the change of the XY velocity against one jerk: at a right
    // angle it is 50·√2, so the corner runs at 50·10/(50·√2) = 7.07 mm/s (Marlin's per-axis
    // jerk allows 10); each move starts and stops at half the jerk, 5 mm/s.
    const double v = 50.0, j = 10.0, a = 1000.0, d = 100.0;
    MotionLimits limits = simple_limits(a, j);
    limits.junction = JunctionModel::xy_jerk;
    const double corner_mm_s = j / std::sqrt(2.0);
    const double expected_s =
        trapezoid_s(d, j / 2.0, v, corner_mm_s, a) + trapezoid_s(d, corner_mm_s, v, j / 2.0, a);
    EXPECT_NEAR(run(limits, {{d, 0.0, 0.0, 0.0}, {0.0, d, 0.0, 0.0}}, v), expected_s, 1e-9);
}

TEST(Motion, LookAheadRunsCollinearSegmentsAtFullSpeed) {
    // 200 segments of 0.5 mm in one line take as long as one 100 mm move: the look-ahead never
    // brakes between them, across the queue's refresh boundaries too.
    const MotionLimits limits = simple_limits(1000.0, 0.0);
    std::vector<std::array<double, 4>> segments(200, {0.5, 0.0, 0.0, 0.0});
    EXPECT_NEAR(run(limits, segments, 50.0), run(limits, {{100.0, 0.0, 0.0, 0.0}}, 50.0), 1e-6);
}

TEST(Motion, LookAheadBrakesBeforeAReversal) {
    // Back and forth: the reversal must be reached at rest (jerk 0), so each leg is a full
    // trapezoid.
    const MotionLimits limits = simple_limits(1000.0, 0.0);
    const double one_leg = run(limits, {{20.0, 0.0, 0.0, 0.0}}, 50.0);
    EXPECT_NEAR(run(limits, {{20.0, 0.0, 0.0, 0.0}, {-20.0, 0.0, 0.0, 0.0}}, 50.0), 2.0 * one_leg,
                1e-9);
}

TEST(Motion, AxisFeedrateLimitCapsCruise) {
    MotionLimits limits = simple_limits(1000.0, 0.0);
    limits.max_feedrate_mm_s[2] = 5.0;  // Z
    EXPECT_NEAR(run(limits, {{0.0, 0.0, 10.0, 0.0}}, 50.0), 10.0 / 5.0 + 5.0 / 1000.0, 1e-9);
}

TEST(Motion, AxisAccelerationLimitCapsAcceleration) {
    MotionLimits limits = simple_limits(1000.0, 0.0);
    limits.max_acceleration_mm_s2[0] = 100.0;
    EXPECT_NEAR(run(limits, {{100.0, 0.0, 0.0, 0.0}}, 10.0), 100.0 / 10.0 + 10.0 / 100.0, 1e-9);
}

// Two perpendicular 100 mm moves at 50 mm/s, 1000 mm/s², from and to rest, through a corner
// taken at `corner_mm_s`: each move ramps between rest, 50 mm/s and the corner speed.
constexpr double corner_v = 50.0, corner_a = 1000.0, corner_d = 100.0;
double corner_pair_s(double corner_mm_s) {
    const double v = corner_v, a = corner_a, d = corner_d;
    const double ramps_s = 2.0 * ((v - corner_mm_s) / a + v / a);
    const double ramps_mm =
        2.0 * (v * v - corner_mm_s * corner_mm_s) / (2 * a) + 2.0 * v * v / (2 * a);
    return ramps_s + (2.0 * d - ramps_mm) / v;
}
double run_corner_pair(const MotionLimits& limits) {
    return run(limits, {{corner_d, 0.0, 0.0, 0.0}, {0.0, corner_d, 0.0, 0.0}}, corner_v);
}

TEST(Motion, JunctionDeviationCornerSpeed) {
    // 90° corner: v = sqrt(a · jd · sin(θ/2) / (1 − sin(θ/2))), θ/2 = 45°.
    MotionLimits limits = simple_limits(corner_a, 0.0);
    limits.junction = JunctionModel::junction_deviation;
    limits.junction_deviation_mm = 0.05;
    const double s = std::sqrt(0.5);
    EXPECT_NEAR(run_corner_pair(limits), corner_pair_s(std::sqrt(corner_a * 0.05 * s / (1.0 - s))),
                1e-9);
}

TEST(Motion, KlipperSquareCornerVelocityAtNinetyDegrees) {
    // Klipper's definition: a 90° corner is taken at exactly the square corner velocity.
    MotionLimits limits = simple_limits(corner_a, 0.0);
    limits.junction = JunctionModel::square_corner;
    limits.square_corner_velocity_mm_s = 5.0;
    EXPECT_NEAR(run_corner_pair(limits), corner_pair_s(5.0), 1e-6);
}

TEST(Motion, KlipperAccelToDecelLimitsShortMovePeaks) {
    // 1 mm from rest to rest at 1000 mm/s²: Marlin peaks at sqrt(a·d) = 31.6 mm/s; Klipper's
    // accel_to_decel (500, half the acceleration) caps the peak at sqrt(d·500) = 22.4 mm/s.
    MotionLimits limits = simple_limits(1000.0, 0.0);
    limits.junction = JunctionModel::square_corner;
    const double peak = std::sqrt(500.0);
    const double expected_s = 2.0 * peak / 1000.0 + (1.0 - peak * peak / 1000.0) / peak;
    EXPECT_NEAR(run(limits, {{1.0, 0.0, 0.0, 0.0}}, 100.0), expected_s, 1e-9);
    limits.accel_to_decel_mm_s2 = 1000.0;  // As fast as the acceleration: plain triangle.
    EXPECT_NEAR(run(limits, {{1.0, 0.0, 0.0, 0.0}}, 100.0), 2.0 * std::sqrt(1.0 / 1000.0), 1e-9);
}

TEST(Motion, SynchronizeAddsWaitingTime) {
    MotionPlanner planner(simple_limits(1000.0, 0.0), EstimatorConfig{}, nullptr);
    planner.move({{100.0, 0.0, 0.0, 0.0}, 50.0, MoveClass::travel, 1});
    planner.synchronize(2.5);
    EXPECT_NEAR(planner.elapsed_s(), 2.0 + 0.05 + 2.5, 1e-9);
}

TEST(Motion, ExtruderOnlyMovesUseRetractAcceleration) {
    MotionLimits limits = simple_limits(1000.0, 0.0);
    limits.retract_acceleration_mm_s2 = 100.0;
    MotionPlanner planner(limits, EstimatorConfig{}, nullptr);
    planner.move({{0.0, 0.0, 0.0, -10.0}, 10.0, MoveClass::retract, 1});
    planner.synchronize(0.0);
    EXPECT_NEAR(planner.elapsed_s(), 10.0 / 10.0 + 10.0 / 100.0, 1e-9);
}

TEST(ArcSegments, Marlin2ScalesWithRadiusAndFeedrate) {
    // r = 10: sqrt(8·10·0.02) = 1.26 mm; at 50 mm/s 1 mm per segment wins; quarter circle 15.7 mm.
    EXPECT_EQ(arc_segment_count(FirmwareKind::marlin2, 10.0, std::numbers::pi / 2, 50.0), 16u);
    // Slow arcs: 0.1 mm minimum segment.
    EXPECT_EQ(arc_segment_count(FirmwareKind::marlin2, 10.0, std::numbers::pi / 2, 1.0), 157u);
}

TEST(ArcSegments, ToleranceRuleForOtherFirmwares) {
    // Chord tolerance 0.0125 mm at r = 10: each chord spans 2·acos(1 − 0.00125) rad.
    const double step = 2.0 * std::acos(1.0 - 0.0125 / 10.0);
    EXPECT_EQ(arc_segment_count(FirmwareKind::marlin_legacy, 10.0, std::numbers::pi, 50.0),
              static_cast<std::size_t>(std::ceil(std::numbers::pi / step)));
    EXPECT_EQ(arc_segment_count(FirmwareKind::klipper, 0.01, std::numbers::pi / 4, 50.0), 1u);
}

}  // namespace
}  // namespace strata::planner::motion
