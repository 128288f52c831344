// The simulator's dispatch table and its modal handlers (modes, units, offsets, factors, tools).
// Motion handlers are in motion.cpp. Each handler is named after the G-code it handles; the
// switch below is the one place that maps codes to handlers.
#include "strata/parser/simulator.hpp"

#include <cmath>
#include <string>

namespace strata::parser {

namespace {

// Codes that are valid and known but change nothing the simulator models (temperatures, fans,
// SD card, planner limits read by planner/, printer-specific housekeeping). They are accepted
// silently; anything else draws an "unknown command" warning.
bool is_known_passive_g(std::uint32_t code) {
    switch (code) {
        case 4:
        case 17:
        case 18:
        case 19:
        case 29:
        case 30:
        case 31:
        case 32:
        case 33:
        case 34:
        case 35:
        case 38:
        case 53:
        case 54:
        case 55:
        case 56:
        case 57:
        case 58:
        case 59:
        case 60:
        case 61:
        case 64:
        case 80:
        case 81:
        case 94:
        case 380:  // Bambu probing move; the position after it is restored by the next G1.
        case 425: return true;
        default: return false;
    }
}

bool is_known_passive_m(std::uint32_t code) {
    if (code <= 33) return true;                  // Program flow, SD card, motor power.
    if (code >= 100 && code <= 199) return true;  // Temperatures, fans, host and status codes.
    if (code >= 200 && code <= 206) return true;  // Filament diameter and motion limits.
    if (code >= 209 && code <= 217) return true;
    if (code >= 222 && code <= 599) return true;   // Probing, EEPROM, servo, tuning, mixing.
    if (code >= 600 && code <= 1200) return true;  // Filament change, vendor codes (Bambu M9xx).
    switch (code) {
        case 42:
        case 43:
        case 48:
        case 73:
        case 74:
        case 75:
        case 76:
        case 77:
        case 78:
        case 80:
        case 81:
        case 82:
        case 83:
        case 84:
        case 85:
        case 86:
        case 87:
        case 92:
        case 98:
        case 99: return true;
        default: return false;
    }
}

}  // namespace

std::string_view to_string(FirmwareFlavor flavor) {
    switch (flavor) {
        case FirmwareFlavor::marlin: return "marlin";
        case FirmwareFlavor::klipper: return "klipper";
        case FirmwareFlavor::reprapfirmware: return "reprapfirmware";
        case FirmwareFlavor::unknown: return "unknown";
    }
    return "unknown";
}

std::string_view to_string(MoveKind kind) {
    switch (kind) {
        case MoveKind::none: return "none";
        case MoveKind::travel: return "travel";
        case MoveKind::extrude: return "extrude";
        case MoveKind::retract: return "retract";
        case MoveKind::deretract: return "deretract";
        case MoveKind::lift: return "lift";
        case MoveKind::lower: return "lower";
        case MoveKind::wipe: return "wipe";
    }
    return "none";
}

Simulator::Simulator(const MachineConfig& config)
    : config_(config),
      tools_(1),
      filament_mm_(1, 0.0),
      firmware_retract_length_mm_(config.firmware_retract_length_mm),
      firmware_retract_speed_mm_s_(config.firmware_retract_speed_mm_s),
      firmware_retract_zhop_mm_(config.firmware_retract_zhop_mm),
      firmware_recover_extra_mm_(config.firmware_recover_extra_mm),
      firmware_recover_speed_mm_s_(config.firmware_recover_speed_mm_s) {
    state_.position_mm = config.home_position_mm;
    state_.feedrate_mm_s = config.initial_feedrate_mm_s;
    previous_position_mm_ = state_.position_mm;
}

void Simulator::resume(const MachineState& state,
                       const std::array<double, 3>& workspace_offset_mm) {
    state_ = state;
    state_.move = MoveKind::none;
    previous_position_mm_ = state.position_mm;
    workspace_offset_mm_ = workspace_offset_mm;
    xyz_relative_ = state.xyz_relative;
    e_relative_m83_ = state.e_relative;
    firmware_retracted_ = false;
    if (tools_.size() <= state.tool) {
        tools_.resize(state.tool + 1);
        filament_mm_.resize(state.tool + 1, 0.0);
    }
    tools_[state.tool].retraction_mm = state.retraction_mm;
    tools_[state.tool].offset_mm = state.tool_offset_mm;
}

const MachineState& Simulator::step(const GcodeLine& line, std::uint64_t line_number,
                                    Diagnostics& diagnostics) {
    if (line.kind != LineKind::command) return state_;
    diagnostics_ = &diagnostics;
    line_number_ = line_number;
    previous_position_mm_ = state_.position_mm;
    state_.move = MoveKind::none;
    state_.e_delta_mm = 0.0;
    state_.move_length_mm = 0.0;
    state_.is_arc = false;
    dispatch(line);
    return state_;
}

void Simulator::dispatch(const GcodeLine& line) {
    switch (line.command_letter) {
        case 'G':
            switch (line.command_number) {
                case 0:
                case 1: return G0_G1(line);         // Linear move.
                case 2: return G2_G3(line, false);  // Clockwise arc.
                case 3: return G2_G3(line, true);   // Counter-clockwise arc.
                case 10: return G10(line);          // Firmware retract, or tool offsets.
                case 11: return G11();              // Firmware recover.
                case 20: return G20_G21(true);      // Inches.
                case 21: return G20_G21(false);     // Millimetres.
                case 28: return G28(line);          // Home.
                case 90: return G90_G91(false);     // Absolute positioning.
                case 91: return G90_G91(true);      // Relative positioning.
                case 92: return G92(line);          // Set position.
                default: return is_known_passive_g(line.command_number) ? void() : unknown(line);
            }
        case 'M':
            switch (line.command_number) {
                case 82: return M82_M83(false);  // Absolute extrusion.
                case 83: return M82_M83(true);   // Relative extrusion.
                case 207: return M207(line);     // Firmware retraction settings.
                case 208: return M208(line);     // Firmware recover settings.
                case 218: return M218(line);     // Hotend offsets.
                case 220: return M220(line);     // Speed factor.
                case 221: return M221(line);     // Flow factor.
                default: return is_known_passive_m(line.command_number) ? void() : unknown(line);
            }
        case 'T': return T(line);  // Tool change.
        case 'P': return;          // Prusa XL tool park (P0).
        case 0:
            if (line.word_mask != 0) warn("words without a command; ignored");
            return;
        default: return unknown(line);
    }
}

void Simulator::G20_G21(bool inches) {
    state_.inches = inches;
}

void Simulator::G90_G91(bool relative) {
    xyz_relative_ = relative;
    // Marlin's G90/G91 set the E axis too (M82/M83 only override E afterwards); Klipper makes E
    // relative while G91 is in force; RepRapFirmware leaves E to M82/M83.
    if (config_.flavor == FirmwareFlavor::marlin || config_.flavor == FirmwareFlavor::unknown) {
        e_relative_m83_ = relative;
    }
    state_.xyz_relative = relative;
    state_.e_relative = e_relative_m83_ || (config_.flavor == FirmwareFlavor::klipper && relative);
}

void Simulator::M82_M83(bool relative) {
    e_relative_m83_ = relative;
    state_.e_relative = relative || (config_.flavor == FirmwareFlavor::klipper && xyz_relative_);
}

void Simulator::G92(const GcodeLine& line) {
    const bool any_axis = (line.word_mask & (GcodeLine::bit('X') | GcodeLine::bit('Y') |
                                             GcodeLine::bit('Z') | GcodeLine::bit('E'))) != 0;
    // Without words, Klipper and RepRapFirmware zero every axis; Marlin does nothing.
    const bool zero_all = !any_axis && config_.flavor != FirmwareFlavor::marlin;
    constexpr std::array<char, 3> axes = {'X', 'Y', 'Z'};
    for (std::size_t axis = 0; axis < 3; ++axis) {
        if (!line.has(axes[axis]) && !zero_all) continue;
        const double logical = to_mm(line.value(axes[axis]));
        if (std::fabs(logical) > config_.coordinate_limit_mm) {
            error(std::string("G92: ") + axes[axis] + " is out of range; ignored");
            continue;
        }
        workspace_offset_mm_[axis] = state_.position_mm[axis] - logical;
    }
    if (line.has('E') || zero_all) {
        const double logical_e = to_mm(line.value('E'));
        if (std::fabs(logical_e) > config_.coordinate_limit_mm) {
            error("G92: E is out of range; ignored");
            return;
        }
        state_.e_mm = logical_e;
    }
    if (any_axis || zero_all) state_.homed = true;
}

void Simulator::M207(const GcodeLine& line) {
    if (line.has('S')) firmware_retract_length_mm_ = to_mm(line.value('S'));
    if (line.has('F')) firmware_retract_speed_mm_s_ = to_mm(line.value('F')) / 60.0;
    if (line.has('Z')) firmware_retract_zhop_mm_ = to_mm(line.value('Z'));
}

void Simulator::M208(const GcodeLine& line) {
    if (line.has('S')) firmware_recover_extra_mm_ = to_mm(line.value('S'));
    if (line.has('F')) firmware_recover_speed_mm_s_ = to_mm(line.value('F')) / 60.0;
}

void Simulator::M218(const GcodeLine& line) {
    set_tool_offset(line.value('T', static_cast<double>(state_.tool)), line);
}

void Simulator::set_tool_offset(double tool_number, const GcodeLine& line) {
    if (tool_number < 0 || tool_number >= config_.max_tools) {
        warn("tool offset: tool number out of range; ignored");
        return;
    }
    const auto index = static_cast<std::size_t>(tool_number);
    if (tools_.size() <= index) tools_.resize(index + 1);
    if (line.has('X')) tools_[index].offset_mm[0] = to_mm(line.value('X'));
    if (line.has('Y')) tools_[index].offset_mm[1] = to_mm(line.value('Y'));
    if (index == state_.tool) state_.tool_offset_mm = tools_[index].offset_mm;
}

void Simulator::M220(const GcodeLine& line) {
    if (!line.has('S')) return;
    const double percent = line.value('S');
    if (percent <= 0.0 || percent > 1000.0) {
        warn("M220: speed factor outside 1-1000 %; ignored");
        return;
    }
    state_.speed_factor_ratio = percent / 100.0;
}

void Simulator::M221(const GcodeLine& line) {
    if (!line.has('S')) return;
    const double percent = line.value('S');
    const double tool_number = line.value('T', static_cast<double>(state_.tool));
    if (percent < 0.0 || percent > 1000.0 || tool_number < 0 || tool_number >= config_.max_tools) {
        warn("M221: flow factor outside 0-1000 % or tool out of range; ignored");
        return;
    }
    const auto index = static_cast<std::size_t>(tool_number);
    if (tools_.size() <= index) tools_.resize(index + 1);
    tools_[index].flow_ratio = percent / 100.0;
}

void Simulator::T(const GcodeLine& line) {
    // Bambu Studio writes T255, T1000, T1100 as AMS housekeeping, not as tool changes.
    if (line.command_number >= static_cast<std::uint32_t>(config_.max_tools)) return;
    const std::uint32_t next = line.command_number;
    if (tools_.size() <= next) tools_.resize(next + 1);
    if (filament_mm_.size() <= next) filament_mm_.resize(next + 1, 0.0);
    state_.tool = next;
    // Octolapse clears the transitional flags on a tool change; the new tool's own
    // retraction decides the rest.
    ToolState& active = tool();
    active.was_extruding = active.was_retracting = active.was_deretracting = false;
    state_.retraction_mm = active.retraction_mm;
    state_.tool_offset_mm = active.offset_mm;
    state_.extruder = active.retraction_mm > 0.0 ? extruder_flag::retracted : extruder_flag::primed;
}

void Simulator::unknown(const GcodeLine& line) {
    std::string code(1, line.command_letter);
    code += std::to_string(line.command_number);
    if (line.subcode >= 0) code.append(".").append(std::to_string(line.subcode));
    warn("unknown command " + code + "; ignored");
}

void Simulator::warn(std::string_view message) {
    diagnostics_->warn(line_number_, message);
}
void Simulator::error(std::string_view message) {
    diagnostics_->error(line_number_, message);
}

}  // namespace strata::parser
