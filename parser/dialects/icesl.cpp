// IceSL: first line "; <IceSL Dec 13 2017 21:09:23>", then "; key : value" settings.
#include "dialects.hpp"

namespace strata::parser::dialects {

bool identify_icesl(const CommentSettings& settings, std::string& version) {
    auto rest = settings.line_after("<IceSL");
    if (!rest) return false;
    version = std::string(rest->substr(0, rest->find('>')));
    return true;
}

void read_icesl(const CommentSettings& settings, SlicerSettings& out) {
    out.layer_height_mm = settings.number("z_layer_height_mm");
    out.travel_speed_mm_s = settings.number("travel_speed_mm_per_sec");
    out.retract_length_mm = settings.number("filament_priming_mm");
    out.retract_speed_mm_s = settings.number("priming_mm_per_sec");
    out.bed_size_mm = settings.pair("bed_size_x_mm", "bed_size_y_mm");
}

}  // namespace strata::parser::dialects
