// The firmware planners of every time mode, driven by a stream of commands (moves, waits, limit
// and flow changes). Threaded, the planners run on a worker thread a batch or a few behind the
// caller, so parsing and planning share the two cores; the caller waits only when it asks for an
// elapsed time. Unthreaded, each command runs at once. Either way the planners see the same
// commands in the same order, so the times agree to the last bit.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "motion_planner.hpp"

namespace strata::planner::motion {

class MotionPipeline {
  public:
    explicit MotionPipeline(bool threaded) : threaded_(threaded) {}
    ~MotionPipeline();
    MotionPipeline(const MotionPipeline&) = delete;
    MotionPipeline& operator=(const MotionPipeline&) = delete;

    /// Adds a time mode; only before the first command. Mode 0 is the one callers sample.
    void add_mode(const MotionLimits& limits, const EstimatorConfig& config, Timeline* timeline);
    [[nodiscard]] std::size_t mode_count() const { return planners_.size(); }
    [[nodiscard]] bool empty() const { return planners_.empty(); }

    void move(const MoveRequest& request);
    void arc(const MoveRequest& request, const ArcShape& shape);
    /// All modes wait for their queued moves, then `extra_s` passes (M400, dwell, heating).
    void synchronize(double extra_s);
    void set_extrude_factor(double ratio);
    /// The limits a mode will plan the next move with. Change them in place, then `commit_limits`.
    [[nodiscard]] MotionLimits& limits(std::size_t mode) { return limits_[mode]; }
    [[nodiscard]] const MotionLimits& limits(std::size_t mode) const { return limits_[mode]; }
    void commit_limits(std::size_t mode);
    /// A mode's elapsed time after every command given so far; waits for the worker.
    [[nodiscard]] double elapsed_s(std::size_t mode);

  private:
    enum class Operation : std::uint8_t { move, arc, synchronize, extrude_factor, limits };
    struct Command {
        Operation operation;
        std::uint32_t mode;  ///< For `limits`: which mode.
        std::uint32_t slot;  ///< Its slot in `Batch::limits` or `Batch::arcs`.
        double value;        ///< Extra seconds, or the extrude factor.
        MoveRequest request;
    };
    struct Batch {
        std::vector<Command> commands;
        std::vector<MotionLimits> limits;
        std::vector<ArcShape> arcs;  ///< Kept aside: most moves are no arcs.
    };

    void post(const Command& command);
    void run(const Command& command, const Batch& batch);
    /// Queues the filling batch; wakes the worker when `wake_now` or enough batches wait.
    void hand_off(bool wake_now);
    void drain();
    void work();

    bool threaded_;
    std::vector<std::unique_ptr<MotionPlanner>> planners_;
    std::vector<MotionLimits> limits_;  ///< The caller's view: what was last committed.

    Batch filling_;  ///< Commands not yet handed to the worker (caller's thread only).
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Batch> ready_;   ///< Handed off, waiting for the worker.
    std::vector<Batch> spare_;  ///< Run batches, kept for their capacity.
    bool running_ = false;      ///< The worker is running a batch.
    bool stopping_ = false;
    std::thread worker_;
};

}  // namespace strata::planner::motion
