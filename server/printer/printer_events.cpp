// The printer service's pump: the streamer's events become the status snapshot, persisted job
// progress (at most once a second, in the original job's line numbers), published events, and
// at the end of a job its timelapse videos. Starting a job (`launch`) lives here too, since it
// sets up what the pump then follows.
#include <chrono>
#include <cstdio>
#include <sstream>
#include <thread>

#include "strata/common/json_writer.hpp"
#include "strata/common/log.hpp"
#include "strata/server/clock.hpp"
#include "strata/server/job_records.hpp"
#include "strata/server/printer_service.hpp"

namespace strata::server {
namespace {

// OctoPrint's print event payload: the file, with `reason` (a failure's) or `time` (the print's,
// in seconds, a number) when given.
std::string file_payload(const StoredFile& file, std::string_view reason = {},
                         std::optional<double> time_s = std::nullopt) {
    std::ostringstream out;
    JsonWriter json(out);
    json.begin_object()
        .field("name", file.display_name)
        .field("path", file.path)
        .field("origin", "local")
        .field("size", file.size_bytes);
    if (!reason.empty()) json.field("reason", reason);
    if (time_s) json.field("time", *time_s);
    json.end_object();
    return out.str();
}

std::string progress_payload(const StoredFile& file, const streamer::JobProgress& progress) {
    std::ostringstream out;
    JsonWriter(out)
        .begin_object()
        .field("path", file.path)
        .field("completion", progress.percent)
        .field("printTime", progress.elapsed_s)
        .field("printTimeLeft", progress.remaining_s)
        .field("line", progress.line)
        .field("layer", progress.layer + 1)
        .field("z", progress.z_mm)
        .field("snapshots", progress.snapshots_taken)
        .end_object();
    return out.str();
}

// A temperature report as OctoPrint names the heaters (tool0, bed, chamber), with its time.
std::string temperature_payload(const streamer::StreamerEvent& event) {
    std::ostringstream payload;
    JsonWriter json(payload);
    json.begin_object().field("time", unix_now_s());
    for (std::uint8_t i = 0; i < event.heater_count; ++i) {
        const streamer::HeaterReading& heater = event.heaters[i];
        const std::string key = heater.heater == 'B' ? "bed"
                                : heater.heater == 'C'
                                    ? "chamber"
                                    : "tool" + std::to_string(std::max<int>(0, heater.index));
        json.key(key).begin_object().field("actual", heater.actual_c);
        if (heater.target_c)
            json.field("target", *heater.target_c);
        else
            json.key("target").null();
        json.end_object();
    }
    json.end_object();
    return payload.str();
}

}  // namespace

Status PrinterService::launch(const StoredFile& file, const Launch& what,
                              const streamer::JobTimeline& timeline) {
    // Called with control_ held.
    const NewJobRecord record{file.id,       file.path,        unix_now_s(),
                              what.job_path, what.line_offset, what.resumed_from_job};
    const Result<std::int64_t> opened =
        store_.with([&](Database& db) { return JobRecords(db).open(record); });
    if (!opened)
        return Error{opened.error().code,
                     "the job could not be recorded in the store: " + opened.error().message};
    const std::int64_t job_id = *opened;
    const TimelapseSettings timelapse = timelapse_settings();
    auto job = std::make_unique<printjob::PrintJob>(
        *streamer_, printjob::JobSpec{file.path, what.stream_path, timeline,
                                      timelapse_plan(timeline, cameras(), timelapse)});
    printjob::PrintJob* starting = job.get();
    {
        // Published before it starts: the pump may see the job end at once.
        const std::lock_guard lock(mutex_);
        job_ = std::move(job);
        render_after_print_ = timelapse.render_after_print;
    }
    if (Status started = starting->start(); !started) {
        end_timelapse("failed");
        persist_end(job_id, "failed", started.error().message);
        return started;
    }
    {
        const std::lock_guard lock(mutex_);
        status_.job_id = job_id;
        status_.selected = file;
        status_.progress = {};
        status_.progress.total_lines = timeline.total_lines;
        status_.print_pending = false;
    }
    events_.publish("PrintStarted", file_payload(file));
    return {};
}

void PrinterService::pump() {
    double forwarded_s = 0.0;
    while (pumping_) {
        streamer::StreamerEvent event;
        if (streamer_->wait_event(event, 0.2)) handle(event);
        // In batches, about five a second: one frame per line would cost each browser more
        // than the line itself.
        const double now_s = unix_now_s();
        if (now_s - forwarded_s >= 0.2) {
            forward_terminal();
            forwarded_s = now_s;
            const streamer::ProtocolCounters counters = streamer_->counters();
            const std::lock_guard lock(mutex_);
            status_.lines_sent = counters.lines_sent;
            status_.resends = counters.resends;
        }
    }
    forward_terminal();
}

void write_terminal_lines(JsonWriter& json, const std::vector<streamer::TerminalLine>& lines) {
    json.begin_array();
    for (const streamer::TerminalLine& line : lines) {
        json.begin_object().field("seq", line.seq).field("t", line.at_s);
        json.field("sent", line.sent).field("temperature", line.temperature);
        json.field("text", line.text).end_object();
    }
    json.end_array();
}

void PrinterService::forward_terminal() {
    std::uint64_t first_kept = 0;
    const std::vector<streamer::TerminalLine> lines =
        terminal_->since(terminal_forwarded_, 1000, first_kept);
    if (lines.empty()) return;
    std::ostringstream payload;
    JsonWriter json(payload);
    json.begin_object();
    // Lines a slow pump never handed on: the page reads them by REST if it wants them.
    const std::uint64_t lost = lines.front().seq > terminal_forwarded_ + 1
                                   ? lines.front().seq - terminal_forwarded_ - 1
                                   : 0;
    json.field("log", terminal_->log_id()).field("lost", lost);
    json.key("lines");
    write_terminal_lines(json, lines);
    json.end_object();
    terminal_forwarded_ = lines.back().seq;
    events_.broadcast("terminal", payload.str());
}

std::optional<StoredFile> PrinterService::apply_to_status(const streamer::StreamerEvent& event) {
    using Kind = streamer::EventKind;
    const std::lock_guard lock(mutex_);
    switch (event.kind) {
        case Kind::state: status_.state = event.state; break;
        case Kind::temperatures:
            status_.heaters = event.heaters;
            status_.heater_count = event.heater_count;
            temperatures_.record({unix_now_s(), event.heaters, event.heater_count});
            break;
        case Kind::progress:
            status_.progress = event.progress;
            if (job_) job_->note_progress(event.progress);
            break;
        case Kind::error:
        case Kind::link_lost: status_.error = event.text; break;
        default: break;
    }
    return status_.selected;
}

void PrinterService::handle(const streamer::StreamerEvent& event) {
    using Kind = streamer::EventKind;
    const std::optional<StoredFile> file = apply_to_status(event);
    switch (event.kind) {
        case Kind::temperatures: {
            // At most one a second on the stream: a graph needs no more, and a printer in a
            // hurry (or the demo's, at 20 times real speed) would send ten.
            const double now_s = unix_now_s();
            if (now_s - temperature_broadcast_s_ >= 0.95) {
                temperature_broadcast_s_ = now_s;
                events_.broadcast("temperature", temperature_payload(event));
            }
            return;
        }
        case Kind::state: {
            std::ostringstream payload;
            PrinterStatus copy = status();
            JsonWriter(payload)
                .begin_object()
                .field("state_id", streamer::to_string(event.state))
                .field("state_string", octoprint_state_text(copy))
                .end_object();
            events_.publish("PrinterStateChanged", payload.str());
            break;
        }
        case Kind::progress: {
            // Once a second, and at once on a new layer: a resume starts from the persisted
            // layer and declares its Z, so that must never lag behind the nozzle.
            const double now_s = unix_now_s();
            if (now_s - last_persisted_s_ < 1.0 && event.progress.layer == last_persisted_layer_)
                break;
            last_persisted_s_ = now_s;
            last_persisted_layer_ = event.progress.layer;
            persist_progress(event.progress, "printing");
            if (file) events_.publish("PrintProgress", progress_payload(*file, event.progress));
            break;
        }
        case Kind::snapshot: {
            std::ostringstream payload;
            JsonWriter(payload)
                .begin_object()
                .field("snapshot", event.snapshot)
                .field("ok", event.ok)
                .field("parked_s", event.parked_s)
                .field("error", event.text)
                .end_object();
            events_.publish("SnapshotTaken", payload.str());
            break;
        }
        case Kind::paused:
            persist_progress(event.progress, "paused");
            if (file) events_.publish("PrintPaused", file_payload(*file));
            break;
        case Kind::resumed:
            persist_progress(event.progress, "printing");
            if (file) events_.publish("PrintResumed", file_payload(*file));
            break;
        case Kind::job_finished: on_job_ended(event, "finished"); break;
        case Kind::job_failed: on_job_ended(event, "failed"); break;
        case Kind::job_interrupted: on_job_ended(event, "interrupted"); break;
        case Kind::job_cancelled: on_job_ended(event, "cancelled"); break;
        case Kind::error:
            events_.publish("Error", "{\"error\":" + json_string(event.text) + "}");
            break;
        case Kind::link_lost: {
            events_.publish("Error", "{\"error\":" + json_string(event.text) + "}");
            std::optional<streamer::LinkOptions> link;
            {
                const std::lock_guard lock(mutex_);
                link = connected_link_;
            }
            if (link) reconnect_when_back(*link);
            break;
        }
        default: break;
    }
}

void PrinterService::persist_progress(const streamer::JobProgress& progress,
                                      std::string_view state) {
    std::int64_t job_id = 0;
    {
        const std::lock_guard lock(mutex_);
        job_id = status_.job_id;
    }
    if (job_id == 0) return;
    const JobRecordProgress at{progress.percent, progress.line, progress.layer, progress.z_mm,
                               progress.elapsed_s};
    const Status kept =
        store_.with([&](Database& db) { return JobRecords(db).progress(job_id, state, at); });
    // The print goes on; only a resume after a crash would start from an older layer.
    if (!kept)
        log_message(LogLevel::warning, "strata serve: job %lld's progress: %s\n",
                    static_cast<long long>(job_id), kept.error().message.c_str());
}

void PrinterService::persist_end(std::int64_t job_id, std::string_view state,
                                 std::string_view result) {
    const Status ended = store_.with(
        [&](Database& db) { return JobRecords(db).end(job_id, state, result, unix_now_s()); });
    if (!ended)
        log_message(LogLevel::warning, "strata serve: job %lld's end: %s\n",
                    static_cast<long long>(job_id), ended.error().message.c_str());
}

void PrinterService::on_job_ended(const streamer::StreamerEvent& event, std::string_view result) {
    persist_progress(event.progress, "printing");
    std::int64_t job_id = 0;
    std::optional<StoredFile> file;
    bool restarting = false;
    {
        const std::lock_guard lock(mutex_);
        job_id = status_.job_id;
        file = status_.selected;
        status_.progress = event.progress;
        status_.last_print_s = event.progress.elapsed_s;
        restarting = result == "cancelled" && event.text == "restarted" && restart_pending_;
        restart_pending_ = false;
    }
    persist_end(job_id, result, restarting ? "restarted from the beginning" : event.text);
    // As OctoPrint: a restart is only a PrintStarted, of the same file.
    if (file && !restarting) {
        if (result == "finished") {
            events_.publish("PrintDone", file_payload(*file, {}, event.progress.elapsed_s));
        } else if (result == "cancelled") {
            events_.publish("PrintCancelled", file_payload(*file));
        } else {
            events_.publish("PrintFailed",
                            file_payload(*file, event.text.empty() ? "error" : event.text));
        }
    }
    streamer_->set_capture({});  // A capture cut short has finished after this.
    end_timelapse(result);
    std::string resume_job;
    {
        const std::lock_guard lock(mutex_);
        resume_job = std::move(resume_job_path_);
        resume_job_path_.clear();
    }
    if (!resume_job.empty()) {
        std::error_code ignored;
        std::filesystem::remove(resume_job, ignored);
    }
    if (restarting) start_again();
}

// On the pump thread. A disconnect holds control_ while it joins this thread, so the lock is
// only tried, for half a second: a printer being disconnected is not restarted.
void PrinterService::start_again() {
    std::unique_lock control(control_, std::defer_lock);
    for (int attempt = 0; attempt < 50 && pumping_ && !control.try_lock(); ++attempt)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::string why = "the printer was being disconnected";
    if (control.owns_lock()) {
        // The firmware's power-on modes, which the pause script changed (relative extrusion): a
        // file that never sets them expects these.
        streamer_->send_command("G90\nM82");
        const Status started = start_locked();
        if (started) return;
        why = started.error().message;
    }
    events_.publish("PrintFailed", "{\"reason\":" + json_string("restart: " + why) + "}");
}

}  // namespace strata::server
