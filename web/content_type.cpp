// File types by extension, for the generator (at build time) and the folder source (at run
// time) alike: what a browser needs to run a script or apply a style sheet.
#include <array>
#include <utility>

#include "strata/web/assets.hpp"

namespace strata::web {

std::string_view content_type_of(std::string_view path) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 16> types = {{
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".webmanifest", "application/manifest+json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".webp", "image/webp"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".woff", "font/woff"},
        {".txt", "text/plain; charset=utf-8"},
        {".wasm", "application/wasm"},
        {".map", "application/json"},
    }};
    for (const auto& [extension, type] : types)
        if (path.ends_with(extension)) return type;
    return "application/octet-stream";
}

bool is_safe_path(std::string_view path) {
    if (path.empty() || path.front() == '/') return false;
    while (!path.empty()) {
        const std::size_t slash = path.find('/');
        const std::string_view segment = path.substr(0, slash);
        if (segment.empty() || segment == "." || segment == ".." ||
            segment.find_first_of(std::string_view("\0\\", 2)) != std::string_view::npos)
            return false;
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return true;
}

}  // namespace strata::web
