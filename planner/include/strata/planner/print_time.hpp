// The print-time estimator: fed the parser's line events during the analysis pass, it emulates
// the firmware's planner in one or two time modes (normal, and stealth when the file declares
// it) and returns the elapsed time at every line (as compact samples), per layer, and in total,
// with heat-up and dwell reported apart from motion. One estimator per file, one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "strata/parser/analysis.hpp"
#include "strata/planner/motion_limits.hpp"
#include "strata/planner/timeline.hpp"

namespace strata::planner {

struct ModeEstimate {
    std::string mode;       ///< "normal" or "stealth".
    double motion_s = 0.0;  ///< Moves (and tool-change load/unload), no heat-up, no dwell.
    double total_s = 0.0;   ///< Everything: motion, dwell, heat-up.
};

struct PrintTimeEstimate {
    std::vector<ModeEstimate> modes;  ///< Normal first.
    double heating_s = 0.0;           ///< Waiting for M109/M190 temperatures.
    double dwell_s = 0.0;             ///< G4, Bambu's M400 S/P and its levelling allowance.
    FirmwareKind firmware = FirmwareKind::marlin2;
    JunctionModel junction = JunctionModel::classic_jerk;
    std::string limits_source;        ///< Where the machine limits came from.
    std::vector<TimeSample> samples;  ///< Normal mode, ascending lines.

    [[nodiscard]] double total_s() const { return modes.empty() ? 0.0 : modes.front().total_s; }
    [[nodiscard]] double motion_s() const { return modes.empty() ? 0.0 : modes.front().motion_s; }
    /// Elapsed time (normal mode) when `line` has been executed, interpolated between samples.
    [[nodiscard]] double elapsed_at(std::uint64_t line) const;
};

/// Options that are not in the file: a printer profile's limits (used when the file has none)
/// and the heat-up model.
struct PrintTimeOptions {
    EstimatorConfig estimator;
    const MotionLimits* profile_limits = nullptr;  ///< Optional printer profile.
    /// Keep a sample at least every this many lines and every this many seconds.
    std::uint64_t sample_every_lines = 4096;
    double sample_every_s = 10.0;
    /// Also time the stealth mode when the file declares one. Only the normal mode is sampled,
    /// so callers that need just its timeline (prep, print) save a second planner per move.
    bool time_stealth_mode = true;
    /// Run the firmware planners on a worker thread, a few thousand moves behind the parser: about
    /// a third of a pass moves to the second core, and the times do not change. Callers that ask
    /// for `timed_elapsed_s()` on every line should leave it off: each call waits for the worker.
    bool plan_on_worker_thread = false;

    [[nodiscard]] static PrintTimeOptions normal_mode_only() {
        PrintTimeOptions options;
        options.time_stealth_mode = false;
        return options;
    }
};

class PrintTimeEstimator {
  public:
    explicit PrintTimeEstimator(const PrintTimeOptions& options = {});
    ~PrintTimeEstimator();
    PrintTimeEstimator(const PrintTimeEstimator&) = delete;
    PrintTimeEstimator& operator=(const PrintTimeEstimator&) = delete;

    /// Hooks for `parser::AnalysisOptions::on_start` and `on_line`.
    void on_start(const parser::SlicerInfo& slicer, const parser::MachineConfig& machine);
    void on_line(const parser::LineEvent& event);
    /// Normal mode's elapsed time over the moves timed so far: it lags the last line by what the
    /// look-ahead queue holds (a few hundred moves at most). With `plan_on_worker_thread`, it
    /// waits for the worker to catch up.
    [[nodiscard]] double timed_elapsed_s() const;
    /// The normal mode's limits in force now and the estimator's settings (after `on_start`):
    /// what a caller timing extra moves (a snapshot block) plans them with.
    [[nodiscard]] const MotionLimits& limits() const;
    [[nodiscard]] const EstimatorConfig& config() const;
    /// Empties the planner queues and returns the estimate.
    [[nodiscard]] PrintTimeEstimate finish();

  private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

/// Convenience: wires an estimator into analysis options (on_start and on_line).
void attach(PrintTimeEstimator& estimator, parser::AnalysisOptions& options);

}  // namespace strata::planner
