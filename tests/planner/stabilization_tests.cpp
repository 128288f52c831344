// Parking points per stabilization type, path stepping (loop, ping-pong, hold), clamping into
// the printable area, and position restrictions.
#include <gtest/gtest.h>

#include <vector>

#include "../../planner/snapshots/stabilization.hpp"

namespace strata::planner::snapshots {
namespace {

const PrintableArea bed{{0.0, -4.0}, {250.0, 210.0}};

std::vector<std::size_t> indices(std::size_t size, PathEnd end, std::size_t count) {
    std::vector<std::size_t> out;
    for (std::size_t snapshot = 0; snapshot < count; ++snapshot)
        out.push_back(path_index(size, end, snapshot));
    return out;
}

TEST(PathIndex, LoopPingPongHold) {
    EXPECT_EQ(indices(3, PathEnd::loop, 7), (std::vector<std::size_t>{0, 1, 2, 0, 1, 2, 0}));
    EXPECT_EQ(indices(3, PathEnd::ping_pong, 7), (std::vector<std::size_t>{0, 1, 2, 1, 0, 1, 2}));
    EXPECT_EQ(indices(3, PathEnd::hold, 5), (std::vector<std::size_t>{0, 1, 2, 2, 2}));
    EXPECT_EQ(indices(2, PathEnd::ping_pong, 4), (std::vector<std::size_t>{0, 1, 0, 1}));
    EXPECT_EQ(indices(1, PathEnd::ping_pong, 3), (std::vector<std::size_t>{0, 0, 0}));
}

TEST(ParkingPoint, FixedPercentAndDisabled) {
    StabilizationSettings settings;
    settings.x = {StabilizationKind::fixed_mm, 240.0, {}, PathEnd::loop};
    settings.y = {StabilizationKind::bed_percent, 25.0, {}, PathEnd::loop};
    const ParkingPoint point = parking_point(settings, bed, 0);
    EXPECT_DOUBLE_EQ(*point.x_mm, 240.0);
    EXPECT_DOUBLE_EQ(*point.y_mm, -4.0 + 0.25 * 214.0);

    settings.y.kind = StabilizationKind::disabled;
    EXPECT_FALSE(parking_point(settings, bed, 3).y_mm.has_value());
}

TEST(ParkingPoint, PathsAdvanceOnePointPerSnapshot) {
    StabilizationSettings settings;
    settings.x = {StabilizationKind::path_mm, 0.0, {10.0, 20.0, 30.0}, PathEnd::ping_pong};
    settings.y = {StabilizationKind::path_percent, 0.0, {0.0, 100.0}, PathEnd::loop};
    EXPECT_DOUBLE_EQ(*parking_point(settings, bed, 3).x_mm, 20.0);
    EXPECT_DOUBLE_EQ(*parking_point(settings, bed, 1).y_mm, 210.0);
    EXPECT_DOUBLE_EQ(*parking_point(settings, bed, 2).y_mm, -4.0);
}

TEST(ParkingPoint, ClampedIntoThePrintableArea) {
    StabilizationSettings settings;
    settings.x = {StabilizationKind::fixed_mm, 400.0, {}, PathEnd::loop};
    settings.y = {StabilizationKind::path_mm, 0.0, {-50.0}, PathEnd::hold};
    const ParkingPoint point = parking_point(settings, bed, 0);
    EXPECT_DOUBLE_EQ(*point.x_mm, 250.0);
    EXPECT_DOUBLE_EQ(*point.y_mm, -4.0);
}

TEST(Restrictions, RectanglesAndCircles) {
    const PositionRestriction square{
        RestrictionKind::forbidden, RestrictionShape::rectangle, {20, 20}, {10, 10}, 0};
    EXPECT_TRUE(contains(square, 10, 15));  // Corners in any order, edges included.
    EXPECT_FALSE(contains(square, 21, 15));
    const PositionRestriction circle{
        RestrictionKind::required, RestrictionShape::circle, {100, 100}, {0, 0}, 10};
    EXPECT_TRUE(contains(circle, 106, 108));
    EXPECT_FALSE(contains(circle, 108, 108));
}

TEST(Restrictions, RequiredAndForbiddenCombine) {
    EXPECT_TRUE(position_allowed({}, 5, 5));
    const std::vector<PositionRestriction> rules = {
        {RestrictionKind::required, RestrictionShape::rectangle, {0, 0}, {100, 100}, 0},
        {RestrictionKind::required, RestrictionShape::circle, {200, 200}, {0, 0}, 20},
        {RestrictionKind::forbidden, RestrictionShape::rectangle, {40, 40}, {60, 60}, 0}};
    EXPECT_TRUE(position_allowed(rules, 10, 10));
    EXPECT_TRUE(position_allowed(rules, 210, 200));
    EXPECT_FALSE(position_allowed(rules, 50, 50));    // Required, but forbidden too.
    EXPECT_FALSE(position_allowed(rules, 150, 150));  // In no required area.
}

}  // namespace
}  // namespace strata::planner::snapshots
