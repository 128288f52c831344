// A decoded frame as packed RGB24, and what the renderer does to one before encoding: decode a
// JPEG (stb_image), rotate and flip, crop to even sizes (4:2:0 chroma), scale down for the
// thumbnail. Internal to the renderer.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "strata/timelapse/render.hpp"

namespace strata::timelapse::render {

struct Picture {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> rgb;  ///< width * height * 3 bytes, rows top to bottom.

    [[nodiscard]] std::uint8_t* pixel(int x, int y) {
        return &rgb[(static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                     static_cast<std::size_t>(x)) *
                    3];
    }
};

/// The picture in a JPEG (or another format stb_image reads); `invalid`, naming the file, when
/// it is not a decodable image.
[[nodiscard]] Result<Picture> decode_jpeg(const std::filesystem::path& path);

/// The picture rotated clockwise and flipped as `transform` says.
[[nodiscard]] Picture transformed(Picture picture, const ImageTransform& transform);

/// Drops an odd last row and column.
void crop_to_even(Picture& picture);

/// The picture scaled to `width` (height in proportion) and written as a JPEG, atomically.
[[nodiscard]] Status write_thumbnail(const Picture& picture, int width,
                                     const std::filesystem::path& path);

}  // namespace strata::timelapse::render
