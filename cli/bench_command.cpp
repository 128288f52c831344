// `strata bench FILE... [--json] [--repeat N]`: throughput and peak memory of each pipeline
// stage on real files, up to `prep` end to end (default timelapse profile, written beside FILE,
// fsync and rename included, the output removed after each run outside the timing). Each stage runs
// in its own child process, so the peak RSS reported (from wait4's rusage) is that stage's alone;
// the best of N runs is kept because a shared machine only ever makes a run slower.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include "commands.hpp"
#include "strata/common/json_writer.hpp"
#include "strata/parser/analysis.hpp"
#include "strata/parser/lexer.hpp"
#include "strata/parser/line_reader.hpp"
#include "strata/planner/prep.hpp"
#include "strata/planner/print_time.hpp"
#include "strata/planner/timelapse_profile.hpp"

namespace strata::cli {

namespace {

enum class Stage { read, lex, analyze, analyze_time, prep };
constexpr std::array<std::pair<Stage, const char*>, 5> stages = {
    {{Stage::read, "read+split"},
     {Stage::lex, "read+lex"},
     {Stage::analyze, "analyze"},
     {Stage::analyze_time, "analyze+time"},
     {Stage::prep, "prep"}}};

struct StageResult {
    double seconds = 0.0;
    std::uint64_t lines = 0;
    std::uint64_t bytes = 0;
    long peak_rss_kb = 0;
    bool ok = false;
};

// The whole of `strata prep FILE -o OUT` with the default profile; lines of FILE.
std::uint64_t run_prep_once(const std::string& path, std::uint64_t& checksum) {
    const Result<planner::TimelapseProfile> profile = planner::load_timelapse_profile("{}", {});
    if (!profile.ok()) return 0;
    planner::PrepOptions options;
    options.profile = *profile;
    options.input_path = path;
    options.output_path = path + ".bench-prep.gcode";
    options.index_path = options.output_path + ".index.json";
    const planner::PrepResult result = planner::prep_file(options);
    checksum += result.plan.snapshots.size();
    return result.status ? result.analysis.lines : 0;
}

void remove_prep_output(const std::string& path) {
    const std::string output = path + ".bench-prep.gcode";
    std::remove(output.c_str());
    std::remove((output + ".index.json").c_str());
}

// Runs one stage once in this process; returns lines seen (0 on failure).
std::uint64_t run_stage_once(Stage stage, const std::string& path, std::uint64_t& checksum) {
    if (stage == Stage::prep) return run_prep_once(path, checksum);
    if (stage == Stage::analyze || stage == Stage::analyze_time) {
        parser::AnalysisOptions options;
        planner::PrintTimeEstimator estimator;
        if (stage == Stage::analyze_time) planner::attach(estimator, options);
        const Result<parser::Analysis> analysis = parser::analyze_file(path, options);
        if (!analysis) return 0;
        checksum += analysis->moves.print;
        if (stage == Stage::analyze_time)
            checksum += static_cast<std::uint64_t>(estimator.finish().total_s());
        return analysis->lines;
    }
    parser::LineReader reader;
    if (!reader.open(path)) return 0;
    std::string_view line;
    while (reader.next(line)) {
        if (stage == Stage::lex) {
            checksum += parser::lex_line(line).word_mask;
        } else {
            checksum += line.size();
        }
    }
    return reader.line_number();
}

StageResult run_stage_in_child(Stage stage, const std::string& path, int repeat) {
    int pipe_ends[2];
    StageResult result;
    if (::pipe(pipe_ends) != 0) return result;
    const pid_t child = ::fork();
    if (child == 0) {
        ::close(pipe_ends[0]);
        StageResult best;
        std::uint64_t checksum = 0;
        for (int run = 0; run < repeat; ++run) {
            const auto started = std::chrono::steady_clock::now();
            const std::uint64_t lines = run_stage_once(stage, path, checksum);
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            if (stage == Stage::prep) remove_prep_output(path);
            if (lines == 0) break;
            if (!best.ok || seconds < best.seconds) best = {seconds, lines, 0, 0, true};
        }
        // The checksum keeps the optimiser from dropping the work; it is not reported.
        best.peak_rss_kb = static_cast<long>(checksum & 1);
        const ssize_t written = ::write(pipe_ends[1], &best, sizeof best);
        ::_exit(written == sizeof best ? 0 : 1);
    }
    ::close(pipe_ends[1]);
    const ssize_t got = ::read(pipe_ends[0], &result, sizeof result);
    ::close(pipe_ends[0]);
    int status = 0;
    struct rusage usage {};
    ::wait4(child, &status, 0, &usage);
    if (got != sizeof result || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return StageResult{};
    result.peak_rss_kb = usage.ru_maxrss;
    return result;
}

}  // namespace

int run_bench(const std::vector<std::string>& arguments) {
    std::vector<std::string> files;
    bool as_json = false;
    int repeat = 3;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        if (arguments[i] == "--json") {
            as_json = true;
        } else if (arguments[i] == "--repeat" && i + 1 < arguments.size()) {
            repeat = std::max(1, std::atoi(arguments[++i].c_str()));
        } else if (!arguments[i].empty() && arguments[i][0] == '-') {
            std::fprintf(stderr, "strata bench: unknown option '%s'\n", arguments[i].c_str());
            return exit_code::usage;
        } else {
            files.push_back(arguments[i]);
        }
    }
    if (files.empty()) {
        std::fputs("usage: strata bench FILE... [--json] [--repeat N]\n", stderr);
        return exit_code::usage;
    }
    JsonWriter json(std::cout);
    if (as_json) json.begin_array();
    if (!as_json)
        std::printf("%-40s %-12s %10s %12s %12s\n", "file", "stage", "MB/s", "Mlines/s",
                    "peak RSS MB");
    int exit_status = exit_code::ok;
    for (const std::string& file : files) {
        parser::LineReader probe;
        if (const Status opened = probe.open(file); !opened) {
            std::fprintf(stderr, "strata bench: %s\n", opened.error().message.c_str());
            exit_status = exit_code::unreadable;
            continue;
        }
        const double megabytes = static_cast<double>(probe.file_bytes()) / 1e6;
        for (const auto& [stage, name] : stages) {
            const StageResult result = run_stage_in_child(stage, file, repeat);
            if (!result.ok) {
                std::fprintf(stderr, "strata bench: %s: stage %s failed\n", file.c_str(), name);
                exit_status = exit_code::not_gcode;
                continue;
            }
            const double mb_s = megabytes / result.seconds;
            const double mlines_s = static_cast<double>(result.lines) / result.seconds / 1e6;
            const double rss_mb = static_cast<double>(result.peak_rss_kb) / 1024.0;
            if (as_json) {
                json.begin_object()
                    .field("file", file)
                    .field("stage", name)
                    .field("bytes", probe.file_bytes());
                json.field("lines", result.lines)
                    .field("seconds", result.seconds)
                    .field("mb_per_s", mb_s);
                json.field("lines_per_s", mlines_s * 1e6).field("peak_rss_mb", rss_mb).end_object();
            } else {
                std::printf("%-40.40s %-12s %10.1f %12.2f %12.1f\n", file.c_str(), name, mb_s,
                            mlines_s, rss_mb);
            }
        }
    }
    if (as_json) {
        json.end_array();
        std::cout << '\n';
    }
    return exit_status;
}

}  // namespace strata::cli
