// LayerTracker tests: the geometric view against the traps the issue names (z-hop, vase mode,
// purge lines, sequential prints) and the comment view.
#include <gtest/gtest.h>

#include "strata/parser/layers.hpp"

namespace strata::parser {
namespace {

TEST(Layers, PrintingMovesAtNewHeightsStartLayers) {
    LayerTracker tracker(LayerTrackerConfig{0.2});
    tracker.on_printing_move(10, 0.2, 0.2);
    tracker.on_printing_move(11, 0.2, 0.2);
    tracker.on_printing_move(20, 0.4, 0.4);
    tracker.on_printing_move(30, 0.6, 0.6);
    ASSERT_EQ(tracker.layers().size(), 3u);
    EXPECT_FALSE(tracker.from_comments());
    EXPECT_EQ(tracker.layers()[1].first_line, 20u);
    EXPECT_DOUBLE_EQ(tracker.layers()[2].z_mm, 0.6);
}

TEST(Layers, ZHopsDoNotStartLayers) {
    // Hops are travel moves: the tracker never sees them, and printing resumes at layer height.
    LayerTracker tracker(LayerTrackerConfig{0.2});
    tracker.on_printing_move(10, 0.2, 0.2);
    tracker.on_printing_move(14, 0.2, 0.2);  // after "G1 Z0.6" / travel / "G1 Z0.2"
    EXPECT_EQ(tracker.layers().size(), 1u);
}

TEST(Layers, SequentialPrintStartsAgainLow) {
    LayerTracker tracker(LayerTrackerConfig{0.2});
    for (int layer = 1; layer <= 3; ++layer)
        tracker.on_printing_move(static_cast<std::uint64_t>(layer) * 10, 0.2 * layer, 0.2 * layer);
    for (int layer = 1; layer <= 3; ++layer)
        tracker.on_printing_move(100 + static_cast<std::uint64_t>(layer) * 10, 0.2 * layer,
                                 0.2 * layer);
    EXPECT_EQ(tracker.layers().size(), 6u);
    EXPECT_DOUBLE_EQ(tracker.layers()[3].z_mm, 0.2);
}

TEST(Layers, VaseModeCountsOneLayerPerLayerHeightOfClimb) {
    LayerTracker tracker(LayerTrackerConfig{0.2});
    tracker.on_printing_move(1, 0.2, 0.2);  // solid bottom
    double z = 0.2;
    std::uint64_t line = 2;
    for (int step = 0; step < 100; ++step, ++line) {  // 100 segments, 20 per revolution
        tracker.on_printing_move(line, z, z + 0.01);
        z += 0.01;
    }
    // 1.0 mm of climb at 0.2 mm per layer: five more layers, not a hundred.
    EXPECT_EQ(tracker.layers().size(), 6u);
}

TEST(Layers, DescendingPurgeLineIsItsOwnLayerAndNotASpiral) {
    LayerTracker tracker(LayerTrackerConfig{0.2});
    tracker.on_printing_move(5, 15.0, 0.2);  // PrusaSlicer MK4: "G0 E7 X15 Z0.2" from Z15
    tracker.on_printing_move(6, 0.2, 0.2);
    tracker.on_printing_move(20, 0.4, 0.4);
    tracker.on_printing_move(30, 0.6, 0.6);
    EXPECT_EQ(tracker.layers().size(), 3u);
}

TEST(Layers, CommentsWinAndCarryTheirHeight) {
    LayerTracker tracker(LayerTrackerConfig{});
    tracker.on_marker(5, std::nullopt);
    tracker.on_printing_move(8, 0.2, 0.2);
    tracker.on_marker(20, 0.4);
    tracker.on_marker(21, 0.4);  // same height: KISSlicer's per-object marker, same layer
    tracker.on_printing_move(25, 0.4, 0.4);
    tracker.on_marker(40, std::nullopt);  // a layer without printing keeps the last height
    ASSERT_TRUE(tracker.from_comments());
    ASSERT_EQ(tracker.layers().size(), 3u);
    EXPECT_DOUBLE_EQ(tracker.layers()[0].z_mm, 0.2);
    EXPECT_EQ(tracker.layers()[1].first_line, 20u);
    EXPECT_DOUBLE_EQ(tracker.layers()[2].z_mm, 0.4);
    EXPECT_FALSE(tracker.layers()[2].has_print);
}

TEST(Layers, DisagreementBetweenCommentsAndGeometryIsReported) {
    LayerTracker tracker(LayerTrackerConfig{0.2});
    tracker.on_marker(1, std::nullopt);
    for (int layer = 1; layer <= 5; ++layer)
        tracker.on_printing_move(static_cast<std::uint64_t>(layer) * 10, 0.2 * layer, 0.2 * layer);
    Diagnostics diagnostics;
    tracker.finish(diagnostics);
    EXPECT_EQ(diagnostics.warning_count(), 1u);
}

TEST(Layers, LayerOfLine) {
    const std::vector<Layer> layers = {{0, 0.2, 10, true}, {1, 0.4, 20, true}, {2, 0.6, 30, true}};
    EXPECT_EQ(layer_of_line(layers, 5), -1);
    EXPECT_EQ(layer_of_line(layers, 10), 0);
    EXPECT_EQ(layer_of_line(layers, 19), 0);
    EXPECT_EQ(layer_of_line(layers, 20), 1);
    EXPECT_EQ(layer_of_line(layers, 1000), 2);
}

}  // namespace
}  // namespace strata::parser
