// SnapshotServer on cpp-httplib: the only file that includes it. `/stream` is a chunked
// multipart/x-mixed-replace response with a Content-Length per part, as mjpg-streamer sends.
#include <httplib.h>

#include <atomic>
#include <thread>

#include "strata/timelapse/virtual_camera.hpp"

namespace strata::timelapse {

struct SnapshotServer::Impl {
    Source source;
    double stream_fps;
    httplib::Server server;
    std::thread thread;
    std::string host;
    int port = 0;
    std::atomic<bool> running{false};
};

SnapshotServer::SnapshotServer(Source source, double stream_fps) : impl_(std::make_unique<Impl>()) {
    impl_->source = std::move(source);
    impl_->stream_fps = stream_fps > 0.0 ? stream_fps : 10.0;
}

SnapshotServer::~SnapshotServer() {
    stop();
}

Status SnapshotServer::start(const std::string& host, int port) {
    Impl& impl = *impl_;
    impl.server.Get("/snapshot", [&impl](const httplib::Request&, httplib::Response& response) {
        response.set_header("Cache-Control", "no-store");
        response.set_content(impl.source(), "image/jpeg");
    });
    impl.server.Get("/stream", [&impl](const httplib::Request&, httplib::Response& response) {
        response.set_header("Cache-Control", "no-store");
        response.set_chunked_content_provider(
            "multipart/x-mixed-replace; boundary=strataframe",
            [&impl](std::size_t, httplib::DataSink& sink) {
                const std::string jpeg = impl.source();
                const std::string head =
                    "--strataframe\r\nContent-Type: image/jpeg\r\n"
                    "Content-Length: " +
                    std::to_string(jpeg.size()) + "\r\n\r\n";
                if (!sink.write(head.data(), head.size()) ||
                    !sink.write(jpeg.data(), jpeg.size()) || !sink.write("\r\n", 2))
                    return false;
                std::this_thread::sleep_for(std::chrono::duration<double>(1.0 / impl.stream_fps));
                return impl.running.load();
            });
    });
    impl.host = host;
    impl.port = port == 0 ? impl.server.bind_to_any_port(host)
                          : (impl.server.bind_to_port(host, port) ? port : -1);
    if (impl.port <= 0)
        return fail(ErrorCode::unavailable,
                    "the camera server cannot listen on " + host + ":" + std::to_string(port));
    impl.running = true;
    impl.thread = std::thread([&impl] { impl.server.listen_after_bind(); });
    return {};
}

void SnapshotServer::stop() {
    Impl& impl = *impl_;
    if (!impl.thread.joinable()) return;
    impl.running = false;
    impl.server.stop();
    impl.thread.join();
}

int SnapshotServer::port() const {
    return impl_->port;
}

std::string SnapshotServer::snapshot_url() const {
    return "http://" + impl_->host + ":" + std::to_string(impl_->port) + "/snapshot";
}

std::string SnapshotServer::stream_url() const {
    return "http://" + impl_->host + ":" + std::to_string(impl_->port) + "/stream";
}

}  // namespace strata::timelapse
