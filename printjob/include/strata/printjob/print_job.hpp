// One print with its timelapse: the composition of the streamer, the capture, the job's
// timeline and the videos' names that `strata print` and the server share. The owner decides
// what to print and which timelapse to take; a PrintJob starts the job on the streamer with
// the capture attached (frames at the job's snapshots, or every interval for OctoPrint's
// `timed` type), and at the end detaches the capture and finishes the videos. What happens
// around it — the progress line of the CLI, the server's job records, events and video rows —
// stays with the owner.
#pragma once

#include <condition_variable>
#include <ctime>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "strata/common/result.hpp"
#include "strata/streamer/streamer.hpp"
#include "strata/timelapse/capture.hpp"

namespace strata::printjob {

/// The timelapse a job is to take.
struct TimelapsePlan {
    std::vector<timelapse::CameraConfig> cameras;  ///< None: no timelapse.
    /// Frames go to `<directory>/frames/<video stem>/`, videos to `<directory>`.
    std::filesystem::path directory;
    bool render_videos = true;  ///< false: the frames only, for a render later.
    timelapse::RenderOptions render;
    timelapse::FramePolicy frame_policy = timelapse::FramePolicy::keep;
    /// Above 0: a frame every interval without moving the head (OctoPrint's `timed`), instead of
    /// at the job's snapshots.
    double timed_interval_s = 0.0;
};

/// What to print.
struct JobSpec {
    std::string file_path;    ///< The file the user chose: names the videos.
    std::string stream_path;  ///< What is sent: the annotated job, the file itself, a resume job.
    streamer::JobTimeline timeline;
    TimelapsePlan timelapse;
};

/// `<file stem>_<local time of start>`, safe as a file name: prints of one file stay apart.
[[nodiscard]] std::string video_stem_for(std::string_view file_path, std::time_t start);

/// The streamer's wait for a snapshot, at least as long as the slowest camera takes, so a frame
/// never arrives after the head has moved on.
void fit_capture_timeout(streamer::StreamerConfig& config,
                         const std::vector<timelapse::CameraConfig>& cameras);

/// The timeline of a file sent as it is, from the line count and the estimate alone: progress
/// by lines, the ETA from the total.
[[nodiscard]] streamer::JobTimeline timeline_as_is(std::uint64_t lines, double estimated_s);
/// The same with layers and time samples, from an analysis of the file with the time estimator
/// (seconds for a large file): progress by estimated time.
[[nodiscard]] Result<streamer::JobTimeline> analyze_as_is(const std::string& path);

class PrintJob {
  public:
    /// Readies `spec` on `printer` (connected, idle): its timelapse's capture made and attached,
    /// so that whoever owns the job can publish it before a snapshot or the job's end can come.
    /// The printer must outlive the PrintJob.
    PrintJob(streamer::Streamer& printer, JobSpec spec);
    ~PrintJob();
    PrintJob(const PrintJob&) = delete;
    PrintJob& operator=(const PrintJob&) = delete;

    /// Sends the job. Refused (the printer busy or gone): the capture is detached and its renders
    /// cancelled; no frame was taken.
    [[nodiscard]] Status start();
    [[nodiscard]] const JobSpec& spec() const { return spec_; }
    /// The videos' common name; empty without a timelapse.
    [[nodiscard]] const std::string& video_stem() const { return video_stem_; }
    [[nodiscard]] bool has_timelapse() const { return capture_ != nullptr; }
    /// The job's latest progress, for the frames of a `timed` timelapse (the snapshots' frames
    /// get theirs from the streamer).
    void note_progress(const streamer::JobProgress& progress);
    /// From any thread: renders still running end without their video (see
    /// TimelapseCapture::cancel_renders).
    void cancel_renders();
    /// Once the job has ended: the capture detached and stopped, then the videos finished
    /// (`render` false: their renders cancelled, the frames kept). Once only.
    [[nodiscard]] std::vector<timelapse::VideoOutcome> finish(bool render);
    [[nodiscard]] std::filesystem::path frames_of(const std::string& camera) const;

  private:
    void attach_capture();
    void capture_timed();
    /// Detaches the capture from the streamer and stops the timed thread.
    void stop_capture();

    streamer::Streamer& printer_;
    JobSpec spec_;
    std::string video_stem_;
    std::unique_ptr<timelapse::TimelapseCapture> capture_;
    bool attached_ = false;  ///< The capture callback is set on the streamer.
    std::mutex mutex_;       ///< Guards the members below.
    std::condition_variable wake_;
    bool stopping_ = false;
    streamer::JobProgress progress_;
    std::thread timed_;
};

}  // namespace strata::printjob
