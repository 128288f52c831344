// X3 primitives over words.hpp's readers: a G-code number, and the hot path of the grammar as one
// primitive, `letter blanks number` followed by what may end a word. Spelled with X3 operators
// the word is the same language, but each then costs several nested parser calls and a Fusion
// attribute; files are mostly words. Only lexer/ includes this header.
#pragma once

#include <boost/spirit/home/x3.hpp>

#include "words.hpp"

namespace strata::parser::lexer {

/// A number (`-1.5`, `.5`, `nan`): attribute `double`.
struct number_parser : boost::spirit::x3::parser<number_parser> {
    using attribute_type = double;
    static bool const has_attribute = true;

    template <typename Iterator, typename Context, typename RContext, typename Attribute>
    bool parse(Iterator& first, Iterator const& last, Context const& /*context*/,
               RContext& /*rcontext*/, Attribute& attribute) const {
        double value = 0.0;
        const char* end = words::parse_gcode_number(first, last, value);
        if (end == nullptr) return false;
        first = end;
        boost::spirit::x3::traits::move_to(value, attribute);
        return true;
    }
};

inline constexpr number_parser gcode_number{};

/// One numeric word: attribute `words::NumericWord`.
struct numeric_word_parser : boost::spirit::x3::parser<numeric_word_parser> {
    using attribute_type = words::NumericWord;
    static bool const has_attribute = true;

    template <typename Iterator, typename Context, typename RContext, typename Attribute>
    bool parse(Iterator& first, Iterator const& last, Context const& /*context*/,
               RContext& /*rcontext*/, Attribute& attribute) const {
        words::NumericWord word;
        const char* end = words::read_numeric_word(first, last, word);
        if (end == nullptr) return false;
        boost::spirit::x3::traits::move_to(word, attribute);
        first = end;
        return true;
    }
};

inline constexpr numeric_word_parser numeric_word{};

}  // namespace strata::parser::lexer
