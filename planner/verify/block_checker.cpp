// The block rules of the verification invariant, and the move comparison (see verify.hpp).
#include <cmath>
#include <cstring>
#include <string>

#include "strata/common/gcode_number.hpp"
#include "strata/planner/verify.hpp"

namespace strata::planner {
namespace {

constexpr double position_tolerance_mm = 1e-6;
constexpr double feedrate_tolerance_ratio = 1e-9;

std::string format(double value) {
    char text[64];
    std::snprintf(text, sizeof text, "%.6f", value);
    return text;
}

std::string format(const std::array<double, 3>& xyz) {
    char text[128];
    std::snprintf(text, sizeof text, "(%.6f, %.6f, %.6f)", xyz[0], xyz[1], xyz[2]);
    return text;
}

bool near(double a, double b, double tolerance) {
    return std::fabs(a - b) <= tolerance;
}

bool near(const std::array<double, 3>& a, const std::array<double, 3>& b) {
    return near(a[0], b[0], position_tolerance_mm) && near(a[1], b[1], position_tolerance_mm) &&
           near(a[2], b[2], position_tolerance_mm);
}

bool same_feedrate(double a, double b) {
    return std::fabs(a - b) <= feedrate_tolerance_ratio * std::max(std::fabs(a), std::fabs(b));
}

// `lift=0.400` in a block's BEGIN comment.
double lift_from(std::string_view comment) {
    const std::size_t at = comment.find("lift=");
    if (at == std::string_view::npos) return 0.0;
    return std::strtod(std::string(comment.substr(at + 5, 32)).c_str(), nullptr);
}

std::string_view after_spaces(std::string_view text) {
    while (!text.empty() && text.front() == ' ')
        text.remove_prefix(1);
    return text;
}

}  // namespace

std::optional<MoveRecord> move_of(std::uint64_t number, const parser::MachineState& state,
                                  const std::array<double, 3>& start_mm) {
    if (state.move == parser::MoveKind::none) return std::nullopt;
    return MoveRecord{number,           state.move,         start_mm, state.position_mm,
                      state.e_delta_mm, state.feedrate_mm_s};
}

std::optional<std::string> compare_moves(const MoveRecord& original, const MoveRecord& annotated) {
    if (original.kind != annotated.kind) {
        return "the move is a " + std::string(parser::to_string(annotated.kind)) +
               " instead of a " + std::string(parser::to_string(original.kind));
    }
    if (!near(original.start_mm, annotated.start_mm)) {
        return "the move starts at " + format(annotated.start_mm) + " instead of " +
               format(original.start_mm);
    }
    if (!near(original.end_mm, annotated.end_mm)) {
        return "the move ends at " + format(annotated.end_mm) + " instead of " +
               format(original.end_mm);
    }
    if (!near(original.e_delta_mm, annotated.e_delta_mm, position_tolerance_mm)) {
        return "the move extrudes " + format(annotated.e_delta_mm) + " mm instead of " +
               format(original.e_delta_mm) + " mm";
    }
    if (!same_feedrate(original.feedrate_mm_s, annotated.feedrate_mm_s)) {
        return "the move runs at " + format(annotated.feedrate_mm_s) + " mm/s instead of " +
               format(original.feedrate_mm_s) + " mm/s";
    }
    return std::nullopt;
}

std::optional<MoveRecord> BlockChecker::on_line(const parser::GcodeLine& line, std::uint64_t number,
                                                bool simulated, const parser::MachineState& state,
                                                const std::array<double, 3>& start_mm) {
    if (line.kind == parser::LineKind::comment) {
        const std::string_view comment = after_spaces(line.comment);
        if (comment.rfind("STRATA SNAPSHOT BEGIN", 0) == 0) begin_block(comment, number, state);
        if (comment.rfind("STRATA SNAPSHOT END", 0) == 0) end_block(number, state);
        return std::nullopt;
    }
    // Firmware has no exponents: `X1e-04` would be X1 and then an E word, an extrusion.
    if (in_block_ && has_exponent_number(line.raw))
        fail(number, "a number written with an exponent: " + std::string(line.raw));
    if (!simulated) return std::nullopt;
    if (in_block_) {
        check_block_move(number, state, start_mm);
        return std::nullopt;
    }
    auto move = move_of(number, state, start_mm);
    // Printing moves only: a prime in place (often at a safe height above the bed) prints nothing.
    const bool printed = move && move->kind == parser::MoveKind::extrude &&
                         (state.is_arc || start_mm[0] != state.position_mm[0] ||
                          start_mm[1] != state.position_mm[1]);
    if (printed) highest_printed_z_mm_ = std::max(highest_printed_z_mm_, state.position_mm[2]);
    return move;
}

void BlockChecker::begin_block(std::string_view comment, std::uint64_t number,
                               const parser::MachineState& state) {
    if (in_block_) {
        fail(number,
             "a snapshot block begins inside the block of line " + std::to_string(block_line_));
        return;
    }
    in_block_ = true;
    block_line_ = number;
    entry_ = state;
    block_lift_mm_ = options_.lift_mm.value_or(lift_from(comment));
    ++blocks_;
}

void BlockChecker::check_block_move(std::uint64_t number, const parser::MachineState& state,
                                    const std::array<double, 3>& start_mm) {
    const bool moved_xy =
        state.position_mm[0] != start_mm[0] || state.position_mm[1] != start_mm[1];
    // Lowering while the filament goes back in is no extrusion: nothing beyond the retraction.
    const bool deretract_in_z = state.move == parser::MoveKind::extrude && !moved_xy &&
                                (state.extruder & parser::extruder_flag::extruding) == 0;
    if ((state.move == parser::MoveKind::extrude && !deretract_in_z) ||
        state.move == parser::MoveKind::wipe) {
        fail(number, "the snapshot block extrudes while moving");
        return;
    }
    if (!moved_xy) return;
    const double lowest_mm = highest_printed_z_mm_ + block_lift_mm_;
    if (state.position_mm[2] < lowest_mm - position_tolerance_mm ||
        start_mm[2] < lowest_mm - position_tolerance_mm) {
        fail(number, "the snapshot block travels at Z " + format(state.position_mm[2]) +
                         ", below the highest printed Z plus the lift (" + format(lowest_mm) + ")");
        return;
    }
    if (options_.area) {
        const PrintableArea& area = *options_.area;
        for (std::size_t axis = 0; axis < 2; ++axis) {
            const double at_mm = state.position_mm[axis];
            if (at_mm < area.min_mm[axis] - position_tolerance_mm ||
                at_mm > area.max_mm[axis] + position_tolerance_mm) {
                fail(number, "the snapshot block travels outside the printable area, to " +
                                 format(state.position_mm));
                return;
            }
        }
    }
}

void BlockChecker::end_block(std::uint64_t number, const parser::MachineState& state) {
    if (!in_block_) {
        fail(number, "a snapshot block ends that never began");
        return;
    }
    in_block_ = false;
    const auto differs = [&](const char* what) {
        fail(number, std::string("the snapshot block of line ") + std::to_string(block_line_) +
                         " does not restore " + what);
    };
    if (!near(entry_.position_mm, state.position_mm)) return differs("the position");
    if (!near(entry_.retraction_mm, state.retraction_mm, position_tolerance_mm))
        return differs("the retraction");
    if (!near(entry_.e_mm, state.e_mm, position_tolerance_mm)) return differs("the E position");
    if (!same_feedrate(entry_.feedrate_mm_s, state.feedrate_mm_s)) return differs("the feedrate");
    if (entry_.xyz_relative != state.xyz_relative) return differs("G90/G91");
    if (entry_.e_relative != state.e_relative) return differs("M82/M83");
    if (entry_.inches != state.inches) return differs("the units (G20/G21)");
    if (entry_.tool != state.tool) return differs("the tool");
}

void BlockChecker::finish(std::uint64_t last_line) {
    if (in_block_)
        fail(last_line,
             "the snapshot block of line " + std::to_string(block_line_) + " never ends");
}

void BlockChecker::fail(std::uint64_t number, std::string message) {
    if (!problem_) problem_ = Difference{0, number, std::move(message)};
}

}  // namespace strata::planner
