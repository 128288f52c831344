// Picture operations for the renderer: JPEG decode, rotation and flips, even-size crop and the
// thumbnail. Rotations are plain index remaps; at 1080p they cost a few milliseconds a frame,
// far below the encoder's share, and they run on the decode workers.
#include "picture.hpp"

#include <stb_image.h>
#include <stb_image_resize.h>
#include <stb_image_write.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace strata::timelapse::render {

Result<Picture> decode_jpeg(const std::filesystem::path& path) {
    int width = 0;
    int height = 0;
    int channels = 0;
    const std::unique_ptr<std::uint8_t, void (*)(void*)> pixels(
        stbi_load(path.c_str(), &width, &height, &channels, 3), stbi_image_free);
    if (!pixels)
        return fail(ErrorCode::invalid,
                    path.string() + ": not a readable image (" + stbi_failure_reason() + ")");
    Picture picture;
    picture.width = width;
    picture.height = height;
    picture.rgb.assign(pixels.get(), pixels.get() + static_cast<std::size_t>(width) *
                                                        static_cast<std::size_t>(height) * 3);
    return picture;
}

namespace {

Picture rotated(Picture& source, Rotation rotation) {
    if (rotation == Rotation::none) return std::move(source);
    const bool quarter = rotation == Rotation::cw90 || rotation == Rotation::cw270;
    Picture out;
    out.width = quarter ? source.height : source.width;
    out.height = quarter ? source.width : source.height;
    out.rgb.resize(source.rgb.size());
    for (int y = 0; y < source.height; ++y) {
        for (int x = 0; x < source.width; ++x) {
            int to_x = x;
            int to_y = y;
            switch (rotation) {
                case Rotation::cw90: to_x = source.height - 1 - y, to_y = x; break;
                case Rotation::cw180:
                    to_x = source.width - 1 - x, to_y = source.height - 1 - y;
                    break;
                case Rotation::cw270: to_x = y, to_y = source.width - 1 - x; break;
                case Rotation::none: break;
            }
            std::memcpy(out.pixel(to_x, to_y), source.pixel(x, y), 3);
        }
    }
    return out;
}

void flip_rows(Picture& picture) {
    const std::size_t row = static_cast<std::size_t>(picture.width) * 3;
    for (int top = 0, bottom = picture.height - 1; top < bottom; ++top, --bottom)
        std::swap_ranges(picture.pixel(0, top), picture.pixel(0, top) + row,
                         picture.pixel(0, bottom));
}

void flip_columns(Picture& picture) {
    for (int y = 0; y < picture.height; ++y)
        for (int left = 0, right = picture.width - 1; left < right; ++left, --right)
            std::swap_ranges(picture.pixel(left, y), picture.pixel(left, y) + 3,
                             picture.pixel(right, y));
}

}  // namespace

Picture transformed(Picture picture, const ImageTransform& transform) {
    Picture out = rotated(picture, transform.rotation);
    if (transform.flip_vertical) flip_rows(out);
    if (transform.flip_horizontal) flip_columns(out);
    return out;
}

void crop_to_even(Picture& picture) {
    const int width = picture.width & ~1;
    const int height = picture.height & ~1;
    if (width == picture.width && height == picture.height) return;
    Picture out;
    out.width = width;
    out.height = height;
    out.rgb.resize(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3);
    for (int y = 0; y < height; ++y)
        std::memcpy(out.pixel(0, y), picture.pixel(0, y), static_cast<std::size_t>(width) * 3);
    picture = std::move(out);
}

Status write_thumbnail(const Picture& picture, int width, const std::filesystem::path& path) {
    width = std::clamp(width, 1, picture.width);
    const int height = std::max(1, picture.height * width / picture.width);
    std::vector<std::uint8_t> small(static_cast<std::size_t>(width) *
                                    static_cast<std::size_t>(height) * 3);
    stbir_resize_uint8(picture.rgb.data(), picture.width, picture.height, 0, small.data(), width,
                       height, 0, 3);
    std::string jpeg;
    const auto append = [](void* context, void* data, int size) {
        static_cast<std::string*>(context)->append(static_cast<const char*>(data),
                                                   static_cast<std::size_t>(size));
    };
    if (stbi_write_jpg_to_func(append, &jpeg, width, height, 3, small.data(), 85) == 0)
        return fail(ErrorCode::internal, "cannot encode the thumbnail");
    return write_file_atomically(path, jpeg);
}

}  // namespace strata::timelapse::render
