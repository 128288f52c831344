// Numbers as the streamer writes them into G-code it builds (scripts, rewritten temperatures):
// the shortest decimal that reads back as exactly the same double. Only streamer/job includes it.
#pragma once

#include <array>
#include <charconv>
#include <string>

namespace strata::streamer {

inline void append_gcode_number(std::string& out, double value) {
    std::array<char, 32> text{};
    const auto [end, error] = std::to_chars(text.data(), text.data() + text.size(), value);
    out.append(text.data(), error == std::errc() ? end : text.data());
}

}  // namespace strata::streamer
