// lex_line: runs the X3 line rule over one line. Everything heavy is in grammar.cpp; this file
// only sets up the value and records where a parse stopped when the grammar gave up early.
#include "strata/parser/lexer.hpp"

#include <algorithm>
#include <new>
#include <type_traits>

#include "config.hpp"
#include "grammar.hpp"

namespace strata::parser {

static_assert(std::is_trivially_destructible_v<GcodeLine>, "lex_line reuses slots in place");

unsigned reprap_checksum(std::string_view bytes) {
    unsigned checksum = 0;
    for (char c : bytes)
        checksum ^= static_cast<unsigned char>(c);
    return checksum & 0xFFu;
}

namespace {

// Lexes into `line`, which must be freshly default-initialised (its value slots are written only
// for the words present, so nothing else needs clearing).
void lex_into_fresh(std::string_view text, GcodeLine& line) {
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
}

}  // namespace

GcodeLine lex_line(std::string_view text) {
    GcodeLine line;
    lex_into_fresh(text, line);
    return line;
}

void lex_line(std::string_view text, GcodeLine& out) {
    // A fresh default-initialised line in the slot: its fields get their defaults and its value
    // slots are left alone, exactly as for a local. GcodeLine is trivially destructible and has
    // no const members, so the slot's old object needs no destructor and `out` still names it.
    lex_into_fresh(text, *new (&out) GcodeLine);
}

}  // namespace strata::parser
