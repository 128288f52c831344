// The one translation unit that compiles the X3 grammar definition.
#include "config.hpp"
#include "grammar_def.hpp"

namespace strata::parser::lexer {

BOOST_SPIRIT_INSTANTIATE(line_type, iterator_type, context_type)

line_type const& line_rule() {
    return line;
}

}  // namespace strata::parser::lexer
