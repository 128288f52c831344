// Recordings: the frame sets timelapses are rendered from, one per camera and print, kept under
// `<timelapse>/frames/<stem>/<camera>/` (or packed into `<camera>.tar` by the archive policy).
// A recording is named `<stem>_<camera>`, the name of the video rendered from it. Recordings
// without a ready video are OctoPrint's "unrendered timelapses". This lists the ready videos
// (through Videos, the owner of their table) and the recordings, reads their
// frames, deletes them, and renders them again, one at a time on a worker thread at low priority,
// with a MovieRendering event before and MovieDone or MovieFailed after.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "strata/server/event_hub.hpp"
#include "strata/server/store.hpp"
#include "strata/server/videos.hpp"
#include "strata/timelapse/frames.hpp"
#include "strata/timelapse/render.hpp"

namespace strata::server {

struct Recording {
    std::string name;                ///< `<stem>_<camera>`.
    std::string camera;              ///< The camera's (safe) name.
    std::filesystem::path location;  ///< The frame directory, or the archive.
    bool archived = false;
    std::uint64_t bytes = 0;
    std::size_t frames = 0;  ///< Listed frames; unknown (0) for an archive.
    double modified_unix_s = 0.0;
    std::string video;  ///< File name of its ready video; empty when unrendered.
};

class Recordings {
  public:
    Recordings(std::filesystem::path timelapse_directory, Store& store, EventHub& events);
    ~Recordings();
    Recordings(const Recordings&) = delete;
    Recordings& operator=(const Recordings&) = delete;

    /// The ready videos, newest first (what GET /api/timelapse lists).
    [[nodiscard]] Result<std::vector<TimelapseVideo>> ready_videos();
    /// Every recording, newest first.
    [[nodiscard]] std::vector<Recording> list();
    [[nodiscard]] std::optional<Recording> find(std::string_view name);
    /// The frames of a recording kept as a directory; `conflict` for an archived one.
    [[nodiscard]] Result<std::vector<timelapse::Frame>> frames(const Recording& recording) const;
    /// Queues a render of `name` with `options` (format, rate, transform, overlay...). The video
    /// replaces one of the same name. Refused when it is unknown or already queued.
    [[nodiscard]] Status render(const std::string& name, const timelapse::RenderOptions& options);
    /// Whether `name` is queued or rendering.
    [[nodiscard]] bool rendering(std::string_view name);
    /// Deletes a recording's frames (never its video).
    [[nodiscard]] Status remove(const std::string& name);
    /// The path a recording's video gets for `format`.
    [[nodiscard]] std::filesystem::path video_path(const std::string& name,
                                                   timelapse::VideoFormat format) const;

  private:
    struct Job {
        std::string name;
        timelapse::RenderOptions options;
    };
    /// Recordings found on disk; only the one named `only` when it is not empty.
    std::vector<Recording> scan(std::string_view only);
    void work();
    void render_now(const Job& job);
    void record_video(const Recording& recording, const std::filesystem::path& video,
                      const timelapse::RenderResult& result);

    std::filesystem::path directory_;  ///< Videos here, frames under `frames/`.
    Store& store_;
    EventHub& events_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Job> queue_;
    std::string rendering_;  ///< The name being rendered now.
    bool stopping_ = false;
    /// Set when the server stops: a render in progress ends at its next frame, so stopping
    /// never waits out a long encode; the recording stays unrendered.
    std::atomic<bool> cancel_render_{false};
    std::thread worker_;
};

}  // namespace strata::server
