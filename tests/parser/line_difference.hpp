// Compares two lexed lines field by field, for the tests that check two ways of lexing agree:
// the first field that differs, named, or an empty string when the lines are the same. Views
// must point at the same bytes (not merely equal text), and value slots are compared only where
// the presence mask says they were written.
#pragma once

#include <bit>
#include <cstdint>
#include <sstream>
#include <string>
#include <tuple>

#include "strata/parser/gcode_line.hpp"

namespace strata::parser::testing {

inline std::string view_difference(const char* field, std::string_view a, std::string_view b) {
    if (a.data() == b.data() && a.size() == b.size()) return {};
    std::ostringstream out;
    out << field << ": \"" << a << "\" against \"" << b << "\"";
    return out.str();
}

inline std::string line_difference(const GcodeLine& a, const GcodeLine& b) {
    std::ostringstream out;
    auto differs = [&out](const char* field, auto left, auto right) {
        if (left == right) return false;
        out << field << ": " << +left << " against " << +right;
        return true;
    };
    if (differs("kind", static_cast<int>(a.kind), static_cast<int>(b.kind)) ||
        differs("error", static_cast<int>(a.error), static_cast<int>(b.error)) ||
        differs("error_column", a.error_column, b.error_column) ||
        differs("command_letter", a.command_letter, b.command_letter) ||
        differs("command_number", a.command_number, b.command_number) ||
        differs("subcode", a.subcode, b.subcode) ||
        differs("word_mask", a.word_mask, b.word_mask) ||
        differs("bare_word_mask", a.bare_word_mask, b.bare_word_mask) ||
        differs("has_line_number", a.has_line_number, b.has_line_number) ||
        differs("has_checksum", a.has_checksum, b.has_checksum) ||
        differs("macro_param_count", a.macro_param_count, b.macro_param_count)) {
        return out.str();
    }
    if (a.has_line_number && differs("line_number", a.line_number, b.line_number)) return out.str();
    if (a.has_checksum && differs("checksum", a.checksum, b.checksum)) return out.str();
    for (const auto& [field, left, right] :
         {std::tuple{"raw", a.raw, b.raw}, std::tuple{"comment", a.comment, b.comment},
          std::tuple{"string_argument", a.string_argument, b.string_argument},
          std::tuple{"name", a.name, b.name}}) {
        if (std::string difference = view_difference(field, left, right); !difference.empty())
            return difference;
    }
    for (int letter = 0; letter < GcodeLine::letter_count; ++letter) {
        if ((a.word_mask & (1u << letter)) == 0) continue;
        const double left = a.word_value[static_cast<std::size_t>(letter)];
        const double right = b.word_value[static_cast<std::size_t>(letter)];
        // Bit for bit: -0.0 against 0.0 or another NaN is a difference too.
        if (std::bit_cast<std::uint64_t>(left) != std::bit_cast<std::uint64_t>(right)) {
            out << static_cast<char>('A' + letter) << ": " << left << " against " << right;
            return out.str();
        }
    }
    for (int i = 0; i < a.macro_param_count; ++i) {
        if (a.macro_param_key(i) != b.macro_param_key(i) ||
            a.macro_param_value(i) != b.macro_param_value(i)) {
            out << "macro parameter " << i;
            return out.str();
        }
    }
    return {};
}

}  // namespace strata::parser::testing
