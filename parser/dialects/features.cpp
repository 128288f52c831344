// Names of the feature types, as they appear in timelapse profiles and JSON reports.
#include <array>

#include "strata/parser/features.hpp"

namespace strata::parser {
namespace {

constexpr std::array<std::string_view, feature_type_count> feature_names = {
    "unknown",     "outer_perimeter", "inner_perimeter",  "overhang_perimeter",
    "infill",      "solid_infill",    "top_solid_infill", "bridge_infill",
    "gap_fill",    "skirt",           "support",          "support_interface",
    "prime_tower", "ooze_shield",     "ironing",          "custom",
};

}  // namespace

std::string_view to_string(FeatureType type) {
    return feature_names[static_cast<std::size_t>(type)];
}

std::optional<FeatureType> feature_type_from_string(std::string_view name) {
    for (std::size_t index = 0; index < feature_names.size(); ++index) {
        if (feature_names[index] == name) return static_cast<FeatureType>(index);
    }
    return std::nullopt;
}

}  // namespace strata::parser
