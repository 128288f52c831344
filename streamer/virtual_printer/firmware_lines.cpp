// The firmware's serial side, as Marlin 2.x's GCodeQueue (Marlin/src/gcode/queue.cpp) has it:
// the RX buffer, the line buffer (MAX_CMD_SIZE), the emergency parser, and the checks of
// get_serial_commands: a line that starts with `N` must carry the next number (checked first; a
// lower one, a line already taken, fails too), then a `*` and a matching checksum. A bad line is
// answered by gcode_line_error: `Error:<what>, Last Line: <n>`, the RX buffer read out and
// discarded, then flush_and_request_resend's `Resend: <n + 1>` and `ok`. Lines still on the wire
// arrive afterwards and get the same answers; a line the discard cut arrives without its head.
// Faults on the wire (a damaged byte, an overrun that loses bytes) happen as bytes arrive, so
// Marlin's own checks find them.
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

// Marlin ends a line at either byte (ISEOL): a `\r` made by a damaged byte ends one too.
std::uint64_t line_ends(std::string_view bytes) {
    return static_cast<std::uint64_t>(
        std::count_if(bytes.begin(), bytes.end(), [](char c) { return c == '\n' || c == '\r'; }));
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
    // The micro-degree of slack: stepped by exactly the time `next_event_s` computed, the
    // temperature can land a rounding error short, and an instant printer (time_scale 0) would
    // then wait for an event due now, for ever.
    return target_c <= 0.0 || temperature_c >= target_c - 0.5 - 1e-6;
}

Firmware::Firmware(const VirtualPrinterConfig& config)
    : config_(config),
      timer_(config.limits, config.planner_blocks),
      simulator_(parser::MachineConfig{}),
      random_(config.seed) {}

void Firmware::power_on(double now_s) {
    rx_.clear();
    line_buffer_.clear();
    emergency_tail_.clear();  // An M112 before the boot halts nothing after it.
    wire_ = WireFaults{};
    damaged_lines_.clear();
    newlines_in_ = 0;
    newlines_out_ = 0;
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
    const bool wire_faults = config_.faults.corrupt_line > 0.0 || config_.faults.rx_overrun > 0.0;
    for (std::size_t at = 0; at < bytes.size();) {
        const std::size_t room = rx_room();
        if (room == 0) {
            counted_.rx_overflow_bytes += bytes.size() - at;
            note_damage();
            return;
        }
        if (!wire_faults) {
            const std::string_view taken = bytes.substr(at, std::min(room, bytes.size() - at));
            rx_.append(taken);
            newlines_in_ +=
                static_cast<std::uint64_t>(std::count(taken.begin(), taken.end(), '\n'));
            at += taken.size();
            continue;
        }
        receive_with_wire_faults(bytes[at++]);
    }
}

// The line now arriving (counted in line ends received) lost or changed bytes. Kept so that a
// damaged line the checks let through can be counted: no host can see those.
void Firmware::note_damage() {
    if (damaged_lines_.empty() || damaged_lines_.back() != newlines_in_)
        damaged_lines_.push_back(newlines_in_);
}

// Each line that starts on the wire draws its faults: the offset of a byte to damage, and of a
// run of bytes to lose. Offsets count from the line's first byte, past a damaged end of line.
void Firmware::receive_with_wire_faults(char byte) {
    if (wire_.offset == 0) {
        std::uniform_real_distribution<double> chance(0.0, 1.0);
        std::uniform_int_distribution<std::size_t> offset(0, 31);
        wire_.damage_at = chance(random_) < config_.faults.corrupt_line ? offset(random_) : npos;
        wire_.lose_from = chance(random_) < config_.faults.rx_overrun ? offset(random_) : npos;
        wire_.lose_bytes = std::uniform_int_distribution<std::size_t>(1, 24)(random_);
    }
    const std::size_t offset = wire_.offset++;
    if (offset == wire_.damage_at) {
        byte = static_cast<char>(byte ^ (1 << std::uniform_int_distribution<int>(0, 6)(random_)));
        note_damage();
    }
    const bool lost = wire_.lose_from != npos && offset >= wire_.lose_from &&
                      offset < wire_.lose_from + wire_.lose_bytes;
    if (byte == '\n') wire_.offset = 0;
    if (lost) {
        ++counted_.rx_overflow_bytes;
        note_damage();
        return;
    }
    rx_ += byte;
    if (byte == '\n' || byte == '\r') ++newlines_in_;
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
        const std::uint64_t line_index = newlines_out_++;
        while (!damaged_lines_.empty() && damaged_lines_.front() < line_index)
            damaged_lines_.pop_front();
        line_damaged_ = !damaged_lines_.empty() && damaged_lines_.front() == line_index;
        accept_line(std::exchange(line_buffer_, {}));  // May flush rx_.
    }
    return progress;
}

LineFaults Firmware::draw_faults(bool& spurious) {
    std::uniform_real_distribution<double> chance(0.0, 1.0);
    const FaultRates& rates = config_.faults;
    const auto hit = [&](double rate) { return rate > 0.0 && chance(random_) < rate; };
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
    // The line buffer holds no comment (process_stream_char stops at `;`), and an empty one is
    // no command and gets no ok.
    std::string_view text = line.substr(0, line.find(';'));
    while (!text.empty() && text.front() == ' ')
        text.remove_prefix(1);
    if (trim_blanks(text).empty()) return;
    Command command;
    if (text.front() == 'N') {
        const std::optional<std::uint64_t> number = check_numbered(text);
        if (!number) return;
        bool spurious = false;
        const bool m110 = text.find("M110") != std::string_view::npos;
        if (!m110) command.faults = draw_faults(spurious);
        if (spurious) return reject({}, last_line_);
        last_line_ = *number;
        // ADVANCED_OK's ok_to_send echoes the digits after the line's own leading `N`, which
        // for `N0 M110 N5` is 0, not the 5 it set.
        std::uint64_t leading = 0;
        std::from_chars(text.data() + 1, text.data() + text.size(), leading);
        command.number = leading;
    } else if (config_.refuse_checksum_without_number && text.find('*') != std::string_view::npos &&
               text.front() != 'n') {
        // Marlin 1.x's check: the tail of a line whose number was lost is refused, not run.
        return reject("No Line Number with checksum", last_line_);
    }
    // Marlin's parser skips an `N` word only in upper case (GCODE_CASE_INSENSITIVE is off by
    // default): a line whose `N` was damaged into `n` is an unknown command, not a move.
    command.text = text.front() == 'n' ? trim_blanks(text) : strip_numbering(text);
    if (line_damaged_) ++counted_.damaged_lines_taken;
    command.damaged = line_damaged_;
    commands_.push_back(std::move(command));
}

// get_serial_commands' checks of a line that starts with `N`, in its order; the line's number
// when it passes, else nothing (answered already). M110 takes any number: the one after its
// own `N` (`N0 M110 N5` sets 5), else the line's.
std::optional<std::uint64_t> Firmware::check_numbered(std::string_view text) {
    const bool m110 = text.find("M110") != std::string_view::npos;
    std::size_t number_at = 1;
    if (m110) {
        const std::size_t second = text.find('N', 4);
        if (second != std::string_view::npos) number_at = second + 1;
    }
    // strtol: digits after an optional sign; none at all reads as 0.
    std::int64_t number = 0;
    const std::string_view digits = text.substr(number_at);
    const char* from = digits.data() + (!digits.empty() && digits.front() == '+' ? 1 : 0);
    std::from_chars(from, digits.data() + digits.size(), number);
    const auto expected = static_cast<std::int64_t>(last_line_) + 1;
    if (!m110 && number != expected) {
        if (!config_.reject_duplicate_lines && number > 0 && number < expected &&
            text.rfind('*') != std::string_view::npos && checksum_matches(text)) {
            output_ += "ok\n";  // An intact line taken already: skipped, as Repetier does.
            return std::nullopt;
        }
        reject("Line Number is not Last Line Number+1", last_line_);
        return std::nullopt;
    }
    if (text.rfind('*') == std::string_view::npos) {
        reject("No Checksum with line number", last_line_);
        return std::nullopt;
    }
    if (!checksum_matches(text)) {
        reject("checksum mismatch", last_line_);
        return std::nullopt;
    }
    return static_cast<std::uint64_t>(std::max<std::int64_t>(0, number));
}

// gcode_line_error, then flush_and_request_resend. An empty `error` is a request alone (the
// spurious fault: a good line refused).
void Firmware::reject(std::string_view error, std::uint64_t last_line) {
    ++counted_.resend_requests;
    if (!error.empty()) {
        output_ += "Error:";
        output_ += error;
        output_ += ", Last Line: " + std::to_string(last_line) + "\n";
    }
    // `while (read_serial(...) != -1)`: what is in the RX buffer now; bytes still on the wire
    // arrive afterwards. Boards whose serial driver keeps them skip this.
    if (config_.flush_rx_on_resend) {
        newlines_out_ += line_ends(rx_);
        rx_.clear();
    }
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
