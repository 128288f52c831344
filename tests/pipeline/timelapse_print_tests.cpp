// Timelapses printed end to end with real parts. Stabilization proven on pixels: a corpus file is
// prepped with a fixed stabilization point, printed by the streamer on the virtual printer (a real
// pty), and captured at every snapshot over HTTP from the virtual camera, which draws the printer's
// real state. In every stored frame the nozzle's tip must sit on the same pixel (±1 px); in frames
// grabbed between snapshots, while the head prints, it must not. The frames also render
// incrementally into a video with a frame per snapshot. And a camera that fails at every snapshot
// is reported each time while the print runs to its end.
#include <stb_image.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <thread>

#include "../streamer/streaming_fixture.hpp"
#include "../support/result.hpp"
#include "../support/test_directory.hpp"
#include "strata/planner/prep.hpp"
#include "strata/timelapse/capture.hpp"
#include "virtual_webcam.hpp"

namespace {

namespace fs = std::filesystem;
using namespace strata;
using streamer::testing::Streaming;

// The centre of the nozzle-tip dot in a JPEG, or {-1, -1} when there is none.
std::array<double, 2> nozzle_centre(const std::string& jpeg) {
    int width = 0;
    int height = 0;
    int channels = 0;
    stbi_uc* pixels =
        stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(jpeg.data()),
                              static_cast<int>(jpeg.size()), &width, &height, &channels, 3);
    if (pixels == nullptr) return {-1.0, -1.0};
    double sum_x = 0.0;
    double sum_y = 0.0;
    double count = 0.0;
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            const stbi_uc* p = pixels + (static_cast<std::size_t>(y) * width + x) * 3;
            if (p[0] > 200 && p[1] < 90 && p[2] > 200) sum_x += x, sum_y += y, count += 1.0;
        }
    stbi_image_free(pixels);
    if (count < 10.0) return {-1.0, -1.0};
    return {sum_x / count, sum_y / count};
}

double distance(const std::array<double, 2>& a, const std::array<double, 2>& b) {
    return std::hypot(a[0] - b[0], a[1] - b[1]);
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST_F(Streaming, TheNozzleHoldsOnePixelInEveryCapturedFrameAndOnlyThere) {
    constexpr double park_x_mm = 60.0;
    constexpr double park_y_mm = 150.0;
    const Result<planner::TimelapseProfile> profile = planner::load_timelapse_profile(
        "{}", {R"(stabilization.x={"type":"fixed_mm","value":60})",
               R"(stabilization.y={"type":"fixed_mm","value":150})"});
    ASSERT_TRUE(profile.ok()) << strata::testing::message_of(profile);
    planner::PrepOptions prep;
    prep.profile = *profile;
    prep.input_path = streamer::testing::data_file("ps281_mini_cube_m486.gcode");
    prep.output_path = (directory_ / "job.gcode").string();
    prep.index_path = (directory_ / "job.gcode.index.json").string();
    const planner::PrepResult prepared = planner::prep_file(prep);
    ASSERT_TRUE(strata::testing::ok(prepared.status));
    const std::size_t planned = prepared.plan.snapshots.size();
    ASSERT_GE(planned, 20u);

    streamer::VirtualPrinterConfig printer_config;
    printer_config.time_scale = 0.02;
    start_printer(printer_config);
    timelapse::ViewPoint view = timelapse::front_view({0.0, 250.0, 0.0, 210.0}, 640, 480);
    view.follows_z = true;  // A camera on the gantry: the nozzle's pixel depends on X, Y only.
    cli::VirtualWebcam webcam(*printer_, {0.0, 250.0, 0.0, 210.0}, view);
    std::string error;
    const Status listening = webcam.start("127.0.0.1", 0);
    ASSERT_TRUE(listening) << listening.error().message;

    timelapse::CaptureSettings settings;
    timelapse::CameraConfig camera;
    camera.name = "virtual";
    camera.url = webcam.snapshot_url();
    camera.timeout_s = 30.0;  // Sanitizer builds draw and encode slowly; time is not tested here.
    settings.cameras = {camera};
    settings.frames_directory = directory_ / "frames";
    settings.videos_directory = directory_ / "videos";
    settings.planned_snapshots = planned;
    settings.render.run_length_s = 2.0;
    timelapse::TimelapseCapture capture(settings);

    streamer::StreamerConfig config;
    config.capture_timeout_s = 60.0;
    connect(config);
    std::atomic<bool> parked{false};
    streamer_->set_capture([&](std::uint32_t snapshot) -> Status {
        parked = true;
        timelapse::FrameInfo info;
        info.snapshot = snapshot;
        const timelapse::SnapshotReport report = capture.capture(info, timelapse::Clock::now());
        parked = false;
        return report.status;
    });

    // Between snapshots: frames grabbed over the same HTTP path while the head prints.
    std::atomic<bool> printing{true};
    std::vector<std::array<double, 2>> between;
    std::thread grabber([&] {
        auto grab = timelapse::make_camera(camera);
        while (printing) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            if (parked) continue;
            const streamer::LiveState before = printer_->state();
            const Result<timelapse::CapturedFrame> frame =
                grab->capture(timelapse::Clock::now(), 0);
            const streamer::LiveState after = printer_->state();
            const auto away = [&](const streamer::LiveState& state) {
                return std::hypot(state.position_mm[0] - park_x_mm,
                                  state.position_mm[1] - park_y_mm) > 20.0;
            };
            if (frame.ok() && !parked && away(before) && away(after) && before.executed > 20)
                between.push_back(nozzle_centre(frame->jpeg));
        }
    });
    const streamer::testing::Outcome outcome =
        streamer::testing::print(*streamer_, prep.output_path, 120.0);
    printing = false;
    grabber.join();
    streamer_->set_capture({});  // Nothing uses `capture` from the streamer's side after this.
    ASSERT_EQ(outcome.end, streamer::EventKind::job_finished) << outcome.text;
    for (const streamer::StreamerEvent& event : outcome.events)
        EXPECT_TRUE(event.kind != streamer::EventKind::snapshot || event.ok)
            << "snapshot " << event.snapshot << ": " << event.text;

    const std::array<double, 2> expected =
        webcam.camera().nozzle_pixel({park_x_mm, park_y_mm, 1.0});
    const std::vector<timelapse::Frame> frames =
        strata::testing::value_of(timelapse::load_frames(capture.frames_of("virtual")));
    ASSERT_EQ(frames.size(), planned);
    for (const timelapse::Frame& frame : frames) {
        const auto centre = nozzle_centre(read_file(frame.path));
        ASSERT_GE(centre[0], 0.0) << frame.path << ": no nozzle in the picture";
        EXPECT_LE(distance(centre, expected), 1.0)
            << frame.path << ": nozzle at " << centre[0] << "," << centre[1] << ", expected "
            << expected[0] << "," << expected[1];
    }
    ASSERT_GE(between.size(), 5u) << "too few frames grabbed between snapshots";
    for (const auto& centre : between) {
        ASSERT_GE(centre[0], 0.0) << "no nozzle in a frame grabbed between snapshots";
        EXPECT_GT(distance(centre, expected), 10.0)
            << "between snapshots the nozzle was at " << centre[0] << "," << centre[1];
    }

    const std::vector<timelapse::VideoOutcome> videos = capture.finish();
    ASSERT_EQ(videos.size(), 1u);
    ASSERT_TRUE(strata::testing::ok(videos[0].result.status));
    EXPECT_EQ(videos[0].result.frames_written, planned);
    EXPECT_TRUE(fs::exists(videos[0].path));
    webcam.stop();
}

TEST_F(Streaming, ACameraThatFailsIsReportedAndThePrintGoesOn) {
    streamer::testing::write_two_snapshot_job(directory_ / "snap.gcode");
    streamer::VirtualPrinterConfig printer_config;
    printer_config.time_scale = 0.02;
    start_printer(printer_config);
    timelapse::CaptureSettings settings;
    timelapse::CameraConfig broken;
    broken.name = "broken";
    broken.url = "http://127.0.0.1:1/snapshot";
    broken.timeout_s = 0.3;
    settings.cameras = {broken};
    settings.frames_directory = directory_ / "frames";
    timelapse::TimelapseCapture capture(settings);
    connect();
    streamer_->set_capture([&](std::uint32_t snapshot) -> Status {
        timelapse::FrameInfo info;
        info.snapshot = snapshot;
        const timelapse::SnapshotReport report = capture.capture(info, timelapse::Clock::now());
        return report.status;
    });
    const streamer::testing::Outcome outcome =
        streamer::testing::print(*streamer_, (directory_ / "snap.gcode").string(), 30.0);
    streamer_->set_capture({});
    ASSERT_EQ(outcome.end, streamer::EventKind::job_finished) << outcome.text;
    int failed_snapshots = 0;
    for (const streamer::StreamerEvent& event : outcome.events) {
        if (event.kind != streamer::EventKind::snapshot) continue;
        EXPECT_FALSE(event.ok);
        EXPECT_NE(event.text.find("camera 'broken'"), std::string::npos) << event.text;
        ++failed_snapshots;
    }
    EXPECT_EQ(failed_snapshots, 2);
    // Every job command still ran: the failed captures held nothing back.
    EXPECT_EQ(printed_commands(),
              streamer::testing::job_commands((directory_ / "snap.gcode").string()));
}

}  // namespace
