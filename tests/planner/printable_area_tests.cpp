// The printable area when no bed is declared: the file's own moves (up to the last extrusion,
// axes counted only once an absolute move set them after a home), the printer profile's bed
// before that, and the whole corpus prepared and verified with no options at all.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "../support/corpus_required.hpp"
#include "../support/result.hpp"
#include "../support/test_directory.hpp"
#include "strata/planner/prep.hpp"
#include "strata/planner/printable_area.hpp"
#include "strata/planner/verify.hpp"

namespace {

namespace fs = std::filesystem;
using namespace strata::planner;

class PrintableAreaTest : public ::testing::Test {
  protected:
    void SetUp() override {
        directory_ = strata::testing::test_directory("strata_area_");
        fs::create_directories(directory_);
    }
    void TearDown() override { fs::remove_all(directory_); }

    [[nodiscard]] std::string write(const std::string& name, const std::string& text) const {
        const fs::path path = directory_ / name;
        std::ofstream(path, std::ios::binary) << text;
        return path.string();
    }
    [[nodiscard]] PrepResult prep(const std::string& input,
                                  const std::optional<PrintableArea>& printer_bed = {}) const {
        PrepOptions options;
        options.input_path = input;
        options.output_path = (directory_ / "job.gcode").string();
        options.printer_bed = printer_bed;
        return prep_file(options);
    }

    fs::path directory_;
};

// Ten layers of a square at X 40..60, Y 50..70 with a start that purges along X 5..95 at Y 10.
std::string square_layers() {
    std::string text;
    for (int layer = 1; layer <= 10; ++layer) {
        const std::string z = std::to_string(0.2 * layer);
        text += ";LAYER_CHANGE\n;Z:";
        text += z;
        text += "\nG1 Z";
        text += z;
        text += " F600\n";
        text += "G1 X40 Y50 F6000\nG1 X60 Y50 E1 F1200\nG1 X60 Y70 E1\nG1 X40 Y70 E1\n";
        text += "G1 X40 Y50 E1\n";
    }
    return text;
}

TEST_F(PrintableAreaTest, TheMovesUpToTheLastExtrusionBoundIt) {
    // After G28, "G1 Z5" sets no XY: the homed place is the firmware's, not the file's. The arc
    // (centre 50,60, radius 10, from its bottom through its left to its top) reaches X 40. The
    // end G-code's X-200 Y-200 comes after the last extrusion.
    const std::string path = write(
        "area.gcode", "G28\nG90\nM83\nG1 Z5 F600\nG1 X5 Y10 F6000\nG1 X95 Y10 E5 F1200\n" +
                          square_layers() +
                          "G1 X50 Y50 F6000\nG2 X50 Y70 I0 J10 E2\nG1 X-200 Y-200 F6000\nM84\n");
    const strata::Result<AreaChoice> outcome = area_of_moves(path);
    ASSERT_TRUE(strata::testing::ok(outcome));
    EXPECT_TRUE(outcome->from_moves);
    const PrintableArea& area = outcome->area;
    EXPECT_DOUBLE_EQ(area.min_mm[0], 5.0);
    EXPECT_DOUBLE_EQ(area.max_mm[0], 95.0);
    EXPECT_DOUBLE_EQ(area.min_mm[1], 10.0);
    EXPECT_DOUBLE_EQ(area.max_mm[1], 70.0);
}

TEST_F(PrintableAreaTest, AnArcCountsByTheFarthestPointsItPasses) {
    // Clockwise from (50,50) around (50,60) to (50,70) passes the circle's left side, X 40.
    const std::string path =
        write("arc.gcode", "G90\nM83\nG1 X50 Y50 Z0.2 F6000\nG2 X50 Y70 I0 J10 E2 F1200\n");
    const strata::Result<AreaChoice> outcome = area_of_moves(path);
    ASSERT_TRUE(strata::testing::ok(outcome));
    EXPECT_NEAR(outcome->area.min_mm[0], 40.0, 1e-9);
    EXPECT_NEAR(outcome->area.max_mm[0], 50.0, 1e-9);
}

TEST_F(PrintableAreaTest, AFileWithoutABedPreparesInsideItsMovesWithAWarningFlag) {
    const std::string path =
        write("nobed.gcode", "G28\nG90\nM83\nG1 X5 Y10 Z0.2 F6000\nG1 X95 Y10 E5 F1200\n" +
                                 square_layers() + "G1 X0 Y200 F6000\n");
    const PrepResult result = prep(path);
    ASSERT_TRUE(strata::testing::ok(result.status));
    EXPECT_TRUE(result.plan.area_from_moves);
    EXPECT_NE(result.plan.area_source.find("the file declares no bed size"), std::string::npos);
    ASSERT_FALSE(result.plan.snapshots.empty());
    for (const PlannedSnapshot& snapshot : result.plan.snapshots) {
        // The default parks at the middle of the area: X 50, Y 40.
        ASSERT_TRUE(snapshot.park_mm);
        EXPECT_DOUBLE_EQ((*snapshot.park_mm)[0], 50.0);
        EXPECT_DOUBLE_EQ((*snapshot.park_mm)[1], 40.0);
    }
    VerifyOptions options;
    options.area = result.plan.area;
    const strata::Result<VerifyResult> verified =
        verify_files(path, (directory_ / "job.gcode").string(), options);
    ASSERT_TRUE(strata::testing::ok(verified));
    EXPECT_TRUE(verified->equivalent);
    // `strata verify` chooses the same area for the original.
    const strata::Result<AreaChoice> chosen =
        choose_printable_area(path, SafetySettings{}, std::nullopt);
    ASSERT_TRUE(strata::testing::ok(chosen));
    EXPECT_EQ(chosen->area.min_mm, result.plan.area.min_mm);
    EXPECT_EQ(chosen->area.max_mm, result.plan.area.max_mm);
}

TEST_F(PrintableAreaTest, ThePrinterBedComesBeforeTheMovesAndAfterTheFilesBed) {
    const std::string no_bed =
        write("nobed.gcode", "G90\nM83\nG1 X5 Y10 Z0.2 F6000\n" + square_layers());
    const PrintableArea printer{{0.0, 0.0}, {300.0, 200.0}};
    const PrepResult with_printer = prep(no_bed, printer);
    ASSERT_TRUE(strata::testing::ok(with_printer.status));
    EXPECT_FALSE(with_printer.plan.area_from_moves);
    EXPECT_EQ(with_printer.plan.area_source, "printer profile");
    EXPECT_EQ(with_printer.plan.area.max_mm, printer.max_mm);

    // The PrusaSlicer file declares its 250 x 210 mm bed.
    const PrepResult declared =
        prep(std::string(STRATA_TEST_DATA_DIR) + "/ps281_mini_cube_m486.gcode", printer);
    ASSERT_TRUE(strata::testing::ok(declared.status));
    EXPECT_EQ(declared.plan.area_source, "slicer bed");
    EXPECT_DOUBLE_EQ(declared.plan.area.max_mm[0], 250.0);
}

TEST_F(PrintableAreaTest, NoMoveWithAKnownPlaceIsAnErrorNamingTheSetting) {
    // Only relative moves after a home: the file never says where the head is.
    const std::string path =
        write("relative.gcode", "G28\nG91\nG1 X10 Y10 Z0.2 F6000\nG1 X5 E1 F1200\nG1 Y5 E1\n");
    const PrepResult result = prep(path);
    EXPECT_EQ(strata::testing::code_of(result.status), strata::ErrorCode::unsupported);
    EXPECT_NE(
        strata::testing::message_of(result.status).find("no move of the file gives a position"),
        std::string::npos);
    EXPECT_NE(strata::testing::message_of(result.status).find("safety.area_min_mm"),
              std::string::npos);
    EXPECT_FALSE(fs::exists(directory_ / "job.gcode"));
}

TEST_F(PrintableAreaTest, AnUnreadableFileIsReportedAsSuch) {
    const PrepResult result = prep((directory_ / "missing.gcode").string());
    EXPECT_EQ(strata::testing::code_of(result.status), strata::ErrorCode::not_found);
    EXPECT_FALSE(result.planned);  // The input's error, not the job's.
}

// Every file of the corpus and of tests/data (the toolchanger files included), with no options:
// prepared, its blocks checked in pass two and the whole job compared side by side with its
// original.
TEST_F(PrintableAreaTest, EveryCorpusFilePreparesAndVerifiesWithNoOptions) {
    const fs::path corpus = fs::path(STRATA_SHARED_DIR) / "corpus";
    if (!fs::exists(corpus)) STRATA_SKIP_OR_FAIL_WITHOUT_CORPUS(corpus.string());
    std::size_t files = 0;
    std::size_t from_moves = 0;
    for (const fs::path& folder : {corpus, fs::path(STRATA_TEST_DATA_DIR)}) {
        for (const auto& entry : fs::recursive_directory_iterator(folder)) {
            const auto extension = entry.path().extension();
            if (extension != ".gcode" && extension != ".g" && extension != ".gco") continue;
            PrepOptions options;
            options.input_path = entry.path().string();
            options.output_path = (directory_ / "job.gcode").string();
            options.full_verify = true;
            const PrepResult result = prep_file(options);
            ASSERT_TRUE(strata::testing::ok(result.status)) << entry.path();
            EXPECT_TRUE(result.verification.equivalent) << entry.path();
            ++files;
            if (result.plan.area_from_moves) ++from_moves;
        }
    }
    EXPECT_GE(files, 76u + 8u);
    EXPECT_GE(from_moves, 20u);  // Cura, Creality Print, MatterControl, Simplify3D, ...
}

}  // namespace
