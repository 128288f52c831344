// The iterator and context types the grammar is compiled for, in one place, as in Spirit X3's
// own examples: grammar.cpp instantiates the rule for exactly these, and lexer.cpp calls it with
// exactly these.
#pragma once

#include <boost/spirit/home/x3.hpp>

namespace strata::parser::lexer {

using iterator_type = const char*;
using context_type = boost::spirit::x3::unused_type;  // No skipper: blanks are in the grammar.

}  // namespace strata::parser::lexer
