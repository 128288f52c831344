// Whole-file analysis tests on real slicer files in tests/data, dialect detection, layers, and
// every kind of bad input: never a crash or a hang, always a clear diagnostic or error value.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "../support/result.hpp"
#include "strata/parser/analysis.hpp"

namespace strata::parser {
namespace {

std::string data_file(const std::string& name) {
    return (std::filesystem::path(STRATA_TEST_DATA_DIR) / name).string();
}

std::string write_temp(const std::string& name, const std::string& content) {
    const std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("strata_test_" + name);
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
}

TEST(Analysis, PrusaSlicerMiniCube) {
    const Result<Analysis> result = analyze_file(data_file("ps281_mini_cube_m486.gcode"));
    ASSERT_TRUE(testing::ok(result));
    const Analysis& analysis = *result;
    EXPECT_EQ(analysis.slicer.slicer, Slicer::prusaslicer);
    EXPECT_EQ(analysis.slicer.version, "2.8.1");
    EXPECT_EQ(analysis.layers.size(), 31u);  // 31 ";LAYER_CHANGE" comments in the file.
    EXPECT_TRUE(analysis.layers_from_comments);
    EXPECT_NEAR(analysis.layers.front().z_mm, 0.2, 1e-9);
    EXPECT_NEAR(analysis.layers.back().z_mm, 6.2, 1e-9);
    EXPECT_EQ(analysis.diagnostics.error_count(), 0u);
    EXPECT_NEAR(analysis.printed_bbox.max_mm[2], 6.2, 1e-9);
    ASSERT_TRUE(analysis.slicer.settings.estimate_s.has_value());
    EXPECT_DOUBLE_EQ(*analysis.slicer.settings.estimate_s, 221.0);  // "3m 41s"
    EXPECT_DOUBLE_EQ(analysis.slicer.settings.retract_length_mm.value_or(0), 0.7);
    EXPECT_EQ(analysis.flavor, FirmwareFlavor::marlin);
    EXPECT_GT(analysis.moves.print, 1000u);
    ASSERT_TRUE(analysis.slicer.settings.limits_stealth.has_value());
    EXPECT_DOUBLE_EQ(analysis.slicer.settings.limits_stealth->max_acceleration_mm_s2.x.value_or(0),
                     2500.0);
}

TEST(Analysis, CuraSmallFile) {
    const Result<Analysis> result = analyze_file(data_file("cura_master_marlin_small.gcode"));
    ASSERT_TRUE(testing::ok(result));
    EXPECT_EQ(result->slicer.slicer, Slicer::cura);
    EXPECT_EQ(result->layers.size(), 8u);  // ";LAYER:0" to ";LAYER:7".
    EXPECT_DOUBLE_EQ(result->slicer.settings.estimate_s.value_or(0), 35.0);
    EXPECT_EQ(result->diagnostics.error_count(), 0u);
}

TEST(Analysis, CuraFirmwareRetraction) {
    const Result<Analysis> result =
        analyze_file(data_file("cura_master_marlin_volumetric_fw_retract.gcode"));
    ASSERT_TRUE(testing::ok(result));
    EXPECT_GE(result->moves.retract, 2u);  // The file's G10s.
    EXPECT_EQ(result->diagnostics.error_count(), 0u);
}

TEST(Analysis, BambuTwoColours) {
    const Result<Analysis> result = analyze_file(data_file("bbs010706_cube_2colour.gcode"));
    ASSERT_TRUE(testing::ok(result));
    EXPECT_EQ(result->slicer.slicer, Slicer::bambustudio);
    EXPECT_EQ(result->slicer.version, "01.07.06.92");
    EXPECT_EQ(result->diagnostics.error_count(), 0u);
    ASSERT_GE(result->filament_mm.size(), 2u);  // T255/T1000 are not tools.
    EXPECT_LE(result->filament_mm.size(), 4u);
}

TEST(Analysis, VaseModeLayers) {
    const Result<Analysis> result = analyze_file(data_file("ps261_mini_vase_relative_e.gcode"));
    ASSERT_TRUE(testing::ok(result));
    EXPECT_EQ(result->slicer.settings.vase_mode, std::optional<bool>(true));
    EXPECT_EQ(result->layers.size(), 50u);
    EXPECT_EQ(result->diagnostics.error_count(), 0u);
}

TEST(BadInput, MissingFile) {
    const Result<Analysis> result = analyze_file("/nonexistent/strata.gcode");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::not_found);
    EXPECT_NE(result.error().message.find("No such file"), std::string::npos);
}

TEST(BadInput, DirectoryIsUnreadableNotWrongGcode) {
    const Result<Analysis> result = analyze_file(std::filesystem::temp_directory_path().string());
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::io);
    EXPECT_NE(result.error().message.find("not a regular file"), std::string::npos);
}

TEST(BadInput, EmptyFile) {
    const Result<Analysis> result = analyze_file(write_temp("empty.gcode", ""));
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::invalid);
    EXPECT_EQ(result.error().message, "the file is empty");
}

TEST(BadInput, BinaryFile) {
    std::string binary;
    for (int i = 0; i < 8192; ++i)
        binary.push_back(static_cast<char>((i * 7919) & 0xFF));
    const Result<Analysis> noise = analyze_file(write_temp("binary.gcode", binary));
    ASSERT_FALSE(noise.ok());
    EXPECT_EQ(noise.error().code, ErrorCode::invalid);
    EXPECT_NE(noise.error().message.find("binary data"), std::string::npos);
    const Result<Analysis> bgcode =
        analyze_file(write_temp("bgcode.gcode", "GCDE" + std::string(4, '\0')));
    ASSERT_FALSE(bgcode.ok());
    EXPECT_EQ(bgcode.error().code, ErrorCode::invalid);
    EXPECT_NE(bgcode.error().message.find(".bgcode"), std::string::npos);
}

TEST(BadInput, TextWithoutGcodeIsNotGcode) {
    const Result<Analysis> result =
        analyze_file(write_temp("prose.gcode", "; just a comment\n; another\n"));
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::invalid);
    EXPECT_EQ(result.error().message, "no G-code commands in 2 lines");
}

TEST(BadInput, NulBytesGiveErrorsWithLineNumbers) {
    const std::string content = "G1 X1\nG1 X2" + std::string(1, '\0') + "Y3\nG1 X4\n";
    const Result<Analysis> result = analyze_file(write_temp("nul.gcode", content));
    ASSERT_TRUE(testing::ok(result));
    ASSERT_EQ(result->diagnostics.error_count(), 1u);
    EXPECT_EQ(result->diagnostics.first()[0].line, 2u);
    EXPECT_EQ(result->lines, 3u);
}

TEST(BadInput, TenMegabyteLine) {
    const std::string content = "G1 X1\n;" + std::string(10u << 20, 'x') + "\nG1 X2\n";
    const Result<Analysis> result = analyze_file(write_temp("long.gcode", content));
    ASSERT_TRUE(testing::ok(result));
    EXPECT_EQ(result->lines, 3u);
    EXPECT_EQ(result->diagnostics.error_count(), 0u);
}

TEST(BadInput, LineLongerThanTheCapIsCutAndReported) {
    const std::string content = "G1 X1\n;" + std::string(20u << 20, 'x') + "\nG1 X2 E1\n";
    const Result<Analysis> result = analyze_file(write_temp("huge_line.gcode", content));
    ASSERT_TRUE(testing::ok(result));
    EXPECT_EQ(result->lines, 3u);
    EXPECT_EQ(result->diagnostics.warning_count(), 1u);
    EXPECT_EQ(result->moves.print, 1u);  // The line after the cut is still read.
}

TEST(BadInput, TruncatedLastLine) {
    const Result<Analysis> result =
        analyze_file(write_temp("truncated.gcode", "M83\nG1 X1 E1\nG1 X2 E"));
    ASSERT_TRUE(testing::ok(result));
    EXPECT_EQ(result->lines, 3u);
    ASSERT_GE(result->diagnostics.warning_count(), 1u);
    EXPECT_EQ(result->diagnostics.first().back().line, 3u);
}

TEST(BadInput, LinesWithErrorsDoNotMoveTheMachine) {
    AnalysisOptions options;
    std::array<double, 3> last_position = {0, 0, 0};
    options.on_line = [&](const LineEvent& event) { last_position = event.state.position_mm; };
    const Result<Analysis> result =
        analyze_file(write_temp("half.gcode", "G1 X10 Y10\nG1 X1..2 Y3\n"), options);
    ASSERT_TRUE(testing::ok(result));
    EXPECT_EQ(result->diagnostics.error_count(), 1u);
    EXPECT_EQ(result->diagnostics.first()[0].message, "malformed number at column 4; line ignored");
    EXPECT_DOUBLE_EQ(last_position[1], 10.0);
}

TEST(BadInput, UnknownCommandsAndAbsurdNumbers) {
    const Result<Analysis> result = analyze_file(write_temp(
        "absurd.gcode", "G1 X10\nM9876\nG1 X1e308\nG1 XNaN\nG1 Y100000000000\nG1 X20 Y20\n"));
    ASSERT_TRUE(testing::ok(result));
    const Diagnostics& diagnostics = result->diagnostics;
    EXPECT_EQ(diagnostics.warning_count(), 2u);  // M9876, and the exponent read as an E word.
    EXPECT_EQ(diagnostics.error_count(), 2u);    // NaN, and Y beyond 1e6 mm.
    std::vector<std::uint64_t> lines;
    for (const Diagnostic& diagnostic : diagnostics.first())
        lines.push_back(diagnostic.line);
    EXPECT_EQ(lines, (std::vector<std::uint64_t>{2, 3, 4, 5}));
}

TEST(Dialects, LayerMarkers) {
    std::optional<double> z;
    EXPECT_TRUE(is_layer_marker("LAYER_CHANGE", z));
    EXPECT_TRUE(is_layer_marker("LAYER:-2", z));
    EXPECT_FALSE(is_layer_marker("LAYER_COUNT:20", z));
    EXPECT_FALSE(is_layer_marker("LAYER_HEIGHT:0.2", z));
    EXPECT_TRUE(is_layer_marker(" CHANGE_LAYER", z));
    EXPECT_TRUE(is_layer_marker(" Layer #3", z));
    EXPECT_TRUE(is_layer_marker(" <layer>", z));
    EXPECT_TRUE(is_layer_marker(" layer 3, Z = 0.600", z));
    EXPECT_DOUBLE_EQ(z.value_or(0), 0.6);
    EXPECT_TRUE(is_layer_marker(" BEGIN_LAYER_OBJECT z=0.50", z));
    EXPECT_DOUBLE_EQ(z.value_or(0), 0.5);
    EXPECT_FALSE(is_layer_marker(" layer_height = 0.2", z));
}

struct DialectCase {
    const char* head;
    Slicer slicer;
    const char* version;
};

TEST(Dialects, IdentifiesEverySlicer) {
    const DialectCase cases[] = {
        {"; generated by PrusaSlicer 2.7.1+win64 on 2024\n", Slicer::prusaslicer, "2.7.1+win64"},
        {"; generated by SuperSlicer 2.5.59 on 2023\n", Slicer::superslicer, "2.5.59"},
        {"; generated by OrcaSlicer 2.3.2-dev on 2025\n; generated by SuperSlicer 1.5.0\n",
         Slicer::orcaslicer, "2.3.2-dev"},
        {"; HEADER_BLOCK_START\n; BambuStudio 01.10.02.76\n", Slicer::bambustudio, "01.10.02.76"},
        {"; generated by Slic3r 1.3.0-dev on 2018\n", Slicer::slic3r, "1.3.0-dev"},
        {";FLAVOR:Marlin\n;TIME:1751\n;Generated with Cura_SteamEngine 3.1.0\n", Slicer::cura,
         "3.1.0"},
        {";FLAVOR:Marlin\n;Creality Print Version : V4.3.4.5551\n", Slicer::crealityprint,
         "4.3.4.5551"},
        {"; G-Code generated by Simplify3D(R) Version 4.1.2\n", Slicer::simplify3d, "4.1.2"},
        {";Sliced by ideaMaker 5.3.2.8640, 2026-01-07\n", Slicer::ideamaker, "5.3.2.8640"},
        {"; KISSlicer - FREE\n; version 1.6.2 Release Win64\n", Slicer::kisslicer, "1.6.2"},
        {"; GCode generated by CraftWare\n", Slicer::craftware, "unknown"},
        {"; Generated with MatterSlice 2.22.04\n", Slicer::mattercontrol, "2.22.04"},
        {"; <IceSL Dec 13 2017 21:09:23>\n", Slicer::icesl, "Dec 13 2017 21:09:23"},
        {"; Generated by Kiri:Moto 3.0.D24\n", Slicer::kirimoto, "3.0.D24"},
        {"G28\nG1 X1\n", Slicer::unknown, ""},
    };
    for (const DialectCase& test : cases) {
        const SlicerInfo info = detect_slicer(test.head, test.head);
        EXPECT_EQ(info.slicer, test.slicer) << test.head;
        EXPECT_EQ(info.version, test.version) << test.head;
    }
}

TEST(Dialects, SettingsOfThePrusaFamily) {
    const std::string tail =
        "; retract_length = 0.8,0.8\n; retract_speed = 35\n; deretract_speed = 0\n; retract_lift = "
        "0.4\n"
        "; travel_speed = 180\n; layer_height = 0.15\n; first_layer_height = 0.2\n; spiral_vase = "
        "0\n"
        "; use_relative_e_distances = 1\n; nozzle_diameter = 0.4,0.4\n; bed_shape = "
        "-5x-3,245x-3,245x207,-5x207\n"
        "; gcode_flavor = klipper\n; machine_max_acceleration_x = 9000,1000\n"
        "; estimated printing time (normal mode) = 1d 2h 3m 4s\n; generated by PrusaSlicer 2.9.2\n";
    const SlicerSettings settings = detect_slicer(tail, tail).settings;
    EXPECT_DOUBLE_EQ(settings.retract_length_mm.value_or(0), 0.8);
    EXPECT_DOUBLE_EQ(settings.deretract_speed_mm_s.value_or(0), 35.0);
    EXPECT_DOUBLE_EQ(settings.z_hop_mm.value_or(0), 0.4);
    EXPECT_DOUBLE_EQ(settings.layer_height_mm.value_or(0), 0.15);
    EXPECT_EQ(settings.extruder_count, std::optional<int>(2));
    ASSERT_TRUE(settings.bed_size_mm && settings.bed_origin_mm);
    EXPECT_DOUBLE_EQ((*settings.bed_size_mm)[0], 250.0);
    EXPECT_DOUBLE_EQ((*settings.bed_origin_mm)[0], 5.0);
    EXPECT_EQ(settings.firmware_flavor, std::optional<FirmwareFlavor>(FirmwareFlavor::klipper));
    EXPECT_DOUBLE_EQ(settings.limits_normal->max_acceleration_mm_s2.x.value_or(0), 9000.0);
    EXPECT_DOUBLE_EQ(settings.limits_stealth->max_acceleration_mm_s2.x.value_or(0), 1000.0);
    EXPECT_DOUBLE_EQ(settings.estimate_s.value_or(0), 93784.0);
}

TEST(Dialects, CuraSettingsBlob) {
    const std::string text =
        ";FLAVOR:RepRap\n;TIME:600\n;Generated with Cura_SteamEngine 5.0.0\n"
        ";SETTING_3 {\"global_quality\": \"[general]\\\\nversion = 4\\\\nretraction_amount = "
        "6.5\\\\nspeed_travel = 150\\\\n\"}\n";
    const SlicerInfo info = detect_slicer(text, text);
    EXPECT_EQ(info.settings.firmware_flavor,
              std::optional<FirmwareFlavor>(FirmwareFlavor::reprapfirmware));
    EXPECT_DOUBLE_EQ(info.settings.retract_length_mm.value_or(0), 6.5);
    EXPECT_DOUBLE_EQ(info.settings.travel_speed_mm_s.value_or(0), 150.0);
    EXPECT_DOUBLE_EQ(info.settings.estimate_s.value_or(0), 600.0);
    EXPECT_FALSE(info.settings.limits_normal.has_value());  // The blob changed no machine limit.
}

TEST(Dialects, CuraMachineLimitsFromTheBlob) {
    const std::string text =
        ";FLAVOR:Marlin\n;Generated with Cura_SteamEngine 5.0.0\n"
        ";SETTING_3 {\"global_quality\": \"[values]\\\\nmachine_max_acceleration_x = 3000\\\\n"
        "machine_max_jerk_xy = 8\\\\nmachine_acceleration = 1500\\\\n\"}\n";
    const SlicerInfo info = detect_slicer(text, text);
    ASSERT_TRUE(info.settings.limits_normal.has_value());
    EXPECT_DOUBLE_EQ(info.settings.limits_normal->max_acceleration_mm_s2.x.value_or(0), 3000.0);
    EXPECT_DOUBLE_EQ(info.settings.limits_normal->max_jerk_mm_s.y.value_or(0), 8.0);
    EXPECT_DOUBLE_EQ(info.settings.limits_normal->print_acceleration_mm_s2.value_or(0), 1500.0);
}

// Creality Print 4 names its printer but writes no limits: those of its own K1-series machine
// definition apply; another printer keeps Cura's defaults.
TEST(Dialects, CrealityPrint4TakesTheLimitsOfItsK1Definition) {
    const auto detect = [](const std::string& machine) {
        const std::string text =
            ";FLAVOR:Marlin\n;TIME:1000\n;Creality Print Version : V4.3.4.5551\n"
            ";Machine Name:" +
            machine + "\n";
        return detect_slicer(text, text);
    };
    const SlicerInfo k1_max = detect("K1 Max");
    EXPECT_EQ(k1_max.settings.printer_model, "K1 Max");
    ASSERT_TRUE(k1_max.settings.limits_normal.has_value());
    EXPECT_DOUBLE_EQ(k1_max.settings.limits_normal->max_acceleration_mm_s2.x.value_or(0), 20000.0);
    EXPECT_DOUBLE_EQ(k1_max.settings.limits_normal->max_jerk_mm_s.x.value_or(0), 9.0);
    EXPECT_DOUBLE_EQ(k1_max.settings.limits_normal->max_feedrate_mm_s.z.value_or(0), 30.0);
    const SlicerInfo ender = detect("Ender-3 V2");
    EXPECT_EQ(ender.settings.printer_model, "Ender-3 V2");
    EXPECT_FALSE(ender.settings.limits_normal.has_value());
}

}  // namespace
}  // namespace strata::parser
