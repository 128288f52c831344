// The machine simulator: applies one lexed line to the machine state, the way the firmware would.
// It keeps modal state (G90/G91, M82/M83, G20/G21, G92 and tool offsets, firmware retraction,
// speed and flow factors) and classifies every move. One handler per G-code, dispatched from one
// table in simulator.cpp; the catalogue of what is handled is docs/GCODE_SUPPORT.md.
#pragma once

#include <cstdint>
#include <vector>

#include "strata/parser/diagnostics.hpp"
#include "strata/parser/gcode_line.hpp"
#include "strata/parser/machine_state.hpp"

namespace strata::parser {

/// Arc geometry of the last G2/G3, for consumers that need more than the end point.
struct ArcGeometry {
    std::array<double, 2> center_mm = {0.0, 0.0};
    double radius_mm = 0.0;
    double start_angle_rad = 0.0;
    double sweep_rad = 0.0;  ///< Signed: positive counter-clockwise (G3).
};

class Simulator {
  public:
    explicit Simulator(const MachineConfig& config);

    /// Puts the machine where another simulation of the same file stood: `state` and the G92
    /// offsets it had then, not retracted by the firmware. What checking a block of moves
    /// spliced in at that point needs, without simulating the file up to it.
    void resume(const MachineState& state, const std::array<double, 3>& workspace_offset_mm);

    /// Applies `line` (1-based `line_number` for diagnostics) and returns the state after it.
    /// `start_position_mm` of the move is the previous state's position.
    const MachineState& step(const GcodeLine& line, std::uint64_t line_number,
                             Diagnostics& diagnostics);

    [[nodiscard]] const MachineState& state() const { return state_; }
    [[nodiscard]] const std::array<double, 3>& previous_position_mm() const {
        return previous_position_mm_;
    }
    [[nodiscard]] const ArcGeometry& last_arc() const { return arc_; }
    /// G92's offsets (and a firmware retraction's z-hop): bed position = file position + this.
    [[nodiscard]] const std::array<double, 3>& workspace_offset_mm() const {
        return workspace_offset_mm_;
    }
    [[nodiscard]] const MachineConfig& config() const { return config_; }
    /// Net filament pushed per tool so far (mm of filament, flow factor applied).
    [[nodiscard]] const std::vector<double>& filament_mm() const { return filament_mm_; }

  private:
    struct ToolState {
        double e_offset_mm = 0.0;    ///< Logical E minus physical E (G92 E).
        double e_physical_mm = 0.0;  ///< Total commanded E, never reset.
        double retraction_mm = 0.0;
        double flow_ratio = 1.0;                       ///< M221.
        std::array<double, 2> offset_mm = {0.0, 0.0};  ///< M218 / G10 P tool offsets.
        bool was_extruding = false;
        bool was_retracting = false;
        bool was_deretracting = false;
    };

    void dispatch(const GcodeLine& line);
    // Handlers, named after the G-code they handle.
    void G0_G1(const GcodeLine& line);
    void G2_G3(const GcodeLine& line, bool counter_clockwise);
    void G10(const GcodeLine& line);
    void G11();
    void G20_G21(bool inches);
    void G28(const GcodeLine& line);
    void G90_G91(bool relative);
    void G92(const GcodeLine& line);
    void M82_M83(bool relative);
    void M207(const GcodeLine& line);
    void M208(const GcodeLine& line);
    void M218(const GcodeLine& line);
    void M220(const GcodeLine& line);
    void M221(const GcodeLine& line);
    void T(const GcodeLine& line);
    void unknown(const GcodeLine& line);

    // Shared pieces of the move handlers.
    [[nodiscard]] double to_mm(double value) const { return state_.inches ? value * 25.4 : value; }
    bool read_target(const GcodeLine& line, std::array<double, 3>& target_mm);
    void read_feedrate(const GcodeLine& line);
    [[nodiscard]] double e_delta_from(const GcodeLine& line);
    void apply_extrusion(double e_delta_mm);
    void classify_move(bool moved_xy, double dz_mm, double e_delta_mm);
    void finish_move(const std::array<double, 3>& target_mm, double length_mm, double e_delta_mm);
    [[nodiscard]] ToolState& tool() { return tools_[state_.tool]; }
    void set_tool_offset(double tool_number, const GcodeLine& line);
    void warn(std::string_view message);
    void error(std::string_view message);

    const MachineConfig config_;
    MachineState state_;
    std::array<double, 3> previous_position_mm_ = {0.0, 0.0, 0.0};
    std::array<double, 3> workspace_offset_mm_ = {0.0, 0.0, 0.0};  ///< G92: bed = file + offset.
    ArcGeometry arc_;
    std::vector<ToolState> tools_;
    std::vector<double> filament_mm_;
    double firmware_retract_length_mm_;
    double firmware_retract_speed_mm_s_;
    double firmware_retract_zhop_mm_;
    double firmware_recover_extra_mm_;
    double firmware_recover_speed_mm_s_;
    bool firmware_retracted_ = false;
    bool xyz_relative_ = false;    ///< G91 in force.
    bool e_relative_m83_ = false;  ///< Marlin folds G90/G91 into this; Klipper and RRF do not.
    Diagnostics* diagnostics_ = nullptr;
    std::uint64_t line_number_ = 0;
};

}  // namespace strata::parser
