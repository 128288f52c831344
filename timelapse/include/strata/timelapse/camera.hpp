// Cameras behind one interface: an HTTP snapshot URL (mjpg-streamer, ustreamer, camera-streamer,
// the virtual camera), an MJPEG stream whose newest frame is kept buffered, and a script that
// writes a JPEG (gphoto2 for a DSLR). A capture returns the JPEG as the camera sent it, or an
// error that names the camera and what went wrong; it never throws and never outlives its
// timeout. Rotation and flips are carried in the configuration and applied when rendering.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "strata/common/result.hpp"
#include "strata/timelapse/image_transform.hpp"

namespace strata::timelapse {

enum class CameraKind : std::uint8_t {
    http_snapshot,  ///< GET `url` returns one JPEG.
    mjpeg_stream,   ///< GET `url` returns multipart/x-mixed-replace JPEGs, kept open.
    script,         ///< `command` writes a JPEG to the path given as $1.
};

struct CameraConfig {
    std::string name = "camera";  ///< Also the frame directory's name.
    CameraKind kind = CameraKind::http_snapshot;
    bool enabled = true;
    std::string url;       ///< http_snapshot, mjpeg_stream.
    std::string username;  ///< HTTP basic auth, when set.
    std::string password;
    bool verify_tls = true;
    /// script: run by /bin/sh with the JPEG's path as $1 and STRATA_SNAPSHOT_NUMBER,
    /// STRATA_CAMERA_NAME in the environment.
    std::string command;
    double timeout_s = 5.0;
    double delay_s = 0.0;  ///< Wait after the head is parked before capturing.
    ImageTransform transform;
};

using Clock = std::chrono::steady_clock;

struct CapturedFrame {
    std::string jpeg;
    double latency_s = 0.0;  ///< From the request (or `not_before`) to the image.
};

class Camera {
  public:
    virtual ~Camera() = default;
    /// One JPEG showing the scene no earlier than `not_before` (a stream's buffered frame counts
    /// when it arrived after it). `snapshot` is passed to scripts. The error says "camera
    /// 'NAME': what went wrong", `unavailable` when the camera did not answer in time or at all,
    /// `invalid` when what it sent is not a whole JPEG, `io` when a script could not run.
    virtual Result<CapturedFrame> capture(Clock::time_point not_before, std::uint32_t snapshot) = 0;
    [[nodiscard]] const CameraConfig& config() const { return config_; }

  protected:
    explicit Camera(CameraConfig config) : config_(std::move(config)) {}
    [[nodiscard]] std::string named(const std::string& what) const {
        return "camera '" + config_.name + "': " + what;
    }
    [[nodiscard]] Error failure(ErrorCode code, const std::string& what) const {
        return Error{code, named(what)};
    }

  private:
    CameraConfig config_;
};

/// The camera `config` describes; an MJPEG camera starts streaming at once.
[[nodiscard]] std::unique_ptr<Camera> make_camera(const CameraConfig& config);

/// Whether `bytes` is a whole JPEG: start and end markers and a readable header. A truncated
/// download fails this; it is cheap (no decode).
[[nodiscard]] bool is_whole_jpeg(std::string_view bytes);

}  // namespace strata::timelapse
