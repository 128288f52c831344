// One video stream being encoded into one file, over FFmpeg's C API. Internal to the renderer:
// only encoder.cpp includes FFmpeg's headers. Frames go in as packed RGB24; the encoder converts
// them with libswscale to what its codec takes (YUV 4:2:0, or an 8-bit palette for GIF).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "strata/timelapse/render.hpp"

namespace strata::timelapse::render {

class Encoder {
  public:
    Encoder();
    ~Encoder();
    Encoder(const Encoder&) = delete;
    Encoder& operator=(const Encoder&) = delete;

    /// Opens `path` for `width`×`height` frames; the error names what failed (`unavailable`:
    /// this FFmpeg lacks the muxer or codec; `no_space` and the like from the file).
    [[nodiscard]] Status open(const std::string& path, int width, int height, double fps,
                              const RenderOptions& options);
    /// One frame of packed RGB24 with `stride` bytes a row (at least `width * 3`).
    [[nodiscard]] Status add(const std::uint8_t* rgb, int stride);
    /// Drains the codec and writes the trailer; the file is complete after this.
    [[nodiscard]] Status finish();
    [[nodiscard]] std::uint64_t frames() const { return next_pts_; }

  private:
    struct State;
    [[nodiscard]] Status send(bool flushing);
    std::unique_ptr<State> state_;
    std::uint64_t next_pts_ = 0;
};

}  // namespace strata::timelapse::render
