// The job index (see prep.hpp): the original's layers and time samples moved to the job's line
// numbers, with each snapshot's added time folded into the elapsed times after it.
#include <algorithm>
#include <sstream>

#include "strata/json_writer.hpp"
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

void write_snapshot(JsonWriter& json, const PlannedSnapshot& snapshot, std::uint64_t job_line,
                    double elapsed_s) {
    json.begin_object()
        .field("n", snapshot.number)
        .field("line", job_line)
        .field("source_line", snapshot.after_line)
        .field("layer", snapshot.layer)
        .field("z_mm", snapshot.layer_z_mm)
        .field("trigger", to_string(snapshot.trigger))
        .field("placement", to_string(snapshot.kind))
        .field("feature", parser::to_string(snapshot.feature));
    json.key("position_mm").begin_array();
    for (const double coordinate : snapshot.entry.machine.position_mm)
        json.value(coordinate);
    json.end_array().key("park_mm");
    if (snapshot.park_mm) {
        json.begin_array().value((*snapshot.park_mm)[0]).value((*snapshot.park_mm)[1]).end_array();
    } else {
        json.null();
    }
    json.field("stops", snapshot.stop)
        .field("travel_mm", snapshot.travel_mm)
        .field("time_added_s", snapshot.time_added_s)
        .field("elapsed_s", elapsed_s)
        .end_object();
}

}  // namespace

void write_snapshots_json(JsonWriter& json, const PrepResult& result) {
    const JobClock clock(result);
    json.begin_array();
    const auto& snapshots = result.plan.snapshots;
    for (std::size_t i = 0; i < snapshots.size(); ++i) {
        const std::uint64_t job_line =
            i < result.job_capture_lines.size() ? result.job_capture_lines[i] : 0;
        write_snapshot(json, snapshots[i], job_line,
                       clock.elapsed_s(snapshots[i].elapsed_s, snapshots[i].after_line));
    }
    json.end_array();
}

std::string job_index_json(const PrepResult& result) {
    const JobClock clock(result);
    std::ostringstream text;
    JsonWriter json(text);
    json.begin_object().field("format", "strata-job-index").field("version", 1);
    json.key("source")
        .begin_object()
        .field("file", result.analysis.file)
        .field("bytes", result.analysis.bytes)
        .field("lines", result.analysis.lines)
        .end_object();
    json.key("job")
        .begin_object()
        .field("bytes", result.job_bytes)
        .field("lines", result.job_lines)
        .end_object();
    json.field("estimated_time_s", result.estimate.total_s() + result.time_added_s)
        .field("time_added_s", result.time_added_s);
    json.key("layers").begin_array();
    for (const parser::Layer& layer : result.analysis.layers) {
        json.begin_object()
            .field("index", layer.index)
            .field("z_mm", layer.z_mm)
            .field("first_line", clock.job_line(layer.first_line))
            .field("elapsed_s",
                   clock.elapsed_s(result.estimate.elapsed_at(layer.first_line), layer.first_line))
            .end_object();
    }
    json.end_array().key("snapshots");
    write_snapshots_json(json, result);
    json.key("skipped").begin_array();
    for (const SkippedSnapshot& skipped : result.plan.skipped) {
        json.begin_object()
            .field("layer", skipped.layer)
            .field("source_line", skipped.line)
            .field("trigger", to_string(skipped.trigger))
            .field("reason", skipped.reason)
            .end_object();
    }
    json.end_array().key("time_samples").begin_array();
    for (const TimeSample& sample : result.estimate.samples) {
        json.begin_array()
            .value(clock.job_line(sample.line))
            .value(clock.elapsed_s(sample.elapsed_s, sample.line))
            .end_array();
    }
    json.end_array().end_object();
    text << '\n';
    return text.str();
}

}  // namespace strata::planner
