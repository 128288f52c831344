// render_frames: JPEG frames decoded with stb_image, held for the pre- and post-roll, fed to the
// encoder, and the video renamed into place only once complete (a crash leaves no half video
// under the final name).
#include <stb_image.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <memory>
#include <system_error>

#include "encoder.hpp"
#include "strata/timelapse/render.hpp"

namespace strata::timelapse {
namespace {

struct Image {
    std::unique_ptr<std::uint8_t, void (*)(void*)> pixels{nullptr, stbi_image_free};
    int width = 0;
    int height = 0;
};

bool load_jpeg(const std::filesystem::path& path, Image& image, std::string& error) {
    int channels = 0;
    image.pixels.reset(stbi_load(path.c_str(), &image.width, &image.height, &channels, 3));
    if (!image.pixels) {
        error = path.string() + ": not a readable image (" + stbi_failure_reason() + ")";
        return false;
    }
    return true;
}

bool is_jpeg_name(const std::filesystem::path& path) {
    std::string extension = path.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return extension == ".jpg" || extension == ".jpeg";
}

std::uint64_t frames_for(double seconds, double fps) {
    return seconds > 0.0 ? static_cast<std::uint64_t>(std::llround(seconds * fps)) : 0;
}

}  // namespace

std::vector<std::filesystem::path> frame_files(const std::filesystem::path& directory) {
    std::vector<std::filesystem::path> files;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(directory, error))
        if (entry.is_regular_file() && is_jpeg_name(entry.path())) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

RenderResult render_frames(const std::vector<std::filesystem::path>& frames,
                           const std::filesystem::path& output, const RenderOptions& options) {
    RenderResult result;
    if (frames.empty()) {
        result.error = "no frames to render";
        return result;
    }
    if (!(options.fps > 0.0) || options.fps > 240.0) {
        result.error = "fps must be in (0, 240], not " + std::to_string(options.fps);
        return result;
    }
    Image image;
    if (!load_jpeg(frames.front(), image, result.error)) return result;
    // 4:2:0 chroma needs even sizes: an odd last row or column is cropped.
    const int source_width = image.width;
    const int source_height = image.height;
    result.width = source_width & ~1;
    result.height = source_height & ~1;
    const std::filesystem::path partial = output.string() + ".partial";
    render::Encoder encoder;
    bool ok = encoder.open(partial.string(), result.width, result.height, options, result.error);
    const auto add = [&](const Image& frame, std::uint64_t copies) {
        for (std::uint64_t i = 0; ok && i < copies; ++i)
            ok = encoder.add(frame.pixels.get(), frame.width * 3, result.error);
    };
    add(image, frames_for(options.pre_roll_s, options.fps) + 1);
    result.frames_read = 1;
    for (std::size_t i = 1; ok && i < frames.size(); ++i) {
        Image next;
        ok = load_jpeg(frames[i], next, result.error);
        if (ok && (next.width != source_width || next.height != source_height)) {
            result.error = frames[i].string() + ": " + std::to_string(next.width) + "x" +
                           std::to_string(next.height) + ", the first frame is " +
                           std::to_string(source_width) + "x" + std::to_string(source_height);
            ok = false;
        }
        if (!ok) break;
        ++result.frames_read;
        image = std::move(next);
        add(image, 1);
    }
    add(image, frames_for(options.post_roll_s, options.fps));
    ok = ok && encoder.finish(result.error);
    std::error_code error;
    if (ok) std::filesystem::rename(partial, output, error);
    if (!ok || error) {
        if (error) result.error = "cannot rename " + partial.string() + ": " + error.message();
        std::filesystem::remove(partial, error);
        return result;
    }
    result.ok = true;
    result.frames_written = encoder.frames();
    result.duration_s = static_cast<double>(result.frames_written) / options.fps;
    return result;
}

}  // namespace strata::timelapse
