// FramePreparer and OrderedDecoder: workers claim frame indices in order, at most a window
// ahead of the consumer, and park their results in a map the consumer drains by index.
#include "frame_pipeline.hpp"

#include <algorithm>

namespace strata::timelapse::render {

int worker_count(int threads) {
    if (threads > 0) return threads;
    return static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
}

bool FramePreparer::prepare(const Frame& frame, Picture& picture, std::string& error) {
    Picture decoded;
    if (!decode_jpeg(frame.path, decoded, error)) return false;
    picture = transformed(std::move(decoded), options_.transform);
    crop_to_even(picture);
    if (!overlay_loaded_) {
        if (!overlay_.load(options_.overlay, picture.height, error)) return false;
        overlay_loaded_ = true;
    }
    overlay_.draw(picture, frame.info);
    return true;
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
        Result result;
        result.ok = preparer.prepare(frames_[index], result.picture, result.error);
        lock.lock();
        done_.emplace(index, std::move(result));
        changed_.notify_all();
    }
}

bool OrderedDecoder::next(Picture& picture, std::string& error) {
    std::unique_lock lock(mutex_);
    if (next_out_ >= frames_.size()) {
        error = "no more frames";
        return false;
    }
    changed_.wait(lock, [this] { return done_.count(next_out_) != 0; });
    auto node = done_.extract(next_out_++);
    changed_.notify_all();
    lock.unlock();
    Result& result = node.mapped();
    if (!result.ok) {
        error = std::move(result.error);
        return false;
    }
    picture = std::move(result.picture);
    return true;
}

}  // namespace strata::timelapse::render
