// A job's timelapse: every configured camera is captured at each snapshot (the streamer waits
// with the head parked) or, for OctoPrint's `timed` type, every interval without moving the
// head; rendered while the job runs, and finished when it ends; each video becomes a row in
// `timelapses` and a MovieDone (or MovieFailed) event. The configuration (POST /api/timelapse)
// is kept here too, in the `settings` table.
#include <array>
#include <chrono>
#include <ctime>
#include <sstream>

#include "strata/json_writer.hpp"
#include "strata/server/clock.hpp"
#include "strata/server/printer_service.hpp"

namespace strata::server {
namespace {

// `<file stem>_<local start time>`: prints of the same file stay apart.
std::string video_stem_for(const StoredFile& file) {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    std::array<char, 32> stamp{};
    std::strftime(stamp.data(), stamp.size(), "_%Y-%m-%d_%H-%M-%S", &local);
    return timelapse::safe_name(std::filesystem::path(file.path).stem().string()) + stamp.data();
}

}  // namespace

void PrinterService::begin_timelapse(const StoredFile& file, const streamer::JobTimeline& timeline,
                                     const std::vector<timelapse::CameraConfig>& cameras,
                                     const TimelapseSettings& timelapse) {
    const bool timed = timelapse.type == TimelapseType::timed;
    timelapse::CaptureSettings settings;
    settings.cameras = cameras;
    const std::string stem = video_stem_for(file);
    settings.frames_directory = settings_.timelapse_directory / "frames" / stem;
    // Rendered as the frames come; `never` keeps the frames only.
    if (timelapse.render_after_print != RenderAfterPrint::never)
        settings.videos_directory = settings_.timelapse_directory;
    settings.video_stem = stem;
    settings.render.fps = timelapse.fps;
    settings.render.post_roll_s = timelapse.post_roll_s;
    settings.planned_snapshots =
        timed ? static_cast<std::size_t>(std::max(1.0, timeline.total_s / timelapse.interval_s))
              : timeline.snapshots;
    settings.policy = settings_.frame_policy;
    auto capture = std::make_unique<timelapse::TimelapseCapture>(settings);
    timelapse::TimelapseCapture* capturing = capture.get();
    {
        const std::lock_guard lock(mutex_);
        capture_ = std::move(capture);
        video_stem_ = stem;
        render_after_print_ = timelapse.render_after_print;
    }
    if (timed) {
        const std::lock_guard lock(timed_mutex_);
        timed_stop_ = false;
        timed_capture_ = std::thread([this, capturing, interval_s = timelapse.interval_s] {
            capture_timed(capturing, interval_s);
        });
        return;
    }
    streamer_->set_capture([this, capturing](std::uint32_t snapshot, std::string& error) {
        timelapse::FrameInfo info;
        info.snapshot = snapshot;
        // Where the job stood when the head parked, from the streamer itself: the progress
        // event that says so may not have been read yet.
        const streamer::JobProgress progress = streamer_->snapshot_progress();
        info.layer = static_cast<std::uint32_t>(progress.layer + 1);
        info.z_mm = progress.z_mm;
        info.elapsed_s = progress.elapsed_s;
        info.progress_percent = progress.percent;
        const timelapse::SnapshotReport report = capturing->capture(info, timelapse::Clock::now());
        error = report.error;
        return report.ok;
    });
}

// As OctoPrint's timed timelapse: the head is not moved, so frames show it wherever it is; a
// camera that fails is reported by the capture and the print goes on.
void PrinterService::capture_timed(timelapse::TimelapseCapture* capture, double interval_s) {
    std::uint32_t snapshot = 0;
    std::unique_lock lock(timed_mutex_);
    while (!timed_wake_.wait_for(lock, std::chrono::duration<double>(interval_s),
                                 [this] { return timed_stop_; })) {
        lock.unlock();
        timelapse::FrameInfo info;
        info.snapshot = snapshot++;
        {
            const std::lock_guard status(mutex_);
            info.layer = static_cast<std::uint32_t>(status_.progress.layer + 1);
            info.z_mm = status_.progress.z_mm;
            info.elapsed_s = status_.progress.elapsed_s;
            info.progress_percent = status_.progress.percent;
        }
        (void)capture->capture(info, timelapse::Clock::now());
        lock.lock();
    }
}

void PrinterService::stop_timed_capture() {
    std::thread stopping;
    {
        const std::lock_guard lock(timed_mutex_);
        timed_stop_ = true;
        stopping = std::move(timed_capture_);
    }
    timed_wake_.notify_all();
    if (stopping.joinable()) stopping.join();
}

TimelapseSettings PrinterService::timelapse_settings() const {
    const std::lock_guard lock(mutex_);
    return timelapse_;
}

bool PrinterService::configure_timelapse(const TimelapseSettings& settings, bool save,
                                         std::string& error) {
    if (save) {
        std::ostringstream json_text;
        JsonWriter json(json_text);
        write_timelapse_settings(json, settings, true);
        const bool stored = store_.with([&](Database& db) {
            Statement upsert = db.prepare(
                "INSERT INTO settings (key, value_json) VALUES ('timelapse', ?) ON CONFLICT (key) "
                "DO UPDATE SET value_json = excluded.value_json",
                error);
            return upsert.valid() && upsert.bind(1, json_text.str()).run(error);
        });
        if (!stored) return false;
    }
    const std::lock_guard lock(mutex_);
    timelapse_ = settings;
    return true;
}

void PrinterService::end_timelapse(std::string_view result) {
    stop_timed_capture();
    std::unique_ptr<timelapse::TimelapseCapture> capture;
    std::int64_t job_id = 0;
    bool render = true;
    {
        const std::lock_guard lock(mutex_);
        capture = std::move(capture_);
        finishing_ = capture.get();
        job_id = status_.job_id;
        render = renders_after(render_after_print_, result);
    }
    if (!capture) return;
    // The frames stay, listed as an unrendered timelapse, as OctoPrint leaves them.
    if (!render) capture->cancel_renders();
    std::vector<timelapse::VideoOutcome> videos = capture->finish();
    if (!render) videos.clear();
    {
        const std::lock_guard lock(mutex_);
        finishing_ = nullptr;
    }
    for (const timelapse::VideoOutcome& video : videos) {
        const bool ok = video.result.ok;
        // Only shut_down() cancels a render.
        const std::string error = video.result.cancelled
                                      ? "the server stopped before the video was made; its "
                                        "frames are kept for a render later"
                                      : video.result.error;
        std::error_code ignored;
        const auto size = ok ? std::filesystem::file_size(video.path, ignored) : 0;
        store_.with([&](Database& db) {
            std::string unused;
            Statement insert = db.prepare(
                "INSERT OR REPLACE INTO timelapses (job_id, camera, path, thumbnail_path, "
                "size_bytes, frames, created_s, state, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                "nullif(?, ''))",
                unused);
            std::filesystem::path thumbnail = video.path;
            thumbnail.replace_extension(".thumb.jpg");
            return insert.valid() &&
                   insert.bind(1, job_id)
                       .bind(2, video.camera)
                       .bind(3, video.path.string())
                       .bind(4, thumbnail.string())
                       .bind(5, static_cast<std::int64_t>(size))
                       .bind(6, static_cast<std::int64_t>(video.result.frames_read))
                       .bind(7, unix_now_s())
                       .bind(8, ok ? "ready" : "failed")
                       .bind(9, error)
                       .run(unused);
        });
        std::ostringstream payload;
        JsonWriter json(payload);
        json.begin_object()
            .field("movie", video.path.string())
            .field("movie_basename", video.path.filename().string())
            .field("camera", video.camera);
        if (!ok) json.field("error", error);
        json.end_object();
        events_.publish(ok ? "MovieDone" : "MovieFailed", payload.str());
    }
}

}  // namespace strata::server
