// lex_line: a shortcut for the lines most files are made of, then the X3 line rule for the rest.
// Everything heavy is in grammar.cpp; this file sets up the value, takes the shortcut when it
// can, and records where a parse stopped when the grammar gave up early.
#include "strata/parser/lexer.hpp"

#include <algorithm>
#include <new>
#include <type_traits>

#include "config.hpp"
#include "grammar.hpp"
#include "words.hpp"

namespace strata::parser {

static_assert(std::is_trivially_destructible_v<GcodeLine>, "lex_line reuses slots in place");

unsigned reprap_checksum(std::string_view bytes) {
    unsigned checksum = 0;
    for (char c : bytes)
        checksum ^= static_cast<unsigned char>(c);
    return checksum & 0xFFu;
}

namespace {

namespace words = lexer::words;

// The grammar's own path through a line that is blank, a comment, or a command with numeric
// words and an optional comment (`G1 X5 Y3 E0.02 ; note`): the same readers in the same order,
// without the rule machinery around them. Measured with cachegrind: 751 instructions for
// `G1 X100.231 Y122.622 E2.2055` through the rule, 667 this way; a comment line 103 against 75.
// False, with `line` partly written, at anything else (checksums, line numbers, bare or text
// words, macros, errors in the words' place); the rule then reads the line from the start.
bool lex_common_line(GcodeLine& line) {
    const char* cursor = line.raw.data();
    const char* const last = cursor + line.raw.size();
    while (cursor != last && words::is_blank(*cursor))
        ++cursor;
    if (cursor != last && *cursor != ';') {
        cursor = words::read_command_head(cursor, last, line);
        if (cursor == nullptr || words::takes_string_argument(line)) return false;
        cursor = words::read_numeric_words(cursor, last, line);
        while (cursor != last && words::is_blank(*cursor))
            ++cursor;
    }
    if (cursor == last) return true;
    if (*cursor != ';') return false;
    line.comment = std::string_view(cursor + 1, static_cast<std::size_t>(last - cursor - 1));
    if (line.kind == LineKind::empty) line.kind = LineKind::comment;
    return true;
}

void lex_by_grammar(GcodeLine& line) {
    lexer::iterator_type first = line.raw.data();
    const lexer::iterator_type last = line.raw.data() + line.raw.size();
    const bool parsed = boost::spirit::x3::parse(first, last, lexer::line_rule(), line);
    if (!parsed && line.error == LexError::none) {
        // Only stray bytes after a checksum can get here (`G1 X5 *12 Y3`).
        line.error = LexError::bad_token;
        line.error_column =
            static_cast<std::uint16_t>(std::min<std::ptrdiff_t>(first - line.raw.data(), 0xFFFF));
    }
}

std::string_view without_carriage_return(std::string_view text) {
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    return text;
}

// Lexes into `line`, which must be freshly default-initialised (its value slots are written only
// for the words present, so nothing else needs clearing).
void lex_into_fresh(std::string_view text, GcodeLine& line) {
    const std::string_view raw = without_carriage_return(text);
    line.raw = raw;
    if (lex_common_line(line)) return;
    new (&line) GcodeLine;  // Fresh again: the shortcut may have written part of the line.
    line.raw = raw;
    lex_by_grammar(line);
}

}  // namespace

GcodeLine lex_line(std::string_view text) {
    GcodeLine line;
    lex_into_fresh(text, line);
    return line;
}

GcodeLine lex_line_by_grammar(std::string_view text) {
    GcodeLine line;
    line.raw = without_carriage_return(text);
    lex_by_grammar(line);
    return line;
}

void lex_line(std::string_view text, GcodeLine& out) {
    // A fresh default-initialised line in the slot: its fields get their defaults and its value
    // slots are left alone, exactly as for a local. GcodeLine is trivially destructible and has
    // no const members, so the slot's old object needs no destructor and `out` still names it.
    lex_into_fresh(text, *new (&out) GcodeLine);
}

}  // namespace strata::parser
