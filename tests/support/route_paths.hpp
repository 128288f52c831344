// A concrete request path for a route pattern (`/api/files/{origin}/{path*}`), for the tests and
// the fuzz target that call every route in the table: each `{...}` filled with a harmless value.
#pragma once

#include <string>
#include <string_view>

namespace strata::testing {

/// `{origin}` is `local`, `{id}` is `1`, `{kind}` is `kind`, any other part is `name`.
inline std::string concrete_path(std::string_view pattern, std::string_view kind = "camera",
                                 std::string_view name = "x.gcode") {
    std::string path;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] != '{') {
            path += pattern[i];
            continue;
        }
        const std::size_t close = pattern.find('}', i);
        const std::string_view part = pattern.substr(i + 1, close - i - 1);
        path += part == "origin" ? std::string_view("local")
                : part == "id"   ? std::string_view("1")
                : part == "kind" ? kind
                                 : name;
        i = close;
    }
    return path;
}

}  // namespace strata::testing
