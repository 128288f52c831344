// Smart snapshot placement within one layer: every position the head passes through is offered
// as a candidate; the store keeps, per kind of position and per preferred feature, only the one
// closest to the parking point, and picks the layer's snapshot by the profile's position mode.
// Memory is constant per layer, whatever the layer's size.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "strata/parser/features.hpp"
#include "strata/parser/machine_state.hpp"
#include "strata/planner/snapshot_plan.hpp"
#include "strata/planner/timelapse_profile.hpp"

namespace strata::planner::snapshots {

/// A place a snapshot block could be spliced in: after `line`, with the head at `position_mm`.
struct Candidate {
    std::uint64_t line = 0;
    std::uint64_t after_byte = 0;  ///< Where `line` ends in the file: the block's byte offset.
    std::array<double, 3> position_mm = {0.0, 0.0, 0.0};
    /// Squared XY distance to the parking point: it orders candidates like the distance does,
    /// without a square root on every line.
    double distance_sq_mm2 = 0.0;
    CandidateKind kind = CandidateKind::extrusion;
    parser::FeatureType feature = parser::FeatureType::unknown;
    BlockEntry entry;  ///< What the block placed here starts from and restores.
};

/// The kind of position a machine state is, or nothing when a snapshot must not go there:
/// partially retracted or de-retracting extruders, lowering onto the print, no motion.
[[nodiscard]] std::optional<CandidateKind> classify(const parser::MachineState& state, bool lifted);

class LayerCandidates {
  public:
    LayerCandidates(PositionMode mode, std::vector<parser::FeatureType> feature_order);

    /// Keeps `candidate`, `distance_sq_mm2` (squared) from the parking point, where it beats
    /// what is kept; copies it only then.
    void offer(const Candidate& candidate, double distance_sq_mm2);
    void offer(const Candidate& candidate) { offer(candidate, candidate.distance_sq_mm2); }
    /// Whether `offer` would keep a candidate of this kind and feature at this distance.
    [[nodiscard]] bool wants(CandidateKind kind, parser::FeatureType feature,
                             double distance_sq_mm2) const;
    /// The layer's snapshot position under the mode, or nothing (high quality and snap to
    /// print can find no acceptable position in a layer).
    [[nodiscard]] std::optional<Candidate> best() const;
    void clear();

  private:
    static void keep_closer(std::optional<Candidate>& slot, const Candidate& candidate);
    static void keep_closer(std::optional<Candidate>& slot, const Candidate& candidate,
                            double distance_sq_mm2);

    PositionMode mode_;
    std::vector<parser::FeatureType> feature_order_;
    std::array<std::optional<Candidate>, candidate_kind_count> by_kind_;
    /// The closest extrusion of each preferred feature, in `feature_order_`'s order.
    std::vector<std::optional<Candidate>> by_feature_;
};

}  // namespace strata::planner::snapshots
