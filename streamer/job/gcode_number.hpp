// Numbers as the streamer writes them into G-code it builds (scripts, rewritten temperatures):
// the shortest decimal that reads back as exactly the same double. Only streamer/job includes it.
#pragma once

#include <array>
#include <charconv>
#include <string>

namespace strata::streamer {

// Fixed notation: no firmware reads an exponent (`1e+27` would be read as 1, then a stray `e`).
// The buffer holds any finite double that way; callers pass only finite values (the lexer reads
// no others), so `nan` and `inf` never reach a printer.
inline void append_gcode_number(std::string& out, double value) {
    std::array<char, 400> text{};
    const auto [end, error] =
        std::to_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed);
    out.append(text.data(), error == std::errc() ? end : text.data());
}

}  // namespace strata::streamer
