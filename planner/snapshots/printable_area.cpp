// Choosing the printable area (see printable_area.hpp): the declared areas first, then the
// file's own moves, found by one more analysis pass that only watches positions.
#include "strata/planner/printable_area.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

namespace strata::planner {
namespace {

// Beds declared larger than this are configuration placeholders (Orca writes 2000, some
// ideaMaker profiles 9999), not machines.
constexpr double largest_believable_bed_mm = 1000.0;

std::optional<AreaChoice> declared_area(const SafetySettings& safety,
                                        const parser::SlicerSettings& slicer,
                                        const std::optional<PrintableArea>& printer_bed,
                                        std::string& why_not) {
    if (safety.area_min_mm && safety.area_max_mm) {
        PrintableArea area{*safety.area_min_mm, *safety.area_max_mm};
        for (std::size_t axis = 0; axis < 2; ++axis) {
            if (area.min_mm[axis] > area.max_mm[axis])
                std::swap(area.min_mm[axis], area.max_mm[axis]);
        }
        return AreaChoice{area, "profile", false};
    }
    if (slicer.bed_size_mm) {
        const auto& size = *slicer.bed_size_mm;
        const bool believable = std::all_of(size.begin(), size.end(), [](double side_mm) {
            return side_mm > 0.0 && side_mm <= largest_believable_bed_mm;
        });
        if (believable) {
            const std::array<double, 2> origin =
                slicer.bed_origin_mm.value_or(std::array{0.0, 0.0});
            return AreaChoice{
                PrintableArea{{-origin[0], -origin[1]}, {size[0] - origin[0], size[1] - origin[1]}},
                "slicer bed", false};
        }
        why_not = "the file's bed size (" + std::to_string(size[0]) + " x " +
                  std::to_string(size[1]) + " mm) is not believable";
    } else {
        why_not = "the file declares no bed size";
    }
    if (printer_bed) return AreaChoice{*printer_bed, "printer profile", false};
    return std::nullopt;
}

// Grows a rectangle by the positions moves reach, counting an axis only once an absolute move
// has set it since the last home (a home leaves the head where the firmware's endstops are,
// which the file does not say). What the end G-code reaches after the last extrusion does not
// count: no snapshot is taken then, and old slicers end with `G1 X-200 Y-200`, which the
// firmware's endstops cut short.
class MoveExtent {
  public:
    void on_line(const parser::LineEvent& event) {
        const parser::GcodeLine& line = event.line;
        if (!event.simulated || line.command_letter != 'G') return;
        if (line.command_number == 28) return forget_homed_axes(line);
        if (line.command_number > 3) return;
        for (std::size_t axis = 0; axis < 2; ++axis) {
            if (line.has(axis_letter(axis)) && !event.state.xyz_relative) known_[axis] = true;
        }
        if (!known_[0] || !known_[1]) return;
        add(event.state.position_mm[0], event.state.position_mm[1]);
        if (event.state.is_arc) add_arc_extremes(event.arc);
        if (event.state.e_delta_mm > 0.0 && event.state.move_length_mm > 0.0)
            until_last_extrusion_ = area_;
    }

    /// Up to the last extrusion; all of it for a file that never extrudes (a CNC file).
    [[nodiscard]] std::optional<PrintableArea> area() const {
        if (until_last_extrusion_) return until_last_extrusion_;
        if (!seen_) return std::nullopt;
        return area_;
    }

  private:
    static char axis_letter(std::size_t axis) { return axis == 0 ? 'X' : 'Y'; }

    void forget_homed_axes(const parser::GcodeLine& line) {
        const bool all = !line.has('X') && !line.has('Y') && !line.has('Z');
        for (std::size_t axis = 0; axis < 2; ++axis) {
            if (all || line.has(axis_letter(axis))) known_[axis] = false;
        }
    }

    // The points of the circle at 0, 90, 180 and 270 degrees that the arc passes.
    void add_arc_extremes(const parser::ArcGeometry& arc) {
        const double from = std::min(arc.start_angle_rad, arc.start_angle_rad + arc.sweep_rad);
        const double to = std::max(arc.start_angle_rad, arc.start_angle_rad + arc.sweep_rad);
        constexpr double quarter = std::numbers::pi / 2.0;
        const auto first = static_cast<long>(std::ceil(from / quarter));
        const auto last = static_cast<long>(std::floor(to / quarter));
        for (long index = first; index <= last; ++index) {
            const double angle = static_cast<double>(index) * quarter;
            add(arc.center_mm[0] + arc.radius_mm * std::cos(angle),
                arc.center_mm[1] + arc.radius_mm * std::sin(angle));
        }
    }

    void add(double x_mm, double y_mm) {
        if (!seen_) {
            area_ = {{x_mm, y_mm}, {x_mm, y_mm}};
            seen_ = true;
            return;
        }
        area_.min_mm = {std::min(area_.min_mm[0], x_mm), std::min(area_.min_mm[1], y_mm)};
        area_.max_mm = {std::max(area_.max_mm[0], x_mm), std::max(area_.max_mm[1], y_mm)};
    }

    std::array<bool, 2> known_ = {false, false};
    bool seen_ = false;
    PrintableArea area_;
    std::optional<PrintableArea> until_last_extrusion_;
};

std::string describe(const PrintableArea& area) {
    char text[160];
    std::snprintf(text, sizeof text, "X %.1f..%.1f, Y %.1f..%.1f mm", area.min_mm[0],
                  area.max_mm[0], area.min_mm[1], area.max_mm[1]);
    return text;
}

}  // namespace

Result<AreaChoice> area_of_moves(const std::string& path) {
    MoveExtent extent;
    parser::AnalysisOptions options;
    options.on_line = [&extent](const parser::LineEvent& event) { extent.on_line(event); };
    if (Result<parser::Analysis> analyzed = parser::analyze_file(path, options); !analyzed)
        return analyzed.take_error();
    const std::optional<PrintableArea> area = extent.area();
    if (!area)
        return fail(ErrorCode::unsupported, "no move of the file gives a position on both X and Y");
    return AreaChoice{*area, "the file's moves: " + describe(*area), true};
}

Result<AreaChoice> choose_printable_area(const std::string& path, const SafetySettings& safety,
                                         const std::optional<PrintableArea>& printer_bed) {
    parser::SlicerInfo slicer;
    if (!(safety.area_min_mm && safety.area_max_mm)) {
        Result<parser::SlicerInfo> found = parser::slicer_of_file(path);
        if (!found) return found.take_error();
        slicer = std::move(*found);
    }
    std::string why_not;
    if (std::optional<AreaChoice> declared =
            declared_area(safety, slicer.settings, printer_bed, why_not))
        return std::move(*declared);
    Result<AreaChoice> from_moves = area_of_moves(path);
    if (from_moves) {
        from_moves->source += " (" + why_not + ")";
    } else if (from_moves.error().code == ErrorCode::unsupported) {
        return fail(ErrorCode::unsupported,
                    "the printable area is unknown (" + why_not + ", and " +
                        from_moves.error().message +
                        "); set safety.area_min_mm and safety.area_max_mm in the profile");
    }
    return from_moves;
}

}  // namespace strata::planner
