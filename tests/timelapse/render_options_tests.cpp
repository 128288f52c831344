// Each render option checked on the output: the fixed-length frame rate with its clamps (by
// ffprobe), rotation and flips (by where a marker lands in the decoded frame), the text overlay
// (by the pixels it changes), the thumbnail, and the incremental render against the one-shot.
#include <stb_image.h>

#include "../support/result.hpp"
#include "render_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using namespace strata::timelapse;
using strata::testing::ok;

class RenderOptionsTest : public strata::testing::RenderFixture {
  protected:
    // `count` marker frames with metadata rows: frame i is snapshot i+1 on layer i+1.
    void store_marker_frames(int count, int width, int height) {
        FrameWriter writer(directory_ / "frames");
        std::string error;
        for (int i = 0; i < count; ++i) {
            FrameInfo info;
            info.snapshot = static_cast<std::uint32_t>(i + 1);
            info.layer = static_cast<std::uint32_t>(i + 1);
            info.z_mm = 0.2 * (i + 1);
            info.elapsed_s = 60.0 * i;
            ASSERT_TRUE(strata::testing::ok(writer.add(marker_jpeg(width, height, 40), info)));
        }
    }

    RenderResult render(const RenderOptions& options, const fs::path& video) {
        return render_frames(frames_in(directory_ / "frames"), video, options);
    }
};

TEST_F(RenderOptionsTest, FixedLengthPicksTheRateAndKeepsItWithinTheLimits) {
    write_frames(24, 64, 48);
    RenderOptions options;
    options.run_length_s = 2.0;  // 24 frames in 2 s: 12 fps.
    options.post_roll_s = 0.5;   // 6 more frames at that rate.
    const fs::path video = directory_ / "length.mp4";
    RenderResult result = render(options, video);
    ASSERT_TRUE(ok(result.status));
    auto fields = probe(video);
    EXPECT_EQ(fields["r_frame_rate"], "12/1");
    EXPECT_EQ(fields["nb_read_frames"], "30");
    EXPECT_NEAR(std::stod(fields["duration"]), 2.5, 1e-3);

    options.run_length_s = 60.0;  // 0.4 fps asked: held at min_fps.
    options.min_fps = 4.0;
    options.post_roll_s = 0.0;
    result = render(options, video);
    ASSERT_TRUE(ok(result.status));
    fields = probe(video);
    EXPECT_EQ(fields["r_frame_rate"], "4/1");
    EXPECT_NEAR(std::stod(fields["duration"]), 6.0, 1e-3);

    options.run_length_s = 0.5;  // 48 fps asked: held at max_fps.
    options.max_fps = 16.0;
    result = render(options, video);
    ASSERT_TRUE(ok(result.status));
    fields = probe(video);
    EXPECT_EQ(fields["r_frame_rate"], "16/1");
    EXPECT_NEAR(std::stod(fields["duration"]), 1.5, 1e-3);
    EXPECT_DOUBLE_EQ(frame_rate_for(options, 24), 16.0);
}

// Where the red block's centre is in frame 0 of `video` (width×height), as fractions.
std::pair<double, double> marker_position(const std::vector<unsigned char>& rgb, int width,
                                          int height) {
    double sum_x = 0.0;
    double sum_y = 0.0;
    int count = 0;
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            const unsigned char* pixel = &rgb[strata::testing::offset_of(x, y, width)];
            if (pixel[0] > 150 && pixel[1] < 100 && pixel[2] < 100) {
                sum_x += x, sum_y += y, ++count;
            }
        }
    if (count == 0) return {-1.0, -1.0};
    return {sum_x / count / width, sum_y / count / height};
}

TEST_F(RenderOptionsTest, RotationsAndFlipsPutTheCornerWhereTheyShould) {
    store_marker_frames(2, 64, 48);
    struct Case {
        ImageTransform transform;
        int width, height;
        bool right, bottom;
    };
    const Case cases[] = {
        {{Rotation::none, false, false}, 64, 48, false, false},
        {{Rotation::cw90, false, false}, 48, 64, true, false},
        {{Rotation::cw180, false, false}, 64, 48, true, true},
        {{Rotation::cw270, false, false}, 48, 64, false, true},
        {{Rotation::none, true, false}, 64, 48, true, false},
        {{Rotation::none, false, true}, 64, 48, false, true},
        {{Rotation::cw90, true, false}, 48, 64, false, false},
    };
    for (const Case& c : cases) {
        RenderOptions options;
        options.fps = 10.0;
        options.crf = 10;
        options.transform = c.transform;
        const fs::path video = directory_ / "turned.mp4";
        const RenderResult result = render(options, video);
        ASSERT_TRUE(ok(result.status));
        auto fields = probe(video);
        EXPECT_EQ(fields["width"], std::to_string(c.width));
        EXPECT_EQ(fields["height"], std::to_string(c.height));
        const auto rgb = decode_frame(video, 0, c.width, c.height);
        ASSERT_FALSE(rgb.empty());
        const auto [x, y] = marker_position(rgb, c.width, c.height);
        ASSERT_GE(x, 0.0) << "no marker";
        EXPECT_EQ(x > 0.5, c.right) << "rotation " << static_cast<int>(c.transform.rotation);
        EXPECT_EQ(y > 0.5, c.bottom) << "rotation " << static_cast<int>(c.transform.rotation);
    }
}

// Pixels brighter than the dark background in the rectangle [x0,x1)×[y0,y1).
int bright_pixels(const std::vector<unsigned char>& rgb, int width, int x0, int y0, int x1,
                  int y1) {
    int count = 0;
    for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x)
            if (rgb[strata::testing::offset_of(x, y, width) + 1] > 160) ++count;
    return count;
}

TEST_F(RenderOptionsTest, TheOverlayWritesEachFramesOwnText) {
    store_marker_frames(2, 320, 240);
    RenderOptions options;
    options.fps = 10.0;
    options.crf = 10;
    options.overlay.text_template = "Layer {layer} Z {height} mm {elapsed}";
    options.overlay.font_px = 20;
    const fs::path video = directory_ / "overlay.mp4";
    const RenderResult result = render(options, video);
    ASSERT_TRUE(ok(result.status));
    const auto first = decode_frame(video, 0, 320, 240);
    const auto second = decode_frame(video, 1, 320, 240);
    ASSERT_FALSE(first.empty());
    ASSERT_FALSE(second.empty());
    // White text in the bottom-left corner, nothing bright anywhere above it.
    EXPECT_GT(bright_pixels(first, 320, 0, 180, 320, 240), 200);
    EXPECT_EQ(bright_pixels(first, 320, 0, 0, 320, 180), 0);
    // Layer 1 at 0.20 mm and 0:00:00, then layer 2 at 0.40 mm and 0:01:00: other glyphs.
    int differing = 0;
    for (std::size_t i = 0; i < first.size(); i += 3)
        if (std::abs(first[i + 1] - second[i + 1]) > 100) ++differing;
    EXPECT_GT(differing, 50);
}

TEST_F(RenderOptionsTest, OverlayAndRateMistakesAreNamed) {
    RenderOptions options;
    const auto refusal = [](const RenderOptions& checked) {
        const strata::Status valid = validate(checked);
        return valid ? std::string("valid") : valid.error().message;
    };
    options.overlay.text_template = "{layer} {speed}";
    EXPECT_NE(refusal(options).find("unknown token {speed}"), std::string::npos);
    options.overlay.text_template = "{layer}";
    options.overlay.font_path = "/nonexistent/font.ttf";
    EXPECT_NE(refusal(options).find("/nonexistent/font.ttf"), std::string::npos);
    options = {};
    options.run_length_s = 10.0;
    options.min_fps = 30.0;
    options.max_fps = 20.0;
    EXPECT_NE(refusal(options).find("min_fps"), std::string::npos);
}

TEST_F(RenderOptionsTest, TheThumbnailIsTheLastFrameScaledDown) {
    store_marker_frames(3, 96, 64);
    RenderOptions options;
    options.thumbnail = directory_ / "thumb.jpg";
    options.thumbnail_width = 48;
    options.transform.rotation = Rotation::cw180;
    const RenderResult result = render(options, directory_ / "video.mp4");
    ASSERT_TRUE(ok(result.status));
    int width = 0;
    int height = 0;
    int channels = 0;
    stbi_uc* pixels = stbi_load(options.thumbnail.c_str(), &width, &height, &channels, 3);
    ASSERT_NE(pixels, nullptr);
    const std::vector<unsigned char> rgb(pixels,
                                         pixels + strata::testing::offset_of(0, height, width));
    stbi_image_free(pixels);
    EXPECT_EQ(width, 48);
    EXPECT_EQ(height, 32);
    const auto [x, y] = marker_position(rgb, width, height);
    EXPECT_GT(x, 0.5);  // Rotated like the video: the marker in the bottom-right corner.
    EXPECT_GT(y, 0.5);
}

TEST_F(RenderOptionsTest, AnIncrementalRenderGivesTheOneShotsVideo) {
    store_marker_frames(20, 64, 48);
    const std::vector<Frame> frames = frames_in(directory_ / "frames");
    RenderOptions options;
    options.run_length_s = 2.0;  // 20 planned frames: 10 fps.
    options.pre_roll_s = 0.3;
    options.post_roll_s = 0.5;
    const fs::path video = directory_ / "live.mp4";
    IncrementalRender live(video, options, frames.size());
    for (const Frame& frame : frames)
        live.add(frame);
    const RenderResult result = live.finish();
    ASSERT_TRUE(ok(result.status));
    EXPECT_EQ(result.frames_written, 28u);
    auto fields = probe(video);
    EXPECT_EQ(fields["r_frame_rate"], "10/1");
    EXPECT_EQ(fields["nb_read_frames"], "28");
    EXPECT_NEAR(std::stod(fields["duration"]), 2.8, 1e-3);
    EXPECT_FALSE(fs::exists(video.string() + ".partial"));
}

TEST_F(RenderOptionsTest, AnIncrementalRenderWithFewerFramesThanPlannedRendersAgain) {
    store_marker_frames(10, 64, 48);
    const std::vector<Frame> frames = frames_in(directory_ / "frames");
    RenderOptions options;
    options.run_length_s = 2.0;  // 40 planned: 20 fps; the 10 that came play at 5.
    const fs::path video = directory_ / "short.mp4";
    IncrementalRender live(video, options, 40);
    for (const Frame& frame : frames)
        live.add(frame);
    const RenderResult result = live.finish();
    ASSERT_TRUE(ok(result.status));
    auto fields = probe(video);
    EXPECT_EQ(fields["r_frame_rate"], "5/1");
    EXPECT_EQ(fields["nb_read_frames"], "10");
    EXPECT_NEAR(std::stod(fields["duration"]), 2.0, 1e-3);
}

}  // namespace
