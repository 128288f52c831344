// The configuration file's syntax: the part of TOML that /etc/strata/strata.toml uses, read into
// tables of named values with their line numbers, so that the code giving them meaning can name
// the line and the field of a bad value. Supported: comments, `[table]` and `[[array of
// tables]]` headers with bare names, `key = value` with bare keys, basic and literal strings,
// integers, floats, booleans and arrays (over several lines too). Anything else TOML has
// (dotted keys, inline tables, multi-line strings, dates) is refused by name, never misread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "strata/common/result.hpp"

namespace strata::cli {

struct ConfigValue {
    std::variant<std::string, std::int64_t, double, bool, std::vector<ConfigValue>> data;
    std::uint32_t line = 0;
};

/// One table: the root (name ""), a `[name]`, or one element of a `[[name]]`.
struct ConfigTable {
    std::string name;
    bool array_element = false;
    std::uint32_t line = 0;
    std::vector<std::pair<std::string, ConfigValue>> entries;  ///< In file order, keys unique.
};

/// The tables in file order; the root first, always.
struct ConfigDocument {
    std::vector<ConfigTable> tables;
};

/// The document, or the first error as "line N: what is wrong".
[[nodiscard]] Result<ConfigDocument> parse_config(std::string_view text);
/// As `parse_config`, the message prefixed with the path.
[[nodiscard]] Result<ConfigDocument> read_config_file(const std::string& path);

/// "a string", "an integer"...: for messages that say what a field holds instead.
[[nodiscard]] const char* type_name(const ConfigValue& value);

}  // namespace strata::cli
