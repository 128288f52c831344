// VideoWriter: rolls, size checks, atomic rename and the thumbnail around the Encoder.
#include "video_writer.hpp"

#include <cmath>
#include <system_error>

namespace strata::timelapse::render {
namespace {

std::uint64_t frames_for(double seconds, double fps) {
    return seconds > 0.0 ? static_cast<std::uint64_t>(std::llround(seconds * fps)) : 0;
}

std::string size_text(int width, int height) {
    return std::to_string(width) + "x" + std::to_string(height);
}

}  // namespace

VideoWriter::VideoWriter(std::filesystem::path output, const RenderOptions& options, double fps)
    : output_(std::move(output)),
      partial_(output_.string() + ".partial"),
      options_(options),
      fps_(fps) {}

VideoWriter::~VideoWriter() {
    // Not finished (an error or an abandoned render): no partial file stays behind.
    std::error_code ignored;
    if (opened_) std::filesystem::remove(partial_, ignored);
}

bool VideoWriter::encode_copies(const Picture& picture, std::uint64_t copies, std::string& error) {
    for (std::uint64_t i = 0; i < copies; ++i)
        if (!encoder_.add(picture.rgb.data(), picture.width * 3, error)) return false;
    return true;
}

bool VideoWriter::add(Picture picture, const Frame& frame, std::string& error) {
    if (failed_) {
        error = error_;
        return false;
    }
    std::uint64_t copies = 1;
    if (!opened_) {
        opened_ = true;
        if (!encoder_.open(partial_.string(), picture.width, picture.height, fps_, options_,
                           error)) {
            failed_ = true;
            error_ = error;
            return false;
        }
        copies += frames_for(options_.pre_roll_s, fps_);
    } else if (picture.width != last_.width || picture.height != last_.height) {
        error = frame.path.string() + ": " + size_text(picture.width, picture.height) +
                ", the first frame is " + size_text(last_.width, last_.height);
        failed_ = true;
        error_ = error;
        return false;
    }
    last_ = std::move(picture);
    ++frames_read_;
    if (!encode_copies(last_, copies, error)) {
        failed_ = true;
        error_ = error;
        return false;
    }
    return true;
}

bool VideoWriter::finish(RenderResult& result) {
    result.frames_read = frames_read_;
    result.width = last_.width;
    result.height = last_.height;
    result.fps = fps_;
    if (failed_ || !opened_) {
        result.error = opened_ ? error_ : "no frames to render";
        return false;
    }
    if (!encode_copies(last_, frames_for(options_.post_roll_s, fps_), result.error) ||
        !encoder_.finish(result.error))
        return false;
    if (!options_.thumbnail.empty() &&
        !write_thumbnail(last_, options_.thumbnail_width, options_.thumbnail, result.error))
        return false;
    std::error_code code;
    std::filesystem::rename(partial_, output_, code);
    if (code) {
        result.error = "cannot rename " + partial_.string() + ": " + code.message();
        return false;
    }
    opened_ = false;
    result.ok = true;
    result.frames_written = encoder_.frames();
    result.duration_s = static_cast<double>(result.frames_written) / fps_;
    return true;
}

}  // namespace strata::timelapse::render
