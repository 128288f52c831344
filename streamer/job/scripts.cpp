// Pause, resume and cancel scripts (see scripts.hpp).
#include "scripts.hpp"

#include <algorithm>

#include "strata/common/gcode_number.hpp"

namespace strata::streamer {
namespace {

// Shortest exact decimal: what goes back must be exactly where the job was.
std::string number(double value) {
    std::string text;
    append_gcode_number(text, value);
    return text;
}

std::string feedrate(double mm_s) {
    return " F" + number(mm_s * 60.0);
}

std::string fill(std::string text, const parser::MachineState& state,
                 const std::array<double, 3>& offset_mm) {
    const std::array<std::pair<std::string_view, std::string>, 5> values = {
        {{"{x}", number(state.position_mm[0] - offset_mm[0])},
         {"{y}", number(state.position_mm[1] - offset_mm[1])},
         {"{z}", number(state.position_mm[2] - offset_mm[2])},
         {"{e}", number(state.e_mm)},
         {"{f}", number(state.feedrate_mm_s * 60.0)}}};
    for (const auto& [name, value] : values) {
        for (std::size_t at = text.find(name); at != std::string::npos;
             at = text.find(name, at + value.size()))
            text.replace(at, name.size(), value);
    }
    return text;
}

double lift_for(const ScriptSettings& settings, double z_mm) {
    if (!settings.max_z_mm) return settings.lift_mm;
    return std::clamp(*settings.max_z_mm - z_mm, 0.0, settings.lift_mm);
}

}  // namespace

std::string pause_script(const ScriptSettings& settings, const parser::MachineState& state) {
    if (!settings.pause.empty()) return fill(settings.pause, state, {0.0, 0.0, 0.0});
    std::string script = "M83\nG1 E-" + number(settings.retract_mm) +
                         feedrate(settings.retract_speed_mm_s) + "\nG91\nG1 Z" +
                         number(lift_for(settings, state.position_mm[2])) +
                         feedrate(settings.lift_speed_mm_s) + "\nG90\n";
    if (settings.park_mm) {
        script += "G1 X" + number((*settings.park_mm)[0]) + " Y" + number((*settings.park_mm)[1]) +
                  feedrate(settings.travel_speed_mm_s) + "\n";
    }
    return script;
}

std::string resume_script(const ScriptSettings& settings, const parser::MachineState& state,
                          const std::array<double, 3>& offset_mm) {
    if (!settings.resume.empty()) return fill(settings.resume, state, offset_mm);
    const auto file = [&](int axis) { return number(state.position_mm[axis] - offset_mm[axis]); };
    std::string script = "G90\nG1 X" + file(0) + " Y" + file(1) +
                         feedrate(settings.travel_speed_mm_s) + "\nG1 Z" + file(2) +
                         feedrate(settings.lift_speed_mm_s) + "\nM83\nG1 E" +
                         number(settings.retract_mm) + feedrate(settings.retract_speed_mm_s) + "\n";
    if (!state.e_relative) script += "M82\n";
    if (state.xyz_relative) script += "G91\n";
    script += "G1" + feedrate(state.feedrate_mm_s) + "\n";
    return script;
}

std::string cancel_script(const ScriptSettings& settings) {
    if (!settings.cancel.empty()) return settings.cancel;
    return "M104 S0\nM140 S0\nM107\nG91\nG1 Z" + number(settings.lift_mm) +
           feedrate(settings.lift_speed_mm_s) + "\nG90\nM84\n";
}

}  // namespace strata::streamer
