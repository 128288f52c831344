// The renderer against ffprobe: synthetic JPEG frames rendered to MP4, WebM and GIF, and the
// container read back by FFmpeg's own prober (codec, frame count, frame rate, duration with the
// pre- and post-roll), plus the errors a bad frame directory gives.
#include <stb_image_write.h>

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "../support/test_directory.hpp"
#include "strata/timelapse/render.hpp"

namespace {

namespace fs = std::filesystem;
using namespace strata::timelapse;

class Render : public ::testing::Test {
  protected:
    void SetUp() override {
        directory_ = strata::testing::test_directory("strata_render_");
        fs::create_directories(directory_ / "frames");
    }
    void TearDown() override { fs::remove_all(directory_); }

    // `count` frames of `width`×`height`: a square moving across a gradient, so each differs.
    void write_frames(int count, int width, int height) {
        std::vector<unsigned char> rgb(static_cast<std::size_t>(width * height * 3));
        for (int frame = 0; frame < count; ++frame) {
            for (int y = 0; y < height; ++y) {
                for (int x = 0; x < width; ++x) {
                    const bool square = x / 8 == frame % (width / 8) && y < 16;
                    unsigned char* pixel =
                        &rgb[(static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                              static_cast<std::size_t>(x)) *
                             3];
                    pixel[0] = square ? 255 : static_cast<unsigned char>(x * 255 / width);
                    pixel[1] = square ? 255 : static_cast<unsigned char>(y * 255 / height);
                    pixel[2] = 64;
                }
            }
            char name[32];
            std::snprintf(name, sizeof name, "%06d.jpg", frame);
            ASSERT_NE(stbi_write_jpg((directory_ / "frames" / name).c_str(), width, height, 3,
                                     rgb.data(), 90),
                      0);
        }
    }

    // ffprobe's view of the first video stream and the container, as key=value pairs.
    static std::map<std::string, std::string> probe(const fs::path& video) {
        const std::string command =
            "ffprobe -v error -count_frames -select_streams v:0 -show_entries "
            "stream=codec_name,nb_read_frames,r_frame_rate,width,height,pix_fmt:format=duration "
            "-of default=noprint_wrappers=1 '" +
            video.string() + "'";
        std::map<std::string, std::string> fields;
        FILE* pipe = ::popen(command.c_str(), "r");
        if (pipe == nullptr) return fields;
        std::array<char, 256> line{};
        while (std::fgets(line.data(), line.size(), pipe) != nullptr) {
            std::string text(line.data());
            while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
                text.pop_back();
            const std::size_t equals = text.find('=');
            if (equals != std::string::npos)
                fields[text.substr(0, equals)] = text.substr(equals + 1);
        }
        ::pclose(pipe);
        return fields;
    }

    fs::path directory_;
};

TEST_F(Render, Mp4WithPreAndPostRollIsExactlyAsAsked) {
    write_frames(24, 96, 64);
    RenderOptions options;
    options.fps = 12.0;
    options.pre_roll_s = 0.5;    // 6 copies of the first frame.
    options.post_roll_s = 0.25;  // 3 copies of the last.
    const fs::path video = directory_ / "out.mp4";
    const RenderResult result = render_frames(frame_files(directory_ / "frames"), video, options);
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
    RenderResult result = render_frames(frame_files(directory_ / "frames"), webm, options);
    ASSERT_TRUE(result.ok) << result.error;
    auto fields = probe(webm);
    EXPECT_EQ(fields["codec_name"], "vp9");
    EXPECT_EQ(fields["nb_read_frames"], "10");
    EXPECT_EQ(fields["r_frame_rate"], "10/1");
    EXPECT_NEAR(std::stod(fields["duration"]), 1.0, 1e-3);

    options.format = VideoFormat::gif;
    const fs::path gif = directory_ / "out.gif";
    result = render_frames(frame_files(directory_ / "frames"), gif, options);
    ASSERT_TRUE(result.ok) << result.error;
    fields = probe(gif);
    EXPECT_EQ(fields["codec_name"], "gif");
    EXPECT_EQ(fields["nb_read_frames"], "10");
    EXPECT_NEAR(std::stod(fields["duration"]), 1.0, 1e-3);
}

TEST_F(Render, AnOddSizeLosesItsLastRowAndColumn) {
    write_frames(3, 65, 49);
    const fs::path video = directory_ / "odd.mp4";
    const RenderResult result = render_frames(frame_files(directory_ / "frames"), video, {});
    ASSERT_TRUE(result.ok) << result.error;
    auto fields = probe(video);
    EXPECT_EQ(fields["width"], "64");
    EXPECT_EQ(fields["height"], "48");
}

TEST_F(Render, BadFramesAreNamedAndLeaveNoVideo) {
    write_frames(4, 64, 48);
    const fs::path video = directory_ / "out.mp4";
    std::ofstream(directory_ / "frames" / "000002.jpg") << "not a jpeg";
    RenderResult result = render_frames(frame_files(directory_ / "frames"), video, {});
    EXPECT_FALSE(result.ok);
    EXPECT_NE(result.error.find("000002.jpg"), std::string::npos) << result.error;
    EXPECT_FALSE(fs::exists(video));
    EXPECT_FALSE(fs::exists(video.string() + ".partial"));

    write_frames(4, 64, 48);
    fs::remove(directory_ / "frames" / "000003.jpg");
    std::vector<unsigned char> small(std::size_t{32} * 32 * 3, 128);
    stbi_write_jpg((directory_ / "frames" / "000003.jpg").c_str(), 32, 32, 3, small.data(), 90);
    result = render_frames(frame_files(directory_ / "frames"), video, {});
    EXPECT_FALSE(result.ok);
    EXPECT_NE(result.error.find("000003.jpg: 32x32, the first frame is 64x48"), std::string::npos)
        << result.error;

    result = render_frames({}, video, {});
    EXPECT_EQ(result.error, "no frames to render");
    RenderOptions options;
    options.fps = 0.0;
    result = render_frames(frame_files(directory_ / "frames"), video, options);
    EXPECT_NE(result.error.find("fps must be"), std::string::npos);
}

}  // namespace
