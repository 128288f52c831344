// prep when the disk refuses its output, with faults the kernel makes (support/file_faults.hpp):
// a full disk mid-job and a folder prep may not write both end as `write_failed` naming the
// cause, with nothing left behind (no job, no index, no temporary file), and a prep once there
// is room writes the job whole.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "../support/file_faults.hpp"
#include "../support/result.hpp"
#include "../support/test_directory.hpp"
#include "strata/planner/prep.hpp"

namespace strata::planner {
namespace {

namespace fs = std::filesystem;

const std::string cube = std::string(STRATA_TEST_DATA_DIR) + "/ps281_mini_cube_m486.gcode";

class PrepFaults : public ::testing::Test {
  protected:
    void SetUp() override {
        directory_ = testing::test_directory("strata_prep_faults_");
        output_ = directory_ / "out";
        fs::create_directories(output_);
    }
    void TearDown() override { fs::remove_all(directory_); }

    [[nodiscard]] PrepOptions options() const {
        PrepOptions options;
        options.profile = testing::value_of(load_timelapse_profile("{}"));
        options.input_path = cube;
        options.output_path = (output_ / "cube.gcode").string();
        options.index_path = (output_ / "cube.gcode.index.json").string();
        return options;
    }

    fs::path directory_;
    fs::path output_;
};

TEST_F(PrepFaults, AFullDiskMidJobLeavesNothingBehind) {
    ASSERT_GT(fs::file_size(cube), 64U * 1024U);  // The job outgrows the limit below.
    PrepResult result;
    {
        const testing::FileSizeLimit full(std::uint64_t{32} * 1024);
        ASSERT_TRUE(full.applied());
        result = prep_file(options());
    }
    // EFBIG, what a file-size limit gives, counts as a full disk; after pass one: the job's.
    EXPECT_EQ(strata::testing::code_of(result.status), strata::ErrorCode::no_space)
        << strata::testing::message_of(result.status);
    EXPECT_TRUE(result.planned);
    EXPECT_NE(strata::testing::message_of(result.status).find("cannot write"), std::string::npos)
        << strata::testing::message_of(result.status);
    EXPECT_NE(strata::testing::message_of(result.status).find("File too large"), std::string::npos)
        << strata::testing::message_of(result.status);
    EXPECT_TRUE(fs::is_empty(output_));

    const PrepResult again = prep_file(options());
    ASSERT_TRUE(strata::testing::ok(again.status));
    EXPECT_EQ(fs::file_size(output_ / "cube.gcode"), again.job_bytes);
    EXPECT_TRUE(fs::exists(output_ / "cube.gcode.index.json"));
}

TEST_F(PrepFaults, AnOutputFolderItMayNotWriteIsAWriteFailure) {
    const PrepOptions prep_options = options();
    const int exit_value = testing::run_without_write_access(output_, [&] {
        const PrepResult result = prep_file(prep_options);
        if (strata::testing::code_of(result.status) != strata::ErrorCode::permission ||
            !result.planned)
            return 1;
        return strata::testing::message_of(result.status).find("Permission denied") ==
                       std::string::npos
                   ? 2
                   : 0;
    });
    EXPECT_EQ(exit_value, 0) << "1: not a write failure, 2: the message names another cause";
    EXPECT_TRUE(fs::is_empty(output_));
}

}  // namespace
}  // namespace strata::planner
