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

#include "../support/result.hpp"
#include "render_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using namespace strata::timelapse;
using strata::ErrorCode;
using strata::testing::message_of;
using strata::testing::ok;
using Render = strata::testing::RenderFixture;

TEST_F(Render, Mp4WithPreAndPostRollIsExactlyAsAsked) {
    write_frames(24, 96, 64);
    RenderOptions options;
    options.fps = 12.0;
    options.pre_roll_s = 0.5;    // 6 copies of the first frame.
    options.post_roll_s = 0.25;  // 3 copies of the last.
    const fs::path video = directory_ / "out.mp4";
    const RenderResult result = render_frames(frames_in(directory_ / "frames"), video, options);
    ASSERT_TRUE(ok(result.status));
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
    ASSERT_TRUE(ok(result.status));
    auto fields = probe(webm);
    EXPECT_EQ(fields["codec_name"], "vp9");
    EXPECT_EQ(fields["nb_read_frames"], "10");
    EXPECT_EQ(fields["r_frame_rate"], "10/1");
    EXPECT_NEAR(std::stod(fields["duration"]), 1.0, 1e-3);

    options.format = VideoFormat::gif;
    const fs::path gif = directory_ / "out.gif";
    result = render_frames(frames_in(directory_ / "frames"), gif, options);
    ASSERT_TRUE(ok(result.status));
    fields = probe(gif);
    EXPECT_EQ(fields["codec_name"], "gif");
    EXPECT_EQ(fields["nb_read_frames"], "10");
    EXPECT_NEAR(std::stod(fields["duration"]), 1.0, 1e-3);
}

TEST_F(Render, AnOddSizeLosesItsLastRowAndColumn) {
    write_frames(3, 65, 49);
    const fs::path video = directory_ / "odd.mp4";
    const RenderResult result = render_frames(frames_in(directory_ / "frames"), video, {});
    ASSERT_TRUE(ok(result.status));
    auto fields = probe(video);
    EXPECT_EQ(fields["width"], "64");
    EXPECT_EQ(fields["height"], "48");
}

// A frame that holds its decoder: its path is replaced by a pipe, which is handed the frame's
// bytes only once `partial` exists and `cancel` is set, so a render is provably mid-way when it
// is cancelled. If no decoder ever opens the pipe (the render stopped before it got there),
// nobody waits for it.
class HeldFrame {
  public:
    HeldFrame(Frame& frame, const fs::path& pipe, const fs::path& partial,
              std::atomic<bool>& cancel) {
        std::ifstream original(frame.path, std::ios::binary);
        jpeg_.assign(std::istreambuf_iterator<char>(original), {});
        EXPECT_EQ(::mkfifo(pipe.c_str(), 0600), 0);
        frame.path = pipe;
        feeder_ = std::thread([this, pipe, partial, &cancel] {
            for (int i = 0; i < 2000 && !fs::exists(partial); ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            cancel = true;
            while (!released_) {
                const int fd = ::open(pipe.c_str(), O_WRONLY | O_NONBLOCK);
                if (fd < 0) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
                    continue;
                }
                EXPECT_EQ(::write(fd, jpeg_.data(), jpeg_.size()),
                          static_cast<ssize_t>(jpeg_.size()));
                ::close(fd);
                return;
            }
        });
    }
    HeldFrame(const HeldFrame&) = delete;
    HeldFrame& operator=(const HeldFrame&) = delete;
    /// The render returned: the feeder stops waiting for a decoder.
    ~HeldFrame() {
        released_ = true;
        feeder_.join();
    }

  private:
    std::string jpeg_;
    std::atomic<bool> released_{false};
    std::thread feeder_;
};

// A cancel (the server stopping) ends the render at the next frame and leaves nothing behind.
TEST_F(Render, ACancelledRenderStopsAtTheNextFrameAndLeavesNoFile) {
    write_frames(8, 64, 48);
    const fs::path video = directory_ / "out.mp4";
    std::atomic<bool> cancel{true};
    RenderResult result = render_frames(frames_in(directory_ / "frames"), video, {}, &cancel);
    ASSERT_FALSE(result.status.ok());
    EXPECT_EQ(result.status.error().message, "cancelled");
    EXPECT_EQ(result.status.error().code, ErrorCode::cancelled);
    EXPECT_FALSE(fs::exists(video));

    std::vector<Frame> frames = frames_in(directory_ / "frames");
    cancel = false;
    {
        const HeldFrame held(frames[5], directory_ / "pipe.jpg", video.string() + ".partial",
                             cancel);
        result = render_frames(frames, video, {}, &cancel);
    }
    ASSERT_FALSE(result.status.ok());
    EXPECT_EQ(result.status.error().message, "cancelled");
    EXPECT_EQ(result.status.error().code, ErrorCode::cancelled);
    EXPECT_FALSE(fs::exists(video));
    EXPECT_FALSE(fs::exists(video.string() + ".partial"));
}

// The same for a render made while the print runs: cancelled with frames still queued (the
// print cut short, so `finish` would otherwise render them all again at another frame rate),
// it encodes no further frame and leaves no video.
TEST_F(Render, ACancelledIncrementalRenderEndsWithoutAVideo) {
    write_frames(12, 64, 48);
    std::vector<Frame> frames = frames_in(directory_ / "frames");
    const fs::path video = directory_ / "live.mp4";
    std::atomic<bool> cancel{false};
    RenderResult result;
    {
        const HeldFrame held(frames[5], directory_ / "pipe.jpg", video.string() + ".partial",
                             cancel);
        IncrementalRender live(video, {}, 40, &cancel);
        for (const Frame& frame : frames)
            live.add(frame);
        result = live.finish();
    }
    ASSERT_FALSE(result.status.ok());
    EXPECT_EQ(result.status.error().message, "cancelled");
    EXPECT_EQ(result.status.error().code, ErrorCode::cancelled);
    EXPECT_FALSE(fs::exists(video));
    EXPECT_FALSE(fs::exists(video.string() + ".partial"));
    // The frames are all still there, for a render later.
    EXPECT_EQ(frames_in(directory_ / "frames").size(), 12u);
}

TEST_F(Render, BadFramesAreNamedAndLeaveNoVideo) {
    write_frames(4, 64, 48);
    const fs::path video = directory_ / "out.mp4";
    std::ofstream(directory_ / "frames" / "000002.jpg") << "not a jpeg";
    RenderResult result = render_frames(frames_in(directory_ / "frames"), video, {});
    EXPECT_FALSE(result.status.ok());
    EXPECT_NE(message_of(result.status).find("000002.jpg"), std::string::npos)
        << message_of(result.status);
    EXPECT_FALSE(fs::exists(video));
    EXPECT_FALSE(fs::exists(video.string() + ".partial"));

    write_frames(4, 64, 48);
    fs::remove(directory_ / "frames" / "000003.jpg");
    std::vector<unsigned char> small(std::size_t{32} * 32 * 3, 128);
    stbi_write_jpg((directory_ / "frames" / "000003.jpg").c_str(), 32, 32, 3, small.data(), 90);
    result = render_frames(frames_in(directory_ / "frames"), video, {});
    EXPECT_FALSE(result.status.ok());
    EXPECT_NE(message_of(result.status).find("000003.jpg: 32x32, the first frame is 64x48"),
              std::string::npos)
        << message_of(result.status);

    result = render_frames({}, video, {});
    EXPECT_EQ(message_of(result.status), "no frames to render");
    RenderOptions options;
    options.fps = 0.0;
    result = render_frames(frames_in(directory_ / "frames"), video, options);
    EXPECT_NE(message_of(result.status).find("fps must be"), std::string::npos)
        << message_of(result.status);
}

}  // namespace
