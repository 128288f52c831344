// The renderer: JPEG frames in, a video out, in-process through libavformat/libavcodec/libswscale
// (no ffmpeg command line). This header carries no FFmpeg type, so including it costs nothing;
// the codecs live in render/encoder.cpp. Errors come back as values naming the file or option.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "strata/timelapse/frames.hpp"
#include "strata/timelapse/image_transform.hpp"

namespace strata::timelapse {

enum class VideoFormat : std::uint8_t {
    mp4_h264,  ///< H.264 (libx264) in MP4 with the index first (faststart), for browsers.
    webm_vp9,  ///< VP9 (libvpx-vp9) in WebM.
    gif,       ///< Animated GIF (8-bit palette).
};

enum class Corner : std::uint8_t { top_left, top_right, bottom_left, bottom_right };

/// Text drawn on every frame from a template. Tokens: {snapshot} {layer} {height} (mm)
/// {elapsed} (print time, H:MM:SS) {time} (wall clock, HH:MM:SS) {progress} (percent).
struct Overlay {
    std::string text_template;  ///< Empty: no overlay.
    std::filesystem::path font_path = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf";
    int font_px = 0;  ///< Text height; 0: a twentieth of the frame height.
    Corner corner = Corner::bottom_left;
    std::array<std::uint8_t, 3> color_rgb{255, 255, 255};
    std::array<std::uint8_t, 3> outline_rgb{0, 0, 0};
    int outline_px = 2;
};

struct RenderOptions {
    VideoFormat format = VideoFormat::mp4_h264;
    /// Frames per second, unless `run_length_s` is set.
    double fps = 30.0;
    /// Fixed length: the frame rate that plays the captured frames in this many seconds, kept
    /// within [min_fps, max_fps] (Octolapse's "fixed run length"). The rolls come on top.
    double run_length_s = 0.0;
    double min_fps = 2.0;
    double max_fps = 120.0;
    /// Constant quality on x264's and libvpx-vp9's CRF scale (lower is better). With the
    /// ultrafast preset, 21 matches the structural similarity (SSIM, all planes) of OctoPrint's
    /// default render (libx264 medium at 10 Mb/s) on noisy 1080p frames, at about 7 times its
    /// speed; benchmarks/render_benchmark.py measures both.
    int crf = 21;
    /// x264 preset: speed against size at the same quality.
    std::string x264_preset = "ultrafast";
    int threads = 0;           ///< Encoder and decoder threads; 0: one per core.
    double pre_roll_s = 0.0;   ///< The first frame held this long before the rest.
    double post_roll_s = 0.0;  ///< The last frame held this long after the rest.
    ImageTransform transform;
    Overlay overlay;
    /// Where to write a JPEG thumbnail of the last frame (as rendered); empty: none.
    std::filesystem::path thumbnail;
    int thumbnail_width = 320;
};

/// A render's outcome: its status (the error names the frame file or the option; `cancelled`
/// when the caller's flag stopped it) and its counts, filled in either way.
struct RenderResult {
    Status status = fail(ErrorCode::internal, "not rendered");
    std::uint64_t frames_read = 0;
    std::uint64_t frames_written = 0;  ///< Including the pre- and post-roll copies.
    int width = 0;
    int height = 0;
    double fps = 0.0;
    double duration_s = 0.0;
};

/// The frame rate `options` give `frame_count` captured frames.
[[nodiscard]] double frame_rate_for(const RenderOptions& options, std::size_t frame_count);

/// Checks the options that do not depend on the frames (rates, template tokens, the font);
/// refused naming the option.
[[nodiscard]] Status validate(const RenderOptions& options);

/// Encodes `frames` into `output`, written to a temporary file beside it and renamed into place
/// only when complete. Every frame must have the first frame's size. Frames are decoded on
/// worker threads while the encoder runs. When `cancel` is given and becomes true (from any
/// thread), the render stops before its next frame with the error "cancelled", and leaves
/// neither the output nor its temporary file.
[[nodiscard]] RenderResult render_frames(const std::vector<Frame>& frames,
                                         const std::filesystem::path& output,
                                         const RenderOptions& options,
                                         const std::atomic<bool>* cancel = nullptr);

/// Renders while the print runs: each frame is encoded as it is captured, so at the end only
/// the post-roll and the encoder's tail remain. The frame rate is fixed when the first frame
/// arrives, from the number of frames the job plans; if the print ends with another count and
/// the options give that count another rate, `finish` renders again from the frame store.
/// Once `cancel` (when given) is set, no further frame is encoded, neither here nor in that
/// second render: `finish` returns "cancelled" at once and leaves no video behind.
class IncrementalRender {
  public:
    IncrementalRender(std::filesystem::path output, RenderOptions options,
                      std::size_t planned_frames, const std::atomic<bool>* cancel = nullptr);
    ~IncrementalRender();
    IncrementalRender(const IncrementalRender&) = delete;
    IncrementalRender& operator=(const IncrementalRender&) = delete;

    /// Queues a stored frame for encoding on the render thread (at low CPU priority); never
    /// blocks on the encoder.
    void add(const Frame& frame);
    /// Encodes what is queued, the post-roll, and closes the file; the same result as
    /// render_frames would give for the frames added.
    RenderResult finish();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace strata::timelapse
