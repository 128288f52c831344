// arc_segment_count: the two segmentation rules.
#include "arc_segments.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace strata::planner::motion {

namespace {

// Marlin 2 plan_arc() as in Prusa's Buddy firmware: segments short enough to stay within
// 0.02 mm of the arc and to run at least 50 per second, between 0.1 and 2 mm.
std::size_t marlin2_segments(double radius_mm, double sweep_rad, double feedrate_mm_s) {
    constexpr double max_deviation_mm = 0.02;
    constexpr double min_segments_per_s = 50.0;
    const double segment_mm = std::clamp(
        std::min(std::sqrt(8.0 * radius_mm * max_deviation_mm), feedrate_mm_s / min_segments_per_s),
        0.1, 2.0);
    const double flat_mm = radius_mm * std::fabs(sweep_rad);
    return std::max<std::size_t>(static_cast<std::size_t>(flat_mm / segment_mm + 0.8), 1);
}

// Chord tolerance rule (0.0125 mm): the most angle one chord may span.
std::size_t tolerance_segments(double radius_mm, double sweep_rad) {
    constexpr double deviation_mm = 0.0125;
    const double angle = std::fabs(sweep_rad);
    const double distance = radius_mm - deviation_mm;
    if (distance < 1e-6) {
        const bool one =
            angle < std::numbers::pi ||
            radius_mm * (1.0 + std::cos(std::numbers::pi - 0.5 * angle)) < deviation_mm;
        return one ? 1 : 2;
    }
    return std::max<std::size_t>(
        1, static_cast<std::size_t>(std::ceil(angle / (2.0 * std::acos(distance / radius_mm)))));
}

}  // namespace

std::size_t arc_segment_count(FirmwareKind firmware, double radius_mm, double sweep_rad,
                              double feedrate_mm_s) {
    if (radius_mm <= 0.0 || sweep_rad == 0.0) return 1;
    return firmware == FirmwareKind::marlin2 ? marlin2_segments(radius_mm, sweep_rad, feedrate_mm_s)
                                             : tolerance_segments(radius_mm, sweep_rad);
}

}  // namespace strata::planner::motion
