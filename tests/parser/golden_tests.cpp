// Golden tests for the simulator: each tests/data/golden/<case>.gcode is analyzed and every
// move is dumped as one text line, compared with <case>.expect (written and checked by hand).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "../support/result.hpp"
#include "strata/parser/analysis.hpp"

namespace strata::parser {
namespace {

std::string flag_names(std::uint16_t flags) {
    static constexpr std::array<const char*, 10> names = {
        "extruding_start", "extruding",           "primed",    "retracting_start",
        "retracting",      "partially_retracted", "retracted", "deretracting_start",
        "deretracting",    "deretracted"};
    std::string text;
    for (std::size_t bit = 0; bit < names.size(); ++bit) {
        if ((flags & (1u << bit)) == 0) continue;
        if (!text.empty()) text += ',';
        text += names[bit];
    }
    return text;
}

std::string dump_moves(const std::string& path) {
    std::ostringstream dump;
    dump << "# line move x y z e_delta retraction flags\n";
    AnalysisOptions options;
    options.on_line = [&dump](const LineEvent& event) {
        const MachineState& state = event.state;
        const std::uint64_t number = event.number;
        if (!event.simulated || state.move == MoveKind::none) return;
        char text[160];
        std::snprintf(text, sizeof text, "%llu %s %.3f %.3f %.3f %.3f %.3f ",
                      static_cast<unsigned long long>(number),
                      std::string(to_string(state.move)).c_str(), state.position_mm[0],
                      state.position_mm[1], state.position_mm[2], state.e_delta_mm,
                      state.retraction_mm);
        dump << text << flag_names(state.extruder) << '\n';
    };
    EXPECT_TRUE(testing::ok(analyze_file(path, options)));
    return dump.str();
}

TEST(Golden, EveryCaseMatchesItsExpectation) {
    const std::filesystem::path directory = std::filesystem::path(STRATA_TEST_DATA_DIR) / "golden";
    int cases = 0;
    for (const auto& entry : std::filesystem::directory_iterator(directory)) {
        if (entry.path().extension() != ".gcode") continue;
        std::filesystem::path expect_path = entry.path();
        expect_path.replace_extension(".expect");
        std::ifstream expect_file(expect_path);
        ASSERT_TRUE(expect_file) << "missing " << expect_path;
        std::stringstream expected;
        expected << expect_file.rdbuf();
        EXPECT_EQ(dump_moves(entry.path().string()), expected.str()) << entry.path();
        ++cases;
    }
    EXPECT_GE(cases, 1);
}

TEST(Golden, LayersOfTheHandWrittenCase) {
    const Result<Analysis> result = analyze_file(
        (std::filesystem::path(STRATA_TEST_DATA_DIR) / "golden" / "retract_hop_arc.gcode")
            .string());
    ASSERT_TRUE(testing::ok(result));
    ASSERT_EQ(result->layers.size(), 2u);
    EXPECT_TRUE(result->layers_from_comments);
    EXPECT_EQ(result->layers[0].first_line, 7u);
    EXPECT_DOUBLE_EQ(result->layers[0].z_mm, 0.2);
    EXPECT_EQ(result->layers[1].first_line, 19u);
    EXPECT_DOUBLE_EQ(result->layers[1].z_mm, 0.4);
    EXPECT_EQ(result->moves.arcs, 1u);
    // The arc (centre 35,20, radius 5, clockwise from 30,20 to 40,20) bulges up to y = 25.
    EXPECT_NEAR(result->printed_bbox.max_mm[1], 25.0, 1e-9);
    EXPECT_NEAR(result->printed_bbox.min_mm[1], 10.0, 1e-9);
    EXPECT_NEAR(result->printed_bbox.max_mm[0], 50.0, 1e-9);
    EXPECT_EQ(result->diagnostics.error_count(), 0u);
}

}  // namespace
}  // namespace strata::parser
