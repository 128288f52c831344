// `strata render` as a user runs it: a frame directory (or a frame archive) to a video, the JSON
// report's counts, and the exit codes for bad options, missing frames and broken frames.
#include <stb_image_write.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../support/test_directory.hpp"
#include "strata_child.hpp"

namespace {

namespace fs = std::filesystem;
using strata::testing::run_strata;

class CliRender : public ::testing::Test {
  protected:
    void SetUp() override {
        directory_ = strata::testing::test_directory("strata_cli_render_");
        fs::create_directories(directory_ / "frames");
        std::vector<unsigned char> rgb(std::size_t{64} * 48 * 3);
        for (int frame = 0; frame < 10; ++frame) {
            std::fill(rgb.begin(), rgb.end(), static_cast<unsigned char>(frame * 20));
            const fs::path path = directory_ / "frames" / ("f" + std::to_string(frame) + ".jpg");
            ASSERT_NE(stbi_write_jpg(path.c_str(), 64, 48, 3, rgb.data(), 90), 0);
        }
    }
    void TearDown() override { fs::remove_all(directory_); }
    [[nodiscard]] std::string in(const std::string& name) const {
        return "'" + (directory_ / name).string() + "'";
    }
    fs::path directory_;
};

TEST_F(CliRender, RendersAFrameDirectoryAndReportsItInJson) {
    const auto run = run_strata("render " + in("frames") + " -o " + in("out.mp4") +
                                " --fps 10 --post-roll 0.5 --rotate 90 --thumbnail " +
                                in("thumb.jpg") + " --json");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_NE(run.output.find("\"ok\":true"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("\"frames_read\":10"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("\"frames_written\":15"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("\"width\":48,\"height\":64"), std::string::npos) << run.output;
    EXPECT_TRUE(fs::exists(directory_ / "out.mp4"));
    EXPECT_TRUE(fs::exists(directory_ / "thumb.jpg"));
}

TEST_F(CliRender, RendersAFrameArchive) {
    ASSERT_EQ(
        std::system(
            ("cd " + in("frames") + " && tar --format=ustar -cf ../frames.tar *.jpg").c_str()),
        0);
    const auto run =
        run_strata("render " + in("frames.tar") + " -o " + in("out.gif") + " --length 2 --json");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_NE(run.output.find("\"fps\":5,"), std::string::npos) << run.output;
    EXPECT_TRUE(fs::exists(directory_ / "out.gif"));
    EXPECT_FALSE(fs::exists(directory_ / "out.gif.frames"));  // The unpacked copy is gone.
}

TEST_F(CliRender, ExitCodesSayWhatWentWrong) {
    EXPECT_EQ(run_strata("render " + in("frames") + " -o " + in("out.avi")).exit_code, 1);
    EXPECT_EQ(run_strata("render " + in("frames") + " -o " + in("out.mp4") + " --fps x").exit_code,
              1);
    EXPECT_EQ(run_strata("render " + in("frames") + " -o " + in("out.mp4") + " --overlay '{oops}'")
                  .exit_code,
              1);
    EXPECT_EQ(run_strata("render " + in("missing") + " -o " + in("out.mp4")).exit_code, 2);
    fs::create_directories(directory_ / "empty");
    EXPECT_EQ(run_strata("render " + in("empty") + " -o " + in("out.mp4")).exit_code, 2);
    std::ofstream(directory_ / "frames" / "f5.jpg") << "broken";
    EXPECT_EQ(run_strata("render " + in("frames") + " -o " + in("out.mp4")).exit_code, 2);
    EXPECT_FALSE(fs::exists(directory_ / "out.mp4"));
}

}  // namespace
