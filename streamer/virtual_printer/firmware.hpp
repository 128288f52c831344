// The virtual printer's firmware, without I/O: bytes arrive in the RX buffer, complete lines move
// to the command queue (checked for line number and checksum as Marlin's get_serial_commands
// does), commands run in order (moves wait for room in the planner, M400 for it to drain, M109
// for the heater), and replies collect in `output`. Time is the printer's clock in seconds,
// passed in by the owner, so the same code runs in real time, scaled, or instantly.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/parser/diagnostics.hpp"
#include "strata/parser/gcode_line.hpp"
#include "strata/parser/simulator.hpp"
#include "strata/planner/move_timer.hpp"
#include "strata/streamer/virtual_printer.hpp"

namespace strata::streamer::virtual_printer {

/// A heater that moves toward its target at a fixed rate.
struct Heater {
    double temperature_c = 22.0;
    double target_c = 0.0;
    double rate_c_s = 1.0;
    double ambient_c = 22.0;
    double updated_s = 0.0;

    void advance(double now_s);
    [[nodiscard]] bool reached() const;
};

/// What a received line was marked for when it was accepted.
struct LineFaults {
    bool drop_ok = false;
    bool duplicate_ok = false;
    bool busy = false;
    bool error_halt = false;
    bool reset = false;
    bool disconnect = false;
    bool thermal_runaway = false;
};

class Firmware {
  public:
    explicit Firmware(const VirtualPrinterConfig& config);

    /// The board starts: `start` and the greeting, all state fresh.
    void power_on(double now_s);
    [[nodiscard]] std::size_t rx_room() const { return config_.rx_buffer_bytes - rx_.size(); }
    /// Bytes off the wire; what does not fit is lost (counted). `wall_s` dates an M112.
    void receive(std::string_view bytes, double wall_s);
    /// Runs everything due by `now_s`.
    void advance(double now_s);
    /// The instant clock (`now_s`, moved on): jumps from event to event while commands wait on
    /// the firmware's own events (moves, dwells, heaters), so they run at once.
    void advance_instantly(double& now_s);
    /// Printer time of the next thing that happens without new input (infinity: nothing).
    [[nodiscard]] double next_event_s() const;
    /// Replies produced so far, handed over.
    [[nodiscard]] std::string take_output() { return std::exchange(output_, {}); }
    [[nodiscard]] bool wants_disconnect() const { return disconnect_; }
    /// Commands are waiting: time must pass for them (the instant clock may jump).
    [[nodiscard]] bool has_commands() const { return !commands_.empty(); }

    [[nodiscard]] LiveState live_state() const;
    [[nodiscard]] const std::vector<std::string>& executed_log() const { return log_; }
    /// Places in `executed_log` of commands that were damaged on the wire and ran all the same.
    [[nodiscard]] const std::vector<std::size_t>& damaged_in_log() const { return damaged_in_log_; }
    [[nodiscard]] const std::vector<double>& line_arrivals_s() const { return line_arrivals_s_; }
    [[nodiscard]] const std::vector<PrintedSegment>& printed() const { return printed_; }

  private:
    struct Command {
        std::string text;  ///< Without line number and checksum.
        std::optional<std::uint64_t> number;
        LineFaults faults;
        bool executed = false;
        bool ok_with_temperatures = false;  ///< M105: its ok carries the readings.
        bool damaged = false;  ///< Changed on the wire, yet taken (see `damaged_lines_taken`).
    };
    struct Block {
        std::uint64_t id;
        std::array<double, 4> from_mm;
        std::array<double, 4> to_mm;
        bool extruding;
        double ready_s;                    ///< Earliest start.
        std::optional<double> duration_s;  ///< From the move timer, once it has settled it.
        double end_s = 0.0;
        bool started = false;
    };
    enum class Wait : std::uint8_t { none, moves_done, until, heater };

    // Lines into commands (firmware_lines.cpp).
    bool take_lines();
    void receive_with_wire_faults(char byte);
    void note_damage();
    void accept_line(std::string_view line);
    std::optional<std::uint64_t> check_numbered(std::string_view text);
    void reject(std::string_view error, std::uint64_t last_line);
    LineFaults draw_faults(bool& spurious);
    void check_emergency(std::string_view bytes, double wall_s);

    // Commands (firmware_commands.cpp).
    bool run_commands(double now_s);
    bool wait_over(double now_s);
    /// False when the command cannot run yet (a move with the planner full).
    bool execute(Command& command, double now_s);
    void execute_m_code(Command& command, const parser::GcodeLine& line, double now_s);
    void acknowledge(const Command& command);
    [[nodiscard]] std::string temperatures() const;
    void report_firmware();
    bool apply_fatal_faults(const LineFaults& faults, double now_s);
    void halt(std::string_view reason);
    void keep_alive(double now_s);

    // Motion (firmware_motion.cpp).
    void queue_move(const parser::MachineState& before, const parser::MachineState& after,
                    double now_s);
    void queue_segment(std::array<double, 4> from_mm, std::array<double, 4> to_mm,
                       double e_delta_mm, double feedrate_mm_s, double now_s);
    bool finish_blocks(double now_s);
    void collect_timed();

    static constexpr std::size_t npos = ~std::size_t{0};
    /// The wire faults of the line arriving now (offsets from its first byte; npos: none).
    struct WireFaults {
        std::size_t offset = 0;
        std::size_t damage_at = npos;
        std::size_t lose_from = npos;
        std::size_t lose_bytes = 0;
    };

    VirtualPrinterConfig config_;
    WireFaults wire_;
    /// Line ends received and taken (or thrown away): a line's place in the stream, so a line
    /// that lost or changed bytes on its way is known when it is taken.
    std::uint64_t newlines_in_ = 0;
    std::uint64_t newlines_out_ = 0;
    std::deque<std::uint64_t> damaged_lines_;
    bool line_damaged_ = false;  ///< The line being checked now is one of them.
    std::string rx_;
    std::string line_buffer_;     ///< The line being received (Marlin's serial line buffer).
    std::string emergency_tail_;  ///< The last bytes received, for an M112 split across reads.
    std::deque<Command> commands_;
    std::deque<Block> planner_;
    planner::MoveTimer timer_;
    parser::Simulator simulator_;
    parser::Diagnostics diagnostics_;
    Heater hotend_;
    Heater bed_;
    std::mt19937_64 random_;
    std::string output_;
    std::vector<std::string> log_;
    std::vector<std::size_t> damaged_in_log_;
    std::vector<double> line_arrivals_s_;  ///< When each line's end arrived (steady clock).
    std::vector<PrintedSegment> printed_;

    std::uint64_t last_line_ = 0;
    std::uint64_t next_block_id_ = 1;
    double timer_end_s_ = 0.0;             ///< End of the last move the timer settled, its clock.
    double stepper_free_s_ = 0.0;          ///< When the stepper finished its last block.
    std::array<double, 4> position_mm_{};  ///< Where the last finished block ended.
    Wait wait_ = Wait::none;
    bool move_waiting_ = false;  ///< The next command is a move the full planner holds back.
    double wait_until_s_ = 0.0;
    double pending_dwell_s_ = 0.0;  ///< G4 / G28 time once the moves are done.
    Heater* waiting_heater_ = nullptr;
    double next_keepalive_s_ = 0.0;
    double next_wait_report_s_ = 0.0;
    double autoreport_interval_s_ = 0.0;
    double next_autoreport_s_ = 0.0;
    bool halted_ = false;
    bool disconnect_ = false;
    /// The counters published as they are (executed, resends, overflow, underruns, bytes,
    /// the M112 time); position, heaters and flags are filled in by live_state().
    LiveState counted_;
};

}  // namespace strata::streamer::virtual_printer
