// Every camera type against real processes and real HTTP on loopback: a cpp-httplib server that
// misbehaves on purpose (slow, wrong content type, truncated JPEG, auth, a stream that stalls),
// scripts that succeed, fail, hang or write garbage. Each failure must come back as an error that
// names the camera and the cause, within the camera's timeout.
#include <httplib.h>
#include <stb_image_write.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "../support/result.hpp"
#include "../support/test_directory.hpp"
#include "strata/timelapse/camera.hpp"

namespace {

namespace fs = std::filesystem;
using namespace strata::timelapse;
using strata::Result;
using strata::testing::message_of;
using strata::testing::ok;
using namespace std::chrono_literals;

std::string small_jpeg(unsigned char shade) {
    std::vector<unsigned char> rgb(std::size_t{32} * 24 * 3, shade);
    std::string jpeg;
    stbi_write_jpg_to_func(
        [](void* context, void* data, int size) {
            static_cast<std::string*>(context)->append(static_cast<const char*>(data),
                                                       static_cast<std::size_t>(size));
        },
        &jpeg, 32, 24, 3, rgb.data(), 90);
    return jpeg;
}

// A webcam that does what each path says.
class FaultyWebcam {
  public:
    FaultyWebcam() {
        server_.Get("/ok", [](const httplib::Request&, httplib::Response& response) {
            response.set_content(small_jpeg(100), "image/jpeg");
        });
        server_.Get("/slow", [](const httplib::Request&, httplib::Response& response) {
            std::this_thread::sleep_for(1500ms);
            response.set_content(small_jpeg(100), "image/jpeg");
        });
        server_.Get("/html", [](const httplib::Request&, httplib::Response& response) {
            response.set_content("<html>login</html>", "text/html");
        });
        server_.Get("/truncated", [](const httplib::Request&, httplib::Response& response) {
            const std::string jpeg = small_jpeg(100);
            response.set_content(jpeg.substr(0, jpeg.size() / 2), "image/jpeg");
        });
        server_.Get("/private", [](const httplib::Request& request, httplib::Response& response) {
            // "user:secret" in base64.
            if (request.get_header_value("Authorization") != "Basic dXNlcjpzZWNyZXQ=") {
                response.status = 401;
                return;
            }
            response.set_content(small_jpeg(100), "image/jpeg");
        });
        server_.Get("/stream", [this](const httplib::Request&, httplib::Response& response) {
            stream(response, "multipart/x-mixed-replace;boundary=--myboundary", true);
        });
        server_.Get("/stream-no-length",
                    [this](const httplib::Request&, httplib::Response& response) {
                        stream(response, "multipart/x-mixed-replace; boundary=\"frame\"", false);
                    });
        server_.Get("/not-a-stream", [](const httplib::Request&, httplib::Response& response) {
            response.set_content("plain", "text/plain");
        });
        port_ = server_.bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
    }
    ~FaultyWebcam() {
        running_ = false;
        server_.stop();
        thread_.join();
    }
    FaultyWebcam(const FaultyWebcam&) = delete;
    FaultyWebcam& operator=(const FaultyWebcam&) = delete;

    [[nodiscard]] std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }
    std::atomic<int> frames_sent{0};
    std::atomic<bool> stall{false};  ///< The stream stops sending (but stays open).

  private:
    // 10 frames a second, each shade different, the boundary with or without dashes.
    void stream(httplib::Response& response, const std::string& type, bool with_length) {
        response.set_chunked_content_provider(
            type, [this, type, with_length](std::size_t, httplib::DataSink& sink) {
                const std::string boundary =
                    type.find("myboundary") != std::string::npos ? "--myboundary" : "--frame";
                while (stall && running_)
                    std::this_thread::sleep_for(10ms);
                const std::string jpeg = small_jpeg(static_cast<unsigned char>(frames_sent * 10));
                std::string part = boundary + "\r\nContent-Type: image/jpeg\r\n";
                if (with_length) part += "Content-Length: " + std::to_string(jpeg.size()) + "\r\n";
                part += "\r\n" + jpeg + "\r\n";
                ++frames_sent;
                if (!sink.write(part.data(), part.size())) return false;
                std::this_thread::sleep_for(50ms);
                return running_.load();
            });
    }

    httplib::Server server_;
    std::thread thread_;
    int port_ = 0;
    std::atomic<bool> running_{true};
};

CameraConfig http_camera(const std::string& url) {
    CameraConfig config;
    config.name = "webcam";
    config.url = url;
    config.timeout_s = 0.5;
    return config;
}

Result<CapturedFrame> capture_now(Camera& camera) {
    return camera.capture(Clock::now(), 7);
}

TEST(HttpSnapshotCamera, TakesAJpegAndNamesEveryKindOfFailure) {
    FaultyWebcam webcam;
    auto healthy = make_camera(http_camera(webcam.url("/ok")));
    Result<CapturedFrame> result = capture_now(*healthy);
    ASSERT_TRUE(ok(result));
    EXPECT_TRUE(is_whole_jpeg(result->jpeg));

    const auto started = Clock::now();
    result = capture_now(*make_camera(http_camera(webcam.url("/slow"))));
    EXPECT_FALSE(result.ok());
    EXPECT_LT(Clock::now() - started, 1400ms);  // The 0.5 s timeout, not the server's 1.5 s.
    EXPECT_NE(message_of(result).find("camera 'webcam'"), std::string::npos) << message_of(result);
    EXPECT_NE(message_of(result).find("no answer within 0.5 s"), std::string::npos)
        << message_of(result);

    result = capture_now(*make_camera(http_camera(webcam.url("/html"))));
    EXPECT_NE(message_of(result).find("content type 'text/html"), std::string::npos)
        << message_of(result);
    result = capture_now(*make_camera(http_camera(webcam.url("/truncated"))));
    EXPECT_NE(message_of(result).find("broken JPEG"), std::string::npos) << message_of(result);
    result = capture_now(*make_camera(http_camera(webcam.url("/missing"))));
    EXPECT_NE(message_of(result).find("HTTP 404"), std::string::npos) << message_of(result);
    result = capture_now(*make_camera(http_camera("http://127.0.0.1:1/snapshot")));
    EXPECT_FALSE(result.ok());
    EXPECT_NE(message_of(result).find("127.0.0.1:1"), std::string::npos) << message_of(result);
}

TEST(HttpSnapshotCamera, SendsBasicAuth) {
    FaultyWebcam webcam;
    CameraConfig config = http_camera(webcam.url("/private"));
    Result<CapturedFrame> result = capture_now(*make_camera(config));
    EXPECT_NE(message_of(result).find("HTTP 401"), std::string::npos) << message_of(result);
    config.username = "user";
    config.password = "secret";
    result = capture_now(*make_camera(config));
    EXPECT_TRUE(ok(result));
}

TEST(HttpSnapshotCamera, WaitsUntilItsNotBeforeTime) {
    FaultyWebcam webcam;
    auto camera = make_camera(http_camera(webcam.url("/ok")));
    const auto started = Clock::now();
    const Result<CapturedFrame> result = camera->capture(started + 200ms, 1);
    ASSERT_TRUE(ok(result));
    EXPECT_GE(Clock::now() - started, 200ms);
}

CameraConfig stream_camera(const std::string& url) {
    CameraConfig config = http_camera(url);
    config.name = "stream";
    config.kind = CameraKind::mjpeg_stream;
    return config;
}

TEST(MjpegStreamCamera, HandsOverAFrameThatArrivedAfterTheHeadStopped) {
    FaultyWebcam webcam;
    for (const char* path : {"/stream", "/stream-no-length"}) {
        auto camera = make_camera(stream_camera(webcam.url(path)));
        // The first frame needs the connection; later ones are already buffered.
        Result<CapturedFrame> result = capture_now(*camera);
        ASSERT_TRUE(ok(result)) << path;
        EXPECT_TRUE(is_whole_jpeg(result->jpeg));
        std::this_thread::sleep_for(300ms);
        // Parked 150 ms ago: at 10 fps a frame from after that is in the buffer already, so
        // there is no wait for the next one (which would take up to 100 ms).
        const auto parked = Clock::now() - 150ms;
        result = camera->capture(parked, 2);
        ASSERT_TRUE(ok(result));
        EXPECT_LT(result->latency_s, 0.04) << path;
        // Parked now: the next frame, at most a frame period away (and the timeout, 0.5 s).
        result = capture_now(*camera);
        ASSERT_TRUE(ok(result));
        EXPECT_LT(result->latency_s, 0.45) << path;
    }
}

TEST(MjpegStreamCamera, AStalledOrWrongStreamIsAnError) {
    FaultyWebcam webcam;
    auto camera = make_camera(stream_camera(webcam.url("/stream")));
    ASSERT_TRUE(capture_now(*camera).ok());
    webcam.stall = true;
    std::this_thread::sleep_for(100ms);
    const auto started = Clock::now();
    Result<CapturedFrame> result = capture_now(*camera);
    EXPECT_FALSE(result.ok());
    EXPECT_LT(Clock::now() - started, 1000ms);
    EXPECT_NE(message_of(result).find("no new frame within 0.5 s"), std::string::npos)
        << message_of(result);
    webcam.stall = false;

    auto wrong = make_camera(stream_camera(webcam.url("/not-a-stream")));
    result = capture_now(*wrong);
    EXPECT_FALSE(result.ok());
    EXPECT_NE(message_of(result).find("not an MJPEG stream"), std::string::npos)
        << message_of(result);
}

class ScriptCameraTest : public ::testing::Test {
  protected:
    void SetUp() override {
        directory_ = strata::testing::test_directory("strata_script_camera_");
        fs::create_directories(directory_);
        std::ofstream(directory_ / "frame.jpg", std::ios::binary) << small_jpeg(80);
    }
    void TearDown() override { fs::remove_all(directory_); }

    Result<CapturedFrame> run(const std::string& command, double timeout_s = 2.0) {
        CameraConfig config;
        config.name = "dslr";
        config.kind = CameraKind::script;
        config.command = command;
        config.timeout_s = timeout_s;
        return make_camera(config)->capture(Clock::now(), 12);
    }
    fs::path directory_;
};

TEST_F(ScriptCameraTest, TheScriptWritesTheJpegToItsFirstArgument) {
    const std::string marker = (directory_ / "env.txt").string();
    const Result<CapturedFrame> result =
        run("cp '" + (directory_ / "frame.jpg").string() +
            "' \"$1\" && echo \"$STRATA_SNAPSHOT_NUMBER $STRATA_CAMERA_NAME\" > '" + marker + "'");
    ASSERT_TRUE(ok(result));
    EXPECT_EQ(result->jpeg, small_jpeg(80));
    std::ifstream in(marker);
    std::string number;
    std::string name;
    in >> number >> name;
    EXPECT_EQ(number, "12");
    EXPECT_EQ(name, "dslr");
}

TEST_F(ScriptCameraTest, FailuresHangsAndGarbageAreNamed) {
    Result<CapturedFrame> result = run("echo 'gphoto2: no camera found' >&2; exit 3");
    EXPECT_FALSE(result.ok());
    EXPECT_NE(message_of(result).find("camera 'dslr': the script failed with status 3: gphoto2: no "
                                      "camera found"),
              std::string::npos)
        << message_of(result);

    const auto started = Clock::now();
    result = run("sleep 30 & sleep 30", 0.3);  // A child in the background is killed too.
    EXPECT_FALSE(result.ok());
    EXPECT_LT(Clock::now() - started, 2s);
    EXPECT_NE(message_of(result).find("did not finish within 0.3 s"), std::string::npos)
        << message_of(result);

    result = run("true");
    EXPECT_NE(message_of(result).find("wrote no image"), std::string::npos) << message_of(result);
    result = run("echo garbage > \"$1\"");
    EXPECT_NE(message_of(result).find("broken JPEG"), std::string::npos) << message_of(result);
}

}  // namespace
