// `strata verify ORIGINAL ANNOTATED [--profile P.json] [--set key=value]... [--printer P.json]
// [--json]`: proves an annotated job prints exactly what its original does (planner/verify),
// inside the printable area prep chose for it. Exit 0 when equivalent, 6 with the first
// difference otherwise.
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "printer_file.hpp"
#include "strata/common/json_writer.hpp"
#include "strata/planner/printable_area.hpp"
#include "strata/planner/timelapse_profile.hpp"
#include "strata/planner/verify.hpp"

namespace strata::cli {
namespace {

struct VerifyArguments {
    std::vector<std::string> files;
    std::vector<std::string> overrides;
    std::string profile_path;
    std::string printer_path;
    bool as_json = false;
};

// Returns false (after saying why) on a bad command line.
bool parse(const std::vector<std::string>& arguments, VerifyArguments& parsed) {
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string& argument = arguments[i];
        const bool has_value = i + 1 < arguments.size();
        if (argument == "--profile" && has_value) {
            parsed.profile_path = arguments[++i];
        } else if (argument == "--printer" && has_value) {
            parsed.printer_path = arguments[++i];
        } else if (argument == "--set" && has_value) {
            parsed.overrides.push_back(arguments[++i]);
        } else if (argument == "--json") {
            parsed.as_json = true;
        } else if (!argument.empty() && argument[0] == '-') {
            std::fprintf(stderr, "strata verify: unknown option or missing value '%s'\n",
                         argument.c_str());
            return false;
        } else {
            parsed.files.push_back(argument);
        }
    }
    if (parsed.files.size() == 2) return true;
    std::fputs(
        "usage: strata verify ORIGINAL ANNOTATED [--profile P.json] [--set k=v]... "
        "[--printer PRINTER.json] [--json]\n",
        stderr);
    return false;
}

// The options to check with: the area prep chose for the same original (an unreadable original
// is reported by the comparison itself) and the profile's lift. False after saying why.
bool verify_options(const VerifyArguments& parsed, planner::VerifyOptions& options) {
    const Result<planner::TimelapseProfile> profile =
        parsed.profile_path.empty()
            ? planner::load_timelapse_profile("{}", parsed.overrides)
            : planner::load_timelapse_profile_file(parsed.profile_path, parsed.overrides);
    if (!profile.ok()) {
        std::fprintf(stderr, "strata verify: profile: %s\n", profile.error().message.c_str());
        return false;
    }
    std::optional<planner::PrintableArea> printer_bed;
    if (!parsed.printer_path.empty()) {
        const Result<PrinterFile> printer = read_printer_file(parsed.printer_path);
        if (!printer) {
            std::fprintf(stderr, "strata verify: printer: %s\n", printer.error().message.c_str());
            return false;
        }
        printer_bed = printer->bed;
    }
    // No area known: the area rule is not checked (and the report says so); an unreadable file
    // is reported by the comparison itself.
    const Result<planner::AreaChoice> area =
        planner::choose_printable_area(parsed.files[0], profile->safety, printer_bed);
    if (area) options.area = area->area;
    if (profile->motion.lift_mm) options.lift_mm = profile->motion.lift_mm;
    return true;
}

void write_json(const planner::VerifyResult& result, const planner::VerifyOptions& options) {
    JsonWriter json(std::cout);
    json.begin_object()
        .field("equivalent", result.equivalent)
        .field("moves_compared", result.moves_compared)
        .field("blocks", result.blocks)
        .field("area_checked", options.area.has_value());
    if (result.difference) {
        json.key("difference")
            .begin_object()
            .field("original_line", result.difference->original_line)
            .field("annotated_line", result.difference->annotated_line)
            .field("message", result.difference->message)
            .end_object();
    }
    json.end_object();
    std::cout << '\n';
}

void write_human(const planner::VerifyResult& result, const planner::VerifyOptions& options) {
    if (result.equivalent) {
        std::printf("equivalent: %llu moves identical, %llu snapshot blocks checked%s\n",
                    static_cast<unsigned long long>(result.moves_compared),
                    static_cast<unsigned long long>(result.blocks),
                    options.area ? "" : " (printable area unknown: not checked)");
        return;
    }
    std::printf("not equivalent: original line %llu, annotated line %llu: %s\n",
                static_cast<unsigned long long>(result.difference->original_line),
                static_cast<unsigned long long>(result.difference->annotated_line),
                result.difference->message.c_str());
}

}  // namespace

int run_verify(const std::vector<std::string>& arguments) {
    VerifyArguments parsed;
    planner::VerifyOptions options;
    if (!parse(arguments, parsed) || !verify_options(parsed, options)) return exit_code::usage;
    const Result<planner::VerifyResult> result =
        planner::verify_files(parsed.files[0], parsed.files[1], options);
    if (!result) {
        std::fprintf(stderr, "strata verify: %s\n", result.error().message.c_str());
        return exit_code::unreadable;
    }
    if (parsed.as_json) {
        write_json(*result, options);
    } else {
        write_human(*result, options);
    }
    return result->equivalent ? exit_code::ok : exit_code::not_equivalent;
}

}  // namespace strata::cli
