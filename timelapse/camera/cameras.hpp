// The camera implementations behind make_camera. Internal to timelapse/camera; libcurl's header
// stays in the .cpp files.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "strata/timelapse/camera.hpp"

namespace strata::timelapse::camera {

/// Sleeps until `when` (no-op when it has passed).
void wait_until(Clock::time_point when);

/// `text` in lower case (ASCII), for header names and media types.
[[nodiscard]] std::string lower(std::string_view text);

/// A timeout for an error message: "0.5 s".
[[nodiscard]] std::string seconds_text(double seconds);

/// Basic auth and TLS checking as `config` says, on a libcurl easy handle.
void set_credentials(void* curl, const CameraConfig& config);

class HttpSnapshotCamera final : public Camera {
  public:
    explicit HttpSnapshotCamera(const CameraConfig& config);
    ~HttpSnapshotCamera() override;
    HttpSnapshotCamera(const HttpSnapshotCamera&) = delete;
    HttpSnapshotCamera& operator=(const HttpSnapshotCamera&) = delete;
    Result<CapturedFrame> capture(Clock::time_point not_before, std::uint32_t snapshot) override;

  private:
    std::mutex mutex_;  ///< One request at a time on the reused handle.
    void* curl_ = nullptr;
};

/// Splits a multipart/x-mixed-replace body into its parts, fed in pieces as they arrive.
class MultipartSplitter {
  public:
    /// `content_type` is the response's; false when it is not multipart with a boundary.
    bool start(std::string_view content_type);
    /// Appends bytes; calls `on_part(body, part_content_type)` for each complete part (the
    /// body may be moved from).
    template <typename OnPart>
    void feed(std::string_view bytes, OnPart&& on_part);
    [[nodiscard]] std::size_t buffered() const { return buffer_.size(); }

  private:
    /// The next complete part, removed from the buffer; false when more bytes are needed.
    bool next_part(std::string& body, std::string& content_type);
    std::string delimiter_;
    std::string buffer_;
};

class MjpegStreamCamera final : public Camera {
  public:
    explicit MjpegStreamCamera(const CameraConfig& config);
    ~MjpegStreamCamera() override;
    MjpegStreamCamera(const MjpegStreamCamera&) = delete;
    MjpegStreamCamera& operator=(const MjpegStreamCamera&) = delete;
    Result<CapturedFrame> capture(Clock::time_point not_before, std::uint32_t snapshot) override;

  private:
    void run();
    bool stream_once();  ///< One connection, until it ends or we stop; false: stop asked.
    static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* self);
    static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* self);
    static int on_progress(void* self, long long, long long, long long, long long);

    std::mutex mutex_;
    std::condition_variable arrived_;
    std::string newest_;  ///< The newest whole JPEG.
    Clock::time_point newest_at_{};
    std::string stream_error_;  ///< Why the stream is down, when it is.
    bool stopping_ = false;
    std::string content_type_;  ///< Of the current connection (header callback).
    MultipartSplitter splitter_;
    bool splitting_ = false;
    std::thread thread_;
};

class ScriptCamera final : public Camera {
  public:
    explicit ScriptCamera(const CameraConfig& config) : Camera(config) {}
    Result<CapturedFrame> capture(Clock::time_point not_before, std::uint32_t snapshot) override;
};

}  // namespace strata::timelapse::camera
