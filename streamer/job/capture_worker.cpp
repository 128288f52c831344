// CaptureWorker (see session.hpp): one thread that runs the capture callback on request.
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "session.hpp"

namespace strata::streamer {

CaptureWorker::CaptureWorker() : done_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    thread_ = std::thread([this] { run(); });
}

CaptureWorker::~CaptureWorker() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
    ::close(done_fd_);
}

void CaptureWorker::set(CaptureCallback callback) {
    std::unique_lock lock(mutex_);
    // The old callback may refer to things its owner is about to destroy.
    idle_.wait(lock, [this] { return !running_; });
    callback_ = std::move(callback);
}

bool CaptureWorker::has_callback() {
    const std::lock_guard lock(mutex_);
    return static_cast<bool>(callback_);
}

void CaptureWorker::request(std::uint32_t snapshot) {
    {
        const std::lock_guard lock(mutex_);
        pending_ = snapshot;
        finished_.reset();
        ++generation_;
    }
    wake_.notify_all();
}

std::optional<Status> CaptureWorker::result() {
    const std::lock_guard lock(mutex_);
    std::optional<Status> finished = std::move(finished_);
    finished_.reset();
    return finished;
}

void CaptureWorker::run() {
    ::pthread_setname_np(::pthread_self(), "strata-capture");
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return stopping_ || pending_.has_value(); });
        if (stopping_) return;
        const std::uint32_t snapshot = *pending_;
        pending_.reset();
        const std::uint64_t generation = generation_;
        CaptureCallback callback = callback_;
        running_ = true;
        lock.unlock();
        // Without a callback (replaced since the request) the snapshot has no frame.
        Status captured = callback ? callback(snapshot)
                                   : Status(fail(ErrorCode::unavailable, "no camera to capture"));
        callback = nullptr;  // Released before anyone is told the old one is done.
        lock.lock();
        running_ = false;
        idle_.notify_all();
        // A capture that outlived its deadline reports to nobody.
        if (generation == generation_) finished_ = std::move(captured);
        const std::uint64_t one = 1;
        (void)!::write(done_fd_, &one, sizeof one);
    }
}

}  // namespace strata::streamer
