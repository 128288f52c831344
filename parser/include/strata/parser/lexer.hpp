// The lexer's public face: one line of bytes in, one flat GcodeLine out. A pure function with no
// state, so it can run on any thread and be tested line by line. The Spirit X3 grammar behind it
// is compiled in exactly one translation unit (lexer/grammar.cpp); this header stays light.
#pragma once

#include <string_view>

#include "strata/parser/gcode_line.hpp"

namespace strata::parser {

/// Lexes one line. `line` must not contain the end-of-line byte; a trailing `\r` is ignored.
/// Never fails: problems are reported in `GcodeLine::error` and `error_column`.
[[nodiscard]] GcodeLine lex_line(std::string_view line);

/// The same, into `out`, which is overwritten: what a batch of reused line slots needs, where
/// returning a GcodeLine (about 430 bytes) by value would cost a copy per line.
void lex_line(std::string_view line, GcodeLine& out);

/// The same line through the X3 grammar alone, without lex_line's shortcut for common lines: for
/// the tests that check the two read every line alike.
[[nodiscard]] GcodeLine lex_line_by_grammar(std::string_view line);

/// XOR of the bytes, the RepRap checksum that `*NN` carries.
[[nodiscard]] unsigned reprap_checksum(std::string_view bytes);

}  // namespace strata::parser
