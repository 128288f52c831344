// KISSlicer: "; KISSlicer - FREE", "; version 1.6.2 Release Win64", `; key = value` settings
// where placeholder profiles write negative values first, and "; Estimated Build Time: 39.29
// minutes".
#include "dialects.hpp"

namespace strata::parser::dialects {

bool identify_kisslicer(const CommentSettings& settings, std::string& version) {
    if (!settings.line_after("KISSlicer")) return false;
    if (auto rest = settings.line_after("version "))
        version = std::string(rest->substr(0, rest->find(' ')));
    return true;
}

void read_kisslicer(const CommentSettings& settings, SlicerSettings& out) {
    auto positive = [](std::optional<double> value) {
        return value && *value > 0.0 ? value : std::nullopt;
    };
    out.layer_height_mm = positive(settings.number("layer_thickness_mm"));
    out.first_layer_height_mm = positive(settings.number("first_layer_thickness_mm"));
    out.retract_length_mm = settings.number("destring_length");
    out.retract_speed_mm_s = settings.number("destring_speed_mm_per_s");
    out.z_hop_mm = settings.number("Z_lift_mm");
    out.travel_speed_mm_s = settings.number("travel_speed_mm_per_s");
    out.bed_size_mm = settings.pair("bed_size_x_mm", "bed_size_y_mm");
    out.bed_origin_mm = settings.pair("bed_offset_x_mm", "bed_offset_y_mm");
    if (auto minutes = settings.number("Estimated Build Time")) out.estimate_s = *minutes * 60.0;
}

}  // namespace strata::parser::dialects
