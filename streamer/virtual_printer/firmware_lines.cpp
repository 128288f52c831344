// The firmware's serial side: the RX buffer, the line buffer (MAX_CMD_SIZE), the emergency
// parser, and Marlin's line checks (get_serial_commands): a numbered line needs its checksum and
// the next number; a bad one is answered with `Error:...`, `Resend: <last + 1>`, `ok`, and the
// RX buffer is flushed.
#include <algorithm>
#include <charconv>
#include <cstring>

#include "firmware.hpp"
#include "strata/parser/lexer.hpp"
#include "strata/streamer/protocol.hpp"

namespace strata::streamer::virtual_printer {
namespace {

// Marlin's check: the XOR of every byte before the last `*` equals the number after it.
bool checksum_matches(std::string_view line) {
    const std::size_t star = line.rfind('*');
    if (star == std::string_view::npos) return false;
    unsigned value = 0;
    const std::string_view digits = trim_blanks(line.substr(star + 1));
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error != std::errc() || digits.empty()) return false;
    return checksum_of(line.substr(0, star)) == value;
}

}  // namespace

void Heater::advance(double now_s) {
    const double step = rate_c_s * std::max(0.0, now_s - updated_s);
    const double goal = target_c > 0.0 ? target_c : ambient_c;
    temperature_c = temperature_c < goal ? std::min(goal, temperature_c + step)
                                         : std::max(goal, temperature_c - step);
    updated_s = now_s;
}

bool Heater::reached() const {
    return target_c <= 0.0 || temperature_c >= target_c - 0.5;
}

Firmware::Firmware(const VirtualPrinterConfig& config)
    : config_(config),
      timer_(config.limits, config.planner_blocks),
      simulator_(parser::MachineConfig{}),
      random_(config.seed) {}

void Firmware::power_on(double now_s) {
    rx_.clear();
    line_buffer_.clear();
    commands_.clear();
    planner_.clear();
    // Moves the timer still holds belong to the previous power cycle: drained, not run.
    timer_.flush();
    planner::TimedMove drained{};
    while (timer_.next_timed(drained))
        timer_end_s_ = drained.end_s;
    simulator_.resume(parser::MachineState{}, {0.0, 0.0, 0.0});
    hotend_ = Heater{config_.ambient_c, 0.0, config_.hotend_rate_c_s, config_.ambient_c, now_s};
    bed_ = Heater{config_.ambient_c, 0.0, config_.bed_rate_c_s, config_.ambient_c, now_s};
    last_line_ = 0;
    wait_ = Wait::none;
    pending_dwell_s_ = 0.0;
    halted_ = false;
    disconnect_ = false;
    autoreport_interval_s_ = 0.0;
    stepper_free_s_ = now_s;
    output_ += "start\necho:" + config_.firmware_name + "\necho: Last Updated: strata\n";
}

void Firmware::receive(std::string_view bytes, double wall_s) {
    counted_.bytes_received += bytes.size();
    for (const char c : bytes)
        if (c == '\n' && line_arrivals_s_.size() < config_.log_limit)
            line_arrivals_s_.push_back(wall_s);
    check_emergency(bytes, wall_s);
    const std::size_t room = rx_room();
    if (bytes.size() > room) counted_.rx_overflow_bytes += bytes.size() - room;
    rx_.append(bytes.substr(0, room));
}

// Marlin's emergency parser reads M112 as the bytes arrive, ahead of a full command queue.
void Firmware::check_emergency(std::string_view bytes, double wall_s) {
    emergency_tail_.append(bytes.substr(bytes.size() > 16 ? bytes.size() - 16 : 0));
    const bool found = std::string_view(emergency_tail_).find("M112") != std::string_view::npos ||
                       bytes.find("M112") != std::string_view::npos;
    if (emergency_tail_.size() > 8) emergency_tail_.erase(0, emergency_tail_.size() - 8);
    if (!found || halted_) return;
    counted_.emergency_stop_wall_s = wall_s;
    halt("Printer halted. kill() called!");
}

// Marlin moves bytes from the RX ring into its line buffer whenever the command queue has a free
// slot, whether or not a whole line is there: a ring full of bytes without an end of line (the
// ends lost to an overflow) empties all the same, and an overlong line is cut at MAX_CMD_SIZE.
bool Firmware::take_lines() {
    bool progress = false;
    while (!halted_ && !rx_.empty() && commands_.size() < config_.command_slots) {
        progress = true;
        const std::size_t end = rx_.find_first_of("\r\n");
        const std::size_t room = config_.max_command_bytes - 1 - line_buffer_.size();
        line_buffer_.append(rx_, 0, std::min({end, rx_.size(), room}));
        if (end == std::string::npos) {
            rx_.clear();
            break;
        }
        rx_.erase(0, end + 1);
        accept_line(std::exchange(line_buffer_, {}));  // May flush rx_.
    }
    return progress;
}

LineFaults Firmware::draw_faults(bool& corrupt, bool& spurious) {
    std::uniform_real_distribution<double> chance(0.0, 1.0);
    const FaultRates& rates = config_.faults;
    const auto hit = [&](double rate) { return rate > 0.0 && chance(random_) < rate; };
    corrupt = hit(rates.corrupt_line);
    spurious = hit(rates.spurious_resend);
    LineFaults faults;
    faults.drop_ok = hit(rates.drop_ok);
    faults.duplicate_ok = hit(rates.duplicate_ok);
    faults.busy = hit(rates.busy);
    faults.error_halt = hit(rates.error_halt);
    faults.reset = hit(rates.reset);
    faults.disconnect = hit(rates.disconnect);
    faults.thermal_runaway = hit(rates.thermal_runaway);
    return faults;
}

void Firmware::accept_line(std::string_view line) {
    const parser::GcodeLine lexed = parser::lex_line(line);
    if (lexed.kind == parser::LineKind::empty || lexed.kind == parser::LineKind::comment) return;
    Command command;
    if (lexed.has_line_number) {
        const bool m110 = lexed.is('M', 110);
        if (!lexed.has_checksum) return reject("No Checksum with line number", last_line_);
        if (!checksum_matches(line)) return reject("checksum mismatch", last_line_);
        if (!m110 && lexed.line_number != last_line_ + 1)
            return reject("Line Number is not Last Line Number+1", last_line_);
        bool corrupt = false;
        bool spurious = false;
        if (!m110) command.faults = draw_faults(corrupt, spurious);
        if (corrupt) return reject("checksum mismatch", last_line_);
        if (spurious) return reject({}, last_line_);
        last_line_ = m110 && lexed.has('N') ? static_cast<std::uint64_t>(lexed.value('N'))
                                            : lexed.line_number;
        command.number = lexed.line_number;
    } else if (lexed.has_checksum) {
        return reject("No Line Number with checksum", last_line_);
    }
    command.text = strip_numbering(line);
    commands_.push_back(std::move(command));
}

void Firmware::reject(std::string_view error, std::uint64_t last_line) {
    ++counted_.resend_requests;
    if (!error.empty()) {
        output_ += "Error:";
        output_ += error;
        output_ += ", Last Line: " + std::to_string(last_line) + "\n";
    }
    if (config_.flush_rx_on_resend) rx_.clear();
    line_buffer_.clear();
    output_ += "Resend: " + std::to_string(last_line + 1) + "\nok\n";
}

LiveState Firmware::live_state() const {
    LiveState state = counted_;
    state.position_mm = position_mm_;
    state.hotend_c = hotend_.temperature_c;
    state.hotend_target_c = hotend_.target_c;
    state.bed_c = bed_.temperature_c;
    state.bed_target_c = bed_.target_c;
    state.halted = halted_;
    state.moving = !planner_.empty();
    return state;
}

}  // namespace strata::streamer::virtual_printer
