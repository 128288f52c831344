// The firmware's command side: commands run in order; a move waits for room in the planner,
// M400/G4/G28 for the moves to finish, M109/M190 for the heater, an injected busy fault for a
// while; the `ok` (with ADVANCED_OK's N, P and B when enabled) leaves when the command is done.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>

#include "firmware.hpp"
#include "strata/parser/lexer.hpp"

namespace strata::streamer::virtual_printer {
namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

bool is_move(const parser::GcodeLine& line) {
    return line.command_letter == 'G' && line.command_number <= 3 && line.subcode < 0;
}

}  // namespace

void Firmware::advance(double now_s) {
    hotend_.advance(now_s);
    bed_.advance(now_s);
    for (;;) {
        bool progress = take_lines();
        progress = run_commands(now_s) || progress;
        progress = finish_blocks(now_s) || progress;
        if (!progress) break;
    }
    keep_alive(now_s);
}

void Firmware::advance_instantly(double& now_s) {
    while (has_commands() && std::isfinite(next_event_s())) {
        const double before = now_s;
        now_s = std::max(now_s, next_event_s());
        advance(now_s);
        if (now_s == before) break;
    }
}

bool Firmware::wait_over(double now_s) {
    switch (wait_) {
        case Wait::none: return true;
        case Wait::moves_done:
            if (!planner_.empty()) return false;
            if (pending_dwell_s_ > 0.0) {
                wait_ = Wait::until;
                wait_until_s_ = now_s + std::exchange(pending_dwell_s_, 0.0);
                return false;
            }
            return true;
        case Wait::until: return now_s >= wait_until_s_;
        case Wait::heater: return waiting_heater_ == nullptr || waiting_heater_->reached();
    }
    return true;
}

bool Firmware::run_commands(double now_s) {
    bool progress = false;
    move_waiting_ = false;
    while (!halted_ && !commands_.empty()) {
        if (wait_ != Wait::none) {
            if (!wait_over(now_s)) break;
            wait_ = Wait::none;
        }
        Command& command = commands_.front();
        if (command.faults.busy) {
            // Keeps the firmware busy before the command runs, as a slow probe or a
            // filament-runout pause would.
            command.faults.busy = false;
            wait_ = Wait::until;
            wait_until_s_ = now_s + 2.5 * config_.busy_interval_s;
            next_keepalive_s_ = now_s;
            continue;
        }
        if (!command.executed) {
            move_waiting_ = !execute(command, now_s);
            if (move_waiting_) break;  // No room in the planner yet.
            command.executed = true;
            progress = true;
            if (halted_ || commands_.empty()) break;  // Halted, or reset by a fault.
            if (wait_ != Wait::none) {
                next_keepalive_s_ = now_s + config_.busy_interval_s;
                continue;
            }
        }
        acknowledge(command);
        commands_.pop_front();
        progress = true;
    }
    return progress;
}

bool Firmware::execute(Command& command, double now_s) {
    const parser::GcodeLine line = parser::lex_line(command.text);
    if (is_move(line) && planner_.size() >= config_.planner_blocks) return false;
    if (apply_fatal_faults(command.faults, now_s)) return true;
    // Marlin's parser takes the command from the first byte, G, M or T: the tail of a line
    // whose head was lost ("19 G1 X40.6", "X40.6 Y40") is no command, whatever follows.
    const char first =
        command.text.empty()
            ? '\0'
            : static_cast<char>(std::toupper(static_cast<unsigned char>(command.text.front())));
    const bool command_first =
        (first == 'G' || first == 'M' || first == 'T') && line.command_letter == first;
    if (line.kind != parser::LineKind::command || !command_first) {
        ++counted_.unknown_commands;
        output_ += "echo:Unknown command: \"" + command.text + "\"\n";
        return true;
    }
    ++counted_.executed;
    if (log_.size() < config_.log_limit) {
        if (command.damaged) damaged_in_log_.push_back(log_.size());
        log_.push_back(command.text);
    }
    if (line.error != parser::LexError::none) return true;  // Reached the firmware, not run.
    const parser::MachineState before = simulator_.state();
    const parser::MachineState& after = simulator_.step(line, counted_.executed, diagnostics_);
    if (line.command_letter == 'G') {
        if (is_move(line)) {
            queue_move(before, after, now_s);
        } else if (line.command_number == 4) {
            wait_ = Wait::moves_done;
            pending_dwell_s_ = line.has('S') ? line.value('S') : line.value('P') / 1000.0;
        } else if (line.command_number == 28) {
            wait_ = Wait::moves_done;
            pending_dwell_s_ = config_.home_s;
            position_mm_ = {after.position_mm[0], after.position_mm[1], after.position_mm[2],
                            after.e_mm};
        }
    } else if (line.command_letter == 'M') {
        execute_m_code(command, line, now_s);
    }
    return true;
}

void Firmware::execute_m_code(Command& command, const parser::GcodeLine& line, double now_s) {
    switch (line.command_number) {
        case 104: hotend_.target_c = line.value('S', hotend_.target_c); break;
        case 140: bed_.target_c = line.value('S', bed_.target_c); break;
        case 109:
        case 190: {
            Heater& heater = line.command_number == 109 ? hotend_ : bed_;
            heater.target_c = line.has('S') ? line.value('S') : line.value('R', heater.target_c);
            wait_ = Wait::heater;
            waiting_heater_ = &heater;
            next_wait_report_s_ = now_s + 1.0;
            break;
        }
        case 105: command.ok_with_temperatures = true; break;
        case 114: {
            const auto& state = simulator_.state();
            char text[160];
            std::snprintf(text, sizeof text, "X:%.2f Y:%.2f Z:%.2f E:%.2f Count X:0 Y:0 Z:0\n",
                          state.position_mm[0], state.position_mm[1], state.position_mm[2],
                          state.e_mm);
            output_ += text;
            break;
        }
        case 110:
            // Marlin's M110 handler: `M110 N<x>` sets the last line number again as it runs
            // (a line's own `N`, read with it, is no parameter).
            if (line.has('N'))
                last_line_ = static_cast<std::uint64_t>(std::max(0.0, line.value('N')));
            break;
        case 115: report_firmware(); break;
        case 155:
            if (!config_.autoreport) {
                output_ += "echo:Unknown command: \"M155\"\n";
                break;
            }
            autoreport_interval_s_ = line.value('S', 0.0);
            next_autoreport_s_ = now_s + autoreport_interval_s_;
            break;
        case 400: wait_ = Wait::moves_done; break;
        case 112: halt("Printer halted. kill() called!"); break;
        default: break;
    }
}

void Firmware::acknowledge(const Command& command) {
    if (command.faults.drop_ok) return;
    std::string ok = "ok";
    if (command.ok_with_temperatures) {
        ok += ' ';
        ok += temperatures();
    } else if (config_.advanced_ok) {
        if (command.number) ok += " N" + std::to_string(*command.number);
        ok += " P" + std::to_string(config_.planner_blocks - planner_.size());
        ok += " B" + std::to_string(config_.command_slots - commands_.size());
    }
    ok += '\n';
    output_ += ok;
    if (command.faults.duplicate_ok) output_ += ok;
}

std::string Firmware::temperatures() const {
    char text[128];
    std::snprintf(text, sizeof text, "T:%.2f /%.2f B:%.2f /%.2f @:0 B@:0", hotend_.temperature_c,
                  hotend_.target_c, bed_.temperature_c, bed_.target_c);
    return text;
}

void Firmware::report_firmware() {
    output_ += "FIRMWARE_NAME:" + config_.firmware_name +
               " SOURCE_CODE_URL:github.com/strata PROTOCOL_VERSION:1.0 MACHINE_TYPE:Virtual "
               "EXTRUDER_COUNT:1 UUID:00000000-0000-0000-0000-000000000000\n";
    const auto flag = [](bool on) { return on ? ":1\n" : ":0\n"; };
    output_ += "Cap:SERIAL_XON_XOFF:0\nCap:EEPROM:0\nCap:AUTOREPORT_TEMP";
    output_ += flag(config_.autoreport);
    output_ +=
        "Cap:AUTOREPORT_POS:0\nCap:BUSY_PROTOCOL:1\nCap:EMERGENCY_PARSER:1\n"
        "Cap:HOST_ACTION_COMMANDS:1\nCap:ADVANCED_OK";
    output_ += flag(config_.advanced_ok);
}

bool Firmware::apply_fatal_faults(const LineFaults& faults, double now_s) {
    if (faults.thermal_runaway) {
        output_ += "Error:Thermal Runaway, system stopped! Heater_ID: 0\n";
        halt("Printer halted. kill() called!");
    } else if (faults.error_halt) {
        halt("Printer halted. kill() called!");
    } else if (faults.reset) {
        power_on(now_s);
    } else if (faults.disconnect) {
        disconnect_ = true;
        commands_.clear();
    } else {
        return false;
    }
    return true;
}

void Firmware::halt(std::string_view reason) {
    halted_ = true;
    output_ += "Error:";
    output_ += reason;
    output_ += '\n';
    commands_.clear();
    hotend_.target_c = 0.0;
    bed_.target_c = 0.0;
    wait_ = Wait::none;
}

void Firmware::keep_alive(double now_s) {
    if (halted_) return;
    if (wait_ != Wait::none && now_s >= next_keepalive_s_) {
        output_ += "echo:busy: processing\n";
        next_keepalive_s_ = now_s + config_.busy_interval_s;
    }
    if (wait_ == Wait::heater && now_s >= next_wait_report_s_) {
        output_ += temperatures() + " W:?\n";
        next_wait_report_s_ = now_s + 1.0;
    }
    if (autoreport_interval_s_ > 0.0 && now_s >= next_autoreport_s_) {
        output_ += ' ' + temperatures() + '\n';
        next_autoreport_s_ = now_s + autoreport_interval_s_;
    }
}

double Firmware::next_event_s() const {
    if (halted_) return infinity;
    double next = infinity;
    if (!planner_.empty()) {
        const Block& front = planner_.front();
        next = front.started ? front.end_s : std::max(stepper_free_s_, front.ready_s);
    }
    if (wait_ == Wait::until) next = std::min(next, wait_until_s_);
    if (wait_ == Wait::heater && waiting_heater_ != nullptr) {
        const Heater& heater = *waiting_heater_;
        const double left_s =
            std::max(0.0, heater.target_c - 0.5 - heater.temperature_c) / heater.rate_c_s;
        next = std::min({next, heater.updated_s + left_s, next_wait_report_s_});
    }
    if (wait_ != Wait::none) next = std::min(next, next_keepalive_s_);
    if (autoreport_interval_s_ > 0.0) next = std::min(next, next_autoreport_s_);
    return next;
}

}  // namespace strata::streamer::virtual_printer
