// The verification matrix on the small files: every trigger x every position mode x every
// stabilization type, each job checked by the full side-by-side comparison. The corpus files
// under 400 KB join the bundled ones when ../shared/corpus is there (the benchmark
// `benchmarks/prep_matrix` runs the same matrix on every corpus file).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "../support/corpus_required.hpp"
#include "../support/result.hpp"
#include "strata/planner/prep.hpp"
#include "strata/planner/verify.hpp"

namespace {

namespace fs = std::filesystem;
using namespace strata::planner;

const std::vector<std::string> triggers = {
    "triggers.every_n_layers=1",
    R"(triggers.every_n_layers=0)",
    R"(triggers.every_n_layers=0)",
    R"(triggers.every_n_layers=0)",
};
const std::vector<std::string> trigger_extras = {
    "triggers.first_layer=false",
    "triggers.every_height_mm=0.8",
    "triggers.every_time_s=45",
    R"(triggers.markers=["M107","@OCTOLAPSE TAKE-SNAPSHOT"])",
};
const std::vector<std::string> modes = {"layer_change", "fast", "compatibility", "high_quality",
                                        "snap_to_print"};
const std::vector<std::vector<std::string>> stabilizations = {
    {R"(stabilization.x={"type":"bed_percent","value":50})"},
    {R"(stabilization.x={"type":"fixed_mm","value":0})",
     R"(stabilization.y={"type":"fixed_mm","value":0})"},
    {R"(stabilization.x={"type":"path_percent","path":[0,25,50,75,100],"path_end":"loop"})"},
    {R"(stabilization.x={"type":"disabled"})", R"(stabilization.y={"type":"disabled"})"},
};

std::vector<std::string> small_files() {
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(STRATA_TEST_DATA_DIR)) {
        if (entry.path().extension() == ".gcode") files.push_back(entry.path().string());
    }
    const fs::path corpus = fs::path(STRATA_SHARED_DIR) / "corpus";
    if (fs::exists(corpus)) {
        for (const auto& entry : fs::recursive_directory_iterator(corpus)) {
            const auto extension = entry.path().extension();
            if ((extension == ".gcode" || extension == ".g" || extension == ".gco") &&
                fs::file_size(entry.path()) < 400'000) {
                files.push_back(entry.path().string());
            }
        }
    }
    return files;
}

// Preps `input` into `output` with the settings; a file without a believable bed gets a
// generous area (the matrix checks equivalence, not parking distances).
PrepResult prep(const std::string& input, const std::string& output,
                std::vector<std::string> settings) {
    PrepOptions options;
    options.input_path = input;
    options.output_path = output;
    strata::Result<TimelapseProfile> profile = load_timelapse_profile("{}", settings);
    EXPECT_TRUE(profile.ok()) << strata::testing::message_of(profile);
    options.profile = *profile;
    PrepResult result = prep_file(options);
    if (strata::testing::code_of(result.status) != strata::ErrorCode::unsupported) return result;
    settings.emplace_back("safety.area_min_mm=[-400,-400]");
    settings.emplace_back("safety.area_max_mm=[400,400]");
    options.profile = strata::testing::value_of(load_timelapse_profile("{}", settings));
    return prep_file(options);
}

TEST(VerifyMatrix, EveryTriggerModeAndStabilizationOnTheSmallFiles) {
    const fs::path corpus = fs::path(STRATA_SHARED_DIR) / "corpus";
    if (!fs::exists(corpus)) STRATA_SKIP_OR_FAIL_WITHOUT_CORPUS(corpus.string());
    const fs::path output =
        fs::temp_directory_path() / ("strata_matrix_" + std::to_string(::getpid()) + ".gcode");
    std::size_t jobs = 0;
    std::size_t snapshots = 0;
    for (const std::string& file : small_files()) {
        for (std::size_t trigger = 0; trigger < triggers.size(); ++trigger) {
            for (const std::string& mode : modes) {
                for (const auto& stabilization : stabilizations) {
                    std::vector<std::string> settings = {triggers[trigger], trigger_extras[trigger],
                                                         "position.mode=\"" + mode + "\""};
                    settings.insert(settings.end(), stabilization.begin(), stabilization.end());
                    const PrepResult result = prep(file, output.string(), settings);
                    const std::string where =
                        file + " " + settings[1] + " " + settings[2] + " " + stabilization.front();
                    ASSERT_TRUE(strata::testing::ok(result.status)) << where;
                    VerifyOptions options;
                    options.area = result.plan.area;
                    options.lift_mm = result.plan.motion.lift_mm;
                    const strata::Result<VerifyResult> verified =
                        verify_files(file, output.string(), options);
                    ASSERT_TRUE(strata::testing::ok(verified)) << where;
                    ASSERT_TRUE(verified->equivalent)
                        << where << ": "
                        << (verified->difference ? verified->difference->message : "");
                    ASSERT_EQ(verified->blocks, result.plan.snapshots.size()) << where;
                    ++jobs;
                    snapshots += result.plan.snapshots.size();
                }
            }
        }
    }
    fs::remove(output);
    EXPECT_GT(jobs, 80u * 10u);
    EXPECT_GT(snapshots, jobs);  // The matrix exercised blocks, not empty plans.
}

}  // namespace
