// job_index_of (see prep.hpp): the original's layers and time samples moved to the job's line
// numbers, with each snapshot's added time folded into the elapsed times after it.
#include <algorithm>

#include "strata/planner/prep.hpp"

namespace strata::planner {
namespace {

// Source line -> job line, and elapsed time at a source line including earlier snapshots.
class JobClock {
  public:
    explicit JobClock(const PrepResult& result) : result_(result) {
        double added_s = 0.0;
        for (std::size_t i = 0; i < result.plan.snapshots.size(); ++i) {
            added_s += result.plan.snapshots[i].time_added_s;
            added_after_.push_back(added_s);
        }
    }
    /// Snapshots whose block comes before source line `line`.
    [[nodiscard]] std::size_t blocks_before(std::uint64_t line) const {
        const auto& snapshots = result_.plan.snapshots;
        return static_cast<std::size_t>(
            std::lower_bound(snapshots.begin(), snapshots.end(), line,
                             [](const PlannedSnapshot& snapshot, std::uint64_t at) {
                                 return snapshot.after_line < at;
                             }) -
            snapshots.begin());
    }
    [[nodiscard]] std::uint64_t job_line(std::uint64_t line) const {
        const std::size_t before = blocks_before(line);
        if (before == 0) return line;
        // The last block before `line` ends at (its BEGIN line + its length - 1); lines after
        // its source line keep their distance from it.
        const PlannedSnapshot& last = result_.plan.snapshots[before - 1];
        const std::uint64_t block_end = block_end_line(before - 1);
        return block_end + (line - last.after_line);
    }
    [[nodiscard]] double elapsed_s(double original_s, std::uint64_t line) const {
        const std::size_t before = blocks_before(line);
        return original_s + (before == 0 ? 0.0 : added_after_[before - 1]);
    }

  private:
    [[nodiscard]] std::uint64_t block_end_line(std::size_t index) const {
        const auto& begins = result_.job_block_lines;
        if (index + 1 < begins.size()) {
            const std::uint64_t next_source = result_.plan.snapshots[index + 1].after_line;
            const std::uint64_t this_source = result_.plan.snapshots[index].after_line;
            return begins[index + 1] - 1 - (next_source - this_source);
        }
        const std::uint64_t this_source = result_.plan.snapshots[index].after_line;
        return result_.job_lines - (result_.analysis.lines - this_source);
    }

    const PrepResult& result_;
    std::vector<double> added_after_;
};

JobIndex::Snapshot snapshot_entry(const PlannedSnapshot& snapshot, std::uint64_t job_line,
                                  double elapsed_s) {
    JobIndex::Snapshot entry;
    entry.n = snapshot.number;
    entry.line = job_line;
    entry.source_line = snapshot.after_line;
    entry.layer = snapshot.layer;
    entry.z_mm = snapshot.layer_z_mm;
    entry.trigger = std::string(to_string(snapshot.trigger));
    entry.placement = std::string(to_string(snapshot.kind));
    entry.feature = std::string(parser::to_string(snapshot.feature));
    entry.position_mm = snapshot.entry.machine.position_mm;
    entry.park_mm = snapshot.park_mm;
    entry.stops = snapshot.stop;
    entry.travel_mm = snapshot.travel_mm;
    entry.time_added_s = snapshot.time_added_s;
    entry.elapsed_s = elapsed_s;
    return entry;
}

}  // namespace

JobIndex job_index_of(const PrepResult& result) {
    const JobClock clock(result);
    JobIndex index;
    index.source = {result.analysis.file, result.analysis.bytes, result.analysis.lines};
    index.job = {result.job_bytes, result.job_lines};
    index.estimated_time_s = result.estimate.total_s() + result.time_added_s;
    index.time_added_s = result.time_added_s;
    for (const parser::Layer& layer : result.analysis.layers) {
        index.layers.push_back(
            {layer.index, layer.z_mm, clock.job_line(layer.first_line),
             clock.elapsed_s(result.estimate.elapsed_at(layer.first_line), layer.first_line)});
    }
    const auto& snapshots = result.plan.snapshots;
    for (std::size_t i = 0; i < snapshots.size(); ++i) {
        const std::uint64_t job_line =
            i < result.job_capture_lines.size() ? result.job_capture_lines[i] : 0;
        index.snapshots.push_back(
            snapshot_entry(snapshots[i], job_line,
                           clock.elapsed_s(snapshots[i].elapsed_s, snapshots[i].after_line)));
    }
    for (const SkippedSnapshot& skipped : result.plan.skipped)
        index.skipped.push_back(
            {skipped.layer, skipped.line, std::string(to_string(skipped.trigger)), skipped.reason});
    for (const TimeSample& sample : result.estimate.samples)
        index.time_samples.push_back(
            {clock.job_line(sample.line), clock.elapsed_s(sample.elapsed_s, sample.line)});
    return index;
}

}  // namespace strata::planner
