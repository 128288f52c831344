// From a stored frame to the picture the encoder takes: decode, rotate/flip, crop to even, draw
// the overlay. OrderedDecoder runs that on worker threads a few frames ahead of the encoder and
// hands the pictures back in order, so JPEG decoding (a core's worth at 1080p) overlaps encoding.
// Internal to the renderer.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "overlay.hpp"
#include "picture.hpp"

namespace strata::timelapse::render {

/// One thread's preparation state (the overlay's glyph cache is not shared).
class FramePreparer {
  public:
    explicit FramePreparer(const RenderOptions& options) : options_(options) {}
    /// The picture to encode; the error names the frame or the overlay font.
    [[nodiscard]] Result<Picture> prepare(const Frame& frame);

  private:
    const RenderOptions& options_;
    TextOverlay overlay_;
    bool overlay_loaded_ = false;
};

class OrderedDecoder {
  public:
    OrderedDecoder(const std::vector<Frame>& frames, const RenderOptions& options, int workers);
    ~OrderedDecoder();
    OrderedDecoder(const OrderedDecoder&) = delete;
    OrderedDecoder& operator=(const OrderedDecoder&) = delete;

    /// The next frame in order, or why it could not be prepared.
    [[nodiscard]] Result<Picture> next();

  private:
    void work();

    const std::vector<Frame>& frames_;
    const RenderOptions& options_;
    std::size_t window_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::map<std::size_t, Result<Picture>> done_;
    std::size_t next_claim_ = 0;
    std::size_t next_out_ = 0;
    bool stopping_ = false;
    std::vector<std::thread> workers_;
};

/// The number of worker threads `threads` asks for (0: one per core).
[[nodiscard]] int worker_count(int threads);

}  // namespace strata::timelapse::render
