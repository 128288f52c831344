// FramePreparer and OrderedDecoder: workers claim frame indices in order, at most a window
// ahead of the consumer, and park their results in a map the consumer drains by index.
#include "frame_pipeline.hpp"

#include <algorithm>

namespace strata::timelapse::render {

int worker_count(int threads) {
    if (threads > 0) return threads;
    return static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
}

Result<Picture> FramePreparer::prepare(const Frame& frame) {
    Result<Picture> decoded = decode_jpeg(frame.path);
    if (!decoded) return decoded.error();
    Picture picture = transformed(std::move(*decoded), options_.transform);
    crop_to_even(picture);
    if (!overlay_loaded_) {
        if (Status loaded = overlay_.load(options_.overlay, picture.height); !loaded)
            return loaded.error();
        overlay_loaded_ = true;
    }
    overlay_.draw(picture, frame.info);
    return picture;
}

OrderedDecoder::OrderedDecoder(const std::vector<Frame>& frames, const RenderOptions& options,
                               int workers)
    : frames_(frames), options_(options), window_(static_cast<std::size_t>(workers) * 2) {
    for (int i = 0; i < workers; ++i)
        workers_.emplace_back([this] { work(); });
}

OrderedDecoder::~OrderedDecoder() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    for (std::thread& worker : workers_)
        worker.join();
}

void OrderedDecoder::work() {
    FramePreparer preparer(options_);
    std::unique_lock lock(mutex_);
    for (;;) {
        changed_.wait(lock, [this] {
            return stopping_ || next_claim_ >= frames_.size() || next_claim_ < next_out_ + window_;
        });
        if (stopping_ || next_claim_ >= frames_.size()) return;
        const std::size_t index = next_claim_++;
        lock.unlock();
        Result<Picture> prepared = preparer.prepare(frames_[index]);
        lock.lock();
        done_.emplace(index, std::move(prepared));
        changed_.notify_all();
    }
}

Result<Picture> OrderedDecoder::next() {
    std::unique_lock lock(mutex_);
    if (next_out_ >= frames_.size()) return fail(ErrorCode::internal, "no more frames");
    changed_.wait(lock, [this] { return done_.count(next_out_) != 0; });
    auto node = done_.extract(next_out_++);
    changed_.notify_all();
    lock.unlock();
    return std::move(node.mapped());
}

}  // namespace strata::timelapse::render
