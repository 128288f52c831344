// prep_file (see prep.hpp): pass one, pass two, the verdict, the install.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <thread>

#include "../snapshots/snapshot_planner.hpp"
#include "splicer.hpp"
#include "strata/planner/prep.hpp"

namespace strata::planner {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// Which parts of pass one get a thread of their own. The firmware planner is the first to, as
// it has most to do off the parsing thread, unless snapshots are triggered by time: that trigger
// asks for the elapsed time at every line, and each ask would wait for the planner's thread.
struct PassThreads {
    bool planner = false;
    bool lexer = false;
};

PassThreads pass_threads(const PrepOptions& options) {
    const bool planner_may = options.profile.triggers.every_time_s <= 0.0;
    PassThreads threads;
    threads.planner = planner_may && options.threads >= 2;
    threads.lexer = parser::lexer_thread_fits(options.threads, threads.planner);
    return threads;
}

// The plan and the job's index use the normal mode's timeline only, so a stealth mode is not
// timed.
PrintTimeOptions time_options(const PassThreads& threads) {
    PrintTimeOptions options = PrintTimeOptions::normal_mode_only();
    options.plan_on_worker_thread = threads.planner;
    return options;
}

// Pass one: analysis, time estimate and snapshot plan.
struct PlanPass {
    explicit PlanPass(const PassThreads& threads_used)
        : threads(threads_used), estimator(time_options(threads_used)) {}
    PassThreads threads;
    PrintTimeEstimator estimator;
    std::optional<parser::MachineConfig> machine;
};

bool run_plan_pass(const PrepOptions& options, AreaChoice area, PrepResult& result,
                   PlanPass& pass) {
    snapshots::SnapshotPlanner planner(options.profile, pass.estimator, std::move(area));
    parser::AnalysisOptions analysis;
    analysis.lex_on_worker_thread = pass.threads.lexer;
    analysis.on_start = [&](const parser::SlicerInfo& slicer,
                            const parser::MachineConfig& machine) {
        pass.machine = machine;
        pass.estimator.on_start(slicer, machine);
        planner.on_start(slicer, machine);
    };
    analysis.on_line = [&](const parser::LineEvent& event) {
        pass.estimator.on_line(event);
        planner.on_line(event);
    };
    analysis.on_progress = options.on_progress;
    Result<parser::Analysis> analyzed = parser::analyze_file(options.input_path, analysis);
    if (!analyzed) {
        result.status = analyzed.take_error();
        return false;
    }
    result.analysis = std::move(analyzed).value();
    result.estimate = pass.estimator.finish();
    if (!planner.error().empty()) {
        result.status = fail(ErrorCode::unsupported, planner.error());
        return false;
    }
    result.plan = planner.finish(result.analysis, result.estimate);
    result.planned = true;
    return true;
}

VerifyOptions verify_options(const SnapshotPlan& plan) {
    VerifyOptions verify;
    verify.area = plan.area;
    verify.lift_mm = plan.motion.lift_mm;
    return verify;
}

}  // namespace

unsigned default_prep_threads() {
    const unsigned cores = std::thread::hardware_concurrency();
    return cores == 0 ? 2 : std::min(cores, 3u);  // 0: not known.
}

PrepResult prep_file(const PrepOptions& options) {
    PrepResult result;
    const auto started = Clock::now();
    Result<AreaChoice> area =
        choose_printable_area(options.input_path, options.profile.safety, options.printer_bed);
    if (!area) {
        result.status = area.take_error();
        return result;
    }
    PlanPass pass(pass_threads(options));
    if (!run_plan_pass(options, std::move(area).value(), result, pass)) return result;
    result.plan_seconds = seconds_since(started);

    const auto splice_started = Clock::now();
    const VerifyOptions verify = verify_options(result.plan);
    const splice::SpliceInputs inputs{options.input_path,    result.analysis.bytes,
                                      result.analysis.lines, options.output_path,
                                      *pass.machine,         verify,
                                      options.durable,       options.release_original_cache};
    splice::SpliceResult spliced = splice::splice_file(inputs, result.plan);
    const auto discard = [&] {
        if (!spliced.temporary_path.empty()) std::remove(spliced.temporary_path.c_str());
    };
    if (!spliced.status) {
        discard();
        result.status = std::move(spliced.status);
        return result;
    }
    result.job_bytes = spliced.bytes;
    result.job_lines = spliced.lines;
    result.job_block_lines = std::move(spliced.block_lines);
    result.job_capture_lines = std::move(spliced.capture_lines);
    for (const PlannedSnapshot& snapshot : result.plan.snapshots)
        result.time_added_s += snapshot.time_added_s;

    // Pass two checked every block from the state it starts in; the rest is the original's own
    // bytes. On request, or when a block fails, the full side-by-side comparison runs as well
    // (and names the first difference).
    VerifyResult& verification = result.verification;
    verification.blocks = spliced.blocks_checked;
    verification.equivalent = !spliced.problem;
    if (options.full_verify || !verification.equivalent) {
        Result<VerifyResult> full =
            verify_files(options.input_path, spliced.temporary_path, verify);
        if (!full) {
            discard();
            result.status = full.take_error();
            return result;
        }
        verification = std::move(full).value();
    }
    if (!verification.equivalent) {
        discard();
        result.status = fail(ErrorCode::internal,
                             "the job would not print as the original does (a bug in strata): " +
                                 (verification.difference ? verification.difference->message
                                                          : std::string("no difference named")));
        return result;
    }
    Status written;
    if (!options.index_path.empty())
        written = splice::write_atomically(options.index_path, job_index_json(job_index_of(result)),
                                           options.durable);
    if (written) written = splice::install(spliced.temporary_path, options.output_path);
    if (!written) {
        discard();
        result.status = std::move(written);
        return result;
    }
    result.splice_seconds = seconds_since(splice_started);
    return result;
}

}  // namespace strata::planner
