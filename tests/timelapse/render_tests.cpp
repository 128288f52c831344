// The renderer against ffprobe: synthetic JPEG frames rendered to MP4, WebM and GIF, and the
// container read back by FFmpeg's own prober (codec, frame count, frame rate, duration with the
// pre- and post-roll), plus the errors a bad frame directory gives.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

#include "render_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using namespace strata::timelapse;
using Render = strata::testing::RenderFixture;

TEST_F(Render, Mp4WithPreAndPostRollIsExactlyAsAsked) {
    write_frames(24, 96, 64);
    RenderOptions options;
    options.fps = 12.0;
    options.pre_roll_s = 0.5;    // 6 copies of the first frame.
    options.post_roll_s = 0.25;  // 3 copies of the last.
    const fs::path video = directory_ / "out.mp4";
    const RenderResult result = render_frames(frames_in(directory_ / "frames"), video, options);
    ASSERT_TRUE(result.ok) << result.error;
    EXPECT_EQ(result.frames_read, 24u);
    EXPECT_EQ(result.frames_written, 33u);
    auto fields = probe(video);
    EXPECT_EQ(fields["codec_name"], "h264");
    EXPECT_EQ(fields["pix_fmt"], "yuv420p");
    EXPECT_EQ(fields["width"], "96");
    EXPECT_EQ(fields["height"], "64");
    EXPECT_EQ(fields["nb_read_frames"], "33");
    EXPECT_EQ(fields["r_frame_rate"], "12/1");
    EXPECT_NEAR(std::stod(fields["duration"]), 33.0 / 12.0, 1e-3);
    EXPECT_FALSE(fs::exists(video.string() + ".partial"));
    // Decoded: frames 0-6 are the first frame (6 of pre-roll), 7 the second, 30-32 the last.
    const auto changed = [&](int a, int b) {
        const auto first = decode_frame(video, a, 96, 64);
        const auto second = decode_frame(video, b, 96, 64);
        EXPECT_FALSE(first.empty() || second.empty());
        int count = 0;
        for (std::size_t i = 0; i < std::min(first.size(), second.size()); ++i)
            if (std::abs(first[i] - second[i]) > 60) ++count;
        return count;
    };
    EXPECT_EQ(changed(0, 6), 0);
    EXPECT_GT(changed(6, 7), 100);
    EXPECT_EQ(changed(29, 32), 0);
    EXPECT_GT(changed(28, 29), 100);
    // Faststart: the index (moov) before the media (mdat), so a browser plays it while loading.
    std::ifstream file(video, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(file)), {});
    ASSERT_NE(bytes.find("moov"), std::string::npos);
    EXPECT_LT(bytes.find("moov"), bytes.find("mdat"));
}

TEST_F(Render, WebmAndGifToo) {
    write_frames(10, 64, 48);
    RenderOptions options;
    options.fps = 10.0;
    options.format = VideoFormat::webm_vp9;
    const fs::path webm = directory_ / "out.webm";
    RenderResult result = render_frames(frames_in(directory_ / "frames"), webm, options);
    ASSERT_TRUE(result.ok) << result.error;
    auto fields = probe(webm);
    EXPECT_EQ(fields["codec_name"], "vp9");
    EXPECT_EQ(fields["nb_read_frames"], "10");
    EXPECT_EQ(fields["r_frame_rate"], "10/1");
    EXPECT_NEAR(std::stod(fields["duration"]), 1.0, 1e-3);

    options.format = VideoFormat::gif;
    const fs::path gif = directory_ / "out.gif";
    result = render_frames(frames_in(directory_ / "frames"), gif, options);
    ASSERT_TRUE(result.ok) << result.error;
    fields = probe(gif);
    EXPECT_EQ(fields["codec_name"], "gif");
    EXPECT_EQ(fields["nb_read_frames"], "10");
    EXPECT_NEAR(std::stod(fields["duration"]), 1.0, 1e-3);
}

TEST_F(Render, AnOddSizeLosesItsLastRowAndColumn) {
    write_frames(3, 65, 49);
    const fs::path video = directory_ / "odd.mp4";
    const RenderResult result = render_frames(frames_in(directory_ / "frames"), video, {});
    ASSERT_TRUE(result.ok) << result.error;
    auto fields = probe(video);
    EXPECT_EQ(fields["width"], "64");
    EXPECT_EQ(fields["height"], "48");
}

// A cancel (the server stopping) ends the render at the next frame and leaves nothing behind.
TEST_F(Render, ACancelledRenderStopsAtTheNextFrameAndLeavesNoFile) {
    write_frames(8, 64, 48);
    const fs::path video = directory_ / "out.mp4";
    std::atomic<bool> cancel{true};
    RenderResult result = render_frames(frames_in(directory_ / "frames"), video, {}, &cancel);
    EXPECT_FALSE(result.ok);
    EXPECT_EQ(result.error, "cancelled");
    EXPECT_FALSE(fs::exists(video));

    // Mid-way: frame 5 is a pipe that holds the decoder until the video's partial file exists
    // and the cancel is set, so the render cannot have finished first.
    std::vector<Frame> frames = frames_in(directory_ / "frames");
    std::ifstream original(frames[5].path, std::ios::binary);
    const std::string jpeg{std::istreambuf_iterator<char>(original), {}};
    const fs::path pipe = directory_ / "pipe.jpg";
    ASSERT_EQ(::mkfifo(pipe.c_str(), 0600), 0);
    frames[5].path = pipe;
    cancel = false;
    std::atomic<bool> returned{false};
    std::thread feeder([&] {
        const fs::path partial = video.string() + ".partial";
        for (int i = 0; i < 2000 && !fs::exists(partial); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        cancel = true;
        // The frame is handed over once a decoder opens the pipe; if none ever does (the
        // render stopped before it got there), nobody waits for it.
        while (!returned) {
            const int fd = ::open(pipe.c_str(), O_WRONLY | O_NONBLOCK);
            if (fd < 0) {
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
                continue;
            }
            EXPECT_EQ(::write(fd, jpeg.data(), jpeg.size()), static_cast<ssize_t>(jpeg.size()));
            ::close(fd);
            return;
        }
    });
    result = render_frames(frames, video, {}, &cancel);
    returned = true;
    feeder.join();
    EXPECT_FALSE(result.ok);
    EXPECT_EQ(result.error, "cancelled");
    EXPECT_FALSE(fs::exists(video));
    EXPECT_FALSE(fs::exists(video.string() + ".partial"));
}

TEST_F(Render, BadFramesAreNamedAndLeaveNoVideo) {
    write_frames(4, 64, 48);
    const fs::path video = directory_ / "out.mp4";
    std::ofstream(directory_ / "frames" / "000002.jpg") << "not a jpeg";
    RenderResult result = render_frames(frames_in(directory_ / "frames"), video, {});
    EXPECT_FALSE(result.ok);
    EXPECT_NE(result.error.find("000002.jpg"), std::string::npos) << result.error;
    EXPECT_FALSE(fs::exists(video));
    EXPECT_FALSE(fs::exists(video.string() + ".partial"));

    write_frames(4, 64, 48);
    fs::remove(directory_ / "frames" / "000003.jpg");
    std::vector<unsigned char> small(std::size_t{32} * 32 * 3, 128);
    stbi_write_jpg((directory_ / "frames" / "000003.jpg").c_str(), 32, 32, 3, small.data(), 90);
    result = render_frames(frames_in(directory_ / "frames"), video, {});
    EXPECT_FALSE(result.ok);
    EXPECT_NE(result.error.find("000003.jpg: 32x32, the first frame is 64x48"), std::string::npos)
        << result.error;

    result = render_frames({}, video, {});
    EXPECT_EQ(result.error, "no frames to render");
    RenderOptions options;
    options.fps = 0.0;
    result = render_frames(frames_in(directory_ / "frames"), video, options);
    EXPECT_NE(result.error.find("fps must be"), std::string::npos) << result.error;
}

}  // namespace
