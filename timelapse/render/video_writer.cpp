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

Status VideoWriter::encode_copies(const Picture& picture, std::uint64_t copies) {
    for (std::uint64_t i = 0; i < copies; ++i)
        if (Status added = encoder_.add(picture.rgb.data(), picture.width * 3); !added)
            return added;
    return {};
}

Status VideoWriter::add(Picture picture, const Frame& frame) {
    if (!status_) return status_;
    std::uint64_t copies = 1;
    if (!opened_) {
        opened_ = true;
        status_ = encoder_.open(partial_.string(), picture.width, picture.height, fps_, options_);
        if (!status_) return status_;
        copies += frames_for(options_.pre_roll_s, fps_);
    } else if (picture.width != last_.width || picture.height != last_.height) {
        status_ = fail(ErrorCode::invalid,
                       frame.path.string() + ": " + size_text(picture.width, picture.height) +
                           ", the first frame is " + size_text(last_.width, last_.height));
        return status_;
    }
    last_ = std::move(picture);
    ++frames_read_;
    status_ = encode_copies(last_, copies);
    return status_;
}

// The post-roll, the encoder's tail, the thumbnail, and the file under its name.
Status VideoWriter::finish_file() {
    if (Status rolled = encode_copies(last_, frames_for(options_.post_roll_s, fps_)); !rolled)
        return rolled;
    if (Status finished = encoder_.finish(); !finished) return finished;
    if (!options_.thumbnail.empty()) {
        if (Status thumbnail = write_thumbnail(last_, options_.thumbnail_width, options_.thumbnail);
            !thumbnail)
            return thumbnail;
    }
    std::error_code code;
    std::filesystem::rename(partial_, output_, code);
    if (code) return errno_error("cannot rename " + partial_.string(), code.value());
    opened_ = false;
    return {};
}

void VideoWriter::finish(RenderResult& result) {
    result.frames_read = frames_read_;
    result.width = last_.width;
    result.height = last_.height;
    result.fps = fps_;
    if (!opened_) {
        result.status = fail(ErrorCode::invalid, "no frames to render");
        return;
    }
    result.status = status_ ? finish_file() : status_;
    if (!result.status) return;
    result.frames_written = encoder_.frames();
    result.duration_s = static_cast<double>(result.frames_written) / fps_;
}

}  // namespace strata::timelapse::render
