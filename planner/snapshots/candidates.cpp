// Candidate classification and the per-layer store (see candidates.hpp).
#include "candidates.hpp"

#include <algorithm>

namespace strata::planner::snapshots {
namespace {

using parser::MoveKind;
namespace flag = parser::extruder_flag;

std::size_t slot_of(CandidateKind kind) {
    return static_cast<std::size_t>(kind);
}

}  // namespace

std::optional<CandidateKind> classify(const parser::MachineState& state, bool lifted) {
    const bool partially = (state.extruder & flag::partially_retracted) != 0;
    const bool deretracting = (state.extruder & flag::deretracting) != 0;
    if (partially || deretracting) return std::nullopt;
    const bool retracted = (state.extruder & flag::retracted) != 0;
    switch (state.move) {
        case MoveKind::travel:
            if (!retracted) return CandidateKind::travel;
            return lifted ? CandidateKind::retracted_lifted_travel
                          : CandidateKind::retracted_travel;
        case MoveKind::lift:
            return retracted ? std::optional(CandidateKind::retracted_lifted) : std::nullopt;
        case MoveKind::retract:
        case MoveKind::wipe:
            if (!retracted) return std::nullopt;
            return lifted ? CandidateKind::retracted_lifted : CandidateKind::retracted;
        case MoveKind::extrude: return CandidateKind::extrusion;
        default: return std::nullopt;  // Lowering, de-retracting, no motion.
    }
}

LayerCandidates::LayerCandidates(PositionMode mode, std::vector<parser::FeatureType> feature_order)
    : mode_(mode), feature_order_(std::move(feature_order)), by_feature_(feature_order_.size()) {}

void LayerCandidates::keep_closer(std::optional<Candidate>& slot, const Candidate& candidate) {
    // Ties keep the earlier one: the same spot later in the layer has nothing to add.
    if (!slot || candidate.distance_sq_mm2 < slot->distance_sq_mm2) slot = candidate;
}

void LayerCandidates::keep_closer(std::optional<Candidate>& slot, const Candidate& candidate,
                                  double distance_sq_mm2) {
    if (slot && !(distance_sq_mm2 < slot->distance_sq_mm2)) return;
    slot = candidate;
    slot->distance_sq_mm2 = distance_sq_mm2;
}

bool LayerCandidates::wants(CandidateKind kind, parser::FeatureType feature,
                            double distance_sq_mm2) const {
    const auto beats = [&](const std::optional<Candidate>& slot) {
        return !slot || distance_sq_mm2 < slot->distance_sq_mm2;
    };
    if (beats(by_kind_[slot_of(kind)])) return true;
    if (kind != CandidateKind::extrusion) return false;
    const auto preferred = std::find(feature_order_.begin(), feature_order_.end(), feature);
    return preferred != feature_order_.end() &&
           beats(by_feature_[static_cast<std::size_t>(preferred - feature_order_.begin())]);
}

void LayerCandidates::offer(const Candidate& candidate, double distance_sq_mm2) {
    keep_closer(by_kind_[slot_of(candidate.kind)], candidate, distance_sq_mm2);
    if (candidate.kind != CandidateKind::extrusion) return;
    const auto preferred =
        std::find(feature_order_.begin(), feature_order_.end(), candidate.feature);
    if (preferred != feature_order_.end())
        keep_closer(by_feature_[static_cast<std::size_t>(preferred - feature_order_.begin())],
                    candidate, distance_sq_mm2);
}

std::optional<Candidate> LayerCandidates::best() const {
    const auto first_kind = [&](CandidateKind last) -> std::optional<Candidate> {
        for (std::size_t slot = 0; slot <= slot_of(last); ++slot) {
            if (by_kind_[slot]) return by_kind_[slot];
        }
        return std::nullopt;
    };
    switch (mode_) {
        case PositionMode::fast: {
            std::optional<Candidate> closest;
            for (const auto& slot : by_kind_) {
                if (slot) keep_closer(closest, *slot);
            }
            return closest;
        }
        case PositionMode::compatibility:
            for (const auto& slot : by_feature_) {
                if (slot) return slot;
            }
            return first_kind(CandidateKind::extrusion);
        case PositionMode::high_quality: return first_kind(CandidateKind::travel);
        case PositionMode::snap_to_print: return by_kind_[slot_of(CandidateKind::extrusion)];
        case PositionMode::layer_change: break;  // Placed by the layer change itself.
    }
    return std::nullopt;
}

void LayerCandidates::clear() {
    by_kind_.fill(std::nullopt);
    std::fill(by_feature_.begin(), by_feature_.end(), std::nullopt);
}

}  // namespace strata::planner::snapshots
