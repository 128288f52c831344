// The printer as the server sees it: one connection (a streamer), the selected file, the job on
// it and its timelapse. A pump thread turns the streamer's events into a status snapshot that
// requests read without waiting on the printer, into persisted job progress (so a crash leaves
// the job "interrupted" at its last confirmed line and layer), and into published events. An
// interrupted job can be resumed from the start of its layer.
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "strata/common/json_writer.hpp"
#include "strata/printjob/print_job.hpp"
#include "strata/server/event_hub.hpp"
#include "strata/server/library.hpp"
#include "strata/server/store.hpp"
#include "strata/server/temperature_history.hpp"
#include "strata/server/timelapse_settings.hpp"
#include "strata/streamer/streamer.hpp"
#include "strata/timelapse/capture.hpp"

namespace strata::server {

/// Fixed for the server's life.
struct PrinterSettings {
    streamer::StreamerConfig streamer;  ///< `link` is the default port and rate.
    std::vector<timelapse::CameraConfig> cameras;
    std::filesystem::path timelapse_directory;  ///< Videos; frames go under `frames/`.
    timelapse::FramePolicy frame_policy = timelapse::FramePolicy::keep;
    /// Heat-up for a resumed job, when the file's own temperatures are not known.
    double resume_hotend_c = 210.0;
    double resume_bed_c = 60.0;
};

struct PrinterStatus {
    streamer::PrinterState state = streamer::PrinterState::disconnected;
    std::string error;
    std::string port;
    int baud = 0;
    std::array<streamer::HeaterReading, streamer::Reply::max_heaters> heaters{};
    std::uint8_t heater_count = 0;
    std::optional<StoredFile> selected;
    std::int64_t job_id = 0;  ///< The job printing or last printed; 0 none.
    streamer::JobProgress progress;
    double last_print_s = -1.0;
    bool print_pending = false;  ///< Starts when the selected file is ready.
    /// Added to the temperatures a job sets; kept for the server's life, across connections.
    streamer::TemperatureOffsets temperature_offsets;
    /// The connection's lines sent (resent ones included) and resend requests served.
    std::uint64_t lines_sent = 0;
    std::uint64_t resends = 0;
};

/// New temperature offsets for some heaters (in °C); the others keep theirs.
struct TemperatureOffsetChange {
    std::array<std::optional<double>, streamer::TemperatureOffsets::max_tools> tool_c{};
    std::optional<double> bed_c;
};

/// OctoPrint's state text for a status (clients string-match it).
[[nodiscard]] std::string_view octoprint_state_text(const PrinterStatus& status);

/// Terminal lines as the API and the event stream give them: an array of {seq, t, sent,
/// temperature, text}.
void write_terminal_lines(JsonWriter& json, const std::vector<streamer::TerminalLine>& lines);

class PrinterService {
  public:
    PrinterService(PrinterSettings settings, Store& store, EventHub& events, FileLibrary& library);
    ~PrinterService();
    PrinterService(const PrinterService&) = delete;
    PrinterService& operator=(const PrinterService&) = delete;

    /// Reads the saved timelapse configuration; call once the store is open.
    void load_timelapse_settings();
    /// Marks jobs a crash left printing or paused as interrupted; call once at start.
    void recover_interrupted_jobs();

    [[nodiscard]] Status connect(const streamer::LinkOptions& link);
    /// The same on a background thread (the handshake takes seconds): the state shows
    /// "Connecting", then "Operational" or the error.
    void connect_in_background(const streamer::LinkOptions& link);
    void disconnect();
    [[nodiscard]] PrinterStatus status() const;
    /// The newest `limit` temperature reports (all kept when 0), oldest first.
    [[nodiscard]] std::vector<TemperatureSample> temperature_history(std::size_t limit) const;
    [[nodiscard]] bool operational() const;
    /// The name prefix of the recordings the running job is capturing (`<stem>_`); empty when
    /// none is.
    [[nodiscard]] std::string recording_prefix() const;

    /// Selects a file (and with `print`, prints it as soon as it is ready).
    [[nodiscard]] Status select(const StoredFile& file, bool print);
    void unselect();
    [[nodiscard]] Status start();
    [[nodiscard]] Status pause(std::string_view action);  ///< pause, resume, toggle
    [[nodiscard]] Status cancel();
    /// OctoPrint's restart: a paused job starts again from its first line (no cancel script;
    /// a new job record and timelapse). Refused unless paused.
    [[nodiscard]] Status restart();
    /// Commands typed by the user (or a client); sent between job lines.
    [[nodiscard]] Status send_commands(const std::vector<std::string>& commands);
    /// For a server that is stopping: disconnects, and a timelapse being rendered ends without
    /// its video (its frames stay) rather than holding the stop up for the encode.
    void shut_down();
    /// Resumes an interrupted job from the start of its last layer: home X and Y, heat, set Z
    /// with G92, continue. Refused unless operational and idle.
    [[nodiscard]] Status resume_interrupted(std::int64_t job_id);
    /// Changes OctoPrint's temperature offsets (the caller checks their range; heaters left
    /// out keep theirs): shown with the temperatures and added to those the job sets, from its
    /// next line on.
    [[nodiscard]] Status set_temperature_offsets(const TemperatureOffsetChange& change);
    /// Called by the library when a file is ready (starts a pending print).
    void file_ready(const StoredFile& file);
    /// The timelapse configuration the next job starts with (OctoPrint's POST /api/timelapse).
    [[nodiscard]] TimelapseSettings timelapse_settings() const;
    /// Applies `settings` from the next job on; with `save`, also after a restart.
    [[nodiscard]] Status configure_timelapse(const TimelapseSettings& settings, bool save);
    /// Whether a camera is configured or enabled: without one no timelapse is taken.
    [[nodiscard]] bool can_capture() const { return !cameras().empty(); }
    /// Whether `path` is the file being printed (it may not be replaced or deleted).
    [[nodiscard]] bool printing_file(std::string_view path) const;
    /// Every line sent to the printer and received from it, across connections.
    [[nodiscard]] const streamer::TerminalLog& terminal() const { return *terminal_; }

  private:
    void disconnect_locked();
    /// The configured cameras and the enabled camera profiles.
    [[nodiscard]] std::vector<timelapse::CameraConfig> cameras() const;
    void pump();
    /// Hands the terminal's new lines to the event stream's live subscribers.
    void forward_terminal();
    void handle(const streamer::StreamerEvent& event);
    /// The event's part of the status snapshot; the selected file.
    std::optional<StoredFile> apply_to_status(const streamer::StreamerEvent& event);
    void on_job_ended(const streamer::StreamerEvent& event, std::string_view result);
    [[nodiscard]] Status start_locked();
    /// After a restart's job ended: the selected file again, from its first line.
    void start_again();
    /// What `launch` streams and records: `stream_path` is sent; `job_path` is recorded (for
    /// a resume, the original job, whose lines the progress is counted in).
    struct Launch {
        std::string stream_path;
        std::string job_path;
        std::int64_t resumed_from_job = 0;
        std::int64_t line_offset = 0;
    };
    [[nodiscard]] Status launch(const StoredFile& file, const Launch& what,
                                const streamer::JobTimeline& timeline);
    /// The timelapse a job with `timeline` takes under `settings` with `cameras`: at the
    /// timeline's snapshots (`zchange`), every interval (`timed`, only on a job without
    /// snapshot moves), or none.
    [[nodiscard]] printjob::TimelapsePlan timelapse_plan(
        const streamer::JobTimeline& timeline, const std::vector<timelapse::CameraConfig>& cameras,
        const TimelapseSettings& settings) const;
    /// Ends the job's capture; the videos are finished unless the job's `result` (finished,
    /// cancelled, failed) is one the configuration renders no video for: its frames stay.
    void end_timelapse(std::string_view result);
    void persist_progress(const streamer::JobProgress& progress, std::string_view state);
    void persist_end(std::int64_t job_id, std::string_view state, std::string_view result);
    /// After the link was lost (unplugged, powered off): waits on a thread of its own for the
    /// port to be back, then connects again with the same options (printer_reconnect.cpp).
    void reconnect_when_back(const streamer::LinkOptions& link);
    /// Ends that wait (a disconnect, a connect, the server stopping); not under control_.
    void stop_reconnecting();
    void wait_and_reconnect(const streamer::LinkOptions& link);

    PrinterSettings settings_;
    Store& store_;
    EventHub& events_;
    FileLibrary& library_;

    std::mutex control_;        ///< One command at a time; owns `streamer_`'s lifetime.
    mutable std::mutex mutex_;  ///< Guards status_ and the members below.
    PrinterStatus status_;
    TemperatureHistory temperatures_;
    std::unique_ptr<streamer::Streamer> streamer_;
    /// The running job with its timelapse (streamer_ outlives it: end_timelapse runs before
    /// the streamer goes).
    std::unique_ptr<printjob::PrintJob> job_;
    /// The job whose videos `end_timelapse` is finishing (it owns it meanwhile), so that
    /// stopping the server can cancel those renders too.
    printjob::PrintJob* finishing_ = nullptr;
    std::string resume_job_path_;   ///< A resume job's file, removed when the job ends.
    bool restart_pending_ = false;  ///< The paused job was abandoned to start again.
    TimelapseSettings timelapse_;   ///< For the next job.
    /// The running job's: when its videos are made.
    RenderAfterPrint render_after_print_ = RenderAfterPrint::always;
    std::thread pump_;
    std::thread connector_;  ///< A background connect; joined before the next one.
    std::mutex connector_mutex_;
    std::optional<streamer::LinkOptions> connected_link_;  ///< The link in use; under mutex_.
    std::thread reconnector_;  ///< Waits for a lost printer's port; under reconnect_mutex_.
    std::mutex reconnect_mutex_;
    std::condition_variable reconnect_wake_;
    bool reconnect_stopping_ = false;
    bool reconnect_running_ = false;
    std::atomic<bool> pumping_{false};
    std::shared_ptr<streamer::TerminalLog> terminal_ = std::make_shared<streamer::TerminalLog>();
    std::uint64_t terminal_forwarded_ = 0;  ///< The last line handed to the event stream.
    double temperature_broadcast_s_ = 0.0;  ///< When a report last went to the event stream.
    double last_persisted_s_ = 0.0;
    std::int64_t last_persisted_layer_ = -1;
};

}  // namespace strata::server
