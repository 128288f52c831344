// The virtual camera and its HTTP server: the picture is a JPEG the camera code accepts both as a
// snapshot and from the MJPEG stream, the nozzle's dot lands on the pixel the projection says,
// a camera that follows Z keeps the nozzle's pixel when only Z changes (a fixed one does not),
// and finished extrusions show up in later pictures.
#include <stb_image.h>

#include <gtest/gtest.h>

#include <cmath>

#include "../support/result.hpp"
#include "strata/timelapse/camera.hpp"
#include "strata/timelapse/virtual_camera.hpp"

namespace {

using namespace strata::timelapse;
using strata::Result;
using strata::testing::ok;

struct Decoded {
    int width = 0;
    int height = 0;
    std::vector<unsigned char> rgb;
    [[nodiscard]] const unsigned char* at(int x, int y) const {
        return &rgb[(static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                     static_cast<std::size_t>(x)) *
                    3];
    }
};

Decoded decode(const std::string& jpeg) {
    Decoded image;
    int channels = 0;
    stbi_uc* pixels = stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(jpeg.data()),
                                            static_cast<int>(jpeg.size()), &image.width,
                                            &image.height, &channels, 3);
    if (pixels == nullptr) return image;
    image.rgb.assign(pixels, pixels + static_cast<std::size_t>(image.width) *
                                          static_cast<std::size_t>(image.height) * 3);
    stbi_image_free(pixels);
    return image;
}

std::array<double, 2> magenta_centre(const Decoded& image) {
    double sum_x = 0.0;
    double sum_y = 0.0;
    double count = 0.0;
    for (int y = 0; y < image.height; ++y)
        for (int x = 0; x < image.width; ++x) {
            const unsigned char* p = image.at(x, y);
            if (p[0] > 200 && p[1] < 90 && p[2] > 200) sum_x += x, sum_y += y, count += 1.0;
        }
    return count > 0.0 ? std::array<double, 2>{sum_x / count, sum_y / count}
                       : std::array<double, 2>{-1.0, -1.0};
}

const BedArea bed{0.0, 200.0, 0.0, 200.0};

TEST(VirtualCamera, TheNozzleIsWhereTheProjectionSays) {
    const VirtualCamera camera(bed, front_view(bed, 320, 240));
    for (const std::array<double, 3> nozzle :
         {std::array<double, 3>{100, 100, 5}, {40, 160, 20}, {170, 30, 1}}) {
        const Decoded image = decode(camera.snapshot_jpeg(nozzle));
        ASSERT_EQ(image.width, 320);
        const auto centre = magenta_centre(image);
        const auto expected = camera.nozzle_pixel(nozzle);
        EXPECT_LE(std::hypot(centre[0] - expected[0], centre[1] - expected[1]), 1.0)
            << "nozzle " << nozzle[0] << "," << nozzle[1] << "," << nozzle[2];
    }
}

TEST(VirtualCamera, OnlyACameraOnTheGantryKeepsTheNozzlesPixelWhenZChanges) {
    ViewPoint view = front_view(bed, 320, 240);
    const VirtualCamera fixed(bed, view);
    view.follows_z = true;
    const VirtualCamera gantry(bed, view);
    const auto low = magenta_centre(decode(gantry.snapshot_jpeg({60, 150, 0.4})));
    const auto high = magenta_centre(decode(gantry.snapshot_jpeg({60, 150, 30.0})));
    EXPECT_LE(std::hypot(low[0] - high[0], low[1] - high[1]), 1.0);
    const auto fixed_low = magenta_centre(decode(fixed.snapshot_jpeg({60, 150, 0.4})));
    const auto fixed_high = magenta_centre(decode(fixed.snapshot_jpeg({60, 150, 30.0})));
    EXPECT_GT(std::hypot(fixed_low[0] - fixed_high[0], fixed_low[1] - fixed_high[1]), 10.0);
}

TEST(VirtualCamera, FinishedExtrusionsAppearInLaterPictures) {
    VirtualCamera camera(bed, front_view(bed, 320, 240));
    const std::array<double, 3> away{190, 190, 50};
    const auto middle = camera.project({100, 100, 0.2});
    const auto x = static_cast<int>(std::lround(middle[0]));
    const auto y = static_cast<int>(std::lround(middle[1]));
    const auto is_filament = [](const unsigned char* p) { return p[0] > 200 && p[2] < 100; };
    EXPECT_FALSE(is_filament(decode(camera.snapshot_jpeg(away)).at(x, y)));
    camera.add_printed({{{80.0F, 100.0F, 0.2F}, {120.0F, 100.0F, 0.2F}}});
    EXPECT_TRUE(is_filament(decode(camera.snapshot_jpeg(away)).at(x, y)));
}

TEST(SnapshotServer, ServesTheCameraCodeBothAsSnapshotAndAsStream) {
    const VirtualCamera camera(bed, front_view(bed, 320, 240));
    SnapshotServer server([&camera] { return camera.snapshot_jpeg({100, 100, 5}); }, 20.0);
    std::string error;
    const strata::Status listening = server.start("127.0.0.1", 0);
    ASSERT_TRUE(listening) << listening.error().message;
    CameraConfig config;
    config.url = server.snapshot_url();
    Result<CapturedFrame> result = make_camera(config)->capture(Clock::now(), 1);
    ASSERT_TRUE(ok(result));
    EXPECT_EQ(decode(result->jpeg).width, 320);
    config.kind = CameraKind::mjpeg_stream;
    config.url = server.stream_url();
    const auto stream = make_camera(config);
    result = stream->capture(Clock::now(), 2);
    ASSERT_TRUE(ok(result));
    result = stream->capture(Clock::now(), 3);  // A later frame of the same stream.
    ASSERT_TRUE(ok(result));
    EXPECT_EQ(decode(result->jpeg).height, 240);
    server.stop();
}

}  // namespace
