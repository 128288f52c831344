// MatterControl (MatterSlice): "; Generated with MatterSlice 2.22.04", camelCase `key = value`
// settings and "; total print time (s) = 1601".
#include "dialects.hpp"

namespace strata::parser::dialects {

bool identify_mattercontrol(const CommentSettings& settings, std::string& version) {
    if (auto rest = settings.line_after("Generated with MatterSlice")) {
        version = std::string(*rest);
        return true;
    }
    return false;
}

void read_mattercontrol(const CommentSettings& settings, SlicerSettings& out) {
    out.layer_height_mm = settings.number("layerThickness");
    out.first_layer_height_mm = settings.number("firstLayerThickness");
    out.retract_length_mm = settings.number("retractionOnTravel");
    out.retract_speed_mm_s = settings.number("retractionSpeed");
    out.z_hop_mm = settings.number("retractionZHop");
    out.travel_speed_mm_s = settings.number("travelSpeed");
    out.estimate_s = settings.number("total print time (s)");
}

}  // namespace strata::parser::dialects
