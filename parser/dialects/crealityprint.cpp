// Creality Print: 4.x is CuraEngine-based (";Creality Print Version : V4.3.4.5551", Cura's
// header); 5.x is OrcaSlicer-based (";FLAVOR:Creality OS" and Orca's `; key = value` dump).
//
// Version 4 writes no machine limits, only the printer's name (";Machine Name:K1"); its estimate
// runs on the limits of the machine definition it ships for that printer. Those of the K1 series
// (resources/sliceconfig/default/Machines/K1*.default in Creality Print 4) are known here; other
// printers keep Cura's defaults.
#include <array>

#include "dialects.hpp"

namespace strata::parser::dialects {
namespace {

// The K1, K1C, K1 Max and K1 Max SE share one definition.
std::optional<MachineLimits> creality_print4_machine(std::string_view name) {
    constexpr std::array<std::string_view, 4> k1_series = {"K1", "K1C", "K1 Max", "K1 Max SE"};
    bool known = false;
    for (std::string_view machine : k1_series)
        known = known || name == machine;
    if (!known) return std::nullopt;
    MachineLimits limits;
    limits.max_feedrate_mm_s = {800.0, 800.0, 30.0, 100.0};
    limits.max_acceleration_mm_s2 = {20000.0, 20000.0, 500.0, 5000.0};
    limits.max_jerk_mm_s = {9.0, 9.0, 2.0, 2.5};
    limits.print_acceleration_mm_s2 = 20000.0;  // machine_acceleration
    return limits;
}

}  // namespace

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
        if (auto machine = settings.text("Machine Name")) {
            out.printer_model = std::string(trim(*machine));
            if (!out.limits_normal) out.limits_normal = creality_print4_machine(out.printer_model);
        }
    }
}

}  // namespace strata::parser::dialects
