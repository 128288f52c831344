// Smart placement within a layer: classification of positions, the closest-per-kind store, and
// each position mode's choice.
#include <gtest/gtest.h>

#include "../../planner/snapshots/candidates.hpp"

namespace strata::planner::snapshots {
namespace {

using parser::FeatureType;
using parser::MachineState;
using parser::MoveKind;
namespace flag = parser::extruder_flag;

MachineState state_of(MoveKind move, std::uint16_t extruder) {
    MachineState state;
    state.move = move;
    state.extruder = extruder;
    return state;
}

TEST(Candidates, ClassifiedByMoveAndExtruderState) {
    EXPECT_EQ(classify(state_of(MoveKind::travel, flag::retracted), true),
              CandidateKind::retracted_lifted_travel);
    EXPECT_EQ(classify(state_of(MoveKind::travel, flag::retracted), false),
              CandidateKind::retracted_travel);
    EXPECT_EQ(classify(state_of(MoveKind::lift, flag::retracted), true),
              CandidateKind::retracted_lifted);
    EXPECT_EQ(classify(state_of(MoveKind::retract, flag::retracting | flag::retracted), false),
              CandidateKind::retracted);
    EXPECT_EQ(classify(state_of(MoveKind::travel, flag::primed), false), CandidateKind::travel);
    EXPECT_EQ(classify(state_of(MoveKind::extrude, flag::extruding), false),
              CandidateKind::extrusion);
    // Never: half retracted, de-retracting, lowering onto the print, or not a move.
    EXPECT_FALSE(classify(state_of(MoveKind::travel, flag::partially_retracted), false));
    EXPECT_FALSE(classify(state_of(MoveKind::deretract, flag::deretracting), false));
    EXPECT_FALSE(classify(state_of(MoveKind::lower, flag::retracted), true));
    EXPECT_FALSE(classify(state_of(MoveKind::none, flag::primed), false));
    EXPECT_FALSE(classify(state_of(MoveKind::lift, flag::primed), true));
}

Candidate at(std::uint64_t line, double distance_mm, CandidateKind kind,
             FeatureType feature = FeatureType::unknown) {
    return {.line = line,
            .position_mm = {distance_mm, 0.0, 0.2},
            .distance_sq_mm2 = distance_mm * distance_mm,
            .kind = kind,
            .feature = feature,
            .entry = {}};
}

// One layer seen by every mode: an outer-wall extrusion right at the parking point, an infill
// extrusion a little further, a plain travel, and a retracted travel far away.
void offer_layer(LayerCandidates& store) {
    store.offer(at(10, 1.0, CandidateKind::extrusion, FeatureType::outer_perimeter));
    store.offer(at(20, 30.0, CandidateKind::extrusion, FeatureType::infill));
    store.offer(at(25, 20.0, CandidateKind::extrusion, FeatureType::infill));
    store.offer(at(30, 12.0, CandidateKind::travel));
    store.offer(at(40, 80.0, CandidateKind::retracted_travel));
    store.offer(at(50, 90.0, CandidateKind::retracted_travel));
}

std::uint64_t chosen_line(PositionMode mode) {
    LayerCandidates store(mode, PositionSettings{}.feature_order);
    offer_layer(store);
    const auto best = store.best();
    return best ? best->line : 0;
}

TEST(Candidates, EachModeChoosesItsWay) {
    EXPECT_EQ(chosen_line(PositionMode::fast), 10u);           // Closest of all.
    EXPECT_EQ(chosen_line(PositionMode::compatibility), 25u);  // Closest preferred feature.
    EXPECT_EQ(chosen_line(PositionMode::high_quality), 40u);   // Best kind, then closest.
    EXPECT_EQ(chosen_line(PositionMode::snap_to_print), 10u);  // Closest extrusion.
}

TEST(Candidates, CompatibilityFallsBackToTheQualityOrder) {
    LayerCandidates store(PositionMode::compatibility, {FeatureType::infill});
    store.offer(at(10, 1.0, CandidateKind::extrusion, FeatureType::outer_perimeter));
    store.offer(at(20, 50.0, CandidateKind::retracted_lifted));
    store.offer(at(30, 5.0, CandidateKind::travel));
    EXPECT_EQ(store.best()->line, 20u);
}

TEST(Candidates, HighQualityAndSnapToPrintMayFindNothing) {
    LayerCandidates quality(PositionMode::high_quality, {});
    quality.offer(at(10, 1.0, CandidateKind::extrusion));
    EXPECT_FALSE(quality.best().has_value());

    LayerCandidates snap(PositionMode::snap_to_print, {});
    snap.offer(at(10, 1.0, CandidateKind::retracted_travel));
    EXPECT_FALSE(snap.best().has_value());
}

TEST(Candidates, TiesKeepTheEarlierAndClearEmpties) {
    LayerCandidates store(PositionMode::fast, {});
    store.offer(at(10, 5.0, CandidateKind::travel));
    store.offer(at(20, 5.0, CandidateKind::travel));
    EXPECT_EQ(store.best()->line, 10u);
    store.clear();
    EXPECT_FALSE(store.best().has_value());
}

}  // namespace
}  // namespace strata::planner::snapshots
