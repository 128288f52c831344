// Reading slicer thumbnails out of a G-code header (thumbnails.hpp). A block's declared size is
// not trusted: the image is what decodes, and it must start as a PNG or JPEG does (or decode as
// QOI, made into PNG).
#include "strata/server/thumbnails.hpp"

#include <array>
#include <charconv>
#include <fstream>

namespace strata::server {
namespace {

constexpr std::string_view png_signature = "\x89PNG\r\n\x1a\n";

// `; thumbnail begin 300x300 12345` (or `;thumbnail_JPG begin ...`): the format and the size;
// `found` false when the line opens no block.
enum class ImageFormat : std::uint8_t { png, jpg, qoi, other };

// Kept past the line it was read from (the block's data lines replace that line's text).
struct BlockStart {
    ImageFormat format = ImageFormat::other;
    int width = 0;
    int height = 0;
    bool found = false;
};

BlockStart block_start(std::string_view line) {
    BlockStart start;
    line.remove_prefix(1);  // ';'
    while (!line.empty() && line.front() == ' ')
        line.remove_prefix(1);
    if (!line.starts_with("thumbnail")) return start;
    line.remove_prefix(9);
    if (line.starts_with("_")) {
        const std::size_t space = line.find(' ');
        const std::string_view name =
            line.substr(1, space == std::string_view::npos ? 0 : space - 1);
        start.format = name == "PNG"   ? ImageFormat::png
                       : name == "JPG" ? ImageFormat::jpg
                       : name == "QOI" ? ImageFormat::qoi
                                       : ImageFormat::other;
        line.remove_prefix(space == std::string_view::npos ? line.size() : space);
    } else {
        start.format = ImageFormat::png;
    }
    while (!line.empty() && line.front() == ' ')
        line.remove_prefix(1);
    if (!line.starts_with("begin")) return start;
    line.remove_prefix(5);
    while (!line.empty() && line.front() == ' ')
        line.remove_prefix(1);
    const char* end = line.data() + line.size();
    // `300x300 12345`, or Creality Print's `300 300 12345`.
    auto [after_width, code] = std::from_chars(line.data(), end, start.width);
    if (code == std::errc() && after_width < end && (*after_width == 'x' || *after_width == ' '))
        std::from_chars(after_width + 1, end, start.height);
    start.found = true;
    return start;
}

bool is_block_end(std::string_view line) {
    return line.find("thumbnail") != std::string_view::npos &&
           line.find(" end") != std::string_view::npos &&
           line.find("begin") == std::string_view::npos;
}

// A line that is a command, not a comment or blank: the header is over.
bool is_command(std::string_view line) {
    for (const char c : line) {
        if (c == ' ' || c == '\t' || c == '\r') continue;
        return c != ';';
    }
    return false;
}

}  // namespace

std::optional<std::string> decode_base64(std::string_view text) {
    std::array<int, 256> value{};
    value.fill(-1);
    constexpr std::string_view alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (std::size_t i = 0; i < alphabet.size(); ++i)
        value[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);
    std::string out;
    out.reserve(text.size() * 3 / 4);
    std::uint32_t bits = 0;
    int count = 0;
    bool padding = false;
    for (const char c : text) {
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
        if (c == '=') {
            padding = true;
            continue;
        }
        const int v = value[static_cast<unsigned char>(c)];
        if (v < 0 || padding) return std::nullopt;
        bits = (bits << 6U) | static_cast<std::uint32_t>(v);
        count += 6;
        if (count >= 8) {
            count -= 8;
            out.push_back(static_cast<char>((bits >> static_cast<unsigned>(count)) & 0xFFU));
        }
    }
    return out;
}

std::optional<Thumbnail> extract_thumbnail(const std::filesystem::path& gcode,
                                           std::uint64_t max_header_bytes) {
    std::ifstream in(gcode, std::ios::binary);
    if (!in) return std::nullopt;
    std::optional<Thumbnail> best;
    std::string line;
    std::string base64;
    BlockStart open;
    std::uint64_t read = 0;
    while (read < max_header_bytes && std::getline(in, line)) {
        read += line.size() + 1;
        if (!open.found) {
            if (is_command(line)) break;
            if (!line.starts_with(';')) continue;
            open = block_start(line);
            base64.clear();
            continue;
        }
        if (!is_block_end(line)) {
            const std::size_t data = line.find_first_not_of("; ");
            if (data != std::string::npos) base64.append(line, data);
            continue;
        }
        const bool qoi = open.format == ImageFormat::qoi;
        const bool png = open.format == ImageFormat::png || qoi;
        const bool jpg = open.format == ImageFormat::jpg;
        std::optional<std::string> bytes = (png || jpg) ? decode_base64(base64) : std::nullopt;
        if (qoi && bytes) bytes = qoi_to_png(*bytes);
        const bool image =
            bytes && (png ? bytes->starts_with(png_signature) : bytes->starts_with("\xFF\xD8\xFF"));
        if (image && (!best || open.width * open.height > best->width * best->height))
            best = Thumbnail{png ? "png" : "jpg", open.width, open.height, std::move(*bytes)};
        open = BlockStart{};
    }
    return best;
}

}  // namespace strata::server
