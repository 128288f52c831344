// The elapsed-time timeline of a print: sparse samples of (line, elapsed seconds), kept small
// enough for a 1 GB file (a sample every few thousand lines or every few seconds), from which
// the time at any line is interpolated.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace strata::planner {

/// Elapsed time at the end of `line`.
struct TimeSample {
    std::uint64_t line;
    double elapsed_s;
};

class Timeline {
  public:
    Timeline(std::uint64_t every_lines, double every_s)
        : every_lines_(every_lines), every_s_(every_s) {}

    /// Records that `line` ends at `elapsed_s`; keeps it when a sample is due (or `force`).
    void record(std::uint64_t line, double elapsed_s, bool force = false) {
        if (!samples_.empty() && samples_.back().line == line) {
            samples_.back().elapsed_s = elapsed_s;
            return;
        }
        if (force || samples_.empty() || line - samples_.back().line >= every_lines_ ||
            elapsed_s - samples_.back().elapsed_s >= every_s_) {
            samples_.push_back({line, elapsed_s});
        }
    }
    [[nodiscard]] const std::vector<TimeSample>& samples() const { return samples_; }
    [[nodiscard]] std::vector<TimeSample> release() { return std::exchange(samples_, {}); }

  private:
    std::uint64_t every_lines_;
    double every_s_;
    std::vector<TimeSample> samples_;
};

}  // namespace strata::planner
