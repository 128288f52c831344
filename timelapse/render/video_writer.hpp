// One video being written: the first picture opens the encoder and is held for the pre-roll,
// the last is held for the post-roll and becomes the thumbnail, and the file appears under its
// final name only when complete. Shared by the one-shot and the incremental render. Internal.
#pragma once

#include <filesystem>
#include <string>

#include "encoder.hpp"
#include "picture.hpp"

namespace strata::timelapse::render {

class VideoWriter {
  public:
    VideoWriter(std::filesystem::path output, const RenderOptions& options, double fps);
    ~VideoWriter();
    VideoWriter(const VideoWriter&) = delete;
    VideoWriter& operator=(const VideoWriter&) = delete;

    /// Encodes the picture made from `frame`; false with `error` naming it (wrong size) or the
    /// encoder's failure.
    bool add(Picture picture, const Frame& frame, std::string& error);
    /// Post-roll, encoder tail, thumbnail, rename. Fills the result's counts either way.
    bool finish(RenderResult& result);

  private:
    bool encode_copies(const Picture& picture, std::uint64_t copies, std::string& error);

    std::filesystem::path output_;
    std::filesystem::path partial_;
    const RenderOptions& options_;
    double fps_;
    Encoder encoder_;
    bool opened_ = false;
    bool failed_ = false;
    std::string error_;
    std::uint64_t frames_read_ = 0;
    Picture last_;
};

}  // namespace strata::timelapse::render
