// PrinterService: connection, selection and job control. Commands run under `control_` (one at
// a time; a connect may take seconds), the status under `mutex_` (held for copies only, so
// `GET /api/job` never waits on the printer). The pump thread and the event handling that
// follows it are in printer_events.cpp.
#include "strata/server/printer_service.hpp"
#include "strata/common/log.hpp"

#include <chrono>
#include <cstdio>
#include <sstream>

#include <rapidjson/document.h>

#include "strata/common/json_writer.hpp"
#include "strata/server/job_records.hpp"
#include "strata/server/profiles.hpp"
#include "strata/server/settings_table.hpp"
#include "strata/streamer/protocol.hpp"

namespace strata::server {
namespace {

bool is_operational(streamer::PrinterState state) {
    using State = streamer::PrinterState;
    return state == State::operational || state == State::printing || state == State::pausing ||
           state == State::paused || state == State::cancelling;
}

bool is_busy(streamer::PrinterState state) {
    using State = streamer::PrinterState;
    return state == State::printing || state == State::pausing || state == State::paused ||
           state == State::cancelling;
}

// The timeline of a file printed as it is (no index): its line count from the analysis.
streamer::JobTimeline plain_timeline(const StoredFile& file) {
    return printjob::timeline_as_is(file.analysis ? file.analysis->lines : 0, file.estimated_s);
}

// Whether a command line is M112 (any case, with or without a comment or its own line number).
bool is_emergency_stop(std::string_view line) {
    // The protocol's own reading of a numbered line: no `N<n>`, no `*<checksum>`, trimmed.
    const std::string_view text = streamer::strip_numbering(line.substr(0, line.find(';')));
    return text.size() >= 4 && (text[0] == 'M' || text[0] == 'm') && text.substr(1, 3) == "112" &&
           (text.size() == 4 || text[4] == ' ' || text[4] == '\t');
}
}  // namespace

std::string_view octoprint_state_text(const PrinterStatus& status) {
    using State = streamer::PrinterState;
    switch (status.state) {
        case State::disconnected: return status.error.empty() ? "Offline" : "Offline after error";
        case State::connecting: return "Connecting";
        case State::operational: return status.print_pending ? "Starting" : "Operational";
        case State::printing: return status.progress.finishing ? "Finishing" : "Printing";
        case State::pausing: return "Pausing";
        case State::paused: return "Paused";
        case State::cancelling: return "Cancelling";
        case State::error: return "Error";
    }
    return "Offline";
}

PrinterService::PrinterService(PrinterSettings settings, Store& store, EventHub& events,
                               FileLibrary& library)
    : settings_(std::move(settings)), store_(store), events_(events), library_(library) {}

void PrinterService::load_timelapse_settings() {
    // Saved by POST /api/timelapse with `save`; unreadable: the defaults.
    const Result<std::optional<std::string>> saved =
        store_.with([](Database& db) { return SettingsTable(db).value_json("timelapse"); });
    if (!saved) {
        log_message(LogLevel::warning, "strata serve: the saved timelapse configuration: %s\n",
                    saved.error().message.c_str());
        return;
    }
    rapidjson::Document document;
    if (!*saved || document.Parse((*saved)->c_str()).HasParseError()) return;
    const std::lock_guard lock(mutex_);
    (void)read_timelapse_settings(document, timelapse_);
}

PrinterService::~PrinterService() {
    shut_down();
}

void PrinterService::shut_down() {
    // A stopping server does not wait out a timelapse's encode: the videos end "cancelled" and
    // their frames stay, for a render from the recordings later.
    {
        const std::lock_guard lock(mutex_);
        if (job_) job_->cancel_renders();
        if (finishing_ != nullptr) finishing_->cancel_renders();
    }
    {
        const std::lock_guard lock(connector_mutex_);
        if (connector_.joinable()) connector_.join();
    }
    stop_reconnecting();
    disconnect();
}

void PrinterService::recover_interrupted_jobs() {
    const Status marked =
        store_.with([](Database& db) { return JobRecords(db).interrupt_unfinished(); });
    if (!marked)
        log_message(LogLevel::warning,
                    "strata serve: jobs cut short by the last stop stay unlisted: %s\n",
                    marked.error().message.c_str());
}

Status PrinterService::connect(const streamer::LinkOptions& link) {
    const std::lock_guard control(control_);
    if (streamer_) {
        const streamer::PrinterState state = streamer_->state();
        if (state != streamer::PrinterState::error && state != streamer::PrinterState::disconnected)
            return fail(ErrorCode::conflict, "already connected");
        disconnect_locked();  // A dead connection: start over.
    }
    streamer::StreamerConfig config = settings_.streamer;
    config.terminal = terminal_;
    if (!link.target.empty()) config.link = link;
    if (config.link.target.empty()) {  // The default printer profile's port, if any.
        const std::optional<StoredProfile> profile =
            store_.with([](Database& db) { return Profiles(db).default_of(ProfileKind::printer); });
        PrinterProfile printer;
        if (profile && !read_printer_profile(profile->body_json, printer)) {
            config.link.target = printer.port;
            if (printer.baudrate > 0) config.link.baud = printer.baudrate;
        }
    }
    if (config.link.target.empty())
        return fail(ErrorCode::invalid,
                    "no port given, configured or in the default printer profile");
    printjob::fit_capture_timeout(config, cameras());
    {
        const std::lock_guard lock(mutex_);
        status_.state = streamer::PrinterState::connecting;
        temperatures_.clear();  // Another connection may be another printer.
        status_.error.clear();
        status_.port = config.link.target;
        status_.baud = config.link.baud;
    }
    auto candidate = std::make_unique<streamer::Streamer>(config);
    if (Status connected = candidate->connect(); !connected) {
        {
            const std::lock_guard lock(mutex_);
            status_.state = streamer::PrinterState::disconnected;
            status_.error = connected.error().message;
        }
        events_.publish("Error", "{\"error\":" + json_string(connected.error().message) + "}");
        return connected;
    }
    streamer_ = std::move(candidate);
    {
        const std::lock_guard lock(mutex_);
        connected_link_ = config.link;
    }
    {
        // The state is left to the streamer's events, which the pump applies in order: set here
        // from the streamer, it ran ahead of the queued "connecting" event, which then moved it
        // back, and a command sent in between was refused as "not operational".
        const std::lock_guard lock(mutex_);
        streamer_->set_temperature_offsets(status_.temperature_offsets);
    }
    pumping_ = true;
    pump_ = std::thread([this] { pump(); });
    std::ostringstream payload;
    JsonWriter(payload)
        .begin_object()
        .field("port", config.link.target)
        .field("baudrate", config.link.baud)
        .end_object();
    events_.publish("Connected", payload.str());
    return {};
}

void PrinterService::connect_in_background(const streamer::LinkOptions& link) {
    const std::lock_guard lock(connector_mutex_);
    if (connector_.joinable()) connector_.join();
    {
        const std::lock_guard status_lock(mutex_);
        if (status_.state != streamer::PrinterState::disconnected &&
            status_.state != streamer::PrinterState::error)
            return;  // Connected or connecting already.
        status_.state = streamer::PrinterState::connecting;
        status_.error.clear();
    }
    connector_ = std::thread([this, link] {
        (void)connect(link);  // The outcome is in the status and the events.
    });
}

void PrinterService::disconnect() {
    stop_reconnecting();  // A printer the user disconnects is not reconnected.
    const std::lock_guard control(control_);
    {
        const std::lock_guard lock(mutex_);
        connected_link_.reset();
    }
    disconnect_locked();
}

void PrinterService::disconnect_locked() {
    if (!streamer_) return;
    streamer_->disconnect();
    pumping_ = false;
    if (pump_.joinable()) pump_.join();
    streamer_->set_capture({});
    end_timelapse("failed");
    streamer_.reset();
    {
        const std::lock_guard lock(mutex_);
        status_.state = streamer::PrinterState::disconnected;
        status_.heater_count = 0;
        status_.print_pending = false;
    }
    events_.publish("Disconnected", "{}");
}

PrinterStatus PrinterService::status() const {
    const std::lock_guard lock(mutex_);
    return status_;
}

std::vector<TemperatureSample> PrinterService::temperature_history(std::size_t limit) const {
    const std::lock_guard lock(mutex_);
    return temperatures_.newest(limit);
}

std::vector<timelapse::CameraConfig> PrinterService::cameras() const {
    std::vector<timelapse::CameraConfig> all = settings_.cameras;
    const std::vector<StoredProfile> profiles =
        store_.with([](Database& db) { return Profiles(db).list(ProfileKind::camera); });
    for (const StoredProfile& profile : profiles) {
        timelapse::CameraConfig camera;
        if (!read_camera_profile(profile.name, profile.body_json, camera) && camera.enabled)
            all.push_back(std::move(camera));
    }
    return all;
}

bool PrinterService::operational() const {
    const std::lock_guard lock(mutex_);
    return is_operational(status_.state);
}

std::string PrinterService::recording_prefix() const {
    const std::lock_guard lock(mutex_);
    return job_ && job_->has_timelapse() ? job_->video_stem() + "_" : std::string();
}

bool PrinterService::printing_file(std::string_view path) const {
    const std::lock_guard lock(mutex_);
    return is_busy(status_.state) && status_.selected && status_.selected->path == path;
}

Status PrinterService::select(const StoredFile& file, bool print) {
    const std::lock_guard control(control_);
    {
        const std::lock_guard lock(mutex_);
        if (is_busy(status_.state)) {
            return fail(ErrorCode::busy,
                        "a job is printing: cancel it before selecting another file");
        }
        status_.selected = file;
        status_.progress = {};
        status_.print_pending = false;
    }
    std::ostringstream payload;
    JsonWriter(payload)
        .begin_object()
        .field("name", file.display_name)
        .field("path", file.path)
        .field("origin", "local")
        .end_object();
    events_.publish("FileSelected", payload.str());
    if (!print) return {};
    return start_locked();
}

void PrinterService::unselect() {
    const std::lock_guard control(control_);
    const std::lock_guard lock(mutex_);
    if (is_busy(status_.state)) return;
    status_.selected.reset();
    status_.print_pending = false;
}

Status PrinterService::start() {
    const std::lock_guard control(control_);
    return start_locked();
}

Status PrinterService::start_locked() {
    std::optional<StoredFile> selected;
    {
        const std::lock_guard lock(mutex_);
        if (!streamer_ || !is_operational(status_.state)) {
            return fail(ErrorCode::unavailable, "the printer is not operational");
        }
        if (is_busy(status_.state) || status_.print_pending) {
            return fail(ErrorCode::busy, "a job is already printing");
        }
        if (!status_.selected) {
            return fail(ErrorCode::not_found, "no file is selected");
        }
        selected = status_.selected;
    }
    // The selection may be older than the prep: read the file's state now.
    const std::optional<StoredFile> file = library_.find(selected->id);
    if (!file) {
        return fail(ErrorCode::not_found, "the selected file was deleted");
    }
    if (file->state == FileState::failed) {
        return fail(ErrorCode::conflict, "the file cannot be printed: " + file->error);
    }
    if (file->state != FileState::ready) {  // Prints as soon as its prep is done.
        const std::lock_guard lock(mutex_);
        status_.print_pending = true;
        return {};
    }
    // Only `zchange` prints the prepared job: the others take no stabilized snapshots, so the
    // file goes as it was uploaded, without the snapshot moves.
    const bool prepared =
        !file->index_path.empty() && timelapse_settings().type == TimelapseType::zchange;
    if (prepared) {
        Result<streamer::JobTimeline> timeline = streamer::load_job_timeline(file->index_path);
        if (!timeline) return fail(ErrorCode::conflict, timeline.error().message);
        return launch(*file, {file->job_path, file->job_path, 0, 0}, *timeline);
    }
    const std::string uploaded = library_.absolute(*file).string();
    return launch(*file, {uploaded, uploaded, 0, 0}, plain_timeline(*file));
}

void PrinterService::file_ready(const StoredFile& file) {
    const std::lock_guard control(control_);
    {
        const std::lock_guard lock(mutex_);
        if (!status_.print_pending || !status_.selected || status_.selected->id != file.id) return;
        status_.print_pending = false;
    }
    if (const Status started = start_locked(); !started)
        events_.publish("PrintFailed", "{\"reason\":" + json_string(started.error().message) + "}");
}

Status PrinterService::pause(std::string_view action) {
    const std::lock_guard control(control_);
    using State = streamer::PrinterState;
    State state = State::disconnected;
    {
        const std::lock_guard lock(mutex_);
        state = status_.state;
    }
    if (!streamer_ || !is_operational(state)) {
        return fail(ErrorCode::unavailable, "the printer is not operational");
    }
    const bool paused = state == State::paused || state == State::pausing;
    if (!is_busy(state)) {
        return fail(ErrorCode::conflict, "no job is printing");
    }
    const bool want_pause = action == "pause" || (action == "toggle" && !paused);
    if (want_pause && state == State::printing) streamer_->pause();
    if (!want_pause && paused) streamer_->resume();
    return {};
}

Status PrinterService::cancel() {
    const std::lock_guard control(control_);
    {
        const std::lock_guard lock(mutex_);
        if (!streamer_ || !is_operational(status_.state)) {
            return fail(ErrorCode::unavailable, "the printer is not operational");
        }
        if (status_.print_pending) {
            status_.print_pending = false;
            return {};
        }
        if (!is_busy(status_.state)) {
            return fail(ErrorCode::conflict, "no job is printing");
        }
    }
    streamer_->cancel();
    return {};
}

Status PrinterService::restart() {
    const std::lock_guard control(control_);
    const std::lock_guard lock(mutex_);
    if (!streamer_ || status_.state != streamer::PrinterState::paused) {
        return fail(ErrorCode::conflict,
                    "Printer does not have an active print job or is not paused");
    }
    restart_pending_ = true;
    streamer_->abandon();
    return {};
}

Status PrinterService::send_commands(const std::vector<std::string>& commands) {
    const std::lock_guard control(control_);
    if (!streamer_ || !operational()) {
        return fail(ErrorCode::unavailable, "the printer is not operational");
    }
    // Line by line: an M112 anywhere (`m112`, `M112 ; stop`, the third line of a command that
    // holds three) takes the emergency path at once, ahead of everything queued, and what would
    // follow it is not sent.
    for (const std::string& command : commands) {
        std::string_view rest = command;
        while (!rest.empty()) {
            const std::size_t end = rest.find_first_of("\r\n");
            const std::string_view line = rest.substr(0, end);
            rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
            if (is_emergency_stop(line)) {
                streamer_->emergency_stop();
                return {};
            }
            if (line.find_first_not_of(" \t") != std::string_view::npos)
                streamer_->send_command(std::string(line));
        }
    }
    return {};
}

Status PrinterService::set_temperature_offsets(const TemperatureOffsetChange& change) {
    const std::lock_guard control(control_);
    if (!streamer_ || !operational()) {
        return fail(ErrorCode::unavailable, "the printer is not operational");
    }
    const std::lock_guard lock(mutex_);
    streamer::TemperatureOffsets& offsets = status_.temperature_offsets;
    for (std::size_t tool = 0; tool < offsets.tool_c.size(); ++tool)
        offsets.tool_c[tool] = change.tool_c[tool].value_or(offsets.tool_c[tool]);
    offsets.bed_c = change.bed_c.value_or(offsets.bed_c);
    streamer_->set_temperature_offsets(offsets);
    return {};
}

}  // namespace strata::server
