// Recordings without the HTTP server: stopping the server while a recording is re-rendered
// cancels the render at its next frame, rather than waiting out the encode, and leaves the
// recording unrendered with no video or partial file.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "../support/result.hpp"
#include "../support/test_directory.hpp"
#include "strata/server/recordings.hpp"
#include "strata/timelapse/virtual_camera.hpp"

namespace strata::server {
namespace {

namespace fs = std::filesystem;

// Hands each pipe its JPEG once `allowed` is set and a reader has opened it, until `done`.
void feed_pipes(const std::vector<fs::path>& pipes, const std::string& jpeg,
                const std::atomic<bool>& allowed, const std::atomic<bool>& done) {
    while (!allowed && !done)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::vector<bool> fed(pipes.size(), false);  // `pipes` is complete once `allowed` is set.
    while (!done) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        for (std::size_t i = 0; i < pipes.size(); ++i) {
            if (fed[i]) continue;
            const int fd = ::open(pipes[i].c_str(), O_WRONLY | O_NONBLOCK);
            if (fd < 0) continue;  // No reader yet.
            const ssize_t written = ::write(fd, jpeg.data(), jpeg.size());
            EXPECT_EQ(written, static_cast<ssize_t>(jpeg.size()));
            ::close(fd);
            fed[i] = true;
        }
    }
}

TEST(RecordingsShutdown, StoppingCancelsARenderInProgressAndLeavesItUnrendered) {
    const fs::path directory = testing::test_directory("strata_recordings_");
    fs::remove_all(directory);
    fs::create_directories(directory);
    const fs::path timelapse = directory / "timelapse";
    Store store;
    std::string error;
    ASSERT_TRUE(store.open(directory / "strata.db").ok());
    EventHub events(store);

    const timelapse::BedArea bed;
    const timelapse::VirtualCamera camera(bed, timelapse::front_view(bed, 160, 120));
    const std::string jpeg = camera.snapshot_jpeg({100, 100, 5});
    timelapse::FrameWriter writer(timelapse / "frames" / "cube" / "cam");
    constexpr std::uint32_t frame_count = 600;
    for (std::uint32_t i = 0; i < frame_count; ++i)
        ASSERT_TRUE(strata::testing::ok(writer.add(jpeg, timelapse::FrameInfo{i + 1, i + 1})));

    std::vector<fs::path> pipes;  // Filled before `allowed` is set.
    std::atomic<bool> allowed{false};
    std::atomic<bool> done{false};
    std::thread feeder([&] { feed_pipes(pipes, jpeg, allowed, done); });
    fs::path video;
    {
        Recordings recordings(timelapse, store, events);
        video = recordings.video_path("cube_cam", timelapse::VideoFormat::mp4_h264);
        ASSERT_TRUE(strata::testing::ok(recordings.render("cube_cam", {})));
        const fs::path partial = video.string() + ".partial";
        for (int i = 0; i < 2000 && !fs::exists(partial); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        ASSERT_TRUE(fs::exists(partial)) << "the render never began";
        // From frame 60 on, each frame becomes a pipe (renamed over it: the render has listed
        // its frames already) that the render's decoder blocks on until the test lets it
        // through, so the render is certainly in progress when the server stops.
        for (std::uint32_t i = 60; i < frame_count; ++i) {
            const fs::path pipe = directory / "pipe";
            ASSERT_EQ(::mkfifo(pipe.c_str(), 0600), 0);
            fs::rename(pipe, writer.path_of(i));
            pipes.push_back(writer.path_of(i));
        }
        ASSERT_TRUE(recordings.rendering("cube_cam"));
        allowed = true;
    }  // The server stops here.
    done = true;
    feeder.join();

    EXPECT_FALSE(fs::exists(video));
    EXPECT_FALSE(fs::exists(video.string() + ".partial"));
    Recordings reopened(timelapse, store, events);
    const std::optional<Recording> recording = reopened.find("cube_cam");
    ASSERT_TRUE(recording);
    EXPECT_EQ(recording->video, "");
    fs::remove_all(directory);
}

}  // namespace
}  // namespace strata::server
