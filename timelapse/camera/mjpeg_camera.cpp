// MjpegStreamCamera: a thread keeps the stream open (reconnecting a second after it drops) and
// keeps the newest whole JPEG with its arrival time, so a capture takes the first frame that
// arrived after the head was parked without opening a connection or asking for a frame. The
// multipart splitter takes parts by Content-Length when the server sends one (mjpg-streamer,
// ustreamer), else up to the next boundary.
#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "cameras.hpp"

namespace strata::timelapse::camera {
namespace {

constexpr std::size_t max_buffered_bytes = 64U << 20U;

std::string trimmed(std::string_view text) {
    while (!text.empty() &&
           (std::isspace(static_cast<unsigned char>(text.front())) != 0 || text.front() == '"'))
        text.remove_prefix(1);
    while (!text.empty() &&
           (std::isspace(static_cast<unsigned char>(text.back())) != 0 || text.back() == '"'))
        text.remove_suffix(1);
    return std::string(text);
}

// The value of header `name` (lower case) in a block of part headers, or empty.
std::string header_value(std::string_view headers, std::string_view name) {
    const std::string folded = lower(headers);
    std::size_t at = 0;
    while ((at = folded.find(name, at)) != std::string::npos) {
        const bool line_start = at == 0 || folded[at - 1] == '\n';
        const std::size_t colon = at + name.size();
        if (line_start && colon < folded.size() && folded[colon] == ':') {
            const std::size_t end = headers.find('\r', colon);
            return trimmed(headers.substr(colon + 1, end == std::string_view::npos
                                                         ? std::string_view::npos
                                                         : end - colon - 1));
        }
        at = colon;
    }
    return {};
}

}  // namespace

bool MultipartSplitter::start(std::string_view content_type) {
    buffer_.clear();
    delimiter_.clear();
    const std::string folded = lower(content_type);
    const std::size_t at = folded.find("boundary=");
    if (folded.rfind("multipart/", 0) != 0 || at == std::string::npos) return false;
    std::string boundary = trimmed(content_type.substr(at + 9));
    boundary = boundary.substr(0, boundary.find(';'));
    // Some servers announce the boundary with its leading dashes, some without.
    while (boundary.size() > 2 && boundary.rfind("--", 0) == 0)
        boundary.erase(0, 2);
    delimiter_ = "--" + boundary;
    return !boundary.empty();
}

bool MultipartSplitter::next_part(std::string& body, std::string& content_type) {
    const std::size_t first = buffer_.find(delimiter_);
    if (first == std::string::npos) return false;
    const std::size_t headers_start = buffer_.find("\r\n", first);
    if (headers_start == std::string::npos) return false;
    const std::size_t headers_end = buffer_.find("\r\n\r\n", headers_start);
    if (headers_end == std::string::npos) return false;
    const std::string_view headers(buffer_.data() + headers_start + 2, headers_end - headers_start);
    content_type = lower(header_value(headers, "content-type"));
    const std::string length_text = header_value(headers, "content-length");
    const std::size_t body_start = headers_end + 4;
    std::size_t body_end = 0;
    if (!length_text.empty()) {
        body_end = body_start + std::strtoull(length_text.c_str(), nullptr, 10);
        if (body_end > buffer_.size()) return false;
    } else {
        body_end = buffer_.find(delimiter_, body_start);
        if (body_end == std::string::npos) return false;
        while (body_end > body_start &&
               (buffer_[body_end - 1] == '\n' || buffer_[body_end - 1] == '\r'))
            --body_end;
    }
    body.assign(buffer_, body_start, body_end - body_start);
    buffer_.erase(0, body_end);
    return true;
}

template <typename OnPart>
void MultipartSplitter::feed(std::string_view bytes, OnPart&& on_part) {
    buffer_.append(bytes);
    std::string body;
    std::string content_type;
    while (next_part(body, content_type))
        on_part(body, content_type);
    if (buffer_.size() > max_buffered_bytes) buffer_.clear();  // No part boundary in sight.
}

MjpegStreamCamera::MjpegStreamCamera(const CameraConfig& config) : Camera(config) {
    thread_ = std::thread([this] { run(); });
}

MjpegStreamCamera::~MjpegStreamCamera() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    arrived_.notify_all();
    thread_.join();
}

void MjpegStreamCamera::run() {
    while (stream_once()) {
        std::unique_lock lock(mutex_);
        if (arrived_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; })) return;
    }
}

std::size_t MjpegStreamCamera::on_header(char* data, std::size_t size, std::size_t count,
                                         void* self) {
    auto& camera = *static_cast<MjpegStreamCamera*>(self);
    const std::string_view line(data, size * count);
    if (lower(line).rfind("content-type:", 0) == 0) camera.content_type_ = trimmed(line.substr(13));
    return size * count;
}

std::size_t MjpegStreamCamera::on_body(char* data, std::size_t size, std::size_t count,
                                       void* self) {
    auto& camera = *static_cast<MjpegStreamCamera*>(self);
    if (!camera.splitting_) {
        if (!camera.splitter_.start(camera.content_type_)) {
            const std::lock_guard lock(camera.mutex_);
            camera.stream_error_ = camera.named(camera.config().url + ": content type '" +
                                                camera.content_type_ + "', not an MJPEG stream");
            return 0;
        }
        camera.splitting_ = true;
    }
    camera.splitter_.feed(std::string_view(data, size * count),
                          [&camera](std::string& body, const std::string& type) {
                              const bool jpeg = type.empty() || type.rfind("image/jp", 0) == 0;
                              if (!jpeg || !is_whole_jpeg(body)) return;  // Skipped, not kept.
                              const std::lock_guard lock(camera.mutex_);
                              camera.newest_ = std::move(body);  // The splitter reuses it.
                              camera.newest_at_ = Clock::now();
                              camera.stream_error_.clear();
                              camera.arrived_.notify_all();
                          });
    return size * count;
}

int MjpegStreamCamera::on_progress(void* self, long long, long long, long long, long long) {
    auto& camera = *static_cast<MjpegStreamCamera*>(self);
    const std::lock_guard lock(camera.mutex_);
    return camera.stopping_ ? 1 : 0;
}

bool MjpegStreamCamera::stream_once() {
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return false;
    const CameraConfig& c = config();
    content_type_.clear();
    splitting_ = false;
    std::array<char, CURL_ERROR_SIZE> detail{};
    curl_easy_setopt(curl, CURLOPT_URL, c.url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(c.timeout_s * 1000.0));
    // A stream that stops sending for the timeout is dead: reconnect.
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, std::max(1L, static_cast<long>(c.timeout_s)));
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, detail.data());
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, this);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, this);
    set_credentials(curl, c);
    const CURLcode code = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(curl);
    const std::lock_guard lock(mutex_);
    if (stopping_) return false;
    if (stream_error_.empty() || code != CURLE_WRITE_ERROR) {
        const std::string why =
            code == CURLE_OK
                ? (status == 200 ? "the stream ended" : "HTTP " + std::to_string(status))
            : detail[0] != '\0' ? std::string(detail.data())
                                : std::string(curl_easy_strerror(code));
        stream_error_ = named(c.url + ": " + why);
    }
    return true;
}

Result<CapturedFrame> MjpegStreamCamera::capture(Clock::time_point not_before, std::uint32_t) {
    const auto started = Clock::now();
    const auto deadline =
        std::max(started, not_before) + std::chrono::duration_cast<Clock::duration>(
                                            std::chrono::duration<double>(config().timeout_s));
    std::unique_lock lock(mutex_);
    const bool fresh = arrived_.wait_until(lock, deadline, [&] {
        return stopping_ || (!newest_.empty() && newest_at_ >= not_before);
    });
    if (fresh && !stopping_)
        return CapturedFrame{newest_,
                             std::chrono::duration<double>(Clock::now() - started).count()};
    const std::string seconds = seconds_text(config().timeout_s);
    return fail(ErrorCode::unavailable,
                stream_error_.empty() ? named(config().url + ": no new frame within " + seconds)
                                      : stream_error_ + " (no new frame within " + seconds + ")");
}

}  // namespace strata::timelapse::camera
