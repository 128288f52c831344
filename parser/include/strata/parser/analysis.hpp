// The whole-file analysis: streams a G-code file through the lexer, the simulator, the layer
// tracker and the dialect detector in one pass and bounded memory, and summarises it. This is
// what `strata analyze` prints and what later stages start from.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "strata/common/result.hpp"
#include "strata/parser/diagnostics.hpp"
#include "strata/parser/dialect.hpp"
#include "strata/parser/features.hpp"
#include "strata/parser/gcode_line.hpp"
#include "strata/parser/layers.hpp"
#include "strata/parser/machine_state.hpp"
#include "strata/parser/simulator.hpp"  // ArcGeometry

namespace strata::parser {

struct MoveCounts {
    std::uint64_t print = 0;  ///< Extrusions with XY motion (arcs included).
    std::uint64_t travel = 0;
    std::uint64_t retract = 0;  ///< Retractions, wipes and firmware retractions.
    std::uint64_t deretract = 0;
    std::uint64_t lift = 0;
    std::uint64_t lower = 0;
    std::uint64_t arcs = 0;
};

struct BoundingBox {
    std::array<double, 3> min_mm = {0.0, 0.0, 0.0};
    std::array<double, 3> max_mm = {0.0, 0.0, 0.0};
    bool empty = true;
};

struct Analysis {
    std::string file;
    std::uint64_t bytes = 0;
    std::uint64_t lines = 0;
    std::uint64_t command_lines = 0;
    SlicerInfo slicer;
    FirmwareFlavor flavor = FirmwareFlavor::marlin;  ///< The flavour the simulation assumed.
    std::vector<Layer> layers;
    bool layers_from_comments = false;
    BoundingBox printed_bbox;
    std::vector<double> filament_mm;  ///< Per tool.
    MoveCounts moves;
    double print_distance_mm = 0.0;
    double travel_distance_mm = 0.0;
    /// Printed path length per feature the slicer's comments announced (`unknown` when none).
    std::array<double, feature_type_count> print_distance_by_feature_mm{};
    Diagnostics diagnostics;
    double seconds = 0.0;
};

/// One line as later stages see it during the analysis pass.
struct LineEvent {
    const GcodeLine& line;
    std::uint64_t number;  ///< 1-based line number.
    /// Where the line's bytes begin in the file, and where the next line begins (just past the
    /// end-of-line): what a writer needs to splice text between lines without re-reading them.
    std::uint64_t start_byte;
    std::uint64_t end_byte;
    /// True when the simulator applied this line (a command without a lex error); only then do
    /// `state.move` and the positions describe this line.
    bool simulated;
    const MachineState& state;                       ///< The state after the line.
    const std::array<double, 3>& start_position_mm;  ///< Nozzle position before the line.
    const ArcGeometry& arc;                          ///< The line's arc, when `state.is_arc`.
    FeatureType feature;  ///< What the slicer's last feature comment said is being printed.
    /// Bed position = file position + this (G92); what a writer of moves in the file's own
    /// coordinates needs.
    const std::array<double, 3>& workspace_offset_mm;
    /// Both layer views as they stand after this line (a new layer is there from its first line).
    const LayerTracker& layers;
};

/// Per-line hook for callers that need more than the summary (tests, the time estimator).
using LineObserver = std::function<void(const LineEvent&)>;
/// Called once, before the first line, with what the head and tail scan found and the machine
/// configuration the simulation will use.
using StartObserver = std::function<void(const SlicerInfo&, const MachineConfig&)>;
/// Called now and then with bytes done and bytes in all, for progress bars.
using ProgressObserver = std::function<void(std::uint64_t, std::uint64_t)>;

struct AnalysisOptions {
    /// Used as given, except that the flavour and retraction length come from the slicer's
    /// settings when the file declares them and `trust_file_settings` is set.
    MachineConfig machine;
    bool trust_file_settings = true;
    /// Read and lex lines a few batches ahead on a worker thread, so lexing and the simulation
    /// share two cores. The lines, the events and the analysis are the same either way.
    bool lex_on_worker_thread = false;
    StartObserver on_start;
    LineObserver on_line;
    ProgressObserver on_progress;
};

/// Whether a lexer thread has a core to itself among `threads` (cores, or threads a caller
/// allows): the firmware planner takes the second when it runs on a thread of its own, so the
/// lexer gets the third, or else the second. On two cores a third thread only takes turns.
[[nodiscard]] constexpr bool lexer_thread_fits(unsigned threads, bool planner_has_a_thread) {
    return threads >= (planner_has_a_thread ? 3u : 2u);
}

/// Reads, lexes and simulates the whole file. Fails when it cannot be read (the system's code),
/// or is empty, binary or holds no G-code command at all (`invalid`); lines that are wrong only
/// become diagnostics.
[[nodiscard]] Result<Analysis> analyze_file(const std::string& path,
                                            const AnalysisOptions& options = {});

/// Whether the analysis applies `line` to the machine: a command whose lex errors, if any, are
/// only warnings. A second simulation of a file must make the same choice.
[[nodiscard]] bool is_simulated(const GcodeLine& line);

/// The slicer and its settings as `analyze_file` finds them (head and tail scan only); refused
/// when the file cannot be read.
[[nodiscard]] Result<SlicerInfo> slicer_of_file(const std::string& path);

/// The machine configuration `analyze_file` would simulate `path` with (the slicer's flavour
/// and retraction applied): what a second simulation of the same job must use; refused when
/// the file cannot be read.
[[nodiscard]] Result<MachineConfig> machine_for_file(const std::string& path,
                                                     const AnalysisOptions& options);

}  // namespace strata::parser
