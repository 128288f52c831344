// A job's timelapse as the server takes it: which plan the configuration makes of it (every
// configured camera at each snapshot, or every interval for OctoPrint's `timed` type; the
// PrintJob captures and renders), and at the job's end each video a row in `timelapses` and a
// MovieDone (or MovieFailed) event. The configuration (POST /api/timelapse)
// is kept here too, in the `settings` table.
#include <cstdio>
#include <sstream>

#include "strata/common/json_writer.hpp"
#include "strata/common/log.hpp"
#include "strata/server/clock.hpp"
#include "strata/server/printer_service.hpp"
#include "strata/server/settings_table.hpp"
#include "strata/server/videos.hpp"

namespace strata::server {

printjob::TimelapsePlan PrinterService::timelapse_plan(
    const streamer::JobTimeline& timeline, const std::vector<timelapse::CameraConfig>& cameras,
    const TimelapseSettings& settings) const {
    printjob::TimelapsePlan plan;
    // `timed` only on a job without snapshot moves (a resumed prepared job keeps its own).
    const bool timed = settings.type == TimelapseType::timed && timeline.snapshots == 0;
    const bool planned = settings.type == TimelapseType::zchange && timeline.snapshots > 0;
    if (!timed && !planned) return plan;
    plan.cameras = cameras;
    plan.directory = settings_.timelapse_directory;
    // Rendered as the frames come; `never` keeps the frames only.
    plan.render_videos = settings.render_after_print != RenderAfterPrint::never;
    plan.render.fps = settings.fps;
    plan.render.post_roll_s = settings.post_roll_s;
    plan.frame_policy = settings_.frame_policy;
    if (timed) plan.timed_interval_s = settings.interval_s;
    return plan;
}

TimelapseSettings PrinterService::timelapse_settings() const {
    const std::lock_guard lock(mutex_);
    return timelapse_;
}

Status PrinterService::configure_timelapse(const TimelapseSettings& settings, bool save) {
    if (save) {
        std::ostringstream json_text;
        JsonWriter json(json_text);
        write_timelapse_settings(json, settings, true);
        Status stored = store_.with(
            [&](Database& db) { return SettingsTable(db).put("timelapse", json_text.str()); });
        if (!stored) return stored;
    }
    const std::lock_guard lock(mutex_);
    timelapse_ = settings;
    return {};
}

void PrinterService::end_timelapse(std::string_view result) {
    std::unique_ptr<printjob::PrintJob> job;
    std::int64_t job_id = 0;
    bool render = true;
    {
        const std::lock_guard lock(mutex_);
        job = std::move(job_);
        finishing_ = job.get();
        job_id = status_.job_id;
        render = renders_after(render_after_print_, result);
    }
    if (!job) return;
    const std::vector<timelapse::VideoOutcome> videos = job->finish(render);
    {
        const std::lock_guard lock(mutex_);
        finishing_ = nullptr;
    }
    for (const timelapse::VideoOutcome& video : videos) {
        const Status& status = video.result.status;
        const bool ok = status.ok();
        if (!video.frame_policy)
            log_message(LogLevel::warning, "strata serve: frames of %s left as they were: %s\n",
                        video.path.c_str(), video.frame_policy.error().message.c_str());
        // Only shut_down() cancels a render.
        const std::string error = ok ? std::string()
                                  : status.error().code == ErrorCode::cancelled
                                      ? "the server stopped before the video "
                                        "was made; its frames are kept for a "
                                        "render later"
                                      : status.error().message;
        NewVideo row;
        row.job_id = job_id;
        row.camera = video.camera;
        row.path = video.path.string();
        row.thumbnail_path = std::filesystem::path(video.path).replace_extension(".thumb.jpg");
        std::error_code unknown_size;
        const auto size = ok ? std::filesystem::file_size(video.path, unknown_size) : 0;
        row.size_bytes = unknown_size ? 0 : static_cast<std::int64_t>(size);
        row.frames = static_cast<std::int64_t>(video.result.frames_read);
        row.created_s = unix_now_s();
        row.ready = ok;
        row.error = error;
        const Status recorded = store_.with([&](Database& db) { return Videos(db).record(row); });
        if (!recorded)
            log_message(LogLevel::warning, "strata serve: video %s not listed: %s\n",
                        row.path.c_str(), recorded.error().message.c_str());
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
