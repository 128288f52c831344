// The virtual printer's webcam: the virtual camera (timelapse/) fed from the virtual printer's
// live state (streamer/) and served over HTTP. Composition only, which is why it lives with the
// binary that composes the stages: neither stage knows the other.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>

#include "strata/streamer/virtual_printer.hpp"
#include "strata/timelapse/virtual_camera.hpp"

namespace strata::cli {

class VirtualWebcam {
  public:
    VirtualWebcam(const streamer::VirtualPrinter& printer, const timelapse::BedArea& bed,
                  const timelapse::ViewPoint& view, double stream_fps = 10.0);

    /// Serves `/snapshot` and `/stream` on `host`:`port` (0: any free port).
    [[nodiscard]] Status start(const std::string& host, int port);
    void stop() { server_.stop(); }
    [[nodiscard]] std::string snapshot_url() const { return server_.snapshot_url(); }
    [[nodiscard]] std::string stream_url() const { return server_.stream_url(); }
    /// The printer as it is now, as a JPEG.
    [[nodiscard]] std::string picture();
    [[nodiscard]] const timelapse::VirtualCamera& camera() const { return camera_; }

  private:
    const streamer::VirtualPrinter& printer_;
    timelapse::VirtualCamera camera_;
    timelapse::SnapshotServer server_;
    std::mutex mutex_;
    std::size_t segments_drawn_ = 0;
};

}  // namespace strata::cli
