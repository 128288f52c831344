// IncrementalRender: a render thread (at low CPU priority, so the streamer and the cameras come
// first) that encodes each frame as the capture side hands it over. What is left when the print
// ends is the post-roll and the encoder's tail: seconds, whatever the print's length.
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "frame_pipeline.hpp"
#include "strata/timelapse/render.hpp"
#include "video_writer.hpp"

namespace strata::timelapse {

struct IncrementalRender::Impl {
    std::filesystem::path output;
    RenderOptions options;
    std::size_t planned_frames;
    const std::atomic<bool>* cancel;  ///< May be null: never cancelled.
    double fps;
    std::unique_ptr<render::VideoWriter> writer;
    render::FramePreparer preparer;

    std::mutex mutex;
    std::condition_variable changed;
    std::deque<Frame> queue;
    std::vector<Frame> added;  ///< Every frame handed over, for a re-render at another rate.
    bool ending = false;
    Status status;  ///< Ok until the first failure; after it, no frame is encoded.
    std::thread thread;

    Impl(std::filesystem::path output_path, RenderOptions render_options, std::size_t planned,
         const std::atomic<bool>* cancel_flag)
        : output(std::move(output_path)),
          options(std::move(render_options)),
          planned_frames(std::max<std::size_t>(planned, 1)),
          cancel(cancel_flag),
          fps(frame_rate_for(options, planned_frames)),
          writer(std::make_unique<render::VideoWriter>(output, options, fps)),
          preparer(options) {
        status = validate(options);
        if (!status) return;
        thread = std::thread([this] { run(); });
    }

    void run() {
        // Nice 10 on this thread and the encoder threads it starts: rendering yields to printing.
        (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), 10);
        std::unique_lock lock(mutex);
        for (;;) {
            changed.wait(lock, [this] { return ending || !queue.empty(); });
            if (queue.empty()) return;
            Frame frame = std::move(queue.front());
            queue.pop_front();
            const bool skip = !status || cancelled();
            lock.unlock();
            Status encoded;
            if (!skip) {
                Result<render::Picture> picture = preparer.prepare(frame);
                encoded = picture ? writer->add(std::move(*picture), frame) : picture.error();
            }
            lock.lock();
            if (!encoded && status) status = std::move(encoded);
        }
    }

    [[nodiscard]] bool cancelled() const { return cancel != nullptr && cancel->load(); }
};

IncrementalRender::IncrementalRender(std::filesystem::path output, RenderOptions options,
                                     std::size_t planned_frames, const std::atomic<bool>* cancel)
    : impl_(std::make_unique<Impl>(std::move(output), std::move(options), planned_frames, cancel)) {
}

IncrementalRender::~IncrementalRender() {
    if (impl_->thread.joinable()) {
        {
            const std::lock_guard lock(impl_->mutex);
            impl_->ending = true;
            impl_->queue.clear();
        }
        impl_->changed.notify_all();
        impl_->thread.join();
    }
}

void IncrementalRender::add(const Frame& frame) {
    {
        const std::lock_guard lock(impl_->mutex);
        impl_->queue.push_back(frame);
        impl_->added.push_back(frame);
    }
    impl_->changed.notify_all();
}

RenderResult IncrementalRender::finish() {
    Impl& impl = *impl_;
    if (impl.thread.joinable()) {
        {
            const std::lock_guard lock(impl.mutex);
            impl.ending = true;
        }
        impl.changed.notify_all();
        impl.thread.join();
    }
    RenderResult result;
    if (impl.cancelled()) {
        impl.writer.reset();  // Its partial file goes with it.
        result.status = fail(ErrorCode::cancelled, "cancelled");
        return result;
    }
    if (!impl.status) {
        result.status = impl.status;
        return result;
    }
    // The print ended with another frame count than planned (cancelled, failed, or snapshots
    // skipped) and that count plays at another rate: render again at the right one. The
    // incremental file is dropped first: both would write the same temporary file.
    if (!impl.added.empty() && frame_rate_for(impl.options, impl.added.size()) != impl.fps) {
        impl.writer.reset();
        return render_frames(impl.added, impl.output, impl.options, impl.cancel);
    }
    impl.writer->finish(result);
    return result;
}

}  // namespace strata::timelapse
