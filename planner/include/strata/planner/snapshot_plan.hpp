// The snapshot plan: which lines of a G-code file get a snapshot block after them, where the
// head is there, where it parks, and what the block costs. The planner builds it in the
// analysis pass (planner/snapshots); the splicer turns it into the annotated job
// (planner/splice); the index and `strata prep --json` report it. Plain data, no behaviour.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/parser/features.hpp"
#include "strata/parser/machine_state.hpp"

namespace strata::planner {

/// What asked for a snapshot.
enum class TriggerKind : std::uint8_t { layer, height, time, marker };
std::string_view to_string(TriggerKind kind);

/// What the head is doing where a snapshot is placed, best first: Octolapse's quality order. A
/// snapshot taken where the extruder is already retracted (and lifted, and travelling) adds the
/// least and leaves no mark; one taken mid-extrusion must retract first.
enum class CandidateKind : std::uint8_t {
    retracted_lifted_travel,
    retracted_travel,
    retracted_lifted,
    retracted,
    travel,
    extrusion,
};
inline constexpr std::size_t candidate_kind_count = 6;
std::string_view to_string(CandidateKind kind);

/// The printable area, nozzle coordinates.
struct PrintableArea {
    std::array<double, 2> min_mm = {0.0, 0.0};
    std::array<double, 2> max_mm = {0.0, 0.0};
};

/// The machine state a block starts from, and must leave behind exactly.
struct BlockEntry {
    /// The simulator's state after the line the block follows: position (nozzle, bed
    /// coordinates), logical E, retraction, feedrate and modes are all read from here.
    parser::MachineState machine;
    /// Bed = file + offset: the block writes its moves in the file's own coordinates.
    std::array<double, 3> workspace_offset_mm = {0.0, 0.0, 0.0};
    /// Highest Z any printing move reached so far: the block never travels below it + the lift.
    double highest_printed_z_mm = 0.0;
    /// The move of the line the block follows (X, Y, Z, E and its feedrate), for its cost.
    std::array<double, 4> incoming_delta_mm = {0.0, 0.0, 0.0, 0.0};
    double incoming_feedrate_mm_s = 0.0;
};

/// The moves of a snapshot block, every value resolved (profile, else the file's slicer
/// settings, else what the file itself does, else a default; `source` says which).
struct BlockMotion {
    bool retract = true;
    double retract_length_mm = 0.0;
    double retract_speed_mm_s = 0.0;
    double deretract_speed_mm_s = 0.0;
    bool firmware_retraction = false;  ///< G10/G11 instead of G1 E.
    double lift_mm = 0.0;              ///< 0: no lift.
    double lift_speed_mm_s = 0.0;
    double travel_speed_mm_s = 0.0;
    std::optional<double> max_z_mm;
    double dwell_ms = 0.0;
    bool wait_for_moves = true;  ///< M400 before the capture (false: capture on the fly).
    std::string source;          ///< Where each value came from, for the summary.
};

struct PlannedSnapshot {
    std::uint32_t number = 0;      ///< 1-based, in file order.
    std::uint64_t after_line = 0;  ///< The block goes right after this 1-based line,
    std::uint64_t after_byte = 0;  ///< which ends just before this byte of the original.
    std::int64_t layer = -1;       ///< 0-based layer index, -1 before the first layer.
    double layer_z_mm = 0.0;
    TriggerKind trigger = TriggerKind::layer;
    CandidateKind kind = CandidateKind::extrusion;
    parser::FeatureType feature = parser::FeatureType::unknown;
    BlockEntry entry;
    /// Where the head parks; nothing: the snapshot is taken where the head is.
    std::optional<std::array<double, 2>> park_mm;
    /// False in vase mode's in-place policy and without `wait_for_moves`: the camera fires while
    /// the head keeps moving (no M400, no stop).
    bool stop = true;
    double travel_mm = 0.0;     ///< XY travel of the block, out and back.
    double time_added_s = 0.0;  ///< From the motion planner, dwell included; no camera time.
    double elapsed_s = 0.0;     ///< Estimated print time at the block (original file).
};

/// A trigger that could not be honoured, and why.
struct SkippedSnapshot {
    std::int64_t layer = -1;
    std::uint64_t line = 0;
    TriggerKind trigger = TriggerKind::layer;
    std::string reason;
};

struct SnapshotPlan {
    std::vector<PlannedSnapshot> snapshots;  ///< Ascending `after_line`, one per line at most.
    std::vector<SkippedSnapshot> skipped;
    PrintableArea area;
    std::string area_source;
    bool area_from_moves = false;  ///< No bed was known: worth a warning (printable_area.hpp).
    BlockMotion motion;
    bool vase_mode = false;
    bool layers_from_comments = false;
};

}  // namespace strata::planner
