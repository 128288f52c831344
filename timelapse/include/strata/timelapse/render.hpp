// The renderer: JPEG frames in, a video out, in-process through libavformat/libavcodec/libswscale
// (no ffmpeg command line). This header carries no FFmpeg type, so including it costs nothing;
// the codecs live in render/encoder.cpp. Errors come back as values naming the file or option.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace strata::timelapse {

enum class VideoFormat : std::uint8_t {
    mp4_h264,  ///< H.264 (libx264) in MP4 with the index first (faststart), for browsers.
    webm_vp9,  ///< VP9 (libvpx-vp9) in WebM.
    gif,       ///< Animated GIF (8-bit palette).
};

struct RenderOptions {
    VideoFormat format = VideoFormat::mp4_h264;
    double fps = 30.0;
    /// Constant quality on x264's and libvpx-vp9's CRF scale (lower is better); 23 is x264's
    /// own default. The choice against OctoPrint's settings is for the render benchmark to show.
    int crf = 23;
    /// x264 preset: speed against size at the same quality; OctoPrint's command line runs the
    /// default "medium".
    std::string x264_preset = "veryfast";
    int threads = 0;           ///< Encoder threads; 0: one per core.
    double pre_roll_s = 0.0;   ///< The first frame held this long before the rest.
    double post_roll_s = 0.0;  ///< The last frame held this long after the rest.
};

struct RenderResult {
    bool ok = false;
    std::string error;  ///< What failed, naming the frame file or the option.
    std::uint64_t frames_read = 0;
    std::uint64_t frames_written = 0;  ///< Including the pre- and post-roll copies.
    int width = 0;
    int height = 0;
    double duration_s = 0.0;
};

/// The JPEG files of `directory` in name order (frame files are numbered with leading zeros).
[[nodiscard]] std::vector<std::filesystem::path> frame_files(
    const std::filesystem::path& directory);

/// Encodes `frames` into `output`, written to a temporary file beside it and renamed into place
/// only when complete. Every frame must have the first frame's size.
[[nodiscard]] RenderResult render_frames(const std::vector<std::filesystem::path>& frames,
                                         const std::filesystem::path& output,
                                         const RenderOptions& options);

}  // namespace strata::timelapse
