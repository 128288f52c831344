// VirtualWebcam: each picture first draws the extrusions the printer finished since the last
// one, then the nozzle where the printer's last finished move left it.
#include "virtual_webcam.hpp"

namespace strata::cli {

VirtualWebcam::VirtualWebcam(const streamer::VirtualPrinter& printer, const timelapse::BedArea& bed,
                             const timelapse::ViewPoint& view, double stream_fps)
    : printer_(printer), camera_(bed, view), server_([this] { return picture(); }, stream_fps) {}

Status VirtualWebcam::start(const std::string& host, int port) {
    return server_.start(host, port);
}

std::string VirtualWebcam::picture() {
    const std::lock_guard lock(mutex_);
    const std::vector<streamer::PrintedSegment> fresh = printer_.printed_since(segments_drawn_);
    segments_drawn_ += fresh.size();
    std::vector<timelapse::PrintedLine> lines;
    lines.reserve(fresh.size());
    for (const streamer::PrintedSegment& segment : fresh)
        lines.push_back({segment.from_mm, segment.to_mm});
    camera_.add_printed(lines);
    const streamer::LiveState state = printer_.state();
    return camera_.snapshot_jpeg(
        {state.position_mm[0], state.position_mm[1], state.position_mm[2]});
}

}  // namespace strata::cli
