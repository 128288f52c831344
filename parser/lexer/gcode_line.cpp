// Names for the lexer's enums and the macro parameter lookup; kept out of the header so the
// header stays a plain data definition.
#include "strata/parser/gcode_line.hpp"

namespace strata::parser {

std::string_view to_string(LineKind kind) {
    switch (kind) {
        case LineKind::empty: return "empty";
        case LineKind::comment: return "comment";
        case LineKind::command: return "command";
        case LineKind::macro: return "macro";
        case LineKind::host_command: return "host command";
        case LineKind::text: return "text";
    }
    return "?";
}

std::string_view to_string(LexError error) {
    switch (error) {
        case LexError::none: return "no error";
        case LexError::bad_token: return "unexpected characters";
        case LexError::bad_number: return "malformed number";
        case LexError::non_finite_number: return "number is not finite (NaN, inf or out of range)";
        case LexError::bad_checksum: return "checksum does not match the line";
        case LexError::malformed_checksum: return "'*' is not followed by a checksum 0-255";
        case LexError::too_many_macro_params:
            return "more than 16 macro parameters, or a macro line over 64 KiB";
        case LexError::stray_number: return "number without a letter; skipped";
        case LexError::exponent_like_number:
            return "number with an exponent: G-code has none, read as a separate E word (as Marlin "
                   "does)";
    }
    return "?";
}

std::string_view GcodeLine::macro_param(std::string_view key) const {
    auto equal_ignoring_case = [](std::string_view a, std::string_view b) {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i) {
            if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
        }
        return true;
    };
    for (int i = 0; i < macro_param_count; ++i) {
        if (equal_ignoring_case(macro_param_key(i), key)) return macro_param_value(i);
    }
    return {};
}

}  // namespace strata::parser
