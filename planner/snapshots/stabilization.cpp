// Parking points and position restrictions (see stabilization.hpp).
#include "stabilization.hpp"

#include <algorithm>

namespace strata::planner::snapshots {
namespace {

std::optional<double> axis_coordinate(const AxisStabilization& axis, double min_mm, double max_mm,
                                      std::size_t snapshot_index) {
    const auto from_percent = [&](double percent) {
        return min_mm + percent / 100.0 * (max_mm - min_mm);
    };
    double coordinate_mm = 0.0;
    switch (axis.kind) {
        case StabilizationKind::disabled: return std::nullopt;
        case StabilizationKind::fixed_mm: coordinate_mm = axis.value; break;
        case StabilizationKind::bed_percent: coordinate_mm = from_percent(axis.value); break;
        case StabilizationKind::path_mm:
        case StabilizationKind::path_percent: {
            if (axis.path.empty()) return std::nullopt;  // The profile reader rejects this.
            const double point =
                axis.path[path_index(axis.path.size(), axis.path_end, snapshot_index)];
            coordinate_mm = axis.kind == StabilizationKind::path_mm ? point : from_percent(point);
            break;
        }
    }
    return std::clamp(coordinate_mm, min_mm, max_mm);
}

}  // namespace

std::size_t path_index(std::size_t path_size, PathEnd end, std::size_t snapshot_index) {
    if (path_size <= 1) return 0;
    switch (end) {
        case PathEnd::loop: return snapshot_index % path_size;
        case PathEnd::hold: return std::min(snapshot_index, path_size - 1);
        case PathEnd::ping_pong: {
            // 0 1 2 3 2 1 0 1 ...: a period of 2n-2 steps that does not repeat the ends.
            const std::size_t period = 2 * path_size - 2;
            const std::size_t step = snapshot_index % period;
            return step < path_size ? step : period - step;
        }
    }
    return 0;
}

ParkingPoint parking_point(const StabilizationSettings& stabilization, const PrintableArea& area,
                           std::size_t snapshot_index) {
    return {axis_coordinate(stabilization.x, area.min_mm[0], area.max_mm[0], snapshot_index),
            axis_coordinate(stabilization.y, area.min_mm[1], area.max_mm[1], snapshot_index)};
}

bool contains(const PositionRestriction& restriction, double x_mm, double y_mm) {
    if (restriction.shape == RestrictionShape::circle) {
        const double dx = x_mm - restriction.min_mm[0];
        const double dy = y_mm - restriction.min_mm[1];
        return dx * dx + dy * dy <= restriction.radius_mm * restriction.radius_mm;
    }
    const auto [x_low, x_high] = std::minmax(restriction.min_mm[0], restriction.max_mm[0]);
    const auto [y_low, y_high] = std::minmax(restriction.min_mm[1], restriction.max_mm[1]);
    return x_mm >= x_low && x_mm <= x_high && y_mm >= y_low && y_mm <= y_high;
}

bool position_allowed(const std::vector<PositionRestriction>& restrictions, double x_mm,
                      double y_mm) {
    bool any_required = false;
    bool inside_required = false;
    for (const PositionRestriction& restriction : restrictions) {
        const bool inside = contains(restriction, x_mm, y_mm);
        if (restriction.kind == RestrictionKind::forbidden) {
            if (inside) return false;
        } else {
            any_required = true;
            inside_required = inside_required || inside;
        }
    }
    return !any_required || inside_required;
}

}  // namespace strata::planner::snapshots
