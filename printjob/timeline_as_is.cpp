// analyze_as_is (see strata/printjob/print_job.hpp): a file sent as it is gets its layers and
// time samples from the same analysis and estimator prep uses, on their worker threads.
#include <thread>

#include "strata/parser/analysis.hpp"
#include "strata/planner/print_time.hpp"
#include "strata/printjob/print_job.hpp"

namespace strata::printjob {

Result<streamer::JobTimeline> analyze_as_is(const std::string& path) {
    planner::PrintTimeOptions time_options = planner::PrintTimeOptions::normal_mode_only();
    time_options.plan_on_worker_thread = true;
    parser::AnalysisOptions options;
    options.lex_on_worker_thread = parser::lexer_thread_fits(std::thread::hardware_concurrency(),
                                                             time_options.plan_on_worker_thread);
    planner::PrintTimeEstimator estimator(time_options);
    planner::attach(estimator, options);
    const Result<parser::Analysis> analyzed = parser::analyze_file(path, options);
    if (!analyzed) {
        // The reader's messages name the path already; the sniffer's do not.
        if (analyzed.error().code != ErrorCode::invalid) return analyzed.error();
        return fail(ErrorCode::invalid, path + ": " + analyzed.error().message);
    }
    const planner::PrintTimeEstimate estimate = estimator.finish();
    streamer::JobTimeline timeline = timeline_as_is(analyzed->lines, estimate.total_s());
    for (const parser::Layer& layer : analyzed->layers)
        timeline.layers.push_back({layer.first_line, layer.z_mm});
    for (const planner::TimeSample& sample : estimate.samples)
        timeline.samples.push_back({sample.line, sample.elapsed_s});
    return timeline;
}

}  // namespace strata::printjob
