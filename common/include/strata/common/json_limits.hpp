// A bound on JSON nesting, checked on the text before RapidJSON parses it. RapidJSON's parser
// recurses once per nested array or object, and so do CopyFrom, Accept and comparisons: about
// 150 KB of `[` overflow the stack and kill the process. Every document strata reads (request
// bodies, profiles, its own job index) is a few levels deep. And a check for NUL bytes, which
// RapidJSON reads as the end of the text.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace strata {

inline constexpr int max_json_depth = 64;

/// The offset of the first `[` or `{` that opens a level deeper than `max_depth`, or nothing.
/// Brackets inside strings do not count; the text need not be valid JSON.
[[nodiscard]] inline std::optional<std::size_t> json_too_deep_at(std::string_view text,
                                                                 int max_depth = max_json_depth) {
    int depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (std::size_t at = 0; at < text.size(); ++at) {
        const char c = text[at];
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth) return at;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return std::nullopt;
}

/// The offset of the first NUL byte in `text`, or nothing. RapidJSON takes a NUL for the end of
/// the text, so `{}` NUL `anything` parses as `{}` and the rest would be silently ignored (and
/// stored as it is: found by fuzz/api_bodies). No JSON text has one: inside strings it must be
/// escaped, outside them only whitespace may stand.
[[nodiscard]] inline std::optional<std::size_t> json_nul_at(std::string_view text) {
    const std::size_t at = text.find('\0');
    if (at == std::string_view::npos) return std::nullopt;
    return at;
}

/// Whether `text` opens with `{` after JSON whitespace. RapidJSON 1.1.0 (Debian 12) passes over
/// some bytes before the value (a lone 0xBF; a UTF-8 byte order mark), so `\xBF{}` parsed as
/// `{}` and was stored with the stray byte (found by fuzz/api_bodies).
[[nodiscard]] inline bool json_opens_object(std::string_view text) {
    const std::size_t first = text.find_first_not_of(" \t\r\n");
    return first != std::string_view::npos && text[first] == '{';
}

}  // namespace strata
