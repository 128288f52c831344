// A Marlin-like printer on a pseudo-terminal, for tests, benchmarks and demos: an RX buffer in
// bytes, a command queue of BUFSIZE lines, a planner queue whose moves take the time strata's
// motion planner computes (scaled so tests run fast), optional baud-rate emulation, heaters with
// autoreport, line-number and checksum checks with resend requests, and fault injection with
// rates and a seed. It logs every command it executes and publishes its live state (position,
// printed segments) for the virtual camera.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "strata/common/result.hpp"
#include "strata/planner/motion_limits.hpp"

namespace strata::streamer {

/// Per received numbered line, the chance of each fault (0..1).
struct FaultRates {
    // Recoverable: the host must end with every line executed exactly once.
    /// One byte of the line is damaged on the wire (a bit flipped): whichever check Marlin makes
    /// first fails (line number, checksum, a missing `*`), or a damaged end of line merges it
    /// with the next.
    double corrupt_line = 0.0;
    /// A run of the line's bytes is lost on arrival, as when the UART's receive interrupt is
    /// late (an RX overrun): the line arrives cut, or merged with the next.
    double rx_overrun = 0.0;
    double drop_ok = 0.0;          ///< The line runs but its ok never leaves.
    double duplicate_ok = 0.0;     ///< Its ok is sent twice.
    double spurious_resend = 0.0;  ///< A good line is refused and asked for again.
    double busy = 0.0;             ///< The line keeps the firmware busy (`echo:busy:`) a while.
    // Unrecoverable: the job must end with the reason, never hang.
    double error_halt = 0.0;       ///< `Error:Printer halted. kill() called!`
    double reset = 0.0;            ///< The board resets (`start`): all state lost.
    double disconnect = 0.0;       ///< The link goes away.
    double thermal_runaway = 0.0;  ///< Thermal runaway, then halted.
};

struct VirtualPrinterConfig {
    std::size_t rx_buffer_bytes = 128;  ///< Marlin's RX_BUFFER_SIZE.
    std::size_t command_slots = 4;      ///< Marlin's BUFSIZE.
    /// Marlin's MAX_CMD_SIZE: the bytes of a longer line past it are dropped.
    std::size_t max_command_bytes = 96;
    std::size_t planner_blocks = 16;  ///< Marlin's BLOCK_BUFFER_SIZE.
    /// Bytes on the wire take 10 bits each at this rate, both ways, and bytes that find the RX
    /// buffer full are lost (a UART). 0: a native USB port, flow controlled, no wire time.
    int baud = 0;
    /// Wall seconds per printer second: 1 real time, 0.01 a hundred times faster, 0 instant.
    double time_scale = 1.0;
    bool advanced_ok = false;  ///< `ok N<line> P<planner free> B<queue free>`.
    bool autoreport = true;    ///< M155 temperature autoreport (else the host must poll M105).
    /// Marlin's GCodeQueue::gcode_line_error reads out and discards everything in the RX
    /// buffer before it asks for the line again (AVR boards); some 32-bit boards' serial
    /// drivers do not, and the lines already received are then rejected one by one.
    bool flush_rx_on_resend = true;
    /// Marlin rejects a line whose number is not the last plus one, a lower one (a resend of a
    /// line it already took) included. Off: an intact line (its checksum matches) numbered
    /// below the next is answered with `ok` and not run again, as Repetier firmware skips it.
    bool reject_duplicate_lines = true;
    /// Marlin 1.x (and Prusa-Firmware) refuse a line that carries a checksum but no number
    /// ("No Line Number with checksum"), which is what a line whose head was thrown away with
    /// the RX buffer looks like. Marlin 2.x's get_serial_commands takes it, and its parser runs
    /// it when it starts with G, M or T: the command of a line cut just before it then runs,
    /// and again when the whole line is sent again.
    bool refuse_checksum_without_number = false;
    std::string firmware_name = "Marlin strata-virtual 2.1";
    double ambient_c = 22.0;
    double hotend_rate_c_s = 4.0;
    double bed_rate_c_s = 1.5;
    double busy_interval_s = 2.0;  ///< Host keepalive while a command runs long.
    double home_s = 3.0;           ///< What G28 takes.
    /// Marlin's software endstops (MIN_/MAX_SOFTWARE_ENDSTOPS, on by default): a move's target
    /// is clamped into this box (apply_motion_limits in Marlin/src/module/motion.cpp), so a
    /// number damaged on the wire into a huge one moves to the edge instead of for hours.
    std::array<double, 3> min_position_mm = {-10.0, -10.0, 0.0};
    std::array<double, 3> max_position_mm = {260.0, 220.0, 220.0};
    planner::MotionLimits limits;
    FaultRates faults;
    std::uint64_t seed = 1;
    std::size_t log_limit = 10'000'000;  ///< Executed commands kept for tests.
    /// A microcontroller is never descheduled: benchmarks ask for SCHED_FIFO (where granted) so
    /// the host's other load delays the host, not the printer.
    bool realtime_priority = false;
};

/// A straight extrusion the printer has finished, for drawing the print.
struct PrintedSegment {
    std::array<float, 3> from_mm;
    std::array<float, 3> to_mm;
};

struct LiveState {
    std::array<double, 4> position_mm{};  ///< X Y Z E where the last finished move ended.
    double hotend_c = 0.0;
    double hotend_target_c = 0.0;
    double bed_c = 0.0;
    double bed_target_c = 0.0;
    bool halted = false;
    bool moving = false;
    std::uint64_t executed = 0;
    std::uint64_t resend_requests = 0;
    /// Lines that were no command (fragments of lines, unknown words): echoed, not executed.
    std::uint64_t unknown_commands = 0;
    std::uint64_t rx_overflow_bytes = 0;
    /// Lines that lost or changed bytes on the way and were still taken as commands: their
    /// damage left the XOR checksum as it was (two equal bytes lost, a merge whose sum agrees),
    /// or they carried none. No host can tell them from good lines.
    std::uint64_t damaged_lines_taken = 0;
    /// Times the stepper found the next block not yet planned with look-ahead (the host did
    /// not keep the planner fed): each one plans the queue to a stop.
    std::uint64_t planner_underruns = 0;
    std::uint64_t bytes_received = 0;
    double emergency_stop_wall_s = -1.0;  ///< When M112 arrived (steady clock), if it did.
};

class VirtualPrinter {
  public:
    explicit VirtualPrinter(const VirtualPrinterConfig& config);
    ~VirtualPrinter();
    VirtualPrinter(const VirtualPrinter&) = delete;
    VirtualPrinter& operator=(const VirtualPrinter&) = delete;

    /// Opens the pty and starts the firmware thread.
    [[nodiscard]] Status start();
    void stop();
    /// The pty a host opens (`/dev/pts/N`). Each open boots the board afresh (`start`), as
    /// DTR resets an Arduino-based printer: that is how a host recovers it after M112.
    [[nodiscard]] const std::string& path() const;
    [[nodiscard]] LiveState state() const;
    /// Commands executed so far, as received without line number and checksum.
    [[nodiscard]] std::vector<std::string> executed_log() const;
    /// When each line arrived (steady clock, seconds): the host's pacing, seen from the wire.
    [[nodiscard]] std::vector<double> line_arrivals_s() const;
    /// When each `ok` was written to the host (steady clock, seconds). With the arrivals, the
    /// host's reaction time: from an ok to the next line it sends in answer.
    [[nodiscard]] std::vector<double> ok_writes_s() const;
    /// Extrusions finished from index `first` on.
    [[nodiscard]] std::vector<PrintedSegment> printed_since(std::size_t first) const;
    /// Power-cycles the board: `start`, all state lost.
    void reset();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace strata::streamer
