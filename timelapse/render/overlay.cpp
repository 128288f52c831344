// TextOverlay and template expansion. A frame's text is a handful of glyphs, so each is
// rasterized once into a coverage map and alpha-blended per frame: first the outline (the glyph
// stamped around its position), then the fill.
#include "overlay.hpp"

#include <stb_truetype.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <fstream>
#include <iterator>

namespace strata::timelapse::render {
namespace {

std::string clock_text(double seconds, bool hours_unpadded) {
    const auto total = static_cast<long long>(std::max(0.0, std::floor(seconds)));
    std::array<char, 32> text{};
    std::snprintf(text.data(), text.size(),
                  hours_unpadded ? "%lld:%02lld:%02lld" : "%02lld:%02lld:%02lld", total / 3600,
                  total / 60 % 60, total % 60);
    return text.data();
}

std::string wall_clock(double unix_s) {
    const auto time = static_cast<std::time_t>(unix_s);
    std::tm local{};
    localtime_r(&time, &local);
    std::array<char, 16> text{};
    std::strftime(text.data(), text.size(), "%H:%M:%S", &local);
    return text.data();
}

std::string token_value(const std::string& token, const FrameInfo& info, bool& known) {
    known = true;
    std::array<char, 32> text{};
    if (token == "snapshot") return std::to_string(info.snapshot);
    if (token == "layer") return std::to_string(info.layer);
    if (token == "height") {
        std::snprintf(text.data(), text.size(), "%.2f", info.z_mm);
        return text.data();
    }
    if (token == "progress") {
        std::snprintf(text.data(), text.size(), "%.0f", info.progress_percent);
        return text.data();
    }
    if (token == "elapsed") return clock_text(info.elapsed_s, true);
    if (token == "time") return wall_clock(info.captured_unix_s);
    known = false;
    return {};
}

// UTF-8 to code points; a malformed byte stands for itself (Latin-1), never stops the render.
std::u32string decode_utf8(const std::string& text) {
    std::u32string out;
    for (std::size_t i = 0; i < text.size();) {
        const auto byte = static_cast<unsigned char>(text[i]);
        const int extra = byte >= 0xF0 ? 3 : byte >= 0xE0 ? 2 : byte >= 0xC0 ? 1 : 0;
        if (extra == 0 || i + static_cast<std::size_t>(extra) >= text.size()) {
            out.push_back(byte);
            ++i;
            continue;
        }
        char32_t code = byte & (0x3F >> extra);
        for (int k = 1; k <= extra; ++k)
            code = (code << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
        out.push_back(code);
        i += static_cast<std::size_t>(extra) + 1;
    }
    return out;
}

}  // namespace

std::string expand_template(const std::string& text_template, const FrameInfo& info,
                            std::string* unknown) {
    std::string out;
    std::size_t i = 0;
    while (i < text_template.size()) {
        const std::size_t open = text_template.find('{', i);
        const std::size_t close =
            open == std::string::npos ? std::string::npos : text_template.find('}', open);
        if (close == std::string::npos) {
            out.append(text_template, i, std::string::npos);
            break;
        }
        out.append(text_template, i, open - i);
        const std::string token = text_template.substr(open + 1, close - open - 1);
        bool known = false;
        out += token_value(token, info, known);
        if (!known && unknown != nullptr && unknown->empty()) *unknown = token;
        i = close + 1;
    }
    return out;
}

struct TextOverlay::Font {
    std::string bytes;
    stbtt_fontinfo info{};
    float scale = 0.0F;
};

TextOverlay::TextOverlay() = default;
TextOverlay::~TextOverlay() = default;

Status TextOverlay::load(const Overlay& overlay, int frame_height) {
    overlay_ = overlay;
    if (!enabled()) return {};
    auto font = std::make_unique<Font>();
    std::ifstream in(overlay.font_path, std::ios::binary);
    font->bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    const auto* data = reinterpret_cast<const unsigned char*>(font->bytes.data());
    if (font->bytes.empty() ||
        stbtt_InitFont(&font->info, data, stbtt_GetFontOffsetForIndex(data, 0)) == 0)
        return fail(ErrorCode::invalid, "overlay font " + overlay.font_path.string() +
                                            ": not a readable TrueType font");
    pixel_height_ = overlay.font_px > 0 ? overlay.font_px : std::max(8, frame_height / 20);
    font->scale = stbtt_ScaleForPixelHeight(&font->info, static_cast<float>(pixel_height_));
    int ascent = 0;
    int descent = 0;
    int gap = 0;
    stbtt_GetFontVMetrics(&font->info, &ascent, &descent, &gap);
    ascent_px_ = static_cast<int>(std::lround(static_cast<float>(ascent) * font->scale));
    font_ = std::move(font);
    glyphs_.clear();
    return {};
}

const TextOverlay::Glyph& TextOverlay::glyph(char32_t codepoint) {
    const auto found = glyphs_.find(codepoint);
    if (found != glyphs_.end()) return found->second;
    Glyph glyph;
    const auto code = static_cast<int>(codepoint);
    int advance = 0;
    int bearing = 0;
    stbtt_GetCodepointHMetrics(&font_->info, code, &advance, &bearing);
    glyph.advance = static_cast<int>(std::lround(static_cast<float>(advance) * font_->scale));
    unsigned char* bitmap =
        stbtt_GetCodepointBitmap(&font_->info, 0, font_->scale, code, &glyph.width, &glyph.height,
                                 &glyph.offset_x, &glyph.offset_y);
    if (bitmap != nullptr) {
        glyph.coverage.assign(bitmap, bitmap + static_cast<std::size_t>(glyph.width) *
                                                   static_cast<std::size_t>(glyph.height));
        stbtt_FreeBitmap(bitmap, nullptr);
    }
    return glyphs_.emplace(codepoint, std::move(glyph)).first->second;
}

void TextOverlay::blend(Picture& picture, const Glyph& glyph, int left, int top,
                        const std::array<std::uint8_t, 3>& color) {
    for (int y = 0; y < glyph.height; ++y) {
        const int py = top + y;
        if (py < 0 || py >= picture.height) continue;
        for (int x = 0; x < glyph.width; ++x) {
            const int px = left + x;
            const unsigned alpha =
                glyph.coverage[static_cast<std::size_t>(y) * static_cast<std::size_t>(glyph.width) +
                               static_cast<std::size_t>(x)];
            if (px < 0 || px >= picture.width || alpha == 0) continue;
            std::uint8_t* pixel = picture.pixel(px, py);
            for (std::size_t c = 0; c < 3; ++c)
                pixel[c] =
                    static_cast<std::uint8_t>((color[c] * alpha + pixel[c] * (255 - alpha)) / 255);
        }
    }
}

void TextOverlay::draw(Picture& picture, const FrameInfo& info) {
    if (!enabled()) return;
    const std::u32string text = decode_utf8(expand_template(overlay_.text_template, info));
    int text_width = 0;
    for (const char32_t codepoint : text)
        text_width += glyph(codepoint).advance;
    const int margin = pixel_height_ / 2 + overlay_.outline_px;
    const bool right =
        overlay_.corner == Corner::top_right || overlay_.corner == Corner::bottom_right;
    const bool bottom =
        overlay_.corner == Corner::bottom_left || overlay_.corner == Corner::bottom_right;
    const int start_x = right ? picture.width - margin - text_width : margin;
    const int baseline =
        bottom ? picture.height - margin - (pixel_height_ - ascent_px_) : margin + ascent_px_;
    const int outline = overlay_.outline_px;
    for (const bool fill : {false, true}) {
        int pen = start_x;
        for (const char32_t codepoint : text) {
            const Glyph& g = glyph(codepoint);
            const int left = pen + g.offset_x;
            const int top = baseline + g.offset_y;
            if (fill) {
                blend(picture, g, left, top, overlay_.color_rgb);
            } else {
                for (int dy = -outline; dy <= outline; ++dy)
                    for (int dx = -outline; dx <= outline; ++dx)
                        if ((dx != 0 || dy != 0) && dx * dx + dy * dy <= outline * outline + 1)
                            blend(picture, g, left + dx, top + dy, overlay_.outline_rgb);
            }
            pen += g.advance;
        }
    }
}

}  // namespace strata::timelapse::render
