// `strata analyze FILE [--json]`: the analysis as a short human report (with a progress bar on
// large files when stderr is a terminal) or as one JSON object.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

#include "commands.hpp"
#include "strata/common/json_writer.hpp"
#include "strata/parser/analysis.hpp"
#include "strata/planner/print_time.hpp"

namespace strata::cli {

namespace {

using parser::Analysis;

void write_pair(JsonWriter& json, std::string_view name,
                const std::optional<std::array<double, 2>>& pair) {
    json.key(name);
    if (pair) {
        json.begin_array().value((*pair)[0]).value((*pair)[1]).end_array();
    } else {
        json.null();
    }
}

void write_settings_json(JsonWriter& json, const parser::SlicerSettings& settings) {
    json.key("slicer_settings").begin_object();
    json.field("retract_length_mm", settings.retract_length_mm);
    json.field("retract_speed_mm_s", settings.retract_speed_mm_s);
    json.field("deretract_speed_mm_s", settings.deretract_speed_mm_s);
    json.field("z_hop_mm", settings.z_hop_mm);
    json.field("travel_speed_mm_s", settings.travel_speed_mm_s);
    json.field("layer_height_mm", settings.layer_height_mm);
    json.field("first_layer_height_mm", settings.first_layer_height_mm);
    json.field("vase_mode", settings.vase_mode);
    json.field("relative_e", settings.relative_e);
    json.field("extruder_count", settings.extruder_count);
    write_pair(json, "bed_size_mm", settings.bed_size_mm);
    write_pair(json, "bed_origin_mm", settings.bed_origin_mm);
    json.key("firmware_flavor");
    if (settings.firmware_flavor_name.empty()) {
        json.null();
    } else {
        json.value(settings.firmware_flavor_name);
    }
    for (const auto& [name, limits] :
         {std::pair{"machine_limits", settings.limits_normal},
          std::pair{"machine_limits_stealth", settings.limits_stealth}}) {
        json.key(name);
        if (!limits) {
            json.null();
            continue;
        }
        auto axes = [&json](std::string_view key, const parser::AxisLimits& axis) {
            json.key(key)
                .begin_object()
                .field("x", axis.x)
                .field("y", axis.y)
                .field("z", axis.z)
                .field("e", axis.e)
                .end_object();
        };
        json.begin_object();
        axes("max_feedrate_mm_s", limits->max_feedrate_mm_s);
        axes("max_acceleration_mm_s2", limits->max_acceleration_mm_s2);
        axes("max_jerk_mm_s", limits->max_jerk_mm_s);
        json.field("print_acceleration_mm_s2", limits->print_acceleration_mm_s2);
        json.field("retract_acceleration_mm_s2", limits->retract_acceleration_mm_s2);
        json.field("travel_acceleration_mm_s2", limits->travel_acceleration_mm_s2);
        json.field("junction_deviation_mm", limits->junction_deviation_mm);
        json.field("min_extruding_feedrate_mm_s", limits->min_extruding_feedrate_mm_s);
        json.field("min_travel_feedrate_mm_s", limits->min_travel_feedrate_mm_s);
        json.end_object();
    }
    json.field("slicer_estimate_stealth_s", settings.estimate_stealth_s);
    json.field("slicer_estimate_start_allowance_s", settings.estimate_start_allowance_s);
    json.field("slicer_estimate_toolchange_allowance_s", settings.estimate_toolchange_allowance_s);
    json.end_object();
}

// A layer lasts from its first line to the next layer's first line (the last one to the end).
double layer_time_s(const Analysis& analysis, const planner::PrintTimeEstimate& time,
                    std::size_t index) {
    const std::uint64_t first = analysis.layers[index].first_line;
    const double start_s = time.elapsed_at(first > 0 ? first - 1 : 0);
    const double end_s = index + 1 < analysis.layers.size()
                             ? time.elapsed_at(analysis.layers[index + 1].first_line - 1)
                             : time.total_s();
    return end_s - start_s;
}

std::string_view junction_name(planner::JunctionModel model) {
    switch (model) {
        case planner::JunctionModel::classic_jerk: return "jerk";
        case planner::JunctionModel::junction_deviation: return "junction deviation";
        case planner::JunctionModel::square_corner: return "square corner velocity";
        case planner::JunctionModel::vector_jerk: return "vector jerk (Bambu Studio / OrcaSlicer)";
        case planner::JunctionModel::xy_jerk: return "XY jerk (CuraEngine)";
    }
    return "jerk";
}

void write_time_json(JsonWriter& json, const planner::PrintTimeEstimate& time) {
    json.field("estimated_time_s", time.total_s());
    json.field("estimated_motion_time_s", time.motion_s());
    json.key("estimated_time_by_mode_s").begin_object();
    for (const planner::ModeEstimate& mode : time.modes) {
        json.key(mode.mode)
            .begin_object()
            .field("total", mode.total_s)
            .field("motion", mode.motion_s)
            .end_object();
    }
    json.end_object();
    json.key("time_model").begin_object();
    json.field("firmware", planner::to_string(time.firmware));
    json.field("junction", junction_name(time.junction));
    json.field("limits", time.limits_source);
    json.field("heating_s", time.heating_s).field("dwell_s", time.dwell_s);
    json.end_object();
}

void write_layers_json(JsonWriter& json, const Analysis& analysis,
                       const std::optional<planner::PrintTimeEstimate>& time) {
    json.field("layers", static_cast<std::uint64_t>(analysis.layers.size()));
    json.field("layers_from_comments", analysis.layers_from_comments);
    json.key("layer_list").begin_array();
    for (std::size_t i = 0; i < analysis.layers.size(); ++i) {
        const parser::Layer& layer = analysis.layers[i];
        json.begin_object()
            .field("index", layer.index)
            .field("z_mm", layer.z_mm)
            .field("first_line", layer.first_line);
        if (time) json.field("time_s", layer_time_s(analysis, *time, i));
        json.end_object();
    }
    json.end_array();
}

void write_point(JsonWriter& json, const char* key, const std::array<double, 3>& point_mm) {
    json.key(key).begin_array().value(point_mm[0]).value(point_mm[1]).value(point_mm[2]);
    json.end_array();
}

// The bounding box, filament, move counts and distances.
void write_geometry_json(JsonWriter& json, const Analysis& analysis) {
    json.key("bbox_mm");
    if (analysis.printed_bbox.empty) {
        json.null();
    } else {
        json.begin_object();
        write_point(json, "min", analysis.printed_bbox.min_mm);
        write_point(json, "max", analysis.printed_bbox.max_mm);
        json.end_object();
    }
    json.key("filament_mm").begin_array();
    for (double length : analysis.filament_mm)
        json.value(length);
    json.end_array();
    const auto& moves = analysis.moves;
    json.key("moves").begin_object();
    json.field("print", moves.print).field("travel", moves.travel).field("retract", moves.retract);
    json.field("deretract", moves.deretract)
        .field("lift", moves.lift)
        .field("lower", moves.lower)
        .field("arcs", moves.arcs);
    json.end_object();
    json.key("distance_mm").begin_object();
    json.field("print", analysis.print_distance_mm).field("travel", analysis.travel_distance_mm);
    json.end_object();
    // Only the features the slicer's comments named; `unknown` is printing nobody labelled.
    json.key("print_mm_by_feature").begin_object();
    for (std::size_t index = 0; index < parser::feature_type_count; ++index) {
        const double length_mm = analysis.print_distance_by_feature_mm[index];
        if (length_mm > 0.0)
            json.field(parser::to_string(static_cast<parser::FeatureType>(index)), length_mm);
    }
    json.end_object();
}

void write_diagnostics_json(JsonWriter& json, const parser::Diagnostics& diagnostics) {
    json.key("diagnostics").begin_object();
    json.field("errors", diagnostics.error_count()).field("warnings", diagnostics.warning_count());
    json.key("first").begin_array();
    for (const parser::Diagnostic& diagnostic : diagnostics.first()) {
        json.begin_object().field("line", diagnostic.line);
        json.field("severity",
                   diagnostic.severity == parser::Severity::error ? "error" : "warning");
        json.field("message", diagnostic.message).end_object();
    }
    json.end_array().end_object();
}

void write_json(const Analysis& analysis, const std::optional<planner::PrintTimeEstimate>& time,
                std::ostream& out) {
    JsonWriter json(out);
    json.begin_object();
    json.field("file", analysis.file).field("bytes", analysis.bytes).field("lines", analysis.lines);
    json.key("slicer").begin_object();
    json.field("name", parser::to_string(analysis.slicer.slicer));
    json.key("version");
    analysis.slicer.version.empty() ? json.null() : json.value(analysis.slicer.version);
    json.end_object();
    json.field("firmware_flavor", parser::to_string(analysis.flavor));
    write_layers_json(json, analysis, time);
    write_geometry_json(json, analysis);
    write_settings_json(json, analysis.slicer.settings);
    json.field("slicer_estimate_s", analysis.slicer.settings.estimate_s);
    if (time) write_time_json(json, *time);
    write_diagnostics_json(json, analysis.diagnostics);
    json.field("seconds", analysis.seconds);
    json.end_object();
    out << '\n';
}

std::string format_duration(double seconds) {
    const auto total = static_cast<long long>(std::llround(seconds));
    char text[64];
    std::snprintf(text, sizeof text, "%lldh %02lldm %02llds", total / 3600, total / 60 % 60,
                  total % 60);
    return text;
}

void write_human(const Analysis& analysis, const std::optional<planner::PrintTimeEstimate>& time,
                 std::ostream& out) {
    char line[256];
    std::snprintf(line, sizeof line, "file         %s (%.1f MB, %llu lines)\n",
                  analysis.file.c_str(), static_cast<double>(analysis.bytes) / 1e6,
                  static_cast<unsigned long long>(analysis.lines));
    out << line;
    out << "slicer       " << parser::to_string(analysis.slicer.slicer)
        << (analysis.slicer.version.empty() ? "" : " " + analysis.slicer.version)
        << " (simulated as " << parser::to_string(analysis.flavor) << ")\n";
    if (!analysis.layers.empty()) {
        std::snprintf(line, sizeof line, "layers       %zu (%s), z %.2f to %.2f mm\n",
                      analysis.layers.size(),
                      analysis.layers_from_comments ? "from slicer comments" : "from geometry",
                      analysis.layers.front().z_mm, analysis.layers.back().z_mm);
        out << line;
    }
    if (!analysis.printed_bbox.empty) {
        const auto& box = analysis.printed_bbox;
        std::snprintf(line, sizeof line,
                      "printed box  x %.2f..%.2f  y %.2f..%.2f  z %.2f..%.2f mm\n", box.min_mm[0],
                      box.max_mm[0], box.min_mm[1], box.max_mm[1], box.min_mm[2], box.max_mm[2]);
        out << line;
    }
    out << "filament    ";
    for (std::size_t tool = 0; tool < analysis.filament_mm.size(); ++tool) {
        if (analysis.filament_mm[tool] == 0.0 && analysis.filament_mm.size() > 1) continue;
        std::snprintf(line, sizeof line, " T%zu %.1f mm", tool, analysis.filament_mm[tool]);
        out << line;
    }
    out << '\n';
    std::snprintf(line, sizeof line,
                  "moves        %llu printing (%llu arcs), %llu travel, %llu retractions\n",
                  static_cast<unsigned long long>(analysis.moves.print),
                  static_cast<unsigned long long>(analysis.moves.arcs),
                  static_cast<unsigned long long>(analysis.moves.travel),
                  static_cast<unsigned long long>(analysis.moves.retract));
    out << line;
    if (time) {
        out << "print time   " << format_duration(time->total_s()) << " (motion "
            << format_duration(time->motion_s()) << ", heat-up " << format_duration(time->heating_s)
            << ")";
        if (time->modes.size() > 1) out << "; stealth " << format_duration(time->modes[1].total_s);
        out << '\n';
    }
    if (analysis.slicer.settings.estimate_s) {
        out << "slicer says  " << format_duration(*analysis.slicer.settings.estimate_s)
            << " to print\n";
    }
    out << "diagnostics  " << analysis.diagnostics.error_count() << " errors, "
        << analysis.diagnostics.warning_count() << " warnings\n";
    std::size_t shown = 0;
    for (const parser::Diagnostic& diagnostic : analysis.diagnostics.first()) {
        if (shown++ == 10) break;
        out << "  line " << diagnostic.line << ": "
            << (diagnostic.severity == parser::Severity::error ? "error: " : "warning: ")
            << diagnostic.message << '\n';
    }
    std::snprintf(
        line, sizeof line, "analyzed in  %.3f s (%.0f MB/s)\n", analysis.seconds,
        analysis.seconds > 0 ? static_cast<double>(analysis.bytes) / 1e6 / analysis.seconds : 0.0);
    out << line;
}

}  // namespace

int run_analyze(const std::vector<std::string>& arguments) {
    std::string path;
    bool as_json = false;
    bool with_time = true;
    planner::PrintTimeOptions time_options;
    time_options.plan_on_worker_thread = true;  // Nothing here asks for the time per line.
    for (const std::string& argument : arguments) {
        if (argument == "--time-model=firmware" || argument == "--time-model=slicer") {
            time_options.estimator.exact_firmware = argument == "--time-model=firmware";
        } else if (argument == "--json") {
            as_json = true;
        } else if (argument == "--no-time") {
            with_time = false;
        } else if (!argument.empty() && argument[0] == '-') {
            std::fprintf(stderr, "strata analyze: unknown option '%s'\n", argument.c_str());
            return exit_code::usage;
        } else if (path.empty()) {
            path = argument;
        } else {
            std::fputs("strata analyze: one file at a time\n", stderr);
            return exit_code::usage;
        }
    }
    if (path.empty()) {
        std::fputs(
            "usage: strata analyze FILE [--json] [--no-time] [--time-model=slicer|firmware]\n",
            stderr);
        return exit_code::usage;
    }
    parser::AnalysisOptions options;
    options.lex_on_worker_thread = parser::lexer_thread_fits(
        std::thread::hardware_concurrency(), with_time && time_options.plan_on_worker_thread);
    if (::isatty(STDERR_FILENO) != 0) options.on_progress = draw_progress;
    planner::PrintTimeEstimator estimator(time_options);
    if (with_time) planner::attach(estimator, options);
    const Result<parser::Analysis> analysis = parser::analyze_file(path, options);
    if (!analysis && analysis.error().code != ErrorCode::invalid) {
        std::fprintf(stderr, "strata analyze: %s\n", analysis.error().message.c_str());
        return exit_code::unreadable;
    }
    if (!analysis) {
        std::fprintf(stderr, "strata analyze: %s: %s\n", path.c_str(),
                     analysis.error().message.c_str());
        return exit_code::not_gcode;
    }
    std::optional<planner::PrintTimeEstimate> time;
    if (with_time) time = estimator.finish();
    if (as_json) {
        write_json(*analysis, time, std::cout);
    } else {
        write_human(*analysis, time, std::cout);
    }
    return exit_code::ok;
}

}  // namespace strata::cli
