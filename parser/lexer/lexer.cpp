// lex_line: runs the X3 line rule over one line. Everything heavy is in grammar.cpp; this file
// only sets up the value and records where a parse stopped when the grammar gave up early.
#include "strata/parser/lexer.hpp"

#include <algorithm>

#include "config.hpp"
#include "grammar.hpp"

namespace strata::parser {

unsigned reprap_checksum(std::string_view bytes) {
    unsigned checksum = 0;
    for (char c : bytes)
        checksum ^= static_cast<unsigned char>(c);
    return checksum & 0xFFu;
}

GcodeLine lex_line(std::string_view text) {
    GcodeLine line;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    line.raw = text;
    lexer::iterator_type first = text.data();
    const lexer::iterator_type last = text.data() + text.size();
    const bool parsed = boost::spirit::x3::parse(first, last, lexer::line_rule(), line);
    if (!parsed && line.error == LexError::none) {
        // Only stray bytes after a checksum can get here (`G1 X5 *12 Y3`).
        line.error = LexError::bad_token;
        line.error_column =
            static_cast<std::uint16_t>(std::min<std::ptrdiff_t>(first - text.data(), 0xFFFF));
    }
    return line;
}

}  // namespace strata::parser
