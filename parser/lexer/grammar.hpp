// Declares the line rule. Only lexer.cpp includes this; the definition lives in grammar_def.hpp
// and is compiled once, in grammar.cpp (Spirit X3's BOOST_SPIRIT_DECLARE/INSTANTIATE layout).
#pragma once

#include <boost/spirit/home/x3.hpp>

#include "strata/parser/gcode_line.hpp"

namespace strata::parser::lexer {

struct line_class;
using line_type = boost::spirit::x3::rule<line_class, GcodeLine>;
BOOST_SPIRIT_DECLARE(line_type)

/// The rule for one whole line; its attribute is the GcodeLine being filled.
line_type const& line_rule();

}  // namespace strata::parser::lexer
