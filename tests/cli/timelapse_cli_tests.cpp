// The timelapse from the command line as a user runs it. `strata render`: a frame directory (or
// a frame archive) to a video, the JSON report's counts, and the exit codes for bad options,
// missing frames and broken frames. `strata print --camera ... --timelapse DIR` against
// `strata virtual-printer --webcam`: two processes, a pty and HTTP between them.
#include <stb_image_write.h>

#include <gtest/gtest.h>

#include <signal.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

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

TEST_F(CliRender, PrintWithTheVirtualWebcamLeavesARotatedVideoAndArchivedFrames) {
    // The shell prints its pid and becomes the printer, which prints its pty and webcam URL.
    std::FILE* printer = ::popen(("echo $$; exec " + std::string(STRATA_BINARY) +
                                  " virtual-printer --time-scale 0.01 --webcam 0 "
                                  "--webcam-size 320x240 2>/dev/null")
                                     .c_str(),
                                 "r");
    ASSERT_NE(printer, nullptr);
    std::array<char, 512> line{};
    std::vector<std::string> lines;
    while (lines.size() < 3 && std::fgets(line.data(), line.size(), printer) != nullptr) {
        lines.emplace_back(line.data());
        lines.back().pop_back();
    }
    ASSERT_EQ(lines.size(), 3u);
    const pid_t printer_pid = std::stoi(lines[0]);
    const std::string pty = lines[1];
    const std::string snapshot_url = lines[2].substr(8, lines[2].find(' ', 8) - 8);
    std::ofstream(directory_ / "profile.json") << "{}";
    const auto run = run_strata(
        "print " + strata::testing::data_file("ps281_mini_cube_m486.gcode") + " --port " + pty +
        " --profile " + in("profile.json") + " --camera " + snapshot_url +
        " --camera-rotate 90 --timelapse " + in("timelapse") + " --frames archive");
    ::kill(printer_pid, SIGTERM);
    ::pclose(printer);
    ASSERT_EQ(run.exit_code, 0);
    // One print: one job directory of frames, named like the video (file stem and start time).
    std::vector<fs::path> jobs;
    for (const auto& entry : fs::directory_iterator(directory_ / "timelapse" / "frames"))
        jobs.push_back(entry.path());
    ASSERT_EQ(jobs.size(), 1u);
    const std::string job = jobs[0].filename().string();
    EXPECT_EQ(job.rfind("ps281_mini_cube_m486_20", 0), 0u) << job;
    const fs::path video = directory_ / "timelapse" / (job + "_camera0.mp4");
    ASSERT_TRUE(fs::exists(video)) << video;
    const fs::path archive = jobs[0] / "camera0.tar";
    EXPECT_TRUE(fs::exists(archive));
    EXPECT_FALSE(fs::exists(jobs[0] / "camera0"));
    // The camera's rotation is in the video: 320x240 pictures, a 240x320 video.
    std::FILE* probe = ::popen(("ffprobe -v error -select_streams v:0 -count_frames -show_entries "
                                "stream=width,height,nb_read_frames -of csv=p=0 '" +
                                video.string() + "'")
                                   .c_str(),
                               "r");
    ASSERT_NE(probe, nullptr);
    std::string fields;
    while (std::fgets(line.data(), line.size(), probe) != nullptr)
        fields += line.data();
    ::pclose(probe);
    EXPECT_EQ(fields, "240,320,30\n");  // 30 snapshots in the cube's plan.
    // The frames are stored as the camera sent them: re-rendered from the archive, unrotated.
    const auto again =
        run_strata("render '" + archive.string() + "' -o " + in("again.mp4") + " --json");
    ASSERT_EQ(again.exit_code, 0) << again.output;
    EXPECT_NE(again.output.find("\"frames_read\":30,"), std::string::npos) << again.output;
    EXPECT_NE(again.output.find("\"width\":320,\"height\":240"), std::string::npos) << again.output;
}

}  // namespace
