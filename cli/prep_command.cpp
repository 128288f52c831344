// `strata prep FILE [-o OUT] [--profile P.json] [--set key=value]... [--json]`: compiles a
// G-code file into an annotated job with its snapshot blocks, verified. Without -o the file is
// rewritten in place, atomically: what PrusaSlicer, SuperSlicer and OrcaSlicer expect of a
// post-processing script (the G-code path comes last; SLIC3R_PP_OUTPUT_NAME names the final
// file, which is what the messages then speak of).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "commands.hpp"
#include "printer_file.hpp"
#include "strata/common/json_writer.hpp"
#include "strata/planner/prep.hpp"

namespace strata::cli {
namespace {

struct PrepArguments {
    std::string input;
    std::string output;
    std::string profile_path;
    std::string printer_path;
    std::string index_path;
    bool no_index = false;
    bool as_json = false;
    unsigned threads = planner::default_prep_threads();
    std::vector<std::string> overrides;
};

constexpr const char* usage_text =
    "usage: strata prep FILE [-o OUT] [--profile P.json] [--set key=value]... [--json]\n"
    "                   [--printer PRINTER.json] [--index PATH | --no-index] [--threads 1|2|3]\n";

// Returns false (after saying why) on a bad command line.
bool parse(const std::vector<std::string>& arguments, PrepArguments& parsed) {
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string& argument = arguments[i];
        const auto value = [&](std::string& into) {
            if (i + 1 >= arguments.size()) {
                std::fprintf(stderr, "strata prep: %s needs a value\n", argument.c_str());
                return false;
            }
            into = arguments[++i];
            return true;
        };
        if (argument == "-o" || argument == "--output") {
            if (!value(parsed.output)) return false;
        } else if (argument == "--profile") {
            if (!value(parsed.profile_path)) return false;
        } else if (argument == "--printer") {
            if (!value(parsed.printer_path)) return false;
        } else if (argument == "--index") {
            if (!value(parsed.index_path)) return false;
        } else if (argument == "--set") {
            std::string setting;
            if (!value(setting)) return false;
            parsed.overrides.push_back(setting);
        } else if (argument == "--threads") {
            std::string count;
            if (!value(count)) return false;
            if (count != "1" && count != "2" && count != "3") {
                std::fprintf(stderr, "strata prep: --threads is 1, 2 or 3, not '%s'\n",
                             count.c_str());
                return false;
            }
            parsed.threads = static_cast<unsigned>(count[0] - '0');
        } else if (argument == "--no-index") {
            parsed.no_index = true;
        } else if (argument == "--json") {
            parsed.as_json = true;
        } else if (!argument.empty() && argument[0] == '-') {
            std::fprintf(stderr, "strata prep: unknown option '%s'\n", argument.c_str());
            return false;
        } else if (parsed.input.empty()) {
            parsed.input = argument;
        } else {
            std::fputs("strata prep: one file at a time\n", stderr);
            return false;
        }
    }
    if (parsed.input.empty()) {
        std::fputs(usage_text, stderr);
        return false;
    }
    return true;
}

double median_time_added_s(const planner::SnapshotPlan& plan) {
    std::vector<double> times;
    for (const auto& snapshot : plan.snapshots)
        times.push_back(snapshot.time_added_s);
    if (times.empty()) return 0.0;
    std::sort(times.begin(), times.end());
    const std::size_t middle = times.size() / 2;
    return times.size() % 2 == 1 ? times[middle] : (times[middle - 1] + times[middle]) / 2.0;
}

void write_json(const planner::PrepResult& result, const PrepArguments& arguments,
                std::ostream& out) {
    JsonWriter json(out);
    const planner::SnapshotPlan& plan = result.plan;
    json.begin_object()
        .field("file", arguments.input)
        .field("output", arguments.output)
        .field("index", arguments.index_path)
        .field("snapshots", static_cast<std::uint64_t>(plan.snapshots.size()))
        .field("time_added_s", result.time_added_s)
        .field("median_time_added_s", median_time_added_s(plan))
        .field("estimated_time_s", result.estimate.total_s() + result.time_added_s)
        .field("equivalent", result.verification.equivalent)
        .field("moves_compared", result.verification.moves_compared)
        .field("vase_mode", plan.vase_mode)
        .field("layers_from_comments", plan.layers_from_comments);
    json.key("area_mm").begin_object();
    json.key("min").begin_array().value(plan.area.min_mm[0]).value(plan.area.min_mm[1]).end_array();
    json.key("max").begin_array().value(plan.area.max_mm[0]).value(plan.area.max_mm[1]).end_array();
    json.field("source", plan.area_source).end_object();
    const planner::BlockMotion& motion = plan.motion;
    json.key("motion")
        .begin_object()
        .field("retract", motion.retract)
        .field("retract_length_mm", motion.retract_length_mm)
        .field("retract_speed_mm_s", motion.retract_speed_mm_s)
        .field("deretract_speed_mm_s", motion.deretract_speed_mm_s)
        .field("firmware_retraction", motion.firmware_retraction)
        .field("lift_mm", motion.lift_mm)
        .field("lift_speed_mm_s", motion.lift_speed_mm_s)
        .field("travel_speed_mm_s", motion.travel_speed_mm_s)
        .field("max_z_mm", motion.max_z_mm)
        .field("dwell_ms", motion.dwell_ms)
        .field("wait_for_moves", motion.wait_for_moves)
        .field("source", motion.source)
        .end_object();
    json.key("skipped").begin_array();
    for (const auto& skipped : plan.skipped) {
        json.begin_object()
            .field("layer", skipped.layer)
            .field("source_line", skipped.line)
            .field("trigger", planner::to_string(skipped.trigger))
            .field("reason", skipped.reason)
            .end_object();
    }
    json.end_array();
    json.field("plan_seconds", result.plan_seconds).field("splice_seconds", result.splice_seconds);
    json.field("threads", static_cast<std::uint64_t>(arguments.threads));
    json.key("per_snapshot");
    write_job_index_snapshots(json, planner::job_index_of(result).snapshots);
    json.end_object();
    out << '\n';
}

// The commonest reason snapshots were skipped, as " (mostly: ...)", or nothing.
std::string skipped_reason(const planner::SnapshotPlan& plan) {
    std::map<std::string, std::size_t> counts;
    for (const auto& skipped : plan.skipped)
        ++counts[skipped.reason];
    const auto most =
        std::max_element(counts.begin(), counts.end(),
                         [](const auto& a, const auto& b) { return a.second < b.second; });
    return most == counts.end() ? std::string() : " (mostly: " + most->first + ")";
}

void write_human(const planner::PrepResult& result, const std::string& shown_name) {
    const planner::SnapshotPlan& plan = result.plan;
    const double total_s = result.estimate.total_s();
    std::printf(
        "%s: %zu snapshots, +%.1f s (%.2f %% of %.0f s; median %.3f s each), "
        "%zu skipped%s; verified: %llu blocks restore the machine state\n",
        shown_name.c_str(), plan.snapshots.size(), result.time_added_s,
        total_s > 0.0 ? 100.0 * result.time_added_s / total_s : 0.0, total_s,
        median_time_added_s(plan), plan.skipped.size(), skipped_reason(plan).c_str(),
        static_cast<unsigned long long>(result.verification.blocks));
}

int exit_code_of(const planner::PrepResult& result) {
    if (result.status) return exit_code::ok;
    switch (result.status.error().code) {
        case ErrorCode::invalid: return exit_code::not_gcode;
        case ErrorCode::unsupported: return exit_code::not_plannable;
        case ErrorCode::internal: return exit_code::not_equivalent;
        case ErrorCode::not_found:
        case ErrorCode::permission:
        case ErrorCode::io: return result.planned ? exit_code::write_failed : exit_code::unreadable;
        default: return exit_code::write_failed;
    }
}

}  // namespace

int run_prep(const std::vector<std::string>& arguments) {
    PrepArguments parsed;
    if (!parse(arguments, parsed)) return exit_code::usage;
    const char* slicer_output_name = std::getenv("SLIC3R_PP_OUTPUT_NAME");
    if (parsed.output.empty()) parsed.output = parsed.input;
    // A slicer's temporary file is no place for an index: it would be left behind.
    if (parsed.index_path.empty() && !parsed.no_index && slicer_output_name == nullptr)
        parsed.index_path = parsed.output + ".index.json";
    if (parsed.no_index) parsed.index_path.clear();

    const Result<planner::TimelapseProfile> profile =
        parsed.profile_path.empty()
            ? planner::load_timelapse_profile("{}", parsed.overrides)
            : planner::load_timelapse_profile_file(parsed.profile_path, parsed.overrides);
    if (!profile.ok()) {
        std::fprintf(stderr, "strata prep: profile: %s\n", profile.error().message.c_str());
        return exit_code::usage;
    }
    planner::PrepOptions options;
    options.profile = *profile;
    if (!parsed.printer_path.empty()) {
        const Result<PrinterFile> printer = read_printer_file(parsed.printer_path);
        if (!printer) {
            std::fprintf(stderr, "strata prep: printer: %s\n", printer.error().message.c_str());
            return exit_code::usage;
        }
        options.printer_bed = printer->bed;
        if (!options.profile.safety.max_z_mm) options.profile.safety.max_z_mm = printer->max_z_mm;
    }
    options.input_path = parsed.input;
    options.output_path = parsed.output;
    options.index_path = parsed.index_path;
    options.threads = parsed.threads;
    if (::isatty(STDERR_FILENO) != 0 && !parsed.as_json) options.on_progress = draw_progress;
    const planner::PrepResult result = planner::prep_file(options);
    const std::string shown_name =
        slicer_output_name != nullptr ? slicer_output_name : parsed.input;
    if (!result.status) {
        std::fprintf(stderr, "strata prep: %s: %s\n", shown_name.c_str(),
                     result.status.error().message.c_str());
        if (result.status.error().code == ErrorCode::internal && result.verification.difference) {
            const auto& difference = *result.verification.difference;
            std::fprintf(stderr,
                         "  original line %llu, job line %llu; the file was left as it was\n",
                         static_cast<unsigned long long>(difference.original_line),
                         static_cast<unsigned long long>(difference.annotated_line));
        }
        return exit_code_of(result);
    }
    if (result.plan.area_from_moves) {
        std::fprintf(stderr,
                     "strata prep: %s: warning: no bed size known; snapshots stay inside %s. "
                     "Give the bed with --printer PRINTER.json or safety.area_min_mm/max_mm\n",
                     shown_name.c_str(), result.plan.area_source.c_str());
    }
    if (parsed.as_json) {
        write_json(result, parsed, std::cout);
    } else {
        write_human(result, shown_name);
    }
    return exit_code::ok;
}

}  // namespace strata::cli
