// Simulator tests: one or more per handler, run through the real lexer so the lines read as
// they would in a file.
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "strata/parser/lexer.hpp"
#include "strata/parser/simulator.hpp"

namespace strata::parser {
namespace {

class SimulatorTest : public ::testing::Test {
  protected:
    explicit SimulatorTest(MachineConfig config = {}) : simulator_(config) {}

    const MachineState& run(const std::string& text) {
        const GcodeLine line = lex_line(text);
        return simulator_.step(line, ++line_number_, diagnostics_);
    }
    void run_all(const std::vector<std::string>& lines) {
        for (const auto& line : lines)
            run(line);
    }

    Simulator simulator_;
    Diagnostics diagnostics_;
    std::uint64_t line_number_ = 0;
};

TEST_F(SimulatorTest, AbsoluteMoveSetsPositionFeedrateAndLength) {
    const MachineState& state = run("G1 X3 Y4 F1200");
    EXPECT_DOUBLE_EQ(state.position_mm[0], 3.0);
    EXPECT_DOUBLE_EQ(state.position_mm[1], 4.0);
    EXPECT_DOUBLE_EQ(state.feedrate_mm_s, 20.0);
    EXPECT_DOUBLE_EQ(state.move_length_mm, 5.0);
    EXPECT_EQ(state.move, MoveKind::travel);
}

TEST_F(SimulatorTest, RelativeMovesWithG91) {
    run_all({"G1 X10 Y10", "G91", "G1 X5 Y-2"});
    EXPECT_DOUBLE_EQ(simulator_.state().position_mm[0], 15.0);
    EXPECT_DOUBLE_EQ(simulator_.state().position_mm[1], 8.0);
    run_all({"G90", "G1 X1"});
    EXPECT_DOUBLE_EQ(simulator_.state().position_mm[0], 1.0);
}

TEST_F(SimulatorTest, InchesWithG20) {
    run_all({"G20", "G1 X1 F60"});
    EXPECT_DOUBLE_EQ(simulator_.state().position_mm[0], 25.4);
    EXPECT_DOUBLE_EQ(simulator_.state().feedrate_mm_s, 25.4);
    run_all({"G21", "G1 X1"});
    EXPECT_DOUBLE_EQ(simulator_.state().position_mm[0], 1.0);
}

TEST_F(SimulatorTest, AbsoluteExtrusionM82AndG92) {
    run_all({"M82", "G92 E0", "G1 X10 E1.5"});
    EXPECT_DOUBLE_EQ(simulator_.state().e_delta_mm, 1.5);
    EXPECT_EQ(simulator_.state().move, MoveKind::extrude);
    run_all({"G92 E0", "G1 X20 E0.5"});
    EXPECT_DOUBLE_EQ(simulator_.state().e_delta_mm, 0.5);
    EXPECT_DOUBLE_EQ(simulator_.filament_mm()[0], 2.0);
}

TEST_F(SimulatorTest, RelativeExtrusionM83) {
    run_all({"M83", "G1 X10 E1", "G1 X20 E1"});
    EXPECT_DOUBLE_EQ(simulator_.state().e_mm, 2.0);
    EXPECT_DOUBLE_EQ(simulator_.filament_mm()[0], 2.0);
}

TEST_F(SimulatorTest, MarlinG90AfterM83MakesExtrusionAbsolute) {
    // Marlin's G90 sets every axis absolute, E included.
    run_all({"M83", "G90", "G92 E0", "G1 X10 E5", "G1 X20 E6"});
    EXPECT_DOUBLE_EQ(simulator_.state().e_delta_mm, 1.0);
}

TEST_F(SimulatorTest, G92ShiftsTheWorkspace) {
    run_all({"G1 X10 Y10", "G92 X0 Y0", "G1 X5 Y5"});
    EXPECT_DOUBLE_EQ(simulator_.state().position_mm[0], 15.0);
    EXPECT_DOUBLE_EQ(simulator_.state().position_mm[1], 15.0);
}

TEST_F(SimulatorTest, G28HomesListedAxesAndClearsOffsets) {
    run_all({"G1 X10 Y10 Z5", "G92 X0", "G28 X"});
    EXPECT_DOUBLE_EQ(simulator_.state().position_mm[0], 0.0);
    EXPECT_DOUBLE_EQ(simulator_.state().position_mm[1], 10.0);
    run("G1 X3");
    EXPECT_DOUBLE_EQ(simulator_.state().position_mm[0], 3.0);
    run("G28");
    EXPECT_DOUBLE_EQ(simulator_.state().position_mm[2], 0.0);
    EXPECT_TRUE(simulator_.state().homed);
}

TEST_F(SimulatorTest, MoveClassification) {
    run_all({"M83", "G1 Z0.2", "G1 X10 E1"});
    EXPECT_EQ(simulator_.state().move, MoveKind::extrude);
    EXPECT_EQ(run("G1 E-0.8").move, MoveKind::retract);
    EXPECT_EQ(run("G1 Z0.6").move, MoveKind::lift);
    EXPECT_EQ(run("G1 X20").move, MoveKind::travel);
    EXPECT_EQ(run("G1 Z0.2").move, MoveKind::lower);
    EXPECT_EQ(run("G1 E0.8").move, MoveKind::deretract);
    EXPECT_EQ(run("G1 X25 E-0.5").move, MoveKind::wipe);
    EXPECT_EQ(run("G1 X25").move, MoveKind::none);
}

TEST_F(SimulatorTest, ExtruderStatesFollowOctolapse) {
    namespace flag = extruder_flag;
    run_all({"M83", "G1 X10 E1"});
    EXPECT_EQ(simulator_.state().extruder, flag::extruding_start | flag::extruding);
    run("G1 X20 E1");
    EXPECT_EQ(simulator_.state().extruder, flag::extruding);
    run("G1 E-0.4");
    EXPECT_EQ(simulator_.state().extruder,
              flag::retracting_start | flag::retracting | flag::retracted);
    run("G1 E-0.4");
    EXPECT_EQ(simulator_.state().extruder, flag::retracting | flag::retracted);
    run("G1 X30");
    EXPECT_EQ(simulator_.state().extruder, flag::retracted);
    run("G1 E0.5");
    EXPECT_EQ(simulator_.state().extruder,
              flag::deretracting_start | flag::deretracting | flag::retracted);
    run("G1 E0.3");
    EXPECT_EQ(simulator_.state().extruder, flag::deretracting | flag::deretracted | flag::primed);
    EXPECT_DOUBLE_EQ(simulator_.state().retraction_mm, 0.0);
}

class SimulatorWithRetractLength : public SimulatorTest {
  protected:
    static MachineConfig config() {
        MachineConfig machine;
        machine.retract_length_mm = 0.8;
        return machine;
    }
    SimulatorWithRetractLength() : SimulatorTest(config()) {}
};

TEST_F(SimulatorWithRetractLength, PartialRetractionIsNotRetracted) {
    namespace flag = extruder_flag;
    run_all({"M83", "G1 X10 E1", "G1 E-0.3"});
    EXPECT_EQ(simulator_.state().extruder & (flag::partially_retracted | flag::retracted),
              flag::partially_retracted);
    run("G1 E-0.5");
    EXPECT_EQ(simulator_.state().extruder & (flag::partially_retracted | flag::retracted),
              flag::retracted);
}

TEST_F(SimulatorTest, DeretractBeyondRetractionExtrudes) {
    run_all({"M83", "G1 E-1", "G1 E1.5"});
    EXPECT_EQ(simulator_.state().move, MoveKind::extrude);
    EXPECT_NE(simulator_.state().extruder & extruder_flag::extruding, 0);
    EXPECT_NE(simulator_.state().extruder & extruder_flag::deretracting, 0);
}

TEST_F(SimulatorTest, FirmwareRetractionWithM207M208) {
    run_all({"M207 S2 F1800 Z0.4", "M208 S0.1", "G1 Z0.2 F600", "G10"});
    EXPECT_EQ(simulator_.state().move, MoveKind::retract);
    EXPECT_DOUBLE_EQ(simulator_.state().e_delta_mm, -2.0);
    EXPECT_DOUBLE_EQ(simulator_.state().position_mm[2], 0.6);
    EXPECT_NE(simulator_.state().extruder & extruder_flag::retracted, 0);
    run("G10");  // A second G10 does nothing.
    EXPECT_DOUBLE_EQ(simulator_.state().retraction_mm, 2.0);
    run("G1 X10 Z0.2");  // Travel while retracted keeps the hop.
    EXPECT_DOUBLE_EQ(simulator_.state().position_mm[2], 0.6);
    run("G11");
    EXPECT_EQ(simulator_.state().move, MoveKind::deretract);
    EXPECT_DOUBLE_EQ(simulator_.state().e_delta_mm, 2.1);
    EXPECT_DOUBLE_EQ(simulator_.state().position_mm[2], 0.2);
    EXPECT_DOUBLE_EQ(simulator_.state().retraction_mm, 0.0);
}

TEST_F(SimulatorTest, G10WithPSetsToolOffsetNotRetraction) {
    run("G10 P1 X5 Y0");
    EXPECT_EQ(simulator_.state().move, MoveKind::none);
    EXPECT_DOUBLE_EQ(simulator_.state().retraction_mm, 0.0);
}

TEST_F(SimulatorTest, ToolChangesKeepSeparateFilamentAndIgnoreBambuPseudoTools) {
    run_all({"M83", "G1 X10 E2", "T1", "G1 X20 E3", "T255", "T1000"});
    EXPECT_EQ(simulator_.state().tool, 1u);
    ASSERT_GE(simulator_.filament_mm().size(), 2u);
    EXPECT_DOUBLE_EQ(simulator_.filament_mm()[0], 2.0);
    EXPECT_DOUBLE_EQ(simulator_.filament_mm()[1], 3.0);
}

TEST_F(SimulatorTest, ToolOffsetsFollowTheActiveTool) {
    run_all({"M218 T1 X25.5 Y-1", "G1 X10 Y10"});
    EXPECT_DOUBLE_EQ(simulator_.state().tool_offset_mm[0], 0.0);
    run("T1");
    EXPECT_DOUBLE_EQ(simulator_.state().tool_offset_mm[0], 25.5);
    EXPECT_DOUBLE_EQ(simulator_.state().tool_offset_mm[1], -1.0);
    EXPECT_DOUBLE_EQ(simulator_.state().position_mm[0], 10.0);  // The nozzle stays where it was.
    run("T0");
    EXPECT_DOUBLE_EQ(simulator_.state().tool_offset_mm[0], 0.0);
}

TEST_F(SimulatorTest, SpeedAndFlowFactors) {
    run_all({"M220 S150", "M221 S90", "M83", "G1 X10 E10"});
    EXPECT_DOUBLE_EQ(simulator_.state().speed_factor_ratio, 1.5);
    EXPECT_DOUBLE_EQ(simulator_.filament_mm()[0], 9.0);
}

TEST_F(SimulatorTest, ClockwiseArcWithIJ) {
    // A quarter circle of radius 10 around (10, 0), from (0, 0) clockwise to (10, 10).
    run_all({"G1 X0 Y0", "G2 X10 Y10 I10 J0"});
    const ArcGeometry& arc = simulator_.last_arc();
    EXPECT_NEAR(arc.radius_mm, 10.0, 1e-9);
    EXPECT_NEAR(arc.sweep_rad, -std::numbers::pi / 2, 1e-9);
    EXPECT_NEAR(simulator_.state().move_length_mm, 10.0 * std::numbers::pi / 2, 1e-9);
    EXPECT_TRUE(simulator_.state().is_arc);
}

TEST_F(SimulatorTest, CounterClockwiseArcWithRAndHelicalZ) {
    // Half circle radius 5 from (0,0) to (10,0) counter-clockwise, climbing 1 mm, extruding 2.
    run_all({"M83", "G1 X0 Y0 Z0", "G3 X10 Y0 Z1 R5 E2"});
    const ArcGeometry& arc = simulator_.last_arc();
    EXPECT_NEAR(arc.center_mm[0], 5.0, 1e-9);
    EXPECT_NEAR(arc.center_mm[1], 0.0, 1e-9);
    EXPECT_NEAR(arc.sweep_rad, std::numbers::pi, 1e-9);
    const double planar = 5.0 * std::numbers::pi;
    EXPECT_NEAR(simulator_.state().move_length_mm, std::sqrt(planar * planar + 1.0), 1e-9);
    EXPECT_DOUBLE_EQ(simulator_.state().position_mm[2], 1.0);
    EXPECT_DOUBLE_EQ(simulator_.state().e_delta_mm, 2.0);
    EXPECT_EQ(simulator_.state().move, MoveKind::extrude);
}

TEST_F(SimulatorTest, FullCircleArc) {
    run_all({"G1 X0 Y0", "G3 X0 Y0 I5 J0"});
    EXPECT_NEAR(simulator_.last_arc().sweep_rad, 2 * std::numbers::pi, 1e-9);
    EXPECT_NEAR(simulator_.state().move_length_mm, 10 * std::numbers::pi, 1e-9);
    EXPECT_EQ(simulator_.state().move, MoveKind::travel);
}

TEST_F(SimulatorTest, ArcWithoutCentreIsAnError) {
    run_all({"G1 X0 Y0", "G2 X10 Y10"});
    EXPECT_EQ(diagnostics_.error_count(), 1u);
    EXPECT_DOUBLE_EQ(simulator_.state().position_mm[0], 0.0);
}

TEST_F(SimulatorTest, AbsurdCoordinatesAreRejectedWithALineNumber) {
    run("G1 X10");
    run("G1 X100000000000");
    EXPECT_DOUBLE_EQ(simulator_.state().position_mm[0], 10.0);
    ASSERT_EQ(diagnostics_.error_count(), 1u);
    EXPECT_EQ(diagnostics_.first()[0].line, 2u);
}

TEST_F(SimulatorTest, UnknownCommandsWarn) {
    run("M9999");
    run("G777");
    EXPECT_EQ(diagnostics_.warning_count(), 2u);
    EXPECT_EQ(diagnostics_.first()[0].message, "unknown command M9999; ignored");
    run("M104 S200");  // Known and harmless: no warning.
    EXPECT_EQ(diagnostics_.warning_count(), 2u);
}

class KlipperSimulator : public SimulatorTest {
  protected:
    static MachineConfig config() {
        MachineConfig machine;
        machine.flavor = FirmwareFlavor::klipper;
        return machine;
    }
    KlipperSimulator() : SimulatorTest(config()) {}
};

TEST_F(KlipperSimulator, G91MakesExtrusionRelativeOnlyWhileInForce) {
    run_all({"M82", "G92 E0", "G91", "G1 E1", "G1 E1"});
    EXPECT_DOUBLE_EQ(simulator_.state().e_mm, 2.0);
    run_all({"G90", "G1 E5"});
    EXPECT_DOUBLE_EQ(simulator_.state().e_delta_mm, 3.0);
}

TEST_F(KlipperSimulator, G92WithoutWordsZeroesEverything) {
    run_all({"G1 X10 E0", "G92"});
    run("G1 X1");
    EXPECT_DOUBLE_EQ(simulator_.state().position_mm[0], 11.0);
}

}  // namespace
}  // namespace strata::parser
