// Feature types: their names (as in timelapse profiles and JSON reports) and how each slicer
// announces them in a comment. Slicer-agnostic on purpose, like the layer markers: the comment
// forms do not collide, and a file edited by a second tool keeps working.
#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "comment_settings.hpp"  // trim()
#include "strata/parser/features.hpp"

namespace strata::parser {
namespace {

using dialects::trim;

using enum FeatureType;

constexpr std::array<std::string_view, feature_type_count> feature_names = {
    "unknown",     "outer_perimeter", "inner_perimeter",  "overhang_perimeter",
    "infill",      "solid_infill",    "top_solid_infill", "bridge_infill",
    "gap_fill",    "skirt",           "support",          "support_interface",
    "prime_tower", "ooze_shield",     "ironing",          "custom",
};

using NamedFeature = std::pair<std::string_view, FeatureType>;

// `;TYPE:` (PrusaSlicer family, Cura, ideaMaker), `; FEATURE:` (Orca, Bambu) and Simplify3D's
// `; feature`, lower-cased. One table: the names do not collide across these slicers.
constexpr auto type_names = std::to_array<NamedFeature>({
    {"external perimeter", outer_perimeter},
    {"outer wall", outer_perimeter},
    {"wall-outer", outer_perimeter},
    {"outer perimeter", outer_perimeter},
    {"external single extrusion", outer_perimeter},
    {"perimeter", inner_perimeter},
    {"internal perimeter", inner_perimeter},
    {"inner wall", inner_perimeter},
    {"wall-inner", inner_perimeter},
    {"inner perimeter", inner_perimeter},
    {"overhang perimeter", overhang_perimeter},
    {"overhang wall", overhang_perimeter},
    {"internal infill", infill},
    {"sparse infill", infill},
    {"fill", infill},
    {"infill", infill},
    {"solid infill", solid_infill},
    {"internal solid infill", solid_infill},
    {"skin", solid_infill},
    {"solid-fill", solid_infill},
    {"solid layer", solid_infill},
    {"bottom surface", solid_infill},
    {"bottom-surface", solid_infill},
    {"bottom-fill", solid_infill},
    {"top solid infill", top_solid_infill},
    {"top surface", top_solid_infill},
    {"top-fill", top_solid_infill},
    {"bridge infill", bridge_infill},
    {"internal bridge infill", bridge_infill},
    {"bridge", bridge_infill},
    {"internal bridge", bridge_infill},
    {"gap fill", gap_fill},
    {"gap infill", gap_fill},
    {"gap-fill", gap_fill},
    {"skirt/brim", skirt},
    {"skirt", skirt},
    {"brim", skirt},
    {"support material", support},
    {"support", support},
    {"support-infill", support},
    {"raft", support},
    {"support material interface", support_interface},
    {"support interface", support_interface},
    {"support-interface", support_interface},
    {"dense support", support_interface},
    {"wipe tower", prime_tower},
    {"prime tower", prime_tower},
    {"prime-tower", prime_tower},
    {"prime pillar", prime_tower},
    {"ooze shield", ooze_shield},
    {"ironing", ironing},
    {"custom", custom},
    {"support transition", support_interface},
});

// KISSlicer (`; 'Perimeter Path'`) and CraftWare (`;segType:Perimeter`): here "Perimeter" is the
// outermost loop and "Loop" the ones inside it.
constexpr auto path_names = std::to_array<NamedFeature>({
    {"perimeter", outer_perimeter},
    {"loop", inner_perimeter},
    {"crown", top_solid_infill},
    {"solid", solid_infill},
    {"hshell", solid_infill},
    {"sparse infill", infill},
    {"stacked sparse infill", infill},
    {"infill", infill},
    {"prime pillar", prime_tower},
    {"skirt", skirt},
    {"support interface", support_interface},
    {"support", support},
    {"raft", support},
});

// Simplify3D before 4.1 wrote the bare name as the whole comment (`; outer perimeter`).
constexpr auto bare_names = std::to_array<NamedFeature>({
    {"outer perimeter", outer_perimeter},
    {"inner perimeter", inner_perimeter},
    {"infill", infill},
    {"solid layer", solid_infill},
    {"gap fill", gap_fill},
    {"bridge", bridge_infill},
    {"skirt", skirt},
    {"support", support},
    {"dense support", support_interface},
    {"prime pillar", prime_tower},
    {"ooze shield", ooze_shield},
});

bool equals_lower(std::string_view text, std::string_view lower) {
    return text.size() == lower.size() &&
           std::equal(text.begin(), text.end(), lower.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == b;
           });
}

template <std::size_t N>
FeatureType look_up(const std::array<NamedFeature, N>& table, std::string_view name) {
    for (const auto& [known, type] : table) {
        if (equals_lower(name, known)) return type;
    }
    return unknown;  // A feature marker we cannot place: the feature is no longer known.
}

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

std::optional<FeatureType> feature_from_comment(std::string_view comment) {
    const std::string_view text = trim(comment);
    // Most comments are rejected here: every feature comment is short or starts with a prefix.
    if (text.empty()) return std::nullopt;
    if (text.starts_with("TYPE:")) return look_up(type_names, trim(text.substr(5)));
    if (text.starts_with("FEATURE:")) return look_up(type_names, trim(text.substr(8)));
    if (text.starts_with("feature ")) return look_up(type_names, trim(text.substr(8)));
    if (text.starts_with("segType:")) return look_up(path_names, trim(text.substr(8)));
    // Below, only known names count: other quoted or bare comments are not feature markers.
    FeatureType type = unknown;
    if (text.front() == '\'') {
        // `'Perimeter Path', 0.7 [feed mm/s], ...` (KISSlicer 1.6) or `'Perimeter'` (1.1, 2.x).
        const std::size_t close = text.find('\'', 1);
        if (close == std::string_view::npos) return std::nullopt;
        std::string_view name = text.substr(1, close - 1);
        if (name.ends_with(" Path")) name.remove_suffix(5);
        type = look_up(path_names, name);
    } else if (text.size() <= 16) {
        type = look_up(bare_names, text);
    }
    return type == unknown ? std::nullopt : std::optional<FeatureType>(type);
}

}  // namespace strata::parser
