// Limit command handlers, named after the commands they handle.
#include "limit_commands.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

namespace strata::planner::motion {

namespace {

constexpr std::array<char, 4> axis_letters = {'X', 'Y', 'Z', 'E'};

// An acceleration set by M204 or SET_VELOCITY_LIMIT is clamped by the configured maximum.
void set_clamped(double& target, double value, double maximum) {
    target = maximum > 0.0 ? std::min(value, maximum) : value;
}

void M201(const parser::GcodeLine& line, FirmwareKind firmware, bool inches, MotionLimits& limits) {
    const double factor = (inches && firmware != FirmwareKind::reprapfirmware) ? 25.4 : 1.0;
    for (std::size_t axis = 0; axis < 4; ++axis) {
        if (line.has(axis_letters[axis]))
            limits.max_acceleration_mm_s2[axis] = line.value(axis_letters[axis]) * factor;
    }
}

void M203(const parser::GcodeLine& line, FirmwareKind firmware, MotionLimits& limits) {
    // Marlin takes mm/s; RepRapFirmware (and the others, as PrusaSlicer reads them) mm/min.
    const bool per_second =
        firmware == FirmwareKind::marlin_legacy || firmware == FirmwareKind::marlin2;
    const double factor = per_second ? 1.0 : 1.0 / 60.0;
    for (std::size_t axis = 0; axis < 4; ++axis) {
        if (line.has(axis_letters[axis]))
            limits.max_feedrate_mm_s[axis] = line.value(axis_letters[axis]) * factor;
    }
}

void M204(const parser::GcodeLine& line, MotionLimits& limits) {
    if (line.has('S')) {
        // Legacy form (Marlin 1, Prusa MK3, Klipper): S is the acceleration for every move.
        const double value = line.value('S');
        set_clamped(limits.print_acceleration_mm_s2, value, limits.max_print_acceleration_mm_s2);
        set_clamped(limits.travel_acceleration_mm_s2, value, limits.max_travel_acceleration_mm_s2);
        if (line.has('T')) {
            set_clamped(limits.retract_acceleration_mm_s2, line.value('T'),
                        limits.max_retract_acceleration_mm_s2);
        }
        return;
    }
    if (line.has('P'))
        set_clamped(limits.print_acceleration_mm_s2, line.value('P'),
                    limits.max_print_acceleration_mm_s2);
    if (line.has('R')) {
        set_clamped(limits.retract_acceleration_mm_s2, line.value('R'),
                    limits.max_retract_acceleration_mm_s2);
    }
    if (line.has('T')) {
        set_clamped(limits.travel_acceleration_mm_s2, line.value('T'),
                    limits.max_travel_acceleration_mm_s2);
    }
}

void M205(const parser::GcodeLine& line, FirmwareKind firmware, MotionLimits& limits) {
    if (line.has('X')) limits.max_jerk_mm_s[0] = limits.max_jerk_mm_s[1] = line.value('X');
    if (line.has('Y')) limits.max_jerk_mm_s[1] = line.value('Y');
    if (line.has('Z')) limits.max_jerk_mm_s[2] = line.value('Z');
    if (line.has('E')) limits.max_jerk_mm_s[3] = line.value('E');
    if (line.has('S')) limits.min_extruding_feedrate_mm_s = line.value('S');
    if (line.has('T')) limits.min_travel_feedrate_mm_s = line.value('T');
    if (line.has('J') && firmware == FirmwareKind::marlin2 && line.value('J') > 0.0) {
        limits.junction = JunctionModel::junction_deviation;
        limits.junction_deviation_mm = line.value('J');
    }
}

void M566(const parser::GcodeLine& line, MotionLimits& limits) {
    // RepRapFirmware's jerk is in mm/min.
    for (std::size_t axis = 0; axis < 4; ++axis) {
        if (line.has(axis_letters[axis]))
            limits.max_jerk_mm_s[axis] = line.value(axis_letters[axis]) / 60.0;
    }
}

std::optional<double> macro_number(const parser::GcodeLine& line, std::string_view key) {
    const std::string_view text = line.macro_param(key);
    if (text.empty()) return std::nullopt;
    double value = 0.0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

void SET_VELOCITY_LIMIT(const parser::GcodeLine& line, MotionLimits& limits) {
    if (auto accel = macro_number(line, "ACCEL")) {
        limits.print_acceleration_mm_s2 = limits.travel_acceleration_mm_s2 =
            limits.retract_acceleration_mm_s2 = *accel;
    }
    if (auto to_decel = macro_number(line, "ACCEL_TO_DECEL"))
        limits.accel_to_decel_mm_s2 = *to_decel;
    if (auto ratio = macro_number(line, "MINIMUM_CRUISE_RATIO")) {
        limits.accel_to_decel_mm_s2 =
            limits.print_acceleration_mm_s2 * (1.0 - std::clamp(*ratio, 0.0, 1.0));
    }
    if (auto corner = macro_number(line, "SQUARE_CORNER_VELOCITY")) {
        limits.square_corner_velocity_mm_s = *corner;
        if (limits.square_corner_sets_jerk)
            limits.max_jerk_mm_s[0] = limits.max_jerk_mm_s[1] = *corner;
    }
    if (auto velocity = macro_number(line, "VELOCITY")) {
        limits.max_feedrate_mm_s[0] = limits.max_feedrate_mm_s[1] = *velocity;
    }
}

}  // namespace

bool is_limit_command(const parser::GcodeLine& line) {
    if (line.kind == parser::LineKind::macro) return true;
    if (line.command_letter != 'M') return false;
    const auto code = line.command_number;
    return code == 201 || code == 203 || code == 204 || code == 205 || code == 566;
}

bool apply_limit_command(const parser::GcodeLine& line, FirmwareKind firmware, bool inches,
                         MotionLimits& limits) {
    if (line.kind == parser::LineKind::macro) {
        auto equals = [](std::string_view a, std::string_view b) {
            return a.size() == b.size() &&
                   std::equal(a.begin(), a.end(), b.begin(),
                              [](char x, char y) { return (x | 0x20) == (y | 0x20); });
        };
        if (!equals(line.name, "SET_VELOCITY_LIMIT")) return false;
        SET_VELOCITY_LIMIT(line, limits);
        return true;
    }
    if (line.command_letter != 'M') return false;
    switch (line.command_number) {
        case 201: M201(line, firmware, inches, limits); return true;  // Axis accelerations.
        case 203: M203(line, firmware, limits); return true;          // Axis feedrates.
        case 204: M204(line, limits); return true;                    // Move accelerations.
        case 205: M205(line, firmware, limits); return true;          // Jerk, minimum feedrates.
        case 566: M566(line, limits); return true;                    // RRF jerk.
        default: return false;
    }
}

}  // namespace strata::planner::motion
