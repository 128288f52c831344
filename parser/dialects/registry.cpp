// The one table of dialects, in the order they are tried: forks before their parents where both
// could match, so a file is credited to the slicer that wrote it. Also: layer-change markers.
#include <array>

#include "dialects.hpp"

namespace strata::parser {

namespace {

constexpr std::array<dialects::Dialect, 14> dialect_table = {{
    {Slicer::orcaslicer, dialects::identify_orcaslicer, dialects::read_orcaslicer},
    {Slicer::superslicer, dialects::identify_superslicer, dialects::read_superslicer},
    {Slicer::prusaslicer, dialects::identify_prusaslicer, dialects::read_prusaslicer},
    {Slicer::slic3r, dialects::identify_slic3r, dialects::read_slic3r},
    {Slicer::bambustudio, dialects::identify_bambustudio, dialects::read_bambustudio},
    {Slicer::crealityprint, dialects::identify_crealityprint, dialects::read_crealityprint},
    {Slicer::cura, dialects::identify_cura, dialects::read_cura},
    {Slicer::simplify3d, dialects::identify_simplify3d, dialects::read_simplify3d},
    {Slicer::ideamaker, dialects::identify_ideamaker, dialects::read_ideamaker},
    {Slicer::kisslicer, dialects::identify_kisslicer, dialects::read_kisslicer},
    {Slicer::craftware, dialects::identify_craftware, dialects::read_craftware},
    {Slicer::mattercontrol, dialects::identify_mattercontrol, dialects::read_mattercontrol},
    {Slicer::icesl, dialects::identify_icesl, dialects::read_icesl},
    {Slicer::kirimoto, dialects::identify_kirimoto, dialects::read_kirimoto},
}};

}  // namespace

std::string_view to_string(Slicer slicer) {
    switch (slicer) {
        case Slicer::unknown: return "unknown";
        case Slicer::prusaslicer: return "PrusaSlicer";
        case Slicer::superslicer: return "SuperSlicer";
        case Slicer::orcaslicer: return "OrcaSlicer";
        case Slicer::bambustudio: return "BambuStudio";
        case Slicer::slic3r: return "Slic3r";
        case Slicer::cura: return "Cura";
        case Slicer::crealityprint: return "CrealityPrint";
        case Slicer::simplify3d: return "Simplify3D";
        case Slicer::ideamaker: return "ideaMaker";
        case Slicer::kisslicer: return "KISSlicer";
        case Slicer::craftware: return "CraftWare";
        case Slicer::mattercontrol: return "MatterControl";
        case Slicer::icesl: return "IceSL";
        case Slicer::kirimoto: return "Kiri:Moto";
    }
    return "unknown";
}

SlicerInfo detect_slicer(std::string_view head, std::string_view tail) {
    const dialects::CommentSettings settings(head, tail);
    SlicerInfo info;
    for (const dialects::Dialect& dialect : dialect_table) {
        if (!dialect.identify(settings, info.version)) continue;
        info.slicer = dialect.slicer;
        dialect.read_settings(settings, info.settings);
        break;
    }
    return info;
}

bool is_layer_marker(std::string_view comment, std::optional<double>& z_mm) {
    while (!comment.empty() && (comment.front() == ' ' || comment.front() == '\t'))
        comment.remove_prefix(1);
    if (comment.empty()) return false;
    z_mm.reset();
    switch (comment.front()) {
        case 'L':
            // PrusaSlicer family ";LAYER_CHANGE"; Cura, ideaMaker, MatterControl ";LAYER:3" (may be
            // negative under a raft); CraftWare "; Layer #3".
            if (comment.starts_with("LAYER_CHANGE")) return true;
            if (comment.starts_with("LAYER:")) {
                return comment.size() > 6 &&
                       (comment[6] == '-' || (comment[6] >= '0' && comment[6] <= '9'));
            }
            return comment.starts_with("Layer #");
        case 'C': return comment.starts_with("CHANGE_LAYER");  // Bambu Studio.
        case '<': return comment.starts_with("<layer>");       // IceSL.
        case 'B':
            // KISSlicer, one per object and layer: "; BEGIN_LAYER_OBJECT z=0.50".
            if (!comment.starts_with("BEGIN_LAYER_OBJECT z=")) return false;
            z_mm = dialects::leading_number(comment.substr(21));
            return true;
        case 'l':
            // Simplify3D "; layer 3, Z = 0.600"; FlashPrint ";layer:0.30".
            if (comment.starts_with("layer:")) {
                z_mm = dialects::leading_number(comment.substr(6));
                return z_mm.has_value();
            }
            if (comment.starts_with("layer ") && comment.size() > 6 && comment[6] >= '0' &&
                comment[6] <= '9') {
                const std::size_t z_at = comment.find("Z = ");
                if (z_at != std::string_view::npos)
                    z_mm = dialects::leading_number(comment.substr(z_at + 4));
                return true;
            }
            return false;
        default: return false;
    }
}

}  // namespace strata::parser
