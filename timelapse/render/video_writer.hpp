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

    /// Encodes the picture made from `frame`; the error names it (wrong size) or says what
    /// the encoder could not do. After a failure, every call answers with that failure.
    [[nodiscard]] Status add(Picture picture, const Frame& frame);
    /// Post-roll, encoder tail, thumbnail, rename. Fills the result's counts either way.
    void finish(RenderResult& result);

  private:
    [[nodiscard]] Status encode_copies(const Picture& picture, std::uint64_t copies);
    [[nodiscard]] Status finish_file();

    std::filesystem::path output_;
    std::filesystem::path partial_;
    const RenderOptions& options_;
    double fps_;
    Encoder encoder_;
    bool opened_ = false;
    Status status_;  ///< Ok until the first failure; every later call answers with it.
    std::uint64_t frames_read_ = 0;
    Picture last_;
};

}  // namespace strata::timelapse::render
