// Slicer thumbnails: the images PrusaSlicer, SuperSlicer, OrcaSlicer and Bambu Studio write as
// `; thumbnail begin WxH LEN` ... `; thumbnail end` comment blocks of base64 (also
// `thumbnail_JPG` and `thumbnail_QOI`), and Cura's thumbnail script as `;thumbnail begin`. The
// largest image is kept with the file as a browser can show it: PNG and JPEG as they are, QOI
// made into PNG.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace strata::server {

struct Thumbnail {
    std::string extension;  ///< png or jpg
    int width = 0;
    int height = 0;
    std::string bytes;
};

/// The largest PNG, JPEG or QOI (as PNG) thumbnail in the file's header (read until its first
/// command, at most `max_header_bytes`); nothing when there is none or none decodes to an image.
[[nodiscard]] std::optional<Thumbnail> extract_thumbnail(const std::filesystem::path& gcode,
                                                         std::uint64_t max_header_bytes = 16U
                                                                                          << 20U);

/// A QOI image as an RGBA PNG; nothing when the bytes are no QOI image (or one over 4096 px).
[[nodiscard]] std::optional<std::string> qoi_to_png(std::string_view qoi);

/// Base64 (RFC 4648, padding optional, whitespace skipped); nothing on any other character.
[[nodiscard]] std::optional<std::string> decode_base64(std::string_view text);

}  // namespace strata::server
