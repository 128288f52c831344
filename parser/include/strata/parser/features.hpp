// What a slicer says it is printing (`;TYPE:Perimeter`, `;TYPE:WALL-OUTER`, `; feature infill`):
// the feature types strata knows, common to every dialect. Snapshot placement prefers some of
// them (infill, the prime tower) and avoids others (outer perimeters), as Octolapse does.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace strata::parser {

enum class FeatureType : std::uint8_t {
    unknown,
    outer_perimeter,
    inner_perimeter,
    overhang_perimeter,
    infill,  ///< Sparse infill.
    solid_infill,
    top_solid_infill,
    bridge_infill,
    gap_fill,
    skirt,
    support,
    support_interface,
    prime_tower,
    ooze_shield,
    ironing,
    custom,  ///< Start/end G-code and other slicer-inserted blocks.
};
inline constexpr std::size_t feature_type_count = 16;

std::string_view to_string(FeatureType type);
/// The inverse of to_string(); nothing for an unknown name.
std::optional<FeatureType> feature_type_from_string(std::string_view name);

/// The feature a comment (the text after `;`) announces, `unknown` for a feature marker naming
/// something strata does not know, nothing when the comment is not a feature marker.
[[nodiscard]] std::optional<FeatureType> feature_from_comment(std::string_view comment);

}  // namespace strata::parser
