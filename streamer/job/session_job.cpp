// The job on the streamer thread: lines fed a few ahead of the send window, host commands acted
// on, the snapshot barrier (nothing more is sent until every line before `@STRATA SNAPSHOT`,
// its M400 included, is acknowledged; then the camera; then on), pause / resume / cancel with
// their scripts, and progress from the precomputed timeline.
#include <algorithm>
#include <cmath>

#include "scripts.hpp"
#include "session.hpp"
#include "strata/parser/lexer.hpp"

namespace strata::streamer {

void Streamer::Session::apply(Control& control, double now) {
    switch (control.kind) {
        case Control::Kind::start_job: start_job(control, now); break;
        case Control::Kind::pause:
            if (state_ == PrinterState::printing) {
                pause_wanted_ = true;
                set_state(PrinterState::pausing);
            }
            break;
        case Control::Kind::resume:
            if (state_ == PrinterState::paused) {
                enqueue_script(resume_script(config_.scripts, paused_state_, paused_offset_mm_));
                set_state(PrinterState::printing);
                emit(make_event(EventKind::resumed));
            }
            break;
        case Control::Kind::cancel:
            if (job_active_) {
                cancel_wanted_ = true;
                set_state(PrinterState::cancelling);
            }
            break;
        case Control::Kind::abandon:
            // The pause script, if still queued, goes out first: the head ends parked.
            if (job_active_ && state_ == PrinterState::paused)
                end_job(EventKind::job_cancelled, "restarted");
            break;
        case Control::Kind::command: {
            // Text with line breaks is several commands. Sent as one, the break would split the
            // numbered line on the wire, and the firmware would ask again and again for a line
            // whose checksum it can never match.
            std::string_view text = control.text;
            std::string scratch;
            while (handshake_done_ && !text.empty()) {
                const std::size_t end = std::min(text.find_first_of("\r\n"), text.size());
                const std::string_view command = clean_command(text.substr(0, end), scratch);
                if (!command.empty()) protocol_.enqueue(command, tag::user);
                text.remove_prefix(std::min(end + 1, text.size()));
            }
            break;
        }
        case Control::Kind::disconnect: stopping_ = true; break;
        case Control::Kind::temperature_offsets: temperature_offsets_ = control.offsets; break;
    }
}

void Streamer::Session::start_job(Control& control, double now) {
    if (state_ != PrinterState::operational) {
        emit(make_event(EventKind::job_failed, "the printer is not ready"));
        return;
    }
    if (const Status opened = reader_.open(control.text); !opened) {
        emit(make_event(EventKind::job_failed, opened.error().message));
        return;
    }
    timeline_ = std::move(control.timeline);
    line_limit_ = firmware_line_limit();
    job_active_ = true;
    job_read_ = false;
    acknowledged_line_ = 0;
    snapshots_taken_ = 0;
    parked_s_ = 0.0;
    barrier_.reset();
    capturing_ = false;
    pause_wanted_ = false;
    cancel_wanted_ = false;
    cancel_script_sent_ = false;
    job_started_s_ = now;
    next_progress_s_ = now;
    reported_layer_ = -2;
    simulator_.resume(parser::MachineState{}, {0.0, 0.0, 0.0});
    set_state(PrinterState::printing);
    emit(make_event(EventKind::message, "printing " + control.text));
}

void Streamer::Session::feed_job(double now) {
    if (state_ != PrinterState::printing || barrier_ || job_read_ || pause_wanted_ ||
        cancel_wanted_)
        return;
    JobItem item;
    while (protocol_.queued() < config_.send_ahead_lines) {
        if (!reader_.next(item)) {
            if (!reader_.status()) {
                end_job(EventKind::job_failed,
                        "reading the job failed: " + reader_.status().error().message);
                return;
            }
            // A last numbered line: the job is done when the printer has finished moving, and a
            // line lost on the way is asked for again when this one arrives.
            protocol_.enqueue("M400", tag::poll);
            job_read_ = true;
            report_progress(now, true);  // Clients show "Finishing" from here.
            return;
        }
        if (!feed_item(item, now)) return;
    }
}

bool Streamer::Session::feed_item(const JobItem& item, double /*now*/) {
    switch (item.kind) {
        case JobItem::Kind::send: {
            const parser::GcodeLine& line = reader_.lexed();
            const std::string_view text = offset_temperature(
                item.text, line, simulator_.state().tool, temperature_offsets_, offset_scratch_);
            if (!fits_firmware_line(text, item.line)) return false;
            protocol_.enqueue(text, item.line);
            if (config_.sync_every_lines > 0 && protocol_.strategy() != SendStrategy::advanced_ok &&
                ++lines_since_sync_ >= config_.sync_every_lines) {
                protocol_.enqueue("M105", tag::poll);
                lines_since_sync_ = 0;
            }
            if (line.kind == parser::LineKind::command && line.error == parser::LexError::none)
                simulator_.step(line, item.line, diagnostics_);
            return true;
        }
        case JobItem::Kind::snapshot: barrier_ = item.snapshot; return false;
        case JobItem::Kind::pause:
            pause_wanted_ = true;
            set_state(PrinterState::pausing);
            return false;
        case JobItem::Kind::cancel:
            cancel_wanted_ = true;
            set_state(PrinterState::cancelling);
            return false;
        case JobItem::Kind::resume: return true;  // Only meaningful while paused.
        case JobItem::Kind::host:
            emit(make_event(EventKind::message, "host command: " + std::string(item.text)));
            return true;
    }
    return true;
}

// Marlin reads at most MAX_CMD_SIZE - 1 (95) characters of a line, number and checksum
// included, and drops the rest: the checksum then fails and the line is asked for again for
// ever. Worked out once a job, from the firmware's name; 0: no limit known.
std::size_t Streamer::Session::firmware_line_limit() const {
    if (config_.max_line_bytes > 0) return config_.max_line_bytes;
    std::string name = firmware_name_;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const bool marlin_like =
        name.find("marlin") != std::string::npos || name.find("prusa") != std::string::npos;
    return marlin_like ? marlin_line_bytes : 0;
}

// A line longer than the firmware reads (a Klipper file's EXCLUDE_OBJECT_DEFINE) ends the job
// with an error naming it instead. Per job line: no allocation unless it fails.
bool Streamer::Session::fits_firmware_line(std::string_view text, std::uint64_t job_line) {
    if (line_limit_ == 0) return true;
    // "N<number> " before it, "*<checksum>" (up to 3 digits) after it.
    std::size_t digits = 1;
    for (std::uint64_t number = protocol_.next_line_number(); number >= 10; number /= 10)
        ++digits;
    const std::size_t wire_bytes = text.size() + digits + 6;
    if (wire_bytes <= line_limit_) return true;
    end_job(EventKind::job_failed,
            "line " + std::to_string(job_line) + " is too long for the firmware: " +
                std::to_string(wire_bytes) + " bytes with its number and checksum, and " +
                firmware_name_ + " reads at most " + std::to_string(line_limit_) +
                " (a command for another firmware, such as Klipper's EXCLUDE_OBJECT_DEFINE?)");
    return false;
}

void Streamer::Session::job_tick(double now) {
    if (handshake_done_ && !autoreport_ && now >= next_poll_s_) {
        protocol_.enqueue("M105", tag::poll);
        next_poll_s_ = now + config_.temperature_poll_s;
    }
    if (!job_active_) return;
    if (cancel_wanted_) {
        if (!cancel_script_sent_) {
            protocol_.drop_queued();
            barrier_.reset();
            capturing_ = false;
            enqueue_script(cancel_script(config_.scripts));
            cancel_script_sent_ = true;
        } else if (protocol_.idle()) {
            end_job(EventKind::job_cancelled, "cancelled");
        }
        return;
    }
    if (barrier_ && !capturing_ && protocol_.idle()) {
        // Every move before the snapshot, M400 included, is acknowledged: the head is parked.
        parked_since_s_ = now;
        {
            // Every line before the snapshot was confirmed just now, all at once: the progress
            // events that say so may be read after the capture has begun.
            const std::lock_guard lock(snapshot_mutex);
            shared_snapshot_progress = progress(now);
        }
        report_progress(now, false);
        if (capture.has_callback()) {
            capture.request(*barrier_);
            capturing_ = true;
            capture_deadline_s_ = now + config_.capture_timeout_s;
        } else {
            finish_snapshot(now, Status());
        }
    }
    if (capturing_ && now >= capture_deadline_s_)
        finish_snapshot(now, fail(ErrorCode::unavailable,
                                  "the camera did not answer within " +
                                      std::to_string(config_.capture_timeout_s) + " s"));
    // After the snapshot checks, so the lines after a snapshot that just finished go out in this
    // turn.
    feed_job(now);
    if (pause_wanted_ && !barrier_ && protocol_.idle()) {
        pause_wanted_ = false;
        paused_state_ = simulator_.state();
        paused_offset_mm_ = simulator_.workspace_offset_mm();
        enqueue_script(pause_script(config_.scripts, paused_state_));
        set_state(PrinterState::paused);
        emit(make_event(EventKind::paused));
    }
    if (job_read_ && !barrier_ && state_ == PrinterState::printing && protocol_.idle()) {
        const ProtocolCounters& counters = protocol_.counters();
        end_job(EventKind::job_finished, "done: " + std::to_string(acknowledged_line_) +
                                             " lines, " + std::to_string(counters.resends) +
                                             " resends, " + std::to_string(counters.timeouts) +
                                             " timeouts");
        return;
    }
    report_progress(now, false);
}

void Streamer::Session::finish_snapshot(double now, const Status& captured) {
    StreamerEvent event =
        make_event(EventKind::snapshot, captured ? std::string() : captured.error().message);
    event.snapshot = barrier_.value_or(0);
    event.parked_s = now - parked_since_s_;
    event.ok = captured.ok();
    parked_s_ += event.parked_s;
    ++snapshots_taken_;
    capturing_ = false;
    barrier_.reset();
    event.progress = progress(now);
    emit(std::move(event));
}

void Streamer::Session::enqueue_script(const std::string& script) {
    std::string scratch;
    std::size_t start = 0;
    while (start < script.size()) {
        const std::size_t end = std::min(script.find('\n', start), script.size());
        const std::string_view command =
            clean_command(std::string_view(script).substr(start, end - start), scratch);
        if (!command.empty()) protocol_.enqueue(command, tag::script);
        start = end + 1;
    }
}

void Streamer::Session::end_job(EventKind kind, const std::string& text) {
    job_active_ = false;
    barrier_.reset();
    capturing_ = false;
    pause_wanted_ = false;
    cancel_wanted_ = false;
    StreamerEvent event = make_event(kind, text);
    event.progress = progress(now_cache_s_);
    if (kind == EventKind::job_finished) {
        // Every line is acknowledged and the closing M400 has returned: the job is whole, even
        // where the estimate's last sample or the file's last sent line fall short of its end
        // (trailing comments, settings blocks).
        event.progress.percent = 100.0;
        event.progress.remaining_s = 0.0;
    }
    // The final progress goes out before the state change: a client reading state and progress
    // together must never see an idle printer whose finished job sits at 95 %.
    StreamerEvent last_progress = make_event(EventKind::progress);
    last_progress.progress = event.progress;
    emit(std::move(last_progress));
    if (state_ != PrinterState::error) set_state(PrinterState::operational);
    emit(std::move(event));
}

JobProgress Streamer::Session::progress(double now) const {
    JobProgress progress;
    progress.line = acknowledged_line_;
    progress.total_lines = timeline_.total_lines;
    progress.elapsed_s = now - job_started_s_;
    progress.snapshots_taken = snapshots_taken_;
    progress.snapshots_total = timeline_.snapshots;
    progress.parked_s = parked_s_;
    progress.finishing = job_read_;
    progress.layer = timeline_.layer_at(acknowledged_line_);
    if (progress.layer >= 0)
        progress.z_mm = timeline_.layers[static_cast<std::size_t>(progress.layer)].z_mm;
    progress.percent = timeline_.percent_at(acknowledged_line_);
    if (timeline_.timed()) {
        const double estimated_s = timeline_.elapsed_at(acknowledged_line_);
        progress.estimated_elapsed_s = estimated_s;
        // The pace seen so far corrects the rest, once there is enough of it to trust.
        double pace = 1.0;
        if (estimated_s > 30.0) pace = std::clamp(progress.elapsed_s / estimated_s, 0.25, 4.0);
        progress.remaining_s = std::max(0.0, timeline_.total_s - estimated_s) * pace;
    } else if (timeline_.total_s > 0.0) {
        progress.remaining_s = timeline_.total_s * (1.0 - progress.percent / 100.0);
    }
    return progress;
}

void Streamer::Session::report_progress(double now, bool force) {
    const std::int64_t layer = timeline_.layer_at(acknowledged_line_);
    if (!force && now < next_progress_s_ && layer == reported_layer_) return;
    reported_layer_ = layer;
    next_progress_s_ = now + config_.progress_interval_s;
    StreamerEvent event = make_event(EventKind::progress);
    event.progress = progress(now);
    emit(std::move(event));
}

}  // namespace strata::streamer
