// HttpSnapshotCamera: one GET per snapshot on a reused libcurl handle (the connection stays
// open between snapshots), with a hard deadline, basic auth, and the answer checked: status 200,
// an image/jpeg content type, a whole JPEG.
#include <curl/curl.h>

#include <array>

#include "cameras.hpp"

namespace strata::timelapse::camera {
namespace {

constexpr std::size_t max_image_bytes = 64U << 20U;

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* target) {
    auto& body = *static_cast<std::string*>(target);
    if (body.size() + size * count > max_image_bytes) return 0;  // Aborts the transfer.
    body.append(data, size * count);
    return size * count;
}

void configure(CURL* curl, const CameraConfig& c, char* detail, std::string& body) {
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, c.url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(c.timeout_s * 1000.0));
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 3L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, detail);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    set_credentials(curl, c);
}

}  // namespace

void set_credentials(void* handle, const CameraConfig& config) {
    auto* curl = static_cast<CURL*>(handle);
    if (!config.username.empty()) {
        curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        curl_easy_setopt(curl, CURLOPT_USERNAME, config.username.c_str());
        curl_easy_setopt(curl, CURLOPT_PASSWORD, config.password.c_str());
    }
    if (!config.verify_tls) {
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
    }
}

HttpSnapshotCamera::HttpSnapshotCamera(const CameraConfig& config)
    : Camera(config), curl_(curl_easy_init()) {}

HttpSnapshotCamera::~HttpSnapshotCamera() {
    curl_easy_cleanup(static_cast<CURL*>(curl_));
}

Result<CapturedFrame> HttpSnapshotCamera::capture(Clock::time_point not_before, std::uint32_t) {
    wait_until(not_before);
    const auto started = Clock::now();
    const std::lock_guard lock(mutex_);
    auto* curl = static_cast<CURL*>(curl_);
    if (curl == nullptr) return failure(ErrorCode::internal, "libcurl could not start");
    const CameraConfig& c = config();
    std::array<char, CURL_ERROR_SIZE> detail{};
    CapturedFrame frame;
    configure(curl, c, detail.data(), frame.jpeg);
    const CURLcode code = curl_easy_perform(curl);
    frame.latency_s = std::chrono::duration<double>(Clock::now() - started).count();
    if (code == CURLE_OPERATION_TIMEDOUT)
        return failure(ErrorCode::unavailable,
                       c.url + ": no answer within " + seconds_text(c.timeout_s));
    if (code != CURLE_OK)
        return failure(ErrorCode::unavailable, c.url + ": " +
                                                   (detail[0] != '\0' ? std::string(detail.data())
                                                                      : curl_easy_strerror(code)));
    long status = 0;
    char* type = nullptr;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
    const std::string content_type = type != nullptr ? lower(type) : "";
    if (status != 200)
        return failure(ErrorCode::unavailable, c.url + ": HTTP " + std::to_string(status));
    if (content_type.rfind("image/jpeg", 0) != 0 && content_type.rfind("image/jpg", 0) != 0)
        return failure(ErrorCode::invalid,
                       c.url + ": content type '" + content_type + "', not image/jpeg");
    if (!is_whole_jpeg(frame.jpeg))
        return failure(ErrorCode::invalid,
                       c.url + ": broken JPEG (" + std::to_string(frame.jpeg.size()) + " bytes)");
    return frame;
}

}  // namespace strata::timelapse::camera
