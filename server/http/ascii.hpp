// ASCII case folding for the HTTP parsers: header names, media types and parameter names are
// case-insensitive. Internal to server/http.
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace strata::server::http {

inline std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

}  // namespace strata::server::http
