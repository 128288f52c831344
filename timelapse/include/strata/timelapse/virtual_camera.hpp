// The virtual camera: a fixed viewpoint on a printer that exists only in memory. It draws the
// bed, every extrusion finished so far and the nozzle where it really is, and serves the picture
// over HTTP like a webcam (`GET /snapshot`, `GET /stream` as MJPEG), so the same camera code that
// talks to mjpg-streamer captures from it. It knows nothing of the virtual printer: whoever
// composes the two feeds it finished extrusions and asks for the nozzle position per picture.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "strata/common/result.hpp"

namespace strata::timelapse {

struct PrintedLine {
    std::array<float, 3> from_mm;
    std::array<float, 3> to_mm;
};

struct BedArea {
    double x_min_mm = 0.0;
    double x_max_mm = 220.0;
    double y_min_mm = 0.0;
    double y_max_mm = 220.0;
};

/// A pinhole camera looking from `eye_mm` at `target_mm`, Z up.
struct ViewPoint {
    /// Mounted on the part that carries the hotend up (an i3's X gantry): the eye and target
    /// rise with the nozzle's Z, so the nozzle's pixel depends on X and Y alone. Otherwise fixed
    /// to the frame.
    bool follows_z = false;
    std::array<double, 3> eye_mm{110.0, -180.0, 200.0};
    std::array<double, 3> target_mm{110.0, 110.0, 10.0};
    double vertical_fov_deg = 50.0;
    int width_px = 640;
    int height_px = 480;
};

/// A view from the front, above, that shows the whole bed.
[[nodiscard]] ViewPoint front_view(const BedArea& bed, int width_px, int height_px);

class VirtualCamera {
  public:
    VirtualCamera(const BedArea& bed, const ViewPoint& view);
    ~VirtualCamera();
    VirtualCamera(const VirtualCamera&) = delete;
    VirtualCamera& operator=(const VirtualCamera&) = delete;

    /// Draws finished extrusions into the picture of the print so far (thread-safe).
    void add_printed(const std::vector<PrintedLine>& lines);
    /// The print so far with the nozzle's tip at `nozzle_mm`, as a JPEG.
    [[nodiscard]] std::string snapshot_jpeg(const std::array<double, 3>& nozzle_mm) const;
    /// Where `point_mm` lands in the picture, in pixels (x right, y down), with the camera
    /// raised by `camera_z_mm` (a camera that follows Z: the nozzle's Z; else 0).
    [[nodiscard]] std::array<double, 2> project(const std::array<double, 3>& point_mm,
                                                double camera_z_mm = 0.0) const;
    /// Where the nozzle's tip at `nozzle_mm` appears in a snapshot.
    [[nodiscard]] std::array<double, 2> nozzle_pixel(const std::array<double, 3>& nozzle_mm) const;
    /// The colour of the dot drawn at the nozzle's tip, for tests that look for it.
    static constexpr std::array<std::uint8_t, 3> nozzle_rgb{255, 0, 255};

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// An HTTP server on a loopback (or given) address that serves a JPEG source: `/snapshot` one
/// picture per request, `/stream` multipart/x-mixed-replace at `stream_fps`.
class SnapshotServer {
  public:
    using Source = std::function<std::string()>;
    SnapshotServer(Source source, double stream_fps);
    ~SnapshotServer();
    SnapshotServer(const SnapshotServer&) = delete;
    SnapshotServer& operator=(const SnapshotServer&) = delete;

    /// Listens on `host`:`port` (0: any free port).
    [[nodiscard]] Status start(const std::string& host, int port);
    void stop();
    [[nodiscard]] int port() const;
    [[nodiscard]] std::string snapshot_url() const;
    [[nodiscard]] std::string stream_url() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace strata::timelapse
