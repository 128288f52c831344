// Arc geometry for G2/G3, as pure functions: the centre from I/J or R (Marlin's construction),
// the signed sweep, the length, and the bounding box of the arc (its end points plus every axis
// extreme the sweep passes). Shared by the simulator and the analysis.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

namespace strata::parser::arc {

struct Arc {
    std::array<double, 2> center_mm;
    double radius_mm;
    double start_angle_rad;
    double sweep_rad;  ///< Positive counter-clockwise.
};

/// Centre of an R-form arc from start to end; false when start and end coincide or R is 0.
/// Negative R asks for the larger arc, as in Marlin and RepRapFirmware. A radius too small for
/// the chord is taken as a half circle (RepRapFirmware's choice); `radius_too_small` says so.
inline bool center_from_radius(const std::array<double, 2>& start, const std::array<double, 2>& end,
                               double r, bool counter_clockwise, std::array<double, 2>& center,
                               bool& radius_too_small) {
    const double dx = end[0] - start[0];
    const double dy = end[1] - start[1];
    const double distance = std::sqrt(dx * dx + dy * dy);
    if (distance == 0.0 || r == 0.0) return false;
    const double half = distance * 0.5;
    const double h_squared = r * r - half * half;
    // Rounding in the file makes a half circle's radius a hair short; only more is reported.
    radius_too_small = h_squared < -1e-6 * r * r && std::fabs(r) < half - 1e-4;
    const double h = h_squared > 0.0 ? std::sqrt(h_squared) : 0.0;
    const double side = (!counter_clockwise != (r < 0.0)) ? -1.0 : 1.0;
    center = {(start[0] + end[0]) * 0.5 - side * h * dy / distance,
              (start[1] + end[1]) * 0.5 + side * h * dx / distance};
    return true;
}

/// The arc from `start` to `end` around `center`. Equal start and end make a full circle;
/// `extra_turns` adds whole turns (G2/G3 P).
inline Arc make_arc(const std::array<double, 2>& start, const std::array<double, 2>& end,
                    const std::array<double, 2>& center, bool counter_clockwise,
                    int extra_turns = 0) {
    constexpr double two_pi = 2.0 * std::numbers::pi;
    const double start_angle = std::atan2(start[1] - center[1], start[0] - center[0]);
    const double end_angle = std::atan2(end[1] - center[1], end[0] - center[0]);
    double sweep = end_angle - start_angle;
    constexpr double same_point_rad = 1e-9;
    if (counter_clockwise) {
        if (sweep < same_point_rad) sweep += two_pi;
    } else if (sweep > -same_point_rad) {
        sweep -= two_pi;
    }
    sweep += (counter_clockwise ? two_pi : -two_pi) * extra_turns;
    const double radius = std::sqrt((start[0] - center[0]) * (start[0] - center[0]) +
                                    (start[1] - center[1]) * (start[1] - center[1]));
    return {center, radius, start_angle, sweep};
}

/// Grows [min, max] to cover the arc: its ends and the 0/90/180/270 degree points it passes.
inline void extend_bounds(const Arc& arc, std::array<double, 2>& min_xy,
                          std::array<double, 2>& max_xy) {
    constexpr double half_pi = std::numbers::pi / 2.0;
    auto include = [&](double angle) {
        const double x = arc.center_mm[0] + arc.radius_mm * std::cos(angle);
        const double y = arc.center_mm[1] + arc.radius_mm * std::sin(angle);
        min_xy = {std::min(min_xy[0], x), std::min(min_xy[1], y)};
        max_xy = {std::max(max_xy[0], x), std::max(max_xy[1], y)};
    };
    const double from = std::min(arc.start_angle_rad, arc.start_angle_rad + arc.sweep_rad);
    const double to = std::max(arc.start_angle_rad, arc.start_angle_rad + arc.sweep_rad);
    include(from);
    include(to);
    if (to - from >= 2.0 * std::numbers::pi) {
        for (int quadrant = 0; quadrant < 4; ++quadrant)
            include(quadrant * half_pi);
        return;
    }
    const auto first_quadrant = static_cast<long>(std::ceil(from / half_pi));
    for (long quadrant = first_quadrant; static_cast<double>(quadrant) * half_pi < to; ++quadrant) {
        include(static_cast<double>(quadrant) * half_pi);
    }
}

}  // namespace strata::parser::arc
