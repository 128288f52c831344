// MotionPipeline (see motion_pipeline.hpp): batches of commands handed from the caller to one
// worker thread through a short queue, so memory stays bounded and a hand-off costs one lock per
// few thousand moves.
#include "motion_pipeline.hpp"

namespace strata::planner::motion {

namespace {
// 2048 commands of about 100 bytes: a batch stays in the worker's L2 cache.
constexpr std::size_t batch_commands = 2048;
// Batches in flight before the caller waits: enough to ride out an uneven stretch of the file.
constexpr std::size_t max_ready_batches = 8;
// The worker, faster than the caller, would otherwise sleep after every batch and be woken for
// the next: on a VM a wake-up costs tens of microseconds (perf: 8 % of the caller's samples in
// futex_wake with one per batch). It is woken when this many wait, or when the caller drains.
constexpr std::size_t wake_at_ready_batches = 4;
}  // namespace

MotionPipeline::~MotionPipeline() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    if (worker_.joinable()) worker_.join();
}

void MotionPipeline::add_mode(const MotionLimits& limits, const EstimatorConfig& config,
                              Timeline* timeline) {
    planners_.push_back(std::make_unique<MotionPlanner>(limits, config, timeline));
    limits_.push_back(limits);
}

void MotionPipeline::move(const MoveRequest& request) {
    post(Command{Operation::move, 0, 0, 0.0, request});
}

void MotionPipeline::arc(const MoveRequest& request, const ArcShape& shape) {
    if (!threaded_) {
        for (const auto& planner : planners_)
            planner->arc(request, shape);
        return;
    }
    filling_.arcs.push_back(shape);
    post(Command{Operation::arc, 0, static_cast<std::uint32_t>(filling_.arcs.size() - 1), 0.0,
                 request});
}

void MotionPipeline::synchronize(double extra_s) {
    post(Command{Operation::synchronize, 0, 0, extra_s, {}});
}

void MotionPipeline::set_extrude_factor(double ratio) {
    post(Command{Operation::extrude_factor, 0, 0, ratio, {}});
}

void MotionPipeline::commit_limits(std::size_t mode) {
    if (!threaded_) {
        planners_[mode]->limits() = limits_[mode];
        return;
    }
    filling_.limits.push_back(limits_[mode]);
    post(Command{Operation::limits,
                 static_cast<std::uint32_t>(mode),
                 static_cast<std::uint32_t>(filling_.limits.size() - 1),
                 0.0,
                 {}});
}

double MotionPipeline::elapsed_s(std::size_t mode) {
    drain();
    return planners_[mode]->elapsed_s();
}

void MotionPipeline::post(const Command& command) {
    if (!threaded_) return run(command, filling_);
    if (filling_.commands.capacity() == 0) filling_.commands.reserve(batch_commands);
    filling_.commands.push_back(command);
    if (filling_.commands.size() >= batch_commands) hand_off(false);
}

void MotionPipeline::run(const Command& command, const Batch& batch) {
    switch (command.operation) {
        case Operation::move:
            for (const auto& planner : planners_)
                planner->move(command.request);
            return;
        case Operation::synchronize:
            for (const auto& planner : planners_)
                planner->synchronize(command.value);
            return;
        case Operation::extrude_factor:
            for (const auto& planner : planners_)
                planner->set_extrude_factor(command.value);
            return;
        case Operation::limits:
            planners_[command.mode]->limits() = batch.limits[command.slot];
            return;
        case Operation::arc:
            for (const auto& planner : planners_)
                planner->arc(command.request, batch.arcs[command.slot]);
            return;
    }
}

void MotionPipeline::hand_off(bool wake_now) {
    std::unique_lock lock(mutex_);
    if (filling_.commands.empty()) {
        lock.unlock();
        if (wake_now) changed_.notify_all();
        return;
    }
    if (!worker_.joinable()) worker_ = std::thread([this] { work(); });
    changed_.wait(lock, [this] { return ready_.size() < max_ready_batches; });
    ready_.push_back(std::move(filling_));
    filling_ = Batch{};
    if (!spare_.empty()) {
        filling_ = std::move(spare_.back());
        spare_.pop_back();
    }
    const bool wake = wake_now || ready_.size() >= wake_at_ready_batches;
    lock.unlock();
    if (wake) changed_.notify_all();
}

void MotionPipeline::drain() {
    if (!threaded_) return;
    hand_off(true);
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return ready_.empty() && !running_; });
}

void MotionPipeline::work() {
    std::unique_lock lock(mutex_);
    for (;;) {
        changed_.wait(lock, [this] { return stopping_ || !ready_.empty(); });
        // Whatever is still queued when the pipeline is destroyed is of use to nobody.
        if (stopping_) return;
        Batch batch = std::move(ready_.front());
        ready_.pop_front();
        running_ = true;
        lock.unlock();
        changed_.notify_all();  // Room in the queue for the caller.
        for (const Command& command : batch.commands)
            run(command, batch);
        batch.commands.clear();
        batch.limits.clear();
        batch.arcs.clear();
        lock.lock();
        running_ = false;
        spare_.push_back(std::move(batch));
        changed_.notify_all();  // A caller may be draining.
    }
}

}  // namespace strata::planner::motion
