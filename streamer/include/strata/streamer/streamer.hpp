// The print streamer: one thread that owns the link and the protocol, sends a job at the wire's
// speed, stops at each `@STRATA SNAPSHOT` until the moves before it are done and the capture
// callback has run (or its deadline passed), pauses, resumes and cancels with scripts, and
// reports through a lock-free event queue that no consumer can block. Commands to it
// (`start_job`, `pause`, ...) are queued and wake it; `emergency_stop` writes M112 at once, ahead
// of everything, in every state.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "strata/streamer/job.hpp"
#include "strata/streamer/link.hpp"
#include "strata/streamer/protocol.hpp"
#include "strata/streamer/reply.hpp"
#include "strata/streamer/terminal_log.hpp"

namespace strata::streamer {

enum class PrinterState : std::uint8_t {
    disconnected,
    connecting,
    operational,
    printing,
    pausing,
    paused,
    cancelling,
    error,
};
[[nodiscard]] std::string_view to_string(PrinterState state);

/// G-code the host sends on pause, resume and cancel. Empty: built from the settings below.
/// Templates may use {x} {y} {z} {e} (where the job stood) and {f} (its feedrate, mm/min).
struct ScriptSettings {
    std::string pause;
    std::string resume;
    std::string cancel;
    double retract_mm = 2.0;
    double retract_speed_mm_s = 35.0;
    double lift_mm = 5.0;
    double lift_speed_mm_s = 10.0;
    double travel_speed_mm_s = 100.0;
    std::optional<std::array<double, 2>> park_mm;  ///< Where the head waits while paused.
    std::optional<double> max_z_mm;                ///< The lift never goes above it.
};

struct StreamerConfig {
    LinkOptions link;
    ProtocolConfig protocol;
    double handshake_timeout_s = 3.0;  ///< Per attempt.
    int handshake_attempts = 3;
    double autoreport_interval_s = 2.0;  ///< M155 S.. when the firmware can autoreport.
    double temperature_poll_s = 5.0;     ///< M105 otherwise.
    double capture_timeout_s = 10.0;     ///< The camera's deadline at a snapshot.
    double progress_interval_s = 0.5;
    std::size_t send_ahead_lines = 16;  ///< Lines numbered ahead of the window.
    /// The longest line the firmware reads whole, its number and checksum included; a job line
    /// longer fails the job. 0: Marlin's 95 when the firmware names itself Marlin or Prusa.
    std::size_t max_line_bytes = 0;
    /// Ask for SCHED_FIFO on the streamer thread (granted to root or with CAP_SYS_NICE).
    bool realtime_priority = true;
    /// Without ADVANCED_OK a lost ok leaves a line counted in flight for good; an M105 every
    /// this many job lines re-synchronises the count (its ok is recognisable). 0: only the
    /// timeout probe does it.
    std::size_t sync_every_lines = 0;
    /// When the printer has been answering faster than this, the loop polls without sleeping for
    /// up to this long before it blocks: on a fast link the wake-up, not the work, bounds the
    /// rate. A slow link (any real-time print) never spins. 0 turns it off.
    double spin_for_reply_s = 300e-6;
    ScriptSettings scripts;
    /// Where every line sent and received is written (the server's terminal); none: not kept.
    std::shared_ptr<TerminalLog> terminal;
};

struct JobProgress {
    std::uint64_t line = 0;  ///< Last job line acknowledged.
    std::uint64_t total_lines = 0;
    double percent = 0.0;
    double elapsed_s = 0.0;
    double estimated_elapsed_s = 0.0;  ///< What the estimate says the acknowledged lines take.
    double remaining_s = -1.0;         ///< Corrected by the observed pace; -1 unknown.
    std::int64_t layer = -1;
    double z_mm = 0.0;
    std::uint32_t snapshots_taken = 0;
    std::uint32_t snapshots_total = 0;
    double parked_s = 0.0;  ///< Time the head stood still for snapshots.
    /// Every job line has been sent; the printer is finishing its last moves (OctoPrint's
    /// "Finishing").
    bool finishing = false;
};

enum class EventKind : std::uint8_t {
    state,         ///< `state` changed.
    connected,     ///< `text`: the firmware's name.
    temperatures,  ///< `heaters`.
    position,      ///< `position_mm`, from an M114 report.
    progress,
    snapshot,      ///< `snapshot` taken, `parked_s`, `ok` (false: camera failed or late).
    job_finished,  ///< `text`: a summary (lines, resends, timeouts).
    job_failed,    ///< `text`: the reason.
    /// The link went away mid-job (the printer unplugged, powered off, its USB reset): the job
    /// stopped where its lines were last confirmed and can be resumed from its layer. `text`:
    /// the reason.
    job_interrupted,
    job_cancelled,
    paused,
    resumed,
    message,  ///< A host command, an action, a firmware echo worth showing.
    error,    ///< `text`: a firmware error.
    /// `text`: why the link went away (closed, or a read or write failed); the connection is
    /// over and the state becomes `disconnected`. The port may come back (a replug).
    link_lost,
};

struct StreamerEvent {
    EventKind kind = EventKind::message;
    PrinterState state = PrinterState::disconnected;
    std::string text;
    JobProgress progress;
    std::array<HeaterReading, Reply::max_heaters> heaters{};
    std::uint8_t heater_count = 0;
    std::array<double, 4> position_mm{};  ///< X Y Z E.
    std::uint32_t snapshot = 0;
    double parked_s = 0.0;
    bool ok = true;
};

/// Called on the capture thread at each snapshot with the head parked; refused, saying why,
/// when a camera failed. The streamer waits at most `capture_timeout_s`.
using CaptureCallback = std::function<Status(std::uint32_t snapshot)>;

/// Finds the printer by handshake: every port (`target` "auto" or empty: the serial ports
/// libserialport lists, USB first) at every rate (`baud` 0: the usual printer rates) until one
/// answers a numbered M110 within `timeout_s`. `tried` lists what was tried, for the error.
[[nodiscard]] std::optional<LinkOptions> detect_printer(const LinkOptions& wanted, double timeout_s,
                                                        std::string& tried);

class Streamer {
  public:
    explicit Streamer(const StreamerConfig& config);
    ~Streamer();
    Streamer(const Streamer&) = delete;
    Streamer& operator=(const Streamer&) = delete;

    /// Opens the link, starts the thread and waits for the handshake (M110, M115).
    [[nodiscard]] Status connect();
    void disconnect();
    /// Replaces the capture callback. Returns once the previous callback is not running, so
    /// what it refers to may be destroyed afterwards (`set_capture({})` before that).
    void set_capture(CaptureCallback capture);

    /// Prints `job_path` (an annotated job or any G-code file) with `timeline` for progress.
    [[nodiscard]] Status start_job(const std::string& job_path, const JobTimeline& timeline);
    void pause();
    void resume();
    void cancel();
    /// Ends a paused job without the cancel script (the heaters stay on), for a restart from
    /// the beginning: `job_cancelled` with the text "restarted". Ignored unless paused.
    void abandon();
    /// A command typed by the user; sent between job lines.
    void send_command(const std::string& command);
    /// Replaces the offsets added to the temperatures the job sets, from its next line on.
    void set_temperature_offsets(const TemperatureOffsets& offsets);
    /// M112 now, then the link is closed; the job fails with "emergency stop".
    void emergency_stop();

    [[nodiscard]] PrinterState state() const;
    /// The next event, without waiting.
    bool poll_event(StreamerEvent& event);
    /// The next event, waiting up to `timeout_s`.
    bool wait_event(StreamerEvent& event, double timeout_s);
    /// Counters of the protocol so far (resends, timeouts, bytes).
    [[nodiscard]] ProtocolCounters counters() const;
    /// Send strategy in use (after the handshake, `automatic` is resolved).
    [[nodiscard]] SendStrategy strategy() const;
    /// Whether the streamer thread runs at real-time priority.
    [[nodiscard]] bool realtime() const;
    /// The job's progress when the head parked for the snapshot being captured: for the
    /// capture callback, which runs before the progress event that says so is read.
    [[nodiscard]] JobProgress snapshot_progress() const;

  private:
    class Session;
    std::unique_ptr<Session> session_;
};

}  // namespace strata::streamer
