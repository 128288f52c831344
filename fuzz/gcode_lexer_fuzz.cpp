// Fuzz target: the G-code lexer (parser/lexer). Every line of the input is lexed by the fast
// path (`lex_line`) and by the Spirit X3 grammar alone (`lex_line_by_grammar`), which must agree
// field by field; a line lexed into a slot that held another line must read as if lexed fresh
// (the analysis reuses slots); an error's column lies within the line.
#include <cstdint>
#include <string_view>

#include "../tests/parser/line_difference.hpp"
#include "fuzz_support.hpp"
#include "strata/parser/lexer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view rest(reinterpret_cast<const char*>(data), size);
    strata::parser::GcodeLine reused;
    while (!rest.empty()) {
        const std::size_t newline = rest.find('\n');
        const std::string_view line = rest.substr(0, newline);
        rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
        const strata::parser::GcodeLine fast = strata::parser::lex_line(line);
        const strata::parser::GcodeLine by_grammar = strata::parser::lex_line_by_grammar(line);
        const std::string difference = strata::parser::testing::line_difference(fast, by_grammar);
        if (!difference.empty())
            std::fprintf(stderr, "line [%.*s]: %s\n", static_cast<int>(line.size()), line.data(),
                         difference.c_str());
        strata::fuzz::require(difference.empty(), "the fast path and the grammar disagree");
        strata::parser::lex_line(line, reused);
        strata::fuzz::require(strata::parser::testing::line_difference(fast, reused).empty(),
                              "a reused slot reads differently from a fresh one");
        strata::fuzz::require(fast.error_column <= line.size(), "an error column past the line");
    }
    return 0;
}
