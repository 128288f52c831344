// Tool change times (see tool_changes.hpp).
#include "tool_changes.hpp"

#include <charconv>

namespace strata::planner::motion {
namespace {

// PrusaSlicer's fixed time for an XL tool change, since 2.6.0.
constexpr double prusa_xl_tool_change_s = 4.5;

// "2.9.2", "2.8.0-alpha4+141": at least major.minor?
bool version_at_least(const std::string& version, int major, int minor) {
    int found_major = 0;
    int found_minor = 0;
    const char* end = version.data() + version.size();
    const auto [after_major, major_error] = std::from_chars(version.data(), end, found_major);
    if (major_error != std::errc() || after_major == end || *after_major != '.') return false;
    const auto [after_minor, minor_error] = std::from_chars(after_major + 1, end, found_minor);
    if (minor_error != std::errc()) return false;
    return found_major > major || (found_major == major && found_minor >= minor);
}

}  // namespace

ToolChangeTimes tool_change_times(const parser::SlicerInfo& slicer) {
    const parser::SlicerSettings& settings = slicer.settings;
    if (settings.prusa_xl && slicer.slicer == parser::Slicer::prusaslicer &&
        version_at_least(slicer.version, 2, 6))
        return {ToolChanger::prusa_xl, prusa_xl_tool_change_s, 0.0};
    const bool bambu_family =
        slicer.slicer == parser::Slicer::bambustudio || slicer.slicer == parser::Slicer::orcaslicer;
    if (bambu_family &&
        (settings.machine_load_filament_time_s || settings.machine_unload_filament_time_s)) {
        return {ToolChanger::bambu_ams, settings.machine_load_filament_time_s.value_or(0.0),
                settings.machine_unload_filament_time_s.value_or(0.0)};
    }
    return {ToolChanger::mmu, settings.filament_load_time_s.value_or(0.0),
            settings.filament_unload_time_s.value_or(0.0)};
}

double ToolChanges::change_to(std::uint32_t tool) {
    if (tool == tool_ && any_change_) return 0.0;
    const bool first = !any_change_;
    any_change_ = true;
    if (tool == tool_) return 0.0;
    tool_ = tool;
    if (times_.changer == ToolChanger::prusa_xl)
        return empties_slicers_planner() ? times_.load_s : 0.0;
    // The AMS's first filament goes into an empty nozzle: Bambu's estimate counts nothing.
    if (times_.changer == ToolChanger::bambu_ams && first) return 0.0;
    // Like an MMU, the first change has nothing to unload.
    const double unload_s = unloaded_ ? 0.0 : times_.unload_s;
    unloaded_ = false;
    const bool counted = times_.changer == ToolChanger::bambu_ams || empties_slicers_planner();
    return counted ? unload_s + times_.load_s : 0.0;
}

void ToolChanges::unload_all() {
    unloaded_ = true;
    on_synchronization();
}

bool ToolChanges::empties_slicers_planner() {
    if (moves_waiting_ < 2) return false;
    moves_waiting_ = 0;
    return true;
}

}  // namespace strata::planner::motion
