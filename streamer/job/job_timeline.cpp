// JobTimeline (see strata/streamer/job.hpp): the job index's layers and time samples as the
// streamer looks them up for progress and the ETA, by binary search on job lines.
#include <algorithm>

#include "strata/streamer/job.hpp"

namespace strata::streamer {

JobTimeline timeline_of(const JobIndex& index) {
    JobTimeline timeline;
    timeline.total_s = index.estimated_time_s;
    timeline.total_lines = index.job.lines;
    timeline.snapshots = static_cast<std::uint32_t>(index.snapshots.size());
    timeline.layers.reserve(index.layers.size());
    for (const JobIndex::Layer& layer : index.layers)
        timeline.layers.push_back({layer.first_line, layer.z_mm});
    timeline.samples.reserve(index.time_samples.size());
    for (const JobIndex::Sample& sample : index.time_samples)
        timeline.samples.push_back({sample.line, sample.elapsed_s});
    return timeline;
}

Result<JobTimeline> load_job_timeline(const std::string& index_path) {
    Result<JobIndex> index = load_job_index(index_path);
    if (!index) return index.take_error();
    return timeline_of(*index);
}

double JobTimeline::elapsed_at(std::uint64_t line) const {
    if (samples.empty()) return 0.0;
    const auto after =
        std::lower_bound(samples.begin(), samples.end(), line,
                         [](const Sample& s, std::uint64_t l) { return s.line < l; });
    if (after == samples.end()) return samples.back().elapsed_s;
    if (after == samples.begin() || after->line == line) return after->elapsed_s;
    const Sample& before = *(after - 1);
    const double fraction =
        static_cast<double>(line - before.line) / static_cast<double>(after->line - before.line);
    return before.elapsed_s + fraction * (after->elapsed_s - before.elapsed_s);
}

double JobTimeline::percent_at(std::uint64_t line) const {
    if (timed()) return std::clamp(100.0 * elapsed_at(line) / total_s, 0.0, 100.0);
    if (total_lines == 0) return 0.0;
    return 100.0 * std::min(1.0, static_cast<double>(line) / static_cast<double>(total_lines));
}

std::int64_t JobTimeline::layer_at(std::uint64_t line) const {
    const auto after =
        std::upper_bound(layers.begin(), layers.end(), line,
                         [](std::uint64_t l, const Layer& layer) { return l < layer.first_line; });
    return static_cast<std::int64_t>(after - layers.begin()) - 1;
}

}  // namespace strata::streamer
