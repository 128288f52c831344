// Numbers as strata writes them into G-code (snapshot blocks, pause/resume scripts, rewritten
// temperatures, jogs, the resume preamble): always fixed notation. Marlin's parser has no
// exponents: it reads `X1e-04` as X1 followed by an E word, an extrusion. Every writer of G-code
// numbers in strata goes through this header, and `strata verify` checks the blocks with
// `has_exponent_number`.
#pragma once

#include <array>
#include <charconv>
#include <cmath>
#include <string>
#include <string_view>

namespace strata {

/// The shortest fixed-notation decimal that reads back as exactly `value` (`0.0001`, never
/// `1e-04`); `-0` is written `0`. The buffer holds any finite double that way; callers pass only
/// finite values (the lexer reads no others), so `nan` and `inf` never reach a printer.
inline void append_gcode_number(std::string& out, double value) {
    if (value == 0.0) value = 0.0;  // No "-0".
    std::array<char, 400> text{};
    const auto [end, error] =
        std::to_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed);
    out.append(text.data(), error == std::errc() ? end : text.data());
}

/// `value` rounded to `decimals` places in fixed notation, trailing zeros kept (`1.500`), and no
/// `-0.000` for a negative value that rounds to zero.
inline void append_gcode_fixed(std::string& out, double value, int decimals) {
    const double scale = std::pow(10.0, decimals);
    if (std::round(value * scale) == 0.0) value = 0.0;
    std::array<char, 400> text{};
    const auto [end, error] = std::to_chars(text.data(), text.data() + text.size(), value,
                                            std::chars_format::fixed, decimals);
    out.append(text.data(), error == std::errc() ? end : text.data());
}

/// `value` rounded to `decimals` places without trailing zeros (`1.5`, `2`): for G-code a person
/// reads, such as a jog.
[[nodiscard]] inline std::string gcode_number_short(double value, int decimals) {
    std::string out;
    append_gcode_fixed(out, value, decimals);
    if (out.find('.') != std::string::npos) {
        while (out.back() == '0')
            out.pop_back();
        if (out.back() == '.') out.pop_back();
    }
    return out;
}

/// Whether the code part of `line` (before any `;`) holds a number written with an exponent: a
/// digit or point followed by `e`/`E` and then a digit or sign. Meant for lines strata wrote,
/// which always separate their words with a space; compact slicer G-code such as `X1E2` is
/// legal and would match.
[[nodiscard]] inline bool has_exponent_number(std::string_view line) {
    const std::size_t comment = line.find(';');
    if (comment != std::string_view::npos) line = line.substr(0, comment);
    const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
    for (std::size_t at = 1; at + 1 < line.size(); ++at) {
        if (line[at] != 'e' && line[at] != 'E') continue;
        const char before = line[at - 1];
        const char after = line[at + 1];
        if ((is_digit(before) || before == '.') &&
            (is_digit(after) || after == '-' || after == '+'))
            return true;
    }
    return false;
}

}  // namespace strata
