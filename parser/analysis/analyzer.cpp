// analyze_file: one streaming pass over a file. The head and tail are read first (slicers keep
// their identity and settings there; PrusaSlicer's configuration is at the very end), so the
// simulation already runs with the right firmware flavour. The per-line loop is the hot path:
// it touches only the lexer, the simulator and a few counters.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

#include "../simulator/arc.hpp"
#include "lexed_lines.hpp"
#include "strata/parser/analysis.hpp"
#include "strata/parser/lexer.hpp"
#include "strata/parser/line_reader.hpp"
#include "strata/parser/simulator.hpp"

namespace strata::parser {

namespace {

constexpr std::size_t scan_bytes = 256u << 10;
constexpr std::uint64_t progress_every_bytes = 16u << 20;

// A file is binary when its first bytes hold NULs or many control characters, or it starts
// with the magic of Prusa's binary G-code.
Status sniff(const std::string& head) {
    if (head.empty()) return fail(ErrorCode::invalid, "the file is empty");
    if (head.compare(0, 4, "GCDE") == 0)
        return fail(ErrorCode::invalid, "binary G-code (.bgcode); convert it to text G-code first");
    const std::size_t sample = std::min<std::size_t>(head.size(), 4096);
    std::size_t control = 0;
    for (std::size_t i = 0; i < sample; ++i) {
        const auto c = static_cast<unsigned char>(head[i]);
        control += (c < 0x09 || (c > 0x0D && c < 0x20)) ? 1 : 0;
    }
    if (control * 10 > sample) {
        return fail(ErrorCode::invalid, "binary data, not G-code (" + std::to_string(control) +
                                            " control bytes in the first " +
                                            std::to_string(sample) + ")");
    }
    return {};
}

Severity severity_of(LexError error) {
    switch (error) {
        case LexError::exponent_like_number:
        case LexError::too_many_macro_params:
        case LexError::stray_number: return Severity::warning;
        default: return Severity::error;
    }
}

// Returns whether the line may still be simulated: a line with an error is reported and left
// out, so a half-understood move (`G1 X1..2 Y3`) never moves the simulated machine.
bool report_lex_error(const GcodeLine& line, std::uint64_t line_number, Diagnostics& diagnostics) {
    const Severity severity = severity_of(line.error);
    std::string message(to_string(line.error));
    message += " at column " + std::to_string(line.error_column + 1);
    if (severity == Severity::error && line.kind == LineKind::command) message += "; line ignored";
    diagnostics.report(severity, line_number, message);
    return severity != Severity::error;
}

class AnalysisPass {
  public:
    AnalysisPass(Analysis& analysis, const MachineConfig& machine, const LayerTrackerConfig& layers)
        : analysis_(analysis), simulator_(machine), layers_(layers) {}

    void on_line(const GcodeLine& line, std::uint64_t number, std::uint64_t end_byte,
                 const LineObserver& observer) {
        const bool usable =
            line.error == LexError::none || report_lex_error(line, number, analysis_.diagnostics);
        bool simulated = false;
        switch (line.kind) {
            case LineKind::command: {
                ++analysis_.command_lines;
                if (!usable) break;
                const MachineState& state = simulator_.step(line, number, analysis_.diagnostics);
                simulated = true;
                if (state.move != MoveKind::none) count_move(state, number);
                break;
            }
            case LineKind::comment: {
                std::optional<double> z_mm;
                if (is_layer_marker(line.comment, z_mm)) {
                    layers_.on_marker(number, z_mm);
                } else if (const auto feature = feature_from_comment(line.comment)) {
                    close_feature();
                    feature_ = *feature;
                }
                break;
            }
            case LineKind::text:
                analysis_.diagnostics.warn(
                    number, "not G-code, plain text: \"" +
                                std::string(line.string_argument.substr(0, 60)) + "\"");
                break;
            default: break;
        }
        if (observer) {
            observer(LineEvent{line, number, start_byte_, end_byte, simulated, simulator_.state(),
                               simulator_.previous_position_mm(), simulator_.last_arc(), feature_,
                               simulator_.workspace_offset_mm(), layers_});
        }
        start_byte_ = end_byte;
    }

    void finish() {
        close_feature();
        layers_.finish(analysis_.diagnostics);
        analysis_.layers = layers_.layers();
        analysis_.layers_from_comments = layers_.from_comments();
        analysis_.filament_mm = simulator_.filament_mm();
    }

  private:
    // Per-feature lengths are settled when the feature changes, not per move: an indexed add on
    // every printing move cost about 4 % of the whole pass (strata bench, side by side).
    void close_feature() {
        analysis_.print_distance_by_feature_mm[static_cast<std::size_t>(feature_)] +=
            analysis_.print_distance_mm - feature_start_mm_;
        feature_start_mm_ = analysis_.print_distance_mm;
    }

    void count_move(const MachineState& state, std::uint64_t number) {
        MoveCounts& moves = analysis_.moves;
        switch (state.move) {
            case MoveKind::extrude: {
                const auto& from = simulator_.previous_position_mm();
                const bool moved_xy =
                    from[0] != state.position_mm[0] || from[1] != state.position_mm[1];
                if (!moved_xy && !state.is_arc) break;  // A prime in place is not a printing move.
                ++moves.print;
                analysis_.print_distance_mm += state.move_length_mm;

                include_in_bbox(from, state);
                layers_.on_printing_move(number, from[2], state.position_mm[2]);
                break;
            }
            case MoveKind::travel:
                ++moves.travel;
                analysis_.travel_distance_mm += state.move_length_mm;
                break;
            case MoveKind::retract:
            case MoveKind::wipe: ++moves.retract; break;
            case MoveKind::deretract: ++moves.deretract; break;
            case MoveKind::lift: ++moves.lift; break;
            case MoveKind::lower: ++moves.lower; break;
            default: break;
        }
        if (state.is_arc) ++moves.arcs;
    }

    void include_in_bbox(const std::array<double, 3>& from, const MachineState& state) {
        BoundingBox& box = analysis_.printed_bbox;
        if (box.empty) {
            box.min_mm = box.max_mm = state.position_mm;
            box.empty = false;
        }
        // The start point counts in XY (a line is printed from there), but not in Z: a purge that
        // descends while extruding (`G0 E7 X15 Z0.2` from Z15) does not print at the start height.
        for (std::size_t axis = 0; axis < 2; ++axis) {
            box.min_mm[axis] = std::min({box.min_mm[axis], from[axis], state.position_mm[axis]});
            box.max_mm[axis] = std::max({box.max_mm[axis], from[axis], state.position_mm[axis]});
        }
        box.min_mm[2] = std::min(box.min_mm[2], state.position_mm[2]);
        box.max_mm[2] = std::max(box.max_mm[2], state.position_mm[2]);
        if (state.is_arc) {
            const ArcGeometry& geometry = simulator_.last_arc();
            const arc::Arc arc{geometry.center_mm, geometry.radius_mm, geometry.start_angle_rad,
                               geometry.sweep_rad};
            std::array<double, 2> min_xy = {box.min_mm[0], box.min_mm[1]};
            std::array<double, 2> max_xy = {box.max_mm[0], box.max_mm[1]};
            arc::extend_bounds(arc, min_xy, max_xy);
            box.min_mm = {min_xy[0], min_xy[1], box.min_mm[2]};
            box.max_mm = {max_xy[0], max_xy[1], box.max_mm[2]};
        }
    }

    Analysis& analysis_;
    Simulator simulator_;
    LayerTracker layers_;
    FeatureType feature_ = FeatureType::unknown;
    double feature_start_mm_ = 0.0;  ///< Print distance when `feature_` began.
    std::uint64_t start_byte_ = 0;   ///< Where the line being read begins in the file.
};

MachineConfig machine_for(const SlicerInfo& slicer, const AnalysisOptions& options) {
    MachineConfig machine = options.machine;
    if (!options.trust_file_settings) return machine;
    if (slicer.settings.firmware_flavor &&
        *slicer.settings.firmware_flavor != FirmwareFlavor::unknown) {
        machine.flavor = *slicer.settings.firmware_flavor;
    }
    if (slicer.settings.retract_length_mm && *slicer.settings.retract_length_mm > 0.0) {
        machine.retract_length_mm = *slicer.settings.retract_length_mm;
    }
    return machine;
}

}  // namespace

bool is_simulated(const GcodeLine& line) {
    return line.kind == LineKind::command &&
           (line.error == LexError::none || severity_of(line.error) != Severity::error);
}

Result<SlicerInfo> slicer_of_file(const std::string& path) {
    LineReader reader;
    if (Status opened = reader.open(path); !opened) return opened.take_error();
    const std::uint64_t bytes = reader.file_bytes();
    const std::string head = reader.read_at(0, scan_bytes);
    const std::string tail =
        bytes > scan_bytes ? reader.read_at(bytes - scan_bytes, scan_bytes) : head;
    return detect_slicer(head, tail);
}

Result<MachineConfig> machine_for_file(const std::string& path, const AnalysisOptions& options) {
    Result<SlicerInfo> slicer = slicer_of_file(path);
    if (!slicer) return slicer.take_error();
    return machine_for(*slicer, options);
}

Result<Analysis> analyze_file(const std::string& path, const AnalysisOptions& options) {
    const auto started = std::chrono::steady_clock::now();
    Analysis analysis;
    analysis.file = path;
    LineReader reader;
    if (Status opened = reader.open(path); !opened) return opened.take_error();
    analysis.bytes = reader.file_bytes();
    const std::string head = reader.read_at(0, scan_bytes);
    if (Status sniffed = sniff(head); !sniffed) return sniffed.take_error();
    const std::string tail = analysis.bytes > scan_bytes
                                 ? reader.read_at(analysis.bytes - scan_bytes, scan_bytes)
                                 : head;
    analysis.slicer = detect_slicer(head, tail);
    const MachineConfig machine = machine_for(analysis.slicer, options);
    analysis.flavor = machine.flavor;
    if (options.on_start) options.on_start(analysis.slicer, machine);

    AnalysisPass pass(analysis, machine,
                      LayerTrackerConfig{analysis.slicer.settings.layer_height_mm.value_or(0.0)});
    std::uint64_t next_progress = progress_every_bytes;
    LexedLines lexed(reader, options.lex_on_worker_thread);
    while (const LexedBatch* batch = lexed.next()) {
        std::size_t next_cut = 0;
        for (std::size_t i = 0; i < batch->count; ++i) {
            const std::uint64_t number = batch->first_number + i;
            if (next_cut < batch->cut.size() && batch->cut[next_cut] == i) {
                ++next_cut;
                analysis.diagnostics.warn(number,
                                          "line longer than 16 MiB; only its start was read");
            }
            pass.on_line(batch->lines[i], number, batch->end_bytes[i], options.on_line);
            if (options.on_progress && batch->end_bytes[i] >= next_progress) {
                options.on_progress(batch->end_bytes[i], analysis.bytes);
                next_progress += progress_every_bytes;
            }
        }
    }
    if (!reader.status()) return reader.status().error();
    if (reader.ended_without_newline()) {
        analysis.diagnostics.warn(reader.line_number(),
                                  "the last line has no end-of-line: the file may be truncated");
    }
    pass.finish();
    analysis.lines = reader.line_number();
    analysis.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (options.on_progress) options.on_progress(analysis.bytes, analysis.bytes);
    if (analysis.command_lines == 0) {
        return fail(ErrorCode::invalid,
                    "no G-code commands in " + std::to_string(analysis.lines) + " lines");
    }
    return analysis;
}

}  // namespace strata::parser
