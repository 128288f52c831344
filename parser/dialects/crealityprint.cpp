// Creality Print: 4.x is CuraEngine-based (";Creality Print Version : V4.3.4.5551", Cura's
// header); 5.x is OrcaSlicer-based (";FLAVOR:Creality OS" and Orca's `; key = value` dump).
#include "dialects.hpp"

namespace strata::parser::dialects {

bool identify_crealityprint(const CommentSettings& settings, std::string& version) {
    if (auto rest = settings.line_after("Creality Print Version")) {
        std::string_view text = *rest;
        while (!text.empty() && (text.front() == ':' || text.front() == ' ' || text.front() == 'V'))
            text.remove_prefix(1);
        version = std::string(text);
        return true;
    }
    if (auto flavor = settings.text("FLAVOR"); flavor && *flavor == "Creality OS") {
        version = "5 (OrcaSlicer-based)";
        return true;
    }
    return false;
}

void read_crealityprint(const CommentSettings& settings, SlicerSettings& out) {
    if (settings.text("gcode_flavor")) {
        read_orcaslicer(settings, out);
        if (!out.estimate_s) out.estimate_s = settings.number("TIME");
    } else {
        read_cura(settings, out);
    }
}

}  // namespace strata::parser::dialects
