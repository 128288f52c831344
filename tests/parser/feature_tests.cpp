// Feature comments of every slicer that writes them, and comments that must not be taken for
// one (settings, KISSlicer's retraction notes, Cura's layer lines).
#include <gtest/gtest.h>

#include <optional>
#include <string_view>

#include "strata/parser/features.hpp"

namespace strata::parser {
namespace {

using enum FeatureType;

struct FeatureCase {
    std::string_view comment;  ///< The text after `;`.
    std::optional<FeatureType> expected;
};

class FeatureComments : public ::testing::TestWithParam<FeatureCase> {};

TEST_P(FeatureComments, AreRecognised) {
    const auto result = feature_from_comment(GetParam().comment);
    ASSERT_EQ(result.has_value(), GetParam().expected.has_value()) << GetParam().comment;
    if (result) {
        EXPECT_EQ(to_string(*result), to_string(*GetParam().expected));
    }
}

INSTANTIATE_TEST_SUITE_P(
    Slicers, FeatureComments,
    ::testing::Values(
        // PrusaSlicer, SuperSlicer, Slic3r PE.
        FeatureCase{"TYPE:External perimeter", outer_perimeter},
        FeatureCase{"TYPE:Perimeter", inner_perimeter}, FeatureCase{"TYPE:Internal infill", infill},
        FeatureCase{"TYPE:Wipe tower", prime_tower}, FeatureCase{"TYPE:Skirt/Brim\r", skirt},
        FeatureCase{"TYPE:Custom", custom},
        // OrcaSlicer, Bambu Studio.
        FeatureCase{" FEATURE: Outer wall", outer_perimeter},
        FeatureCase{"TYPE:Sparse infill", infill},
        FeatureCase{" FEATURE: Prime tower", prime_tower},
        FeatureCase{"TYPE:Top surface", top_solid_infill},
        // Cura and ideaMaker.
        FeatureCase{"TYPE:WALL-OUTER", outer_perimeter}, FeatureCase{" TYPE:FILL", infill},
        FeatureCase{"TYPE:SKIN", solid_infill}, FeatureCase{"TYPE:SOLID-FILL", solid_infill},
        // Simplify3D 4.1+ and before.
        FeatureCase{" feature inner perimeter", inner_perimeter},
        FeatureCase{" feature prime pillar", prime_tower},
        FeatureCase{" solid layer", solid_infill}, FeatureCase{" outer perimeter", outer_perimeter},
        // KISSlicer 1.6 and 2.x, CraftWare.
        FeatureCase{" 'Perimeter Path', 0.7 [feed mm/s], 15.0 [head mm/s]", outer_perimeter},
        FeatureCase{" 'Loop'", inner_perimeter}, FeatureCase{" 'Stacked Sparse Infill'", infill},
        FeatureCase{"segType:HShell", solid_infill}, FeatureCase{"segType:Loop", inner_perimeter},
        // A marker naming something strata does not know: the feature becomes unknown.
        FeatureCase{"TYPE:Mystery extrusion", unknown},
        // Not feature markers.
        FeatureCase{" 'Destring Prime'", std::nullopt}, FeatureCase{"WIDTH:0.45", std::nullopt},
        FeatureCase{"LAYER:3", std::nullopt}, FeatureCase{" infill_speed = 80", std::nullopt},
        FeatureCase{" feature_gcode = ", std::nullopt},
        FeatureCase{" Perimeter Speed = 30.00", std::nullopt}, FeatureCase{"", std::nullopt}));

TEST(FeatureTypes, NamesRoundTrip) {
    for (std::size_t index = 0; index < feature_type_count; ++index) {
        const auto type = static_cast<FeatureType>(index);
        EXPECT_EQ(feature_type_from_string(to_string(type)), type);
    }
    EXPECT_FALSE(feature_type_from_string("walls").has_value());
}

}  // namespace
}  // namespace strata::parser
