// End-to-end tests of the `strata` binary: the real executable run as a child process, its JSON
// report and its exit codes checked the way a script or the slicer hook would see them.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "strata_child.hpp"

namespace {

using strata::testing::ChildRun;
using strata::testing::data_file;
using strata::testing::run_strata;

// The number after the first occurrence of `key` (a JSON fragment ending in ':'), or NaN.
double number_after(const std::string& json, const std::string& key) {
    const std::size_t at = json.find(key);
    if (at == std::string::npos) return std::nan("");
    return std::strtod(json.c_str() + at + key.size(), nullptr);
}

std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t count = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos;
         at = text.find(needle, at + needle.size()))
        ++count;
    return count;
}

// PrusaSlicer 2.8.1 says 3m41s (normal) and 3m47s (silent) for this file, 31 layers.
TEST(CliAnalyze, JsonReportCarriesTheTimeEstimates) {
    const ChildRun run = run_strata("analyze --json " + data_file("ps281_mini_cube_m486.gcode"));
    ASSERT_EQ(run.exit_code, 0) << run.output;
    const double total_s = number_after(run.output, "\"estimated_time_s\":");
    const double motion_s = number_after(run.output, "\"estimated_motion_time_s\":");
    EXPECT_NEAR(motion_s, 221.0, 221.0 * 0.03);
    const std::string stealth = run.output.substr(run.output.find("\"stealth\":"));
    EXPECT_NEAR(number_after(stealth, "\"motion\":"), 227.0, 227.0 * 0.03);
    EXPECT_NEAR(number_after(run.output, "\"heating_s\":") + motion_s, total_s, 1e-3);
    EXPECT_EQ(number_after(run.output, "\"layers\":"), 31.0);
    EXPECT_EQ(count_of(run.output, "\"time_s\":"), 31u);
    EXPECT_NE(run.output.find("\"layer_list\":[{\"index\":0,"), std::string::npos);
}

TEST(CliAnalyze, NoTimeLeavesTheEstimatorOut) {
    const ChildRun run =
        run_strata("analyze --json --no-time " + data_file("ps281_mini_cube_m486.gcode"));
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.output.find("estimated_time_s"), std::string::npos);
    EXPECT_EQ(count_of(run.output, "\"time_s\":"), 0u);
    EXPECT_EQ(number_after(run.output, "\"layers\":"), 31.0);
}

TEST(CliAnalyze, HumanReportNamesThePrintTime) {
    const ChildRun run = run_strata("analyze " + data_file("cura_master_marlin_small.gcode"));
    ASSERT_EQ(run.exit_code, 0);
    EXPECT_NE(run.output.find("print time"), std::string::npos) << run.output;
}

TEST(CliVersion, NamesTheReleaseAndTheMachine) {
    const ChildRun run = run_strata("--version");
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_EQ(run.output.rfind("strata " STRATA_VERSION " (", 0), 0U) << run.output;
#if defined(__aarch64__)
    EXPECT_NE(run.output.find("(aarch64)"), std::string::npos) << run.output;
#elif defined(__x86_64__)
    EXPECT_NE(run.output.find("(x86_64)"), std::string::npos) << run.output;
#endif
}

TEST(CliExitCodes, FollowTheUsageText) {
    EXPECT_EQ(run_strata("analyze --help").exit_code, 0);
    EXPECT_EQ(run_strata("--help").exit_code, 0);
    EXPECT_EQ(run_strata("frobnicate 2>/dev/null").exit_code, 1);
    EXPECT_EQ(run_strata("analyze --bogus x.gcode 2>/dev/null").exit_code, 1);
    EXPECT_EQ(run_strata("analyze /nonexistent/x.gcode 2>/dev/null").exit_code, 2);

    const std::filesystem::path empty =
        std::filesystem::temp_directory_path() / "strata_cli_test_empty.gcode";
    std::ofstream(empty).close();
    EXPECT_EQ(run_strata("analyze " + empty.string() + " 2>/dev/null").exit_code, 3);
    std::filesystem::remove(empty);
}

// A scratch directory per test, removed afterwards.
class CliPrep : public ::testing::Test {
  protected:
    void SetUp() override {
        directory_ = std::filesystem::temp_directory_path() /
                     ("strata_cli_prep_" + std::to_string(::getpid()));
        std::filesystem::create_directories(directory_);
    }
    void TearDown() override { std::filesystem::remove_all(directory_); }
    [[nodiscard]] std::string path(const std::string& name) const {
        return (directory_ / name).string();
    }
    std::filesystem::path directory_;
};

TEST_F(CliPrep, RewritesInPlaceAndVerifies) {
    const std::string job = path("cube.gcode");
    std::filesystem::copy_file(data_file("ps281_mini_cube_m486.gcode"), job);
    const ChildRun run = run_strata("prep --json " + job);
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_NE(run.output.find("\"equivalent\":true"), std::string::npos);
    EXPECT_NE(run.output.find("\"per_snapshot\":[{\"n\":1,"), std::string::npos);
    EXPECT_TRUE(std::filesystem::exists(job + ".index.json"));
    const ChildRun verified =
        run_strata("verify " + data_file("ps281_mini_cube_m486.gcode") + " " + job);
    EXPECT_EQ(verified.exit_code, 0) << verified.output;
    EXPECT_EQ(verified.output.rfind("equivalent: ", 0), 0u) << verified.output;
    // Prepared twice is refused, and the job is left alone.
    EXPECT_EQ(run_strata("prep " + job + " 2>/dev/null").exit_code, 4);
}

TEST_F(CliPrep, ExitCodesNameWhatFailed) {
    EXPECT_EQ(run_strata("prep 2>/dev/null").exit_code, 1);
    EXPECT_EQ(run_strata("prep --set nonsense=1 " + data_file("ps281_mini_cube_m486.gcode") +
                         " 2>/dev/null")
                  .exit_code,
              1);
    EXPECT_EQ(run_strata("prep /nonexistent/x.gcode 2>/dev/null").exit_code, 2);
    const ChildRun threads =
        run_strata("prep --threads 4 " + data_file("ps281_mini_cube_m486.gcode") + " 2>&1");
    EXPECT_EQ(threads.exit_code, 1);
    EXPECT_NE(threads.output.find("--threads is 1, 2 or 3, not '4'"), std::string::npos)
        << threads.output;
    const ChildRun one = run_strata("prep --json --threads 1 -o " + path("one.gcode") + " " +
                                    data_file("ps281_mini_cube_m486.gcode"));
    EXPECT_EQ(one.exit_code, 0) << one.output;
    EXPECT_NE(one.output.find("\"threads\":1"), std::string::npos);
    // No move of the file says where the head is: no area at all.
    std::ofstream(path("relative.gcode")) << "G28\nG91\nG1 X10 Y10 Z0.2 F600\nG1 X5 E1\n";
    const ChildRun nowhere =
        run_strata("prep -o " + path("r.gcode") + " " + path("relative.gcode") + " 2>&1");
    EXPECT_EQ(nowhere.exit_code, 4);
    EXPECT_NE(nowhere.output.find("safety.area_min_mm"), std::string::npos) << nowhere.output;
    // A job whose block was tampered with is not equivalent, with both line numbers.
    const std::string job = path("cube.gcode");
    ASSERT_EQ(
        run_strata("prep -o " + job + " " + data_file("ps281_mini_cube_m486.gcode")).exit_code, 0);
    std::ifstream in(job);
    std::stringstream text;
    text << in.rdbuf();
    std::string changed = text.str();
    const std::size_t at = changed.find("G1 F", changed.find("STRATA SNAPSHOT BEGIN n=2"));
    changed.replace(at, 4, "G1 F1");
    std::ofstream(job, std::ios::trunc) << changed;
    const ChildRun verified =
        run_strata("verify " + data_file("ps281_mini_cube_m486.gcode") + " " + job);
    EXPECT_EQ(verified.exit_code, 6);
    EXPECT_NE(verified.output.find("does not restore the feedrate"), std::string::npos)
        << verified.output;
}

// The post-processing hook for real: Debian's PrusaSlicer slices a box twice, once plain and once
// with `strata prep` as its post-processing script; the second must verify against the first.
// A Cura file names no bed: prep plans inside its moves and says so; --printer gives the bed,
// in the server's printer-profile format, and verify takes the same file.
TEST_F(CliPrep, AFileWithoutABedUsesItsMovesOrThePrinterFile) {
    const std::string cura = data_file("cura_master_marlin_small.gcode");
    const ChildRun own = run_strata("prep --json -o " + path("own.gcode") + " " + cura + " 2>&1");
    ASSERT_EQ(own.exit_code, 0) << own.output;
    EXPECT_NE(own.output.find("warning: no bed size known"), std::string::npos) << own.output;
    EXPECT_NE(own.output.find("\"source\":\"the file's moves: X "), std::string::npos);
    std::ofstream(path("printer.json"))
        << R"({"display_name": "Ender", "bed_x_mm": 235, "bed_y_mm": 235, "max_z_mm": 250})";
    const ChildRun bed = run_strata("prep --json --printer " + path("printer.json") + " -o " +
                                    path("bed.gcode") + " " + cura + " 2>&1");
    ASSERT_EQ(bed.exit_code, 0) << bed.output;
    EXPECT_EQ(bed.output.find("warning"), std::string::npos) << bed.output;
    EXPECT_NE(bed.output.find("\"max\":[235,235],\"source\":\"printer profile\""),
              std::string::npos)
        << bed.output;
    const ChildRun verified = run_strata("verify --printer " + path("printer.json") + " " + cura +
                                         " " + path("bed.gcode"));
    EXPECT_EQ(verified.exit_code, 0) << verified.output;
    EXPECT_EQ(verified.output.find("not checked"), std::string::npos) << verified.output;
    // A bad printer file is a usage error naming the file and the field.
    std::ofstream(path("bad.json")) << R"({"bed_x_mm": -5})";
    const ChildRun bad = run_strata("prep --printer " + path("bad.json") + " -o " +
                                    path("x.gcode") + " " + cura + " 2>&1");
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(bad.output.find("bad.json: field 'bed_x_mm'"), std::string::npos) << bad.output;
}

TEST_F(CliPrep, PrusaSlicerPostProcessingHook) {
    ASSERT_EQ(std::system("command -v prusa-slicer >/dev/null"), 0)
        << "prusa-slicer is installed by scripts/setup";
    const std::string model = "/usr/share/PrusaSlicer/shapes/box.stl";
    const std::string slice =
        "prusa-slicer --export-gcode --loglevel 0 --layer-height 0.3 "
        "--scale 0.5 --center 100,100 ";
    ASSERT_EQ(std::system(
                  (slice + "-o " + path("plain.gcode") + " " + model + " >/dev/null 2>&1").c_str()),
              0);
    const std::string hook = std::string(STRATA_BINARY) + " prep --set position.mode=\\\"fast\\\"";
    const std::string hooked = slice + "--post-process '" + hook + "' -o " + path("hooked.gcode") +
                               " " + model + " >" + path("log.txt") + " 2>&1";
    ASSERT_EQ(std::system(hooked.c_str()), 0);
    std::ifstream log(path("log.txt"));
    std::stringstream log_text;
    log_text << log.rdbuf();
    EXPECT_NE(log_text.str().find("hooked.gcode: "), std::string::npos) << log_text.str();
    const ChildRun verified =
        run_strata("verify --json " + path("plain.gcode") + " " + path("hooked.gcode"));
    EXPECT_EQ(verified.exit_code, 0) << verified.output;
    EXPECT_NE(verified.output.find("\"equivalent\":true"), std::string::npos);
    EXPECT_EQ(verified.output.find("\"blocks\":0"), std::string::npos) << verified.output;
}

}  // namespace

namespace {

// `strata virtual-printer` as its own process, linked at a path, stopped with SIGTERM.
class CliPrint : public ::testing::Test {
  protected:
    void SetUp() override {
        directory_ = std::filesystem::temp_directory_path() /
                     ("strata_cli_print_" + std::to_string(::getpid()));
        std::filesystem::create_directories(directory_);
        link_ = (directory_ / "printer").string();
        printer_ =
            ::popen((std::string(STRATA_BINARY) + " virtual-printer --time-scale 0 --link " + link_)
                        .c_str(),
                    "r");
        ASSERT_NE(printer_, nullptr);
        char path[256] = {};
        ASSERT_NE(std::fgets(path, sizeof path, printer_), nullptr);  // Printed once it runs.
        EXPECT_EQ(std::string(path).rfind("/dev/pts/", 0), 0u);
    }
    void TearDown() override {
        std::system(
            ("pkill -TERM -f 'virtual-printer --time-scale 0 --link " + link_ + "'").c_str());
        if (printer_ != nullptr) ::pclose(printer_);
        // The printer removes its link as it exits: wait for that before removing the folder.
        for (int tries = 0; tries < 200 && std::filesystem::is_symlink(link_); ++tries)
            ::usleep(10'000);
        std::error_code ignored;
        std::filesystem::remove_all(directory_, ignored);
    }
    std::filesystem::path directory_;
    std::string link_;
    std::FILE* printer_ = nullptr;
};

TEST_F(CliPrint, PrintsAFileAsItIsAndPreparedWithAProfile) {
    const std::string file = data_file("ps281_mini_cube_m486.gcode");
    EXPECT_EQ(run_strata(file + " --port " + link_).exit_code, 1);  // No subcommand: usage.
    EXPECT_EQ(run_strata("print " + file + " --port " + link_).exit_code, 0);
    const std::string profile = (directory_ / "profile.json").string();
    std::ofstream(profile) << "{}";
    EXPECT_EQ(run_strata("print " + file + " --port " + link_ + " --profile " + profile).exit_code,
              0);
    EXPECT_FALSE(std::filesystem::exists(file + ".strata-print.gcode"));  // Cleaned up.
}

TEST_F(CliPrint, ExitCodesForNoPrinterAndNoFile) {
    EXPECT_EQ(
        run_strata("print " + data_file("ps281_mini_cube_m486.gcode") + " --port /nonexistent/tty")
            .exit_code,
        8);
    EXPECT_EQ(run_strata("print /nonexistent.gcode --port " + link_).exit_code, 2);
    EXPECT_EQ(run_strata("print --port " + link_).exit_code, 1);
}

}  // namespace
