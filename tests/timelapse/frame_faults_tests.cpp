// The frame store when the disk refuses a write, with faults the kernel makes (see
// support/file_faults.hpp): a full disk refuses the one frame as `no_space`, leaves no partial
// file and keeps the frames before it listed, and the next frame once there is room takes the
// next number; a folder the process may not write refuses the frame as `permission`.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "../support/file_faults.hpp"
#include "../support/result.hpp"
#include "../support/test_directory.hpp"
#include "strata/timelapse/frames.hpp"

namespace {

namespace fs = std::filesystem;
using strata::ErrorCode;
using strata::testing::ok;
using strata::testing::value_of;
using namespace strata::timelapse;

class FrameFaults : public ::testing::Test {
  protected:
    void SetUp() override {
        directory_ = strata::testing::test_directory("strata_frame_faults_");
        fs::create_directories(directory_);
    }
    void TearDown() override { fs::remove_all(directory_); }

    // The names in the frame directory, sorted.
    [[nodiscard]] std::vector<std::string> names() const {
        std::vector<std::string> found;
        for (const auto& entry : fs::directory_iterator(directory_))
            found.push_back(entry.path().filename().string());
        std::sort(found.begin(), found.end());
        return found;
    }

    fs::path directory_;
};

// Stored bytes are not checked as JPEG here (the cameras do that); size is what matters.
const std::string small_frame(4096, 'a');
const std::string large_frame(std::size_t{256} * 1024, 'b');

TEST_F(FrameFaults, AFullDiskRefusesTheFrameAndKeepsTheOthers) {
    FrameWriter writer(directory_);
    ASSERT_TRUE(ok(writer.add(small_frame, FrameInfo{.snapshot = 1})));
    ASSERT_TRUE(ok(writer.add(small_frame, FrameInfo{.snapshot = 2})));
    {
        const strata::testing::FileSizeLimit full(std::uint64_t{64} * 1024);
        ASSERT_TRUE(full.applied());
        const strata::Status refused = writer.add(large_frame, FrameInfo{.snapshot = 3});
        ASSERT_FALSE(refused.ok());
        EXPECT_EQ(refused.error().code, ErrorCode::no_space) << refused.error().message;
        EXPECT_NE(refused.error().message.find("000003.jpg"), std::string::npos)
            << refused.error().message;
    }
    EXPECT_EQ(writer.count(), 2U);
    EXPECT_EQ(names(), (std::vector<std::string>{"000001.jpg", "000002.jpg", "frames.tsv"}));
    EXPECT_EQ(value_of(load_frames(directory_)).size(), 2U);

    ASSERT_TRUE(ok(writer.add(large_frame, FrameInfo{.snapshot = 3})));
    const std::vector<Frame> frames = value_of(load_frames(directory_));
    ASSERT_EQ(frames.size(), 3U);
    EXPECT_EQ(frames[2].path.filename(), "000003.jpg");
    EXPECT_EQ(fs::file_size(frames[2].path), large_frame.size());
}

TEST_F(FrameFaults, AFolderItMayNotWriteRefusesTheFrameAsPermission) {
    const fs::path camera = directory_ / "camera";
    fs::create_directories(camera);
    const int exit_value = strata::testing::run_without_write_access(camera, [&] {
        FrameWriter writer(camera);
        const strata::Status refused = writer.add(small_frame, FrameInfo{.snapshot = 1});
        if (refused.ok()) return 1;
        if (refused.error().code != ErrorCode::permission) return 2;
        return refused.error().message.find("000001.jpg") == std::string::npos ? 3 : 0;
    });
    EXPECT_EQ(exit_value, 0) << "1: stored, 2: another code, 3: the message names no frame";
    EXPECT_TRUE(fs::is_empty(camera));
}

}  // namespace
