// Where the head parks for snapshot number n: each axis fixed, a share of the printable area,
// a step along a path (loop, ping-pong, hold: Octolapse's animated orbits), or left where the
// head is. And the position restrictions a snapshot must respect. Pure functions of the profile.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <vector>

#include "strata/planner/snapshot_plan.hpp"
#include "strata/planner/timelapse_profile.hpp"

namespace strata::planner::snapshots {

/// The parking point; an axis without a value stays where the head is.
struct ParkingPoint {
    std::optional<double> x_mm;
    std::optional<double> y_mm;
};

/// Which entry of a path of `path_size` points snapshot `snapshot_index` (0-based) uses.
[[nodiscard]] std::size_t path_index(std::size_t path_size, PathEnd end,
                                     std::size_t snapshot_index);

/// The parking point of snapshot `snapshot_index`, clamped into the printable area.
[[nodiscard]] ParkingPoint parking_point(const StabilizationSettings& stabilization,
                                         const PrintableArea& area, std::size_t snapshot_index);

/// Whether a restriction's shape contains the point (edges included).
[[nodiscard]] bool contains(const PositionRestriction& restriction, double x_mm, double y_mm);

/// Octolapse's rule: inside at least one required area when there are any, and inside no
/// forbidden one.
[[nodiscard]] bool position_allowed(const std::vector<PositionRestriction>& restrictions,
                                    double x_mm, double y_mm);

}  // namespace strata::planner::snapshots
