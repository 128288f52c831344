// QOI thumbnails made into PNG (thumbnails.hpp). SuperSlicer and PrusaSlicer can write QOI only,
// which no browser shows; decoding it (the format is one page: qoiformat.org) and writing the
// pixels as an RGBA PNG (zlib's deflate and CRC-32) makes such a file's thumbnail visible.
// Every read is bounds-checked: the image is what the bytes hold, or nothing.
#include <zlib.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/server/thumbnails.hpp"

namespace strata::server {
namespace {

struct Pixel {
    std::uint8_t r = 0, g = 0, b = 0, a = 255;
};

constexpr std::uint32_t max_side_px = 4096;

std::uint32_t read_u32_be(std::string_view bytes, std::size_t at) {
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < 4; ++i)
        value = (value << 8U) | static_cast<std::uint8_t>(bytes[at + i]);
    return value;
}

void append_u32_be(std::string& out, std::uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<char>((value >> static_cast<unsigned>(shift)) & 0xFFU));
}

std::size_t hash_of(const Pixel& p) {
    return (p.r * 3U + p.g * 5U + p.b * 7U + p.a * 11U) % 64U;
}

// The pixels of a QOI image, row by row, or nothing when the bytes are not one.
std::optional<std::vector<Pixel>> decode_qoi(std::string_view qoi, std::uint32_t& width,
                                             std::uint32_t& height) {
    constexpr std::size_t header_bytes = 14;
    if (qoi.size() < header_bytes + 8 || !qoi.starts_with("qoif")) return std::nullopt;
    width = read_u32_be(qoi, 4);
    height = read_u32_be(qoi, 8);
    if (width == 0 || height == 0 || width > max_side_px || height > max_side_px)
        return std::nullopt;
    std::vector<Pixel> pixels(static_cast<std::size_t>(width) * height);
    std::array<Pixel, 64> seen{};
    for (Pixel& slot : seen)
        slot.a = 0;  // The index starts all zero, alpha too.
    Pixel pixel;
    std::size_t at = header_bytes;
    const std::size_t end = qoi.size() - 8;  // The 8-byte end marker.
    std::size_t run = 0;
    const auto byte = [&](std::size_t offset) { return static_cast<std::uint8_t>(qoi[offset]); };
    for (Pixel& out : pixels) {
        if (run > 0) {
            --run;
        } else {
            if (at >= end) return std::nullopt;
            const std::uint8_t op = byte(at++);
            if (op == 0xFE || op == 0xFF) {
                const std::size_t channels = op == 0xFE ? 3 : 4;
                if (at + channels > end) return std::nullopt;
                pixel.r = byte(at), pixel.g = byte(at + 1), pixel.b = byte(at + 2);
                if (channels == 4) pixel.a = byte(at + 3);
                at += channels;
            } else if ((op >> 6U) == 0) {
                pixel = seen[op & 63U];
            } else if ((op >> 6U) == 1) {
                pixel.r = static_cast<std::uint8_t>(pixel.r + ((op >> 4U) & 3U) - 2);
                pixel.g = static_cast<std::uint8_t>(pixel.g + ((op >> 2U) & 3U) - 2);
                pixel.b = static_cast<std::uint8_t>(pixel.b + (op & 3U) - 2);
            } else if ((op >> 6U) == 2) {
                if (at >= end) return std::nullopt;
                const std::uint8_t next = byte(at++);
                const int green = static_cast<int>(op & 63U) - 32;
                pixel.r = static_cast<std::uint8_t>(pixel.r + green - 8 + ((next >> 4U) & 15U));
                pixel.g = static_cast<std::uint8_t>(pixel.g + green);
                pixel.b = static_cast<std::uint8_t>(pixel.b + green - 8 + (next & 15U));
            } else {
                run = op & 63U;  // This pixel and `run` more repeat the last one.
            }
            seen[hash_of(pixel)] = pixel;
        }
        out = pixel;
    }
    return pixels;
}

void append_chunk(std::string& png, const char* type, const std::string& data) {
    append_u32_be(png, static_cast<std::uint32_t>(data.size()));
    const std::size_t type_at = png.size();
    png.append(type, 4);
    png += data;
    const auto* checked = reinterpret_cast<const Bytef*>(png.data() + type_at);
    append_u32_be(
        png, static_cast<std::uint32_t>(crc32(0L, checked, static_cast<uInt>(data.size() + 4))));
}

}  // namespace

std::optional<std::string> qoi_to_png(std::string_view qoi) {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    const std::optional<std::vector<Pixel>> pixels = decode_qoi(qoi, width, height);
    if (!pixels) return std::nullopt;
    // Each row: filter type 0 (none), then RGBA.
    std::string raw;
    raw.reserve(static_cast<std::size_t>(height) * (1 + 4 * width));
    for (std::uint32_t y = 0; y < height; ++y) {
        raw.push_back('\0');
        for (std::uint32_t x = 0; x < width; ++x) {
            const Pixel& p = (*pixels)[static_cast<std::size_t>(y) * width + x];
            raw.push_back(static_cast<char>(p.r));
            raw.push_back(static_cast<char>(p.g));
            raw.push_back(static_cast<char>(p.b));
            raw.push_back(static_cast<char>(p.a));
        }
    }
    uLongf packed_bytes = compressBound(static_cast<uLong>(raw.size()));
    std::string packed(packed_bytes, '\0');
    if (compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_bytes,
                  reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()),
                  Z_BEST_COMPRESSION) != Z_OK)
        return std::nullopt;
    packed.resize(packed_bytes);
    std::string header;
    append_u32_be(header, width);
    append_u32_be(header, height);
    header += std::string("\x08\x06\x00\x00\x00", 5);  // 8 bits, RGBA, deflate, no interlace.
    std::string png("\x89PNG\r\n\x1a\n", 8);
    append_chunk(png, "IHDR", header);
    append_chunk(png, "IDAT", packed);
    append_chunk(png, "IEND", "");
    return png;
}

}  // namespace strata::server
