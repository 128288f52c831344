// make_camera and the checks every camera shares.
#include <stb_image.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <thread>

#include "cameras.hpp"

namespace strata::timelapse {

bool is_whole_jpeg(std::string_view bytes) {
    if (bytes.size() < 4 || static_cast<unsigned char>(bytes[0]) != 0xFF ||
        static_cast<unsigned char>(bytes[1]) != 0xD8)
        return false;
    // Some cameras pad after the end marker; it must be among the last few bytes.
    const std::size_t tail = bytes.size() > 16 ? bytes.size() - 16 : 0;
    if (bytes.substr(tail).find("\xFF\xD9") == std::string_view::npos) return false;
    int width = 0;
    int height = 0;
    int channels = 0;
    return stbi_info_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()),
                                 static_cast<int>(bytes.size()), &width, &height, &channels) != 0 &&
           width > 0 && height > 0;
}

std::unique_ptr<Camera> make_camera(const CameraConfig& config) {
    switch (config.kind) {
        case CameraKind::http_snapshot: return std::make_unique<camera::HttpSnapshotCamera>(config);
        case CameraKind::mjpeg_stream: return std::make_unique<camera::MjpegStreamCamera>(config);
        case CameraKind::script: return std::make_unique<camera::ScriptCamera>(config);
    }
    return nullptr;
}

namespace camera {

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string seconds_text(double seconds) {
    std::array<char, 32> text{};
    std::snprintf(text.data(), text.size(), "%.1f s", seconds);
    return text.data();
}

void wait_until(Clock::time_point when) {
    if (Clock::now() < when) std::this_thread::sleep_until(when);
}

}  // namespace camera
}  // namespace strata::timelapse
