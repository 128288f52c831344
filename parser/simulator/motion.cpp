// Motion handlers: linear moves, arcs, firmware retraction, homing; and the extruder state
// machine every move goes through (Octolapse's ten states, computed from the running
// retraction length as its C++ position processor does).
#include <algorithm>
#include <cmath>
#include <string>

#include "arc.hpp"
#include "strata/parser/simulator.hpp"

namespace strata::parser {

namespace {
constexpr double epsilon_mm = 1e-9;
constexpr std::array<char, 3> axis_letters = {'X', 'Y', 'Z'};
}  // namespace

void Simulator::read_feedrate(const GcodeLine& line) {
    if (!line.has('F')) return;
    const double feedrate_mm_s = to_mm(line.value('F')) / 60.0;
    if (feedrate_mm_s <= 0.0 || feedrate_mm_s > config_.coordinate_limit_mm) {
        warn("feedrate F must be positive and plausible; ignored");
        return;
    }
    state_.feedrate_mm_s = feedrate_mm_s;
}

bool Simulator::read_target(const GcodeLine& line, std::array<double, 3>& target_mm) {
    for (std::size_t axis = 0; axis < 3; ++axis) {
        if (!line.has(axis_letters[axis])) continue;
        const double value_mm = to_mm(line.value(axis_letters[axis]));
        const double next =
            xyz_relative_ ? target_mm[axis] + value_mm : value_mm + workspace_offset_mm_[axis];
        if (!(std::fabs(next) <= config_.coordinate_limit_mm)) {
            error(std::string(1, axis_letters[axis]) +
                  " is out of range (beyond 1e6 mm); move ignored");
            return false;
        }
        target_mm[axis] = next;
    }
    return true;
}

double Simulator::e_delta_from(const GcodeLine& line) {
    if (!line.has('E')) return 0.0;
    const double value_mm = to_mm(line.value('E'));
    const double next = state_.e_relative ? state_.e_mm + value_mm : value_mm;
    if (!(std::fabs(next) <= config_.coordinate_limit_mm)) {
        error("E is out of range (beyond 1e6 mm); extrusion ignored");
        return 0.0;
    }
    const double delta = next - state_.e_mm;
    state_.e_mm = next;
    return delta;
}

void Simulator::apply_extrusion(double e_delta_mm) {
    ToolState& active = tool();
    double extruded = 0.0;
    double deretracted = 0.0;
    const double retraction_before = active.retraction_mm;
    if (e_delta_mm > epsilon_mm) {
        deretracted = std::min(e_delta_mm, active.retraction_mm);
        active.retraction_mm -= deretracted;
        if (active.retraction_mm < epsilon_mm) active.retraction_mm = 0.0;
        extruded = e_delta_mm - deretracted;
    } else if (e_delta_mm < -epsilon_mm) {
        active.retraction_mm -= e_delta_mm;
    }
    active.e_physical_mm += e_delta_mm;
    filament_mm_[state_.tool] += e_delta_mm * active.flow_ratio;

    const bool is_extruding = extruded > epsilon_mm;
    const bool is_retracting = active.retraction_mm > retraction_before + epsilon_mm;
    const bool is_deretracting = deretracted > epsilon_mm;
    namespace flag = extruder_flag;
    std::uint16_t flags = 0;
    if (is_extruding) flags |= flag::extruding | (active.was_extruding ? 0 : flag::extruding_start);
    if (is_retracting)
        flags |= flag::retracting | (active.was_retracting ? 0 : flag::retracting_start);
    if (is_deretracting)
        flags |= flag::deretracting | (active.was_deretracting ? 0 : flag::deretracting_start);
    if (active.retraction_mm > 0.0) {
        const bool partial = config_.retract_length_mm > 0.0 &&
                             active.retraction_mm < config_.retract_length_mm - 1e-6;
        flags |= partial ? flag::partially_retracted : flag::retracted;
    } else {
        if (retraction_before > 0.0) flags |= flag::deretracted;
        if (!is_extruding) flags |= flag::primed;
    }
    active.was_extruding = is_extruding;
    active.was_retracting = is_retracting;
    active.was_deretracting = is_deretracting;
    state_.extruder = flags;
    state_.retraction_mm = active.retraction_mm;
    state_.e_delta_mm = e_delta_mm;
}

void Simulator::classify_move(bool moved_xy, double dz_mm, double e_delta_mm) {
    if (e_delta_mm > epsilon_mm) {
        const bool moved = moved_xy || std::fabs(dz_mm) > epsilon_mm;
        const bool only_undid_retraction = (state_.extruder & extruder_flag::extruding) == 0;
        state_.move = (!moved && only_undid_retraction) ? MoveKind::deretract : MoveKind::extrude;
    } else if (e_delta_mm < -epsilon_mm) {
        state_.move = moved_xy ? MoveKind::wipe : MoveKind::retract;
    } else if (moved_xy) {
        state_.move = MoveKind::travel;
    } else if (dz_mm > epsilon_mm) {
        state_.move = MoveKind::lift;
    } else if (dz_mm < -epsilon_mm) {
        state_.move = MoveKind::lower;
    } else {
        state_.move = MoveKind::none;
    }
}

void Simulator::finish_move(const std::array<double, 3>& target_mm, double length_mm,
                            double e_delta_mm) {
    const double dx = target_mm[0] - state_.position_mm[0];
    const double dy = target_mm[1] - state_.position_mm[1];
    const double dz = target_mm[2] - state_.position_mm[2];
    apply_extrusion(e_delta_mm);
    // Only whether XY moved matters here; comparing squares saves a square root per move.
    classify_move(dx * dx + dy * dy > epsilon_mm * epsilon_mm, dz, e_delta_mm);
    state_.position_mm = target_mm;
    state_.move_length_mm = length_mm;
}

void Simulator::G0_G1(const GcodeLine& line) {
    read_feedrate(line);
    std::array<double, 3> target_mm = state_.position_mm;
    if (!read_target(line, target_mm)) return;
    const double e_delta_mm = e_delta_from(line);
    const double dx = target_mm[0] - state_.position_mm[0];
    const double dy = target_mm[1] - state_.position_mm[1];
    const double dz = target_mm[2] - state_.position_mm[2];
    finish_move(target_mm, std::sqrt(dx * dx + dy * dy + dz * dz), e_delta_mm);
}

void Simulator::G2_G3(const GcodeLine& line, bool counter_clockwise) {
    read_feedrate(line);
    std::array<double, 3> target_mm = state_.position_mm;
    if (!read_target(line, target_mm)) return;
    const std::array<double, 2> start = {state_.position_mm[0], state_.position_mm[1]};
    const std::array<double, 2> end = {target_mm[0], target_mm[1]};
    std::array<double, 2> center = start;
    if (line.has('R')) {
        bool radius_too_small = false;
        if (!arc::center_from_radius(start, end, to_mm(line.value('R')), counter_clockwise, center,
                                     radius_too_small)) {
            error(
                "arc: R form needs distinct start and end points and R other than 0; move ignored");
            return;
        }
        if (radius_too_small)
            warn(
                "arc: R is smaller than half the distance to the end point; drawn as a half "
                "circle");
    } else if (line.has('I') || line.has('J')) {
        center = {start[0] + to_mm(line.value('I')), start[1] + to_mm(line.value('J'))};
    } else {
        error("arc: needs I/J or R; move ignored");
        return;
    }
    const int extra_turns = line.has('P') ? std::max(0, static_cast<int>(line.value('P')) - 1) : 0;
    const arc::Arc geometry = arc::make_arc(start, end, center, counter_clockwise, extra_turns);
    if (geometry.radius_mm < epsilon_mm) {
        error("arc: zero radius; move ignored");
        return;
    }
    const double end_radius = std::sqrt((end[0] - center[0]) * (end[0] - center[0]) +
                                        (end[1] - center[1]) * (end[1] - center[1]));
    if (std::fabs(end_radius - geometry.radius_mm) > std::fmax(0.05, 0.001 * geometry.radius_mm)) {
        warn("arc: the end point is not on the circle (radius differs by more than 0.05 mm)");
    }
    arc_ = {geometry.center_mm, geometry.radius_mm, geometry.start_angle_rad, geometry.sweep_rad};
    const double e_delta_mm = e_delta_from(line);
    const double planar_mm = std::fabs(geometry.sweep_rad) * geometry.radius_mm;
    const double dz = target_mm[2] - state_.position_mm[2];
    finish_move(target_mm, std::sqrt(planar_mm * planar_mm + dz * dz), e_delta_mm);
    // A full circle ends where it started, but it still moved.
    if (state_.move == MoveKind::none || state_.move == MoveKind::retract) {
        state_.move = e_delta_mm < -epsilon_mm ? MoveKind::wipe : MoveKind::travel;
    } else if (state_.move == MoveKind::deretract) {
        state_.move = MoveKind::extrude;
    }
    state_.is_arc = true;
}

void Simulator::G10(const GcodeLine& line) {
    // RepRapFirmware's G10 P<tool> X Y Z sets tool offsets, and G10 L2/L20 work offsets; only a
    // plain G10 is the firmware retraction.
    if (line.has('P') || line.has('L')) {
        if (line.has('P') && !line.has('L')) set_tool_offset(line.value('P'), line);
        return;
    }
    if (firmware_retracted_) return;  // Firmwares ignore a second G10 in a row.
    firmware_retracted_ = true;
    std::array<double, 3> target_mm = state_.position_mm;
    target_mm[2] += firmware_retract_zhop_mm_;
    workspace_offset_mm_[2] += firmware_retract_zhop_mm_;
    apply_extrusion(-firmware_retract_length_mm_);
    state_.move = MoveKind::retract;
    state_.position_mm = target_mm;
    state_.move_length_mm = firmware_retract_zhop_mm_;
}

void Simulator::G11() {
    if (!firmware_retracted_) return;
    firmware_retracted_ = false;
    state_.position_mm[2] -= firmware_retract_zhop_mm_;
    workspace_offset_mm_[2] -= firmware_retract_zhop_mm_;
    apply_extrusion(firmware_retract_length_mm_ + firmware_recover_extra_mm_);
    state_.move = MoveKind::deretract;
    state_.move_length_mm = firmware_retract_zhop_mm_;
}

void Simulator::G28(const GcodeLine& line) {
    const std::uint32_t axes_mask = GcodeLine::bit('X') | GcodeLine::bit('Y') | GcodeLine::bit('Z');
    const bool all = (line.word_mask & axes_mask) == 0;
    for (std::size_t axis = 0; axis < 3; ++axis) {
        if (!all && !line.has(axis_letters[axis])) continue;
        state_.position_mm[axis] = config_.home_position_mm[axis];
        workspace_offset_mm_[axis] = 0.0;
    }
    state_.homed = true;
}

}  // namespace strata::parser
