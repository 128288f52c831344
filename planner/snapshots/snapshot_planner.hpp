// The snapshot planner: watches the analysis pass line by line (next to the time estimator) and
// decides where every snapshot goes. Layer and height triggers work on both layer views at once
// (the slicer's comments and the geometry), because which one the file has is known only at its
// end; time triggers work on windows of estimated print time; marker lines are taken where they
// stand. Within each triggered window the smart modes keep only the best candidates (constant
// memory), and the chosen place is never dearer than the layer change itself.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "block_steps.hpp"
#include "candidates.hpp"
#include "snapshot_cost.hpp"
#include "stabilization.hpp"
#include "strata/parser/analysis.hpp"
#include "strata/planner/print_time.hpp"
#include "strata/planner/printable_area.hpp"
#include "strata/planner/snapshot_plan.hpp"
#include "strata/planner/timelapse_profile.hpp"

namespace strata::planner::snapshots {

/// What the file itself shows about its retractions, lifts and travels, for the block's values
/// when neither the profile nor the slicer settings give them.
struct FileHabits {
    double fastest_travel_mm_s = 0.0;
    double fastest_lift_mm_s = 0.0;
    double fastest_retract_mm_s = 0.0;
    double longest_retraction_mm = 0.0;
    bool uses_firmware_retraction = false;
    bool already_annotated = false;
};

/// The block's values: profile, else slicer settings, else the file's habits, else defaults.
[[nodiscard]] BlockMotion resolve_motion(const SnapshotMotionSettings& settings,
                                         const SafetySettings& safety,
                                         const parser::SlicerSettings& slicer,
                                         const FileHabits& habits, const MotionLimits& limits);

class SnapshotPlanner {
  public:
    /// `area`: chosen before the pass (see printable_area.hpp).
    SnapshotPlanner(const TimelapseProfile& profile, const PrintTimeEstimator& estimator,
                    AreaChoice area);

    void on_start(const parser::SlicerInfo& slicer, const parser::MachineConfig& machine);
    void on_line(const parser::LineEvent& event);
    /// Why no plan can be made (a file prepared already), or empty.
    [[nodiscard]] const std::string& error() const { return error_; }
    /// Closes the last windows, picks the layer view, merges the triggers, numbers the
    /// snapshots and costs them.
    [[nodiscard]] SnapshotPlan finish(const parser::Analysis& analysis,
                                      const PrintTimeEstimate& estimate);

  private:
    /// One stream of windows (layers of one view, or time windows) and what it decided.
    struct Lane {
        Lane(TriggerKind kind, PositionMode mode, std::vector<parser::FeatureType> order)
            : trigger(kind), store(mode, std::move(order)) {}
        TriggerKind trigger;
        LayerCandidates store;
        std::optional<Candidate> change;  ///< Where the head stood as the window began.
        std::int64_t window = -1;
        ParkingPoint park;  ///< For the lane's next snapshot.
        std::vector<PlannedSnapshot> planned;
        /// Per planned snapshot, the other place its window offered (the layer change or the
        /// smart pick): settled in `finish`, when the block's values are final.
        std::vector<std::optional<Candidate>> alternatives;
        std::vector<SkippedSnapshot> skipped;
        std::int64_t height_step = -1;         ///< Last height increment a snapshot was taken for.
        const char* change_problem = nullptr;  ///< Why `change` is not usable.
    };

    /// Closes and opens windows as layers (both views) and time windows change.
    void follow_windows(const parser::LineEvent& event);
    void take_marker(const parser::LineEvent& event);
    /// Offers the line's position to the lanes that would keep it.
    void offer_position(const parser::LineEvent& event);
    void begin_window(Lane& lane, std::int64_t window, const std::optional<Candidate>& change);
    void close_window(Lane& lane, std::int64_t layer, double z_mm,
                      std::optional<TriggerKind> trigger);
    [[nodiscard]] std::optional<TriggerKind> layer_trigger(Lane& lane, std::int64_t layer,
                                                           double z_mm) const;
    void close_layer_window(Lane& lane, const std::vector<parser::Layer>& layers);
    void offer(Lane& lane, const Candidate& candidate);
    [[nodiscard]] static double distance_sq_mm2(const Lane& lane,
                                                const parser::MachineState& state);
    void take(Lane& lane, const Candidate& candidate, std::int64_t layer, double z_mm,
              const std::optional<Candidate>& alternative = std::nullopt);
    [[nodiscard]] PlannedSnapshot planned_at(const Lane& lane, const Candidate& candidate,
                                             std::int64_t layer, double z_mm) const;
    void settle_alternatives(Lane& lane) const;
    /// Why a block cannot go here (a static text), or nullptr.
    [[nodiscard]] const char* unusable(const Candidate& candidate) const;
    [[nodiscard]] double estimated_cost(const Candidate& candidate, const ParkingPoint& park) const;
    /// The block's added time with the block values known now, no following move.
    [[nodiscard]] double block_cost_s(const BlockEntry& entry,
                                      const std::optional<std::array<double, 2>>& park_mm) const;
    [[nodiscard]] std::optional<std::array<double, 2>> park_for(const ParkingPoint& park,
                                                                const Candidate& candidate) const;
    [[nodiscard]] Candidate candidate_from(const parser::LineEvent& event) const;
    void fill_candidate(const parser::LineEvent& event, Candidate& candidate) const;
    [[nodiscard]] std::optional<Candidate> previous() const;
    static void move_before(Candidate& candidate, const parser::LineEvent& event);
    void watch_habits(const parser::LineEvent& event);
    [[nodiscard]] bool is_marker(const parser::GcodeLine& line) const;
    [[nodiscard]] std::int64_t current_layer() const;
    void cost_plan(SnapshotPlan& plan, const PrintTimeEstimate& estimate) const;

    const TimelapseProfile& profile_;
    const PrintTimeEstimator& estimator_;
    parser::SlicerSettings slicer_;
    AreaChoice area_choice_;
    BlockMotion motion_;  ///< Provisional while the file is read; final in `finish`.
    FileHabits habits_;
    PositionMode mode_ = PositionMode::compatibility;
    bool in_place_ = false;
    bool stop_ = true;
    bool skip_all_ = false;
    bool vase_mode_ = false;
    /// Whether a marker starts with this byte, in either case: the per-line test.
    std::array<bool, 256> marker_first_byte_{};
    std::string error_;

    Lane comment_lane_;
    Lane geometric_lane_;
    Lane time_lane_;
    Lane marker_lane_;

    /// The head after the last simulated line is `buffers_[previous_index_]`; the current line
    /// is built in the other one.
    std::array<Candidate, 2> buffers_{};
    std::size_t previous_index_ = 0;
    bool has_previous_ = false;
    double highest_printed_z_mm_ = 0.0;
    double last_printed_z_mm_ = 0.0;
    bool printed_ = false;
    bool motors_off_ = false;
    std::size_t comment_layers_seen_ = 0;
    std::size_t geometric_layers_seen_ = 0;
};

}  // namespace strata::planner::snapshots
