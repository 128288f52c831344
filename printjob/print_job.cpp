// PrintJob (see strata/printjob/print_job.hpp): the capture attached before the job starts, so
// its first snapshot is never missed, and detached before the videos are finished, so no frame
// arrives after.
#include "strata/printjob/print_job.hpp"

#include <algorithm>
#include <array>
#include <chrono>

namespace strata::printjob {
namespace {

timelapse::FrameInfo frame_info(std::uint32_t snapshot, const streamer::JobProgress& progress) {
    timelapse::FrameInfo info;
    info.snapshot = snapshot;
    info.layer = static_cast<std::uint32_t>(progress.layer + 1);
    info.z_mm = progress.z_mm;
    info.elapsed_s = progress.elapsed_s;
    info.progress_percent = progress.percent;
    return info;
}

}  // namespace

std::string video_stem_for(std::string_view file_path, std::time_t start) {
    std::tm local{};
    localtime_r(&start, &local);
    std::array<char, 32> stamp{};
    std::strftime(stamp.data(), stamp.size(), "_%Y-%m-%d_%H-%M-%S", &local);
    return timelapse::safe_name(std::filesystem::path(file_path).stem().string()) + stamp.data();
}

void fit_capture_timeout(streamer::StreamerConfig& config,
                         const std::vector<timelapse::CameraConfig>& cameras) {
    config.capture_timeout_s =
        std::max(config.capture_timeout_s, timelapse::longest_capture_s(cameras) + 1.0);
}

streamer::JobTimeline timeline_as_is(std::uint64_t lines, double estimated_s) {
    streamer::JobTimeline timeline;
    timeline.total_lines = lines;
    timeline.total_s = estimated_s > 0.0 ? estimated_s : 0.0;
    return timeline;
}

PrintJob::PrintJob(streamer::Streamer& printer, JobSpec spec)
    : printer_(printer), spec_(std::move(spec)) {
    const TimelapsePlan& plan = spec_.timelapse;
    if (plan.cameras.empty()) return;
    const bool timed = plan.timed_interval_s > 0.0;
    video_stem_ = video_stem_for(spec_.file_path, std::time(nullptr));
    timelapse::CaptureSettings settings;
    settings.cameras = plan.cameras;
    settings.frames_directory = plan.directory / "frames" / video_stem_;
    if (plan.render_videos) settings.videos_directory = plan.directory;
    settings.video_stem = video_stem_;
    settings.render = plan.render;
    settings.planned_snapshots = timed ? static_cast<std::size_t>(std::max(
                                             1.0, spec_.timeline.total_s / plan.timed_interval_s))
                                       : spec_.timeline.snapshots;
    settings.policy = plan.frame_policy;
    capture_ = std::make_unique<timelapse::TimelapseCapture>(settings);
    attach_capture();
}

PrintJob::~PrintJob() {
    stop_capture();
}

Status PrintJob::start() {
    Status started = printer_.start_job(spec_.stream_path, spec_.timeline);
    if (started) return started;
    stop_capture();
    cancel_renders();
    return started;
}

void PrintJob::attach_capture() {
    if (spec_.timelapse.timed_interval_s > 0.0) {
        timed_ = std::thread([this] { capture_timed(); });
        return;
    }
    timelapse::TimelapseCapture* capture = capture_.get();
    streamer::Streamer* printer = &printer_;
    attached_ = true;
    printer_.set_capture([printer, capture](std::uint32_t snapshot) -> Status {
        // Where the job stood when the head parked, from the streamer itself: the progress
        // event that says so may not have been read yet.
        const timelapse::SnapshotReport report = capture->capture(
            frame_info(snapshot, printer->snapshot_progress()), timelapse::Clock::now());
        return report.status;
    });
}

// As OctoPrint's timed timelapse: the head is not moved, so frames show it wherever it is; a
// camera that fails is reported by the capture and the print goes on.
void PrintJob::capture_timed() {
    const auto interval = std::chrono::duration<double>(spec_.timelapse.timed_interval_s);
    std::uint32_t snapshot = 0;
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, interval, [this] { return stopping_; })) {
        const timelapse::FrameInfo info = frame_info(snapshot++, progress_);
        lock.unlock();
        (void)capture_->capture(info, timelapse::Clock::now());
        lock.lock();
    }
}

void PrintJob::note_progress(const streamer::JobProgress& progress) {
    const std::lock_guard lock(mutex_);
    progress_ = progress;
}

void PrintJob::stop_capture() {
    if (attached_) {
        printer_.set_capture({});  // Returns once the callback is not running.
        attached_ = false;
    }
    if (!timed_.joinable()) return;
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    timed_.join();
}

void PrintJob::cancel_renders() {
    if (capture_) capture_->cancel_renders();
}

std::vector<timelapse::VideoOutcome> PrintJob::finish(bool render) {
    stop_capture();
    if (!capture_) return {};
    // Without a render the frames stay, listed as an unrendered timelapse, as OctoPrint leaves
    // them.
    if (!render) capture_->cancel_renders();
    std::vector<timelapse::VideoOutcome> videos = capture_->finish();
    if (!render) videos.clear();
    return videos;
}

std::filesystem::path PrintJob::frames_of(const std::string& camera) const {
    return capture_ ? capture_->frames_of(camera) : std::filesystem::path();
}

}  // namespace strata::printjob
