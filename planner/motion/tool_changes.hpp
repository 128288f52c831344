// What a tool change costs in the estimate, by the machine that does it. An MMU unloads and
// loads filament (PrusaSlicer's filament_unload_time and filament_load_time; nothing to unload
// while the filament is parked in the unit). A Prusa XL parks one tool and picks another:
// PrusaSlicer 2.6 and later count 4.5 s whatever the filament settings say. Bambu's AMS swaps
// filament in its one nozzle (the machine's own load and unload times; the first filament goes
// into an empty nozzle for free, the first swap unloads nothing). T255, T1000 and the like are
// not tool changes (the estimator ignores tools from 64 on).
//
// PrusaSlicer adds a change's time to the oldest move waiting in its planner when it empties
// the planner, and does neither when fewer than two moves wait since it last did (its
// calculate_time returns early). So a change right after another costs nothing in its estimate:
// the XL's start G-code picks every tool in turn, five changes PrusaSlicer does not count.
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
    /// `M702 C`: the MMU parks the active filament. PrusaSlicer marks it parked before it asks
    /// for the unload time, so its estimate counts none.
    void unload_all();

    /// A move entered the planner.
    void on_move() { ++moves_waiting_; }
    /// PrusaSlicer empties its planner here too (G92 without E, M1).
    void on_synchronization() { static_cast<void>(empties_slicers_planner()); }

  private:
    /// Whether PrusaSlicer's planner, emptied now, counts an extra time (see above).
    [[nodiscard]] bool empties_slicers_planner();

    ToolChangeTimes times_;
    std::uint32_t tool_ = 0;
    std::uint64_t moves_waiting_ = 0;  ///< In PrusaSlicer's planner, since it was last emptied.
    bool unloaded_ = true;             ///< Nothing to unload (MMU: parked in the unit).
    bool any_change_ = false;          ///< Some T was seen.
};

}  // namespace strata::planner::motion
