// What a tool change costs in the estimate, by the machine that does it. An MMU unloads and
// loads filament (PrusaSlicer's filament_unload_time and filament_load_time; nothing to unload
// while the filament is parked in the unit). A Prusa XL parks one tool and picks another:
// PrusaSlicer 2.6 and later count 4.5 s whatever the filament settings say. Bambu's AMS swaps
// filament in its one nozzle (the machine's own load and unload times; the first filament goes
// into an empty nozzle for free, the first swap unloads nothing). T255, T1000 and the like are
// not tool changes (the estimator ignores tools from 64 on).
#pragma once

#include <cstdint>

#include "strata/parser/dialect.hpp"

namespace strata::planner::motion {

enum class ToolChanger : std::uint8_t { mmu, prusa_xl, bambu_ams };

struct ToolChangeTimes {
    ToolChanger changer = ToolChanger::mmu;
    double load_s = 0.0;
    double unload_s = 0.0;
};

/// The tool changer the file was sliced for, with its times.
[[nodiscard]] ToolChangeTimes tool_change_times(const parser::SlicerInfo& slicer);

/// Follows the active tool through a print.
class ToolChanges {
  public:
    explicit ToolChanges(ToolChangeTimes times = {}) : times_(times) {}

    /// Seconds a change to `tool` costs: 0 when it is the tool already active.
    [[nodiscard]] double change_to(std::uint32_t tool);
    [[nodiscard]] std::uint32_t active_tool() const { return tool_; }
    /// `M702 C`: the MMU parks the active filament; seconds that costs.
    [[nodiscard]] double unload_all();

  private:
    ToolChangeTimes times_;
    std::uint32_t tool_ = 0;
    bool unloaded_ = true;     ///< Nothing to unload (MMU: parked in the unit).
    bool any_change_ = false;  ///< Some T was seen.
};

}  // namespace strata::planner::motion
