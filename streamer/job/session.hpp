// The streamer thread's state: the link, the protocol, the job being printed and the capture
// worker. Everything here belongs to the streamer thread except the members marked as shared
// (the control queue, the emergency flag, the state, the counters), which the API writes or
// reads with atomics or a briefly held mutex.
#pragma once

#include <poll.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "event_queue.hpp"
#include "strata/parser/diagnostics.hpp"
#include "strata/parser/simulator.hpp"
#include "strata/streamer/streamer.hpp"

namespace strata::streamer {

/// Tags of lines the streamer sends for itself (job lines are tagged with their line number).
namespace tag {
constexpr std::uint64_t internal = std::uint64_t{1} << 62;
constexpr std::uint64_t firmware_info = internal + 1;
constexpr std::uint64_t script = internal + 2;
constexpr std::uint64_t user = internal + 3;
constexpr std::uint64_t poll = internal + 4;
}  // namespace tag

/// An event of `kind` with `text`; `emit` fills in the state.
inline StreamerEvent make_event(EventKind kind, std::string text = {}) {
    StreamerEvent event;
    event.kind = kind;
    event.text = std::move(text);
    return event;
}

struct Control {
    enum class Kind : std::uint8_t {
        start_job,
        pause,
        resume,
        cancel,
        abandon,
        command,
        disconnect,
        temperature_offsets,
    };
    Kind kind;
    std::string text;
    JobTimeline timeline;
    TemperatureOffsets offsets{};  ///< For `temperature_offsets`.
};

/// Runs the capture callback off the streamer thread, so a slow camera only ever delays the
/// snapshot it belongs to.
class CaptureWorker {
  public:
    CaptureWorker();
    ~CaptureWorker();
    CaptureWorker(const CaptureWorker&) = delete;
    CaptureWorker& operator=(const CaptureWorker&) = delete;

    /// Replaces the callback; returns once the previous one is not running (and never will
    /// again). Not to be called from inside the callback.
    void set(CaptureCallback callback);
    [[nodiscard]] bool has_callback();
    /// Starts a capture; `done_fd()` becomes readable when it finishes.
    void request(std::uint32_t snapshot);
    /// The outcome of the last capture, once finished (then only once).
    [[nodiscard]] std::optional<Status> result();
    [[nodiscard]] int done_fd() const { return done_fd_; }

  private:
    void run();

    std::mutex mutex_;
    std::condition_variable wake_;
    CaptureCallback callback_;
    std::optional<std::uint32_t> pending_;
    std::optional<Status> finished_;
    std::uint64_t generation_ = 0;  ///< Counts requests: a late result is not the current one.
    bool stopping_ = false;
    bool running_ = false;  ///< A callback is running (outside the lock).
    std::condition_variable idle_;
    int done_fd_ = -1;
    std::thread thread_;
};

class Streamer::Session : public ProtocolListener {
  public:
    explicit Session(const StreamerConfig& config);
    ~Session() override;
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    [[nodiscard]] Status connect();
    void post(Control control);
    void emergency_stop();
    void stop_thread();

    // Shared with the API.
    EventQueue events{4096};
    int events_fd = -1;  ///< Readable when events were pushed.
    std::atomic<PrinterState> shared_state{PrinterState::disconnected};
    std::mutex counters_mutex;
    ProtocolCounters shared_counters;
    std::atomic<SendStrategy> shared_strategy{SendStrategy::automatic};
    std::atomic<bool> shared_realtime{false};
    mutable std::mutex snapshot_mutex;
    JobProgress shared_snapshot_progress;  ///< Guarded by snapshot_mutex.
    CaptureWorker capture;

  private:
    // The loop and the wire (session.cpp).
    void run();
    void read_link(double now_s);
    void write_link();
    void send_what_is_due(double now_s);
    [[nodiscard]] int poll_timeout_ms(double now_s) const;
    void wait(std::array<pollfd, 3>& waits);
    void take_controls(double now_s);
    void do_emergency_stop();
    void publish_counters();

    // Replies (session_replies.cpp).
    void on_acknowledged(std::uint64_t tag) override;
    void on_reply(const Reply& reply) override;
    void on_failure(const std::string& reason) override;
    void on_firmware_reset();
    void on_action(const Reply& reply);
    void handshake_tick(double now_s);

    // The job (session_job.cpp).
    void apply(Control& control, double now_s);
    void start_job(Control& control, double now_s);
    void feed_job(double now_s);
    bool feed_item(const JobItem& item, double now_s);
    /// Whether the firmware reads `text` whole; false (the job failed) when it cannot.
    bool fits_firmware_line(std::string_view text, std::uint64_t job_line);
    [[nodiscard]] std::size_t firmware_line_limit() const;
    static constexpr std::size_t marlin_line_bytes = 95;  ///< MAX_CMD_SIZE 96, its end byte.
    void job_tick(double now_s);
    /// Ends the snapshot in progress; `captured` fails when the camera did.
    void finish_snapshot(double now_s, const Status& captured);
    void enqueue_script(const std::string& script);
    void end_job(EventKind kind, const std::string& text);
    /// The link is gone: the job (if any) is interrupted, `link_lost` says why.
    void lose_link(const std::string& reason);
    void report_progress(double now_s, bool force);
    [[nodiscard]] JobProgress progress(double now_s) const;

    void set_state(PrinterState state);
    void emit(StreamerEvent event);

    StreamerConfig config_;
    std::unique_ptr<Link> link_;
    Protocol protocol_;
    std::thread thread_;
    int wake_fd_ = -1;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> emergency_{false};
    std::mutex controls_mutex_;
    std::deque<Control> controls_;  ///< Shared: guarded by controls_mutex_.
    std::mutex connected_mutex_;
    std::condition_variable connected_;
    std::optional<std::string> connect_result_;  ///< Empty string: connected.

    // Streamer thread only.
    PrinterState state_ = PrinterState::disconnected;
    double now_cache_s_ = 0.0;  ///< The loop's clock, for callbacks from the protocol.
    std::string in_;            ///< Received bytes not yet a whole line.
    /// Reads land here; a member so no 64 KiB is cleared on every wake-up.
    std::array<char, 65536> read_buffer_;
    std::string out_;               ///< Bytes for the link not yet written.
    double last_write_s_ = 0.0;     ///< When bytes last went out; 0 once a reply came back.
    double reply_latency_s_ = 1.0;  ///< Moving average of write-to-first-reply times.
    bool handshake_done_ = false;
    int handshake_attempt_ = 0;
    double handshake_deadline_s_ = 0.0;
    std::string firmware_name_;
    bool firmware_info_retried_ = false;  ///< M115 asked again after an ok without its report.
    bool autoreport_ = false;
    double next_poll_s_ = 0.0;

    JobReader reader_;
    bool job_active_ = false;
    std::size_t line_limit_ = 0;  ///< The running job's longest line the firmware reads; 0 any.
    bool job_read_ = false;       ///< Every line of the job has been handed to the protocol.
    JobTimeline timeline_;
    double job_started_s_ = 0.0;
    std::uint64_t acknowledged_line_ = 0;
    std::uint32_t snapshots_taken_ = 0;
    double parked_s_ = 0.0;
    std::optional<std::uint32_t> barrier_;  ///< A snapshot waiting for the moves or the camera.
    bool capturing_ = false;
    double parked_since_s_ = 0.0;
    double capture_deadline_s_ = 0.0;
    bool pause_wanted_ = false;
    bool cancel_wanted_ = false;
    bool cancel_script_sent_ = false;
    parser::MachineState paused_state_;
    std::array<double, 3> paused_offset_mm_{};
    double next_progress_s_ = 0.0;
    std::size_t lines_since_sync_ = 0;
    std::int64_t reported_layer_ = -2;
    TemperatureOffsets temperature_offsets_;  ///< Added to the job's temperatures as sent.
    std::string offset_scratch_;
    parser::Simulator simulator_;  ///< The job as sent: where a pause finds the head.
    parser::Diagnostics diagnostics_;
};

}  // namespace strata::streamer
