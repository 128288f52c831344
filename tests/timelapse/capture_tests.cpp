// TimelapseCapture with real cameras on loopback: all cameras at once, each after its own delay;
// a failing camera is reported by name and skipped while the others' frames are stored with
// their metadata; at the end each camera with frames gets its video and the frame policy runs.
#include <gtest/gtest.h>

#include <filesystem>

#include "../support/result.hpp"
#include "../support/test_directory.hpp"
#include "strata/timelapse/capture.hpp"
#include "strata/timelapse/virtual_camera.hpp"

namespace {

namespace fs = std::filesystem;
using namespace strata::timelapse;
using strata::testing::message_of;
using strata::testing::ok;

class Capture : public ::testing::Test {
  protected:
    void SetUp() override {
        directory_ = strata::testing::test_directory("strata_capture_");
        const strata::Status listening = server_.start("127.0.0.1", 0);
        ASSERT_TRUE(listening) << listening.error().message;
    }
    void TearDown() override {
        server_.stop();
        fs::remove_all(directory_);
    }

    fs::path directory_;
    BedArea bed_{0.0, 200.0, 0.0, 200.0};
    VirtualCamera camera_{bed_, front_view(bed_, 160, 120)};
    SnapshotServer server_{[this] { return camera_.snapshot_jpeg({100, 100, 5}); }, 10.0};
};

TEST_F(Capture, AFailingCameraIsNamedAndTheOthersGoOn) {
    CaptureSettings settings;
    CameraConfig good;
    good.name = "front cam";  // Stored as front_cam.
    good.url = server_.snapshot_url();
    good.delay_s = 0.1;
    good.transform.rotation = Rotation::cw90;
    CameraConfig broken;
    broken.name = "broken";
    broken.url = "http://127.0.0.1:1/snapshot";
    broken.timeout_s = 0.5;
    CameraConfig disabled = good;
    disabled.name = "disabled";
    disabled.enabled = false;
    settings.cameras = {good, broken, disabled};
    settings.frames_directory = directory_ / "frames";
    settings.videos_directory = directory_ / "videos";
    settings.video_stem = "cube";
    settings.planned_snapshots = 4;
    settings.render.fps = 4.0;
    settings.policy = FramePolicy::archive;
    EXPECT_DOUBLE_EQ(longest_capture_s(settings.cameras), 5.1);  // The good one: 0.1 s + 5 s.
    TimelapseCapture capture(settings);
    for (std::uint32_t n = 1; n <= 4; ++n) {
        FrameInfo info;
        info.snapshot = n;
        info.layer = n * 10;
        info.z_mm = 0.2 * n;
        const auto parked = Clock::now();
        const SnapshotReport report = capture.capture(info, parked);
        EXPECT_GE(Clock::now() - parked, std::chrono::milliseconds(100));  // The good delay.
        EXPECT_FALSE(report.status.ok());
        ASSERT_EQ(report.cameras.size(), 2u);
        EXPECT_TRUE(ok(report.cameras[0].status));
        EXPECT_FALSE(report.cameras[1].status.ok());
        EXPECT_NE(message_of(report.status).find("camera 'broken'"), std::string::npos)
            << message_of(report.status);
    }
    const std::vector<Frame> frames =
        strata::testing::value_of(load_frames(capture.frames_of("front cam")));
    ASSERT_EQ(frames.size(), 4u);
    EXPECT_EQ(frames[2].info.layer, 30u);
    EXPECT_GT(frames[2].info.captured_unix_s, 1.7e9);

    const std::vector<VideoOutcome> videos = capture.finish();
    ASSERT_EQ(videos.size(), 2u);
    EXPECT_TRUE(ok(videos[0].result.status));
    EXPECT_TRUE(ok(videos[0].frame_policy));
    EXPECT_EQ(videos[0].path, directory_ / "videos" / "cube_front_cam.mp4");
    EXPECT_EQ(videos[0].result.frames_written, 4u);
    EXPECT_EQ(videos[0].result.width, 120);  // The camera's rotation, applied when rendering.
    EXPECT_TRUE(fs::exists(videos[0].path));
    EXPECT_TRUE(fs::exists(directory_ / "videos" / "cube_front_cam.thumb.jpg"));
    EXPECT_FALSE(fs::exists(directory_ / "videos" / "cube_broken.thumb.jpg"));
    EXPECT_FALSE(videos[1].result.status.ok());
    EXPECT_EQ(message_of(videos[1].result.status), "no frames to render");
    // The archive policy ran for the camera whose video exists.
    EXPECT_TRUE(fs::exists(directory_ / "frames" / "front_cam.tar"));
    EXPECT_FALSE(fs::exists(directory_ / "frames" / "front_cam"));
    EXPECT_FALSE(fs::exists(directory_ / "frames" / "disabled"));
}

}  // namespace
