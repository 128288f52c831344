// The text overlay: a template expanded from each frame's metadata and drawn with stb_truetype
// in a TrueType font, outlined so it reads on any background. Glyphs are rasterized once and
// reused for every frame. Internal to the renderer.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "picture.hpp"
#include "strata/timelapse/frames.hpp"
#include "strata/timelapse/render.hpp"

namespace strata::timelapse::render {

/// The template with every token replaced from `info`; an unknown token is left out and named
/// in `unknown` (validation reports it before rendering starts).
std::string expand_template(const std::string& text_template, const FrameInfo& info,
                            std::string* unknown = nullptr);

class TextOverlay {
  public:
    TextOverlay();
    ~TextOverlay();
    TextOverlay(const TextOverlay&) = delete;
    TextOverlay& operator=(const TextOverlay&) = delete;

    /// Loads the font for frames `frame_height` pixels tall; `invalid`, naming the font, when it
    /// is not a readable TrueType font.
    [[nodiscard]] Status load(const Overlay& overlay, int frame_height);
    [[nodiscard]] bool enabled() const { return !overlay_.text_template.empty(); }
    /// Draws the expanded template for `info` into `picture`.
    void draw(Picture& picture, const FrameInfo& info);

  private:
    struct Glyph {
        int width = 0;
        int height = 0;
        int offset_x = 0;  ///< From the pen position to the bitmap's left edge.
        int offset_y = 0;  ///< From the baseline to the bitmap's top edge (negative: above).
        int advance = 0;
        std::vector<std::uint8_t> coverage;
    };
    const Glyph& glyph(char32_t codepoint);
    void blend(Picture& picture, const Glyph& glyph, int left, int top,
               const std::array<std::uint8_t, 3>& color);

    struct Font;
    std::unique_ptr<Font> font_;
    Overlay overlay_;
    std::map<char32_t, Glyph> glyphs_;
    int pixel_height_ = 0;
    int ascent_px_ = 0;
};

}  // namespace strata::timelapse::render
