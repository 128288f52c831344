// A print's timelapse from the capture side: at each snapshot every enabled camera is captured
// in parallel (each after its own delay), each JPEG is stored with its metadata, and handed to
// that camera's incremental render; after the print the videos are finished and the frame policy
// applied. A camera that fails is reported and skipped for that snapshot: the print goes on.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "strata/timelapse/camera.hpp"
#include "strata/timelapse/frames.hpp"
#include "strata/timelapse/render.hpp"

namespace strata::timelapse {

struct CaptureSettings {
    std::vector<CameraConfig> cameras;
    /// Frames go to `<frames_directory>/<camera name>/`.
    std::filesystem::path frames_directory;
    /// Videos go to `<videos_directory>/<video_stem>_<camera name>.<mp4|webm|gif>`, each with a
    /// thumbnail of its last frame beside it (`.thumb.jpg`); empty: no render, frames only.
    std::filesystem::path videos_directory;
    std::string video_stem = "timelapse";
    /// Each camera's own transform replaces `render.transform`, and its thumbnail path
    /// `render.thumbnail`.
    RenderOptions render;
    std::size_t planned_snapshots = 0;  ///< From the job's snapshot plan: fixes the frame rate.
    FramePolicy policy = FramePolicy::keep;
};

struct CameraOutcome {
    std::string camera;
    Status status;  ///< The frame is stored, or why not (the camera's error, or the disk's).
    double latency_s = 0.0;  ///< When it was captured.
};

struct SnapshotReport {
    std::vector<CameraOutcome> cameras;
    /// Ok when every enabled camera delivered a frame; else `unavailable` with the failures
    /// joined by "; ".
    Status status;
};

struct VideoOutcome {
    std::string camera;
    std::filesystem::path path;
    RenderResult result;
    /// The frame policy (delete or archive the frames) after a video was made; a failure here
    /// leaves the frames where they were and the video as good.
    Status frame_policy;
};

class TimelapseCapture {
  public:
    explicit TimelapseCapture(CaptureSettings settings);
    ~TimelapseCapture();
    TimelapseCapture(const TimelapseCapture&) = delete;
    TimelapseCapture& operator=(const TimelapseCapture&) = delete;

    /// Called with the head parked (`parked_at`: when the moves were confirmed done).
    SnapshotReport capture(const FrameInfo& info, Clock::time_point parked_at);
    /// Ends the renders (seconds: only the post-roll and the encoder's tail are left) and applies
    /// the frame policy to the cameras whose video was written.
    std::vector<VideoOutcome> finish();
    /// From any thread, also while `finish` runs: the renders stop at their next frame and end
    /// "cancelled", without a video; the frames stay, for a render later (as OctoPrint leaves a
    /// print's frames unrendered when it stops). For a server that is stopping, which should not
    /// wait for the frames still queued and the encoder's tail, nor, for a video of fixed length,
    /// for every frame rendered again at another rate.
    void cancel_renders() { cancel_renders_ = true; }
    /// A camera's frame directory.
    [[nodiscard]] std::filesystem::path frames_of(const std::string& camera) const;

  private:
    struct Lane;
    CaptureSettings settings_;
    std::atomic<bool> cancel_renders_{false};  ///< Before the lanes: their renders read it.
    std::vector<std::unique_ptr<Lane>> lanes_;
};

/// The longest a snapshot can take with `cameras` (the slowest enabled camera's delay plus its
/// timeout): the streamer must wait at least this long, or a late frame would show the head
/// already moving on.
[[nodiscard]] double longest_capture_s(const std::vector<CameraConfig>& cameras);

/// `name` with everything but letters, digits, '-' and '_' replaced by '_' (a directory name).
[[nodiscard]] std::string safe_name(const std::string& name);

}  // namespace strata::timelapse
