// TimelapseCapture: one lane per enabled camera (camera, frame writer, incremental render).
// A snapshot runs the lanes on their own threads at once; the slowest camera sets the time the
// head stays parked.
#include "strata/timelapse/capture.hpp"

#include <algorithm>
#include <cctype>
#include <future>

namespace strata::timelapse {

struct TimelapseCapture::Lane {
    std::unique_ptr<Camera> camera;
    std::string name;
    FrameWriter writer;
    std::unique_ptr<IncrementalRender> render;
    std::filesystem::path video;
    RenderOptions options;

    Lane(const CameraConfig& config, const CaptureSettings& settings,
         const std::atomic<bool>& cancel_render)
        : camera(make_camera(config)),
          name(safe_name(config.name)),
          writer(settings.frames_directory / name),
          options(settings.render) {
        options.transform = config.transform;
        if (settings.videos_directory.empty()) return;
        const char* extension = options.format == VideoFormat::webm_vp9 ? ".webm"
                                : options.format == VideoFormat::gif    ? ".gif"
                                                                        : ".mp4";
        const std::string stem = settings.video_stem + "_" + name;
        video = settings.videos_directory / (stem + extension);
        options.thumbnail = settings.videos_directory / (stem + ".thumb.jpg");
        render = std::make_unique<IncrementalRender>(video, options, settings.planned_snapshots,
                                                     &cancel_render);
    }

    CameraOutcome capture(const FrameInfo& info, Clock::time_point parked_at) {
        CameraOutcome outcome;
        outcome.camera = name;
        const auto delay = std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(camera->config().delay_s));
        Result<CapturedFrame> captured = camera->capture(parked_at + delay, info.snapshot);
        if (!captured) {
            outcome.status = captured.error();
            return outcome;
        }
        outcome.latency_s = captured->latency_s;
        FrameInfo stamped = info;
        stamped.captured_unix_s =
            std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
                .count();
        outcome.status = writer.add(captured->jpeg, stamped);
        if (outcome.status && render)
            render->add(Frame{writer.path_of(writer.count() - 1), stamped});
        return outcome;
    }
};

double longest_capture_s(const std::vector<CameraConfig>& cameras) {
    double longest_s = 0.0;
    for (const CameraConfig& camera : cameras)
        if (camera.enabled) longest_s = std::max(longest_s, camera.delay_s + camera.timeout_s);
    return longest_s;
}

std::string safe_name(const std::string& name) {
    std::string out = name.empty() ? "camera" : name;
    for (char& c : out)
        if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '_') c = '_';
    return out;
}

TimelapseCapture::TimelapseCapture(CaptureSettings settings) : settings_(std::move(settings)) {
    std::error_code ignored;
    if (!settings_.videos_directory.empty())
        std::filesystem::create_directories(settings_.videos_directory, ignored);
    for (const CameraConfig& config : settings_.cameras)
        if (config.enabled)
            lanes_.push_back(std::make_unique<Lane>(config, settings_, cancel_renders_));
}

TimelapseCapture::~TimelapseCapture() = default;

std::filesystem::path TimelapseCapture::frames_of(const std::string& camera) const {
    return settings_.frames_directory / safe_name(camera);
}

SnapshotReport TimelapseCapture::capture(const FrameInfo& info, Clock::time_point parked_at) {
    std::vector<std::future<CameraOutcome>> running;
    running.reserve(lanes_.size());
    for (const auto& lane : lanes_)
        running.push_back(std::async(std::launch::async, [&lane, &info, parked_at] {
            return lane->capture(info, parked_at);
        }));
    SnapshotReport report;
    std::string failures;
    for (auto& outcome : running) {
        report.cameras.push_back(outcome.get());
        const Status& last = report.cameras.back().status;
        if (!last) failures += (failures.empty() ? "" : "; ") + last.error().message;
    }
    if (!failures.empty()) report.status = fail(ErrorCode::unavailable, failures);
    return report;
}

std::vector<VideoOutcome> TimelapseCapture::finish() {
    std::vector<VideoOutcome> videos;
    for (const auto& lane : lanes_) {
        if (!lane->render) continue;
        VideoOutcome video{lane->name, lane->video, lane->render->finish(), {}};
        lane->render.reset();
        if (video.result.status)
            video.frame_policy = apply_frame_policy(lane->writer.directory(), settings_.policy);
        videos.push_back(std::move(video));
    }
    return videos;
}

}  // namespace strata::timelapse
