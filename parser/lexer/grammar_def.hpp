// The G-code line grammar (Spirit X3). Included only by grammar.cpp, which compiles it once.
//
//   line          = blanks [line_number] blanks [body] blanks [checksum] blanks [comment] eoi
//   body          = host_command | command | macro | text
//   command       = ("G"|"M"|"T"|"P") uint ["." uint] (string_argument | items)
//                 | items                                   (bare words such as `S900`)
//   items         = { blanks (word | paren_comment | bad_number | bad_token) }
//   word          = letter blanks number | letter (bare, followed by a separator)
//   macro         = identifier { blanks KEY "=" value }     (Klipper / RRF extended commands)
//
// There is no skipper: blanks are explicit so `G1X5Y98F9000` and `G1 X5` read the same and the
// grammar decides where spaces may be. Semantic actions write straight into the rule's attribute
// (the GcodeLine), which keeps the parse allocation-free.
#pragma once

#include <cstring>  // memchr

#include <boost/spirit/home/x3.hpp>

#include "grammar.hpp"
#include "number_parser.hpp"
#include "strata/parser/lexer.hpp"  // reprap_checksum

namespace strata::parser::lexer {

namespace x3 = boost::spirit::x3;

namespace detail {

inline std::string_view view(const boost::iterator_range<const char*>& range) {
    return {range.begin(), static_cast<std::size_t>(range.end() - range.begin())};
}

inline std::string_view trim_right(std::string_view text) {
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    return text;
}

/// Succeeds, consuming nothing, when `predicate` holds for the line read so far: lets the grammar
/// branch on the command already read (free-text arguments, text words).
template <bool (*predicate)(const GcodeLine&)>
struct line_predicate_parser : x3::parser<line_predicate_parser<predicate>> {
    using attribute_type = x3::unused_type;
    static bool const has_attribute = false;
    template <typename Iterator, typename Context, typename RContext, typename Attribute>
    bool parse(Iterator& /*first*/, Iterator const& /*last*/, Context const& /*context*/,
               RContext& rcontext, Attribute& /*attribute*/) const {
        return predicate(rcontext);
    }
};
using text_words_allowed_parser = line_predicate_parser<words::takes_text_words>;
using string_argument_expected_parser = line_predicate_parser<words::takes_string_argument>;

/// A run of numeric words (`X1.5 Y2 E0.03`), stored straight into the line: the common case of
/// every move, kept out of the per-word alternative below so it costs one call per line.
struct numeric_word_run_parser : x3::parser<numeric_word_run_parser> {
    using attribute_type = x3::unused_type;
    static bool const has_attribute = false;
    template <typename Iterator, typename Context, typename RContext, typename Attribute>
    bool parse(Iterator& first, Iterator const& last, Context const& /*context*/,
               RContext& rcontext, Attribute& /*attribute*/) const {
        const char* end = words::read_numeric_words(first, last, rcontext);
        if (end == first) return false;
        first = end;
        return true;
    }
};

/// The command word (`G1`, `m117`, `T1000`, `G29.1`), written straight into the line. Equivalent
/// to `char_("GMTPgmtp") >> uint32 >> -('.' >> uint8) >> &(separator | letter)` with an action,
/// as one call: every command line starts with it.
struct command_head_parser : x3::parser<command_head_parser> {
    using attribute_type = x3::unused_type;
    static bool const has_attribute = false;
    template <typename Iterator, typename Context, typename RContext, typename Attribute>
    bool parse(Iterator& first, Iterator const& last, Context const& /*context*/,
               RContext& rcontext, Attribute& /*attribute*/) const {
        const char* end = words::read_command_head(first, last, rcontext);
        if (end == nullptr) return false;
        first = end;
        return true;
    }
};

}  // namespace detail

// ---- semantic actions -------------------------------------------------------------------

inline auto const on_line_number = [](auto& ctx) {
    auto& line = x3::_val(ctx);
    line.has_line_number = true;
    line.line_number = x3::_attr(ctx);
};

inline auto const on_words_only = [](auto& ctx) { x3::_val(ctx).kind = LineKind::command; };

inline auto const on_word = [](auto& ctx) {
    words::store_numeric_word(x3::_val(ctx), x3::_attr(ctx));
};

inline auto const on_bare_word = [](auto& ctx) {
    auto& line = x3::_val(ctx);
    const char letter = words::to_upper(x3::_attr(ctx));
    line.word_mask |= GcodeLine::bit(letter);
    line.bare_word_mask |= GcodeLine::bit(letter);
    line.word_value[static_cast<std::size_t>(letter - 'A')] = 0.0;
};

inline auto const on_quoted_word = [](auto& ctx) {
    // RepRapFirmware's quoted parameters (`M98 P"homeall.g"`): the text becomes the argument.
    auto& line = x3::_val(ctx);
    auto& attribute = x3::_attr(ctx);
    const char letter = words::to_upper(boost::fusion::at_c<0>(attribute));
    std::string_view quoted = detail::view(boost::fusion::at_c<1>(attribute));
    line.word_mask |= GcodeLine::bit(letter);
    line.bare_word_mask |= GcodeLine::bit(letter);
    line.word_value[static_cast<std::size_t>(letter - 'A')] = 0.0;
    line.string_argument = quoted.substr(1, quoted.size() - 2);
};

// Note: in Boost 1.74 `_where(ctx)` is the input left after the match, not the match itself, so
// actions that need a position take it from a range attribute instead.
inline auto const on_text_word = [](auto& ctx) {
    auto& line = x3::_val(ctx);
    auto& attribute = x3::_attr(ctx);
    const char letter = words::to_upper(boost::fusion::at_c<0>(attribute));
    line.word_mask |= GcodeLine::bit(letter);
    line.bare_word_mask |= GcodeLine::bit(letter);
    line.word_value[static_cast<std::size_t>(letter - 'A')] = 0.0;
    line.string_argument = detail::view(boost::fusion::at_c<1>(attribute));
};

inline auto const on_bad_number = [](auto& ctx) {
    words::report(x3::_val(ctx), LexError::bad_number, x3::_attr(ctx).begin());
};

inline auto const on_stray_number = [](auto& ctx) {
    words::report(x3::_val(ctx), LexError::stray_number, x3::_attr(ctx).begin());
};

inline auto const on_bad_token = [](auto& ctx) {
    words::report(x3::_val(ctx), LexError::bad_token, x3::_attr(ctx).begin());
};

inline auto const on_string_argument = [](auto& ctx) {
    x3::_val(ctx).string_argument = detail::trim_right(detail::view(x3::_attr(ctx)));
};

inline auto const on_comment = [](auto& ctx) {
    auto& line = x3::_val(ctx);
    if (line.comment.data() == nullptr) line.comment = detail::view(x3::_attr(ctx));
    if (line.kind == LineKind::empty) line.kind = LineKind::comment;
};

inline auto const on_macro_name = [](auto& ctx) {
    auto& line = x3::_val(ctx);
    line.kind = LineKind::macro;
    line.name = detail::view(x3::_attr(ctx));
};

inline auto const on_macro_param = [](auto& ctx) {
    auto& line = x3::_val(ctx);
    auto& attribute = x3::_attr(ctx);
    if (line.macro_param_count == GcodeLine::max_macro_params) {
        words::report(line, LexError::too_many_macro_params,
                      boost::fusion::at_c<0>(attribute).begin());
        return;
    }
    auto offset = [&line](std::string_view part) {
        return static_cast<std::uint16_t>(part.data() - line.raw.data());
    };
    auto length = [](std::string_view part) { return static_cast<std::uint16_t>(part.size()); };
    const std::string_view key = detail::view(boost::fusion::at_c<0>(attribute));
    const std::string_view value = detail::view(boost::fusion::at_c<1>(attribute));
    if (value.data() + value.size() - line.raw.data() > 0xFFFF) {
        words::report(line, LexError::too_many_macro_params, key.data());
        return;  // Offsets are 16-bit; a macro line over 64 KiB is not a real macro.
    }
    line.macro_params[line.macro_param_count++] =
        MacroParam{offset(key), length(key), offset(value), length(value)};
};

inline auto const on_host_command = [](auto& ctx) {
    auto& line = x3::_val(ctx);
    auto& attribute = x3::_attr(ctx);
    line.kind = LineKind::host_command;
    line.name = detail::view(boost::fusion::at_c<0>(attribute));
    line.string_argument = detail::trim_right(detail::view(boost::fusion::at_c<1>(attribute)));
};

inline auto const on_text = [](auto& ctx) {
    auto& line = x3::_val(ctx);
    // Actions do not roll back: an alternative tried before (a macro that turned out not to be
    // one) may have left a name or parameters behind.
    line.kind = LineKind::text;
    line.name = {};
    line.macro_param_count = 0;
    line.word_mask = 0;
    line.bare_word_mask = 0;
    line.string_argument = detail::trim_right(detail::view(x3::_attr(ctx)));
};

inline auto const on_checksum = [](auto& ctx) {
    auto& line = x3::_val(ctx);
    auto& attribute = x3::_attr(ctx);
    const char* star = boost::fusion::at_c<0>(attribute).begin();
    line.has_checksum = true;
    line.checksum = boost::fusion::at_c<1>(attribute);
    const auto expected =
        reprap_checksum({line.raw.data(), static_cast<std::size_t>(star - line.raw.data())});
    if (expected != line.checksum) words::report(line, LexError::bad_checksum, star);
};

inline auto const on_malformed_checksum = [](auto& ctx) {
    words::report(x3::_val(ctx), LexError::malformed_checksum, x3::_attr(ctx).begin());
};

// ---- the grammar ------------------------------------------------------------------------

using char_range = boost::iterator_range<const char*>;

// `raw[...]` inside a sequence has no concrete attribute type in X3; this gives it one, so
// actions receive plain iterator ranges (no copies, no allocation).
template <typename Subject>
auto as_range(Subject const& subject) {
    return x3::rule<struct range_class, char_range>{"range"} = x3::raw[subject];
}

/// Consumes everything up to (not including) `stop`, or to the end: a memchr instead of a
/// per-character loop, because comments and thumbnails are most of the bytes of many files.
template <char stop>
struct until_parser : x3::parser<until_parser<stop>> {
    using attribute_type = x3::unused_type;
    static bool const has_attribute = false;
    template <typename Iterator, typename Context, typename RContext, typename Attribute>
    bool parse(Iterator& first, Iterator const& last, Context const& /*context*/,
               RContext& /*rcontext*/, Attribute& /*attribute*/) const {
        if (stop == 0) {
            first = last;
            return true;
        }
        const void* found = std::memchr(first, stop, static_cast<std::size_t>(last - first));
        first = found != nullptr ? static_cast<const char*>(found) : last;
        return true;
    }
};
inline constexpr until_parser<0> rest_of_line{};
inline constexpr until_parser<';'> until_semicolon{};

// Explicit ASCII sets: x3::alpha and friends go through the C locale's isalpha, a libc call.
inline auto const letter = x3::char_("a-zA-Z");
inline auto const digit = x3::char_("0-9");
inline auto const identifier_char = x3::char_("a-zA-Z0-9_");

inline auto const blank = x3::lit(' ') | x3::lit('\t') | x3::lit('\r');
inline auto const blanks = *blank;
inline auto const separator = blank | x3::lit(';') | x3::lit('*') | x3::lit('(') | x3::eoi;
inline auto const token_char = x3::char_ - blank - x3::lit(';') - x3::lit('*') - x3::lit('(');

inline auto const line_number = (x3::omit[x3::char_("Nn")] >> x3::uint32)[on_line_number];

inline auto const word =
    numeric_word[on_word] |
    (letter >> blanks >> as_range('"' >> *(x3::char_ - '"') >> '"'))[on_quoted_word] |
    (letter >> &separator)[on_bare_word] |
    // `G28 XY`: axis letters may follow each other without a separator.
    (x3::char_("XYZEABCxyzeabc") >> &x3::char_("XYZEABCxyzeabc"))[on_bare_word] |
    (detail::text_words_allowed_parser{} >> letter >> as_range(+token_char))[on_text_word];
inline auto const bad_number =
    x3::raw[letter >> blanks >> (x3::char_("-+.") | digit) >> *token_char][on_bad_number];
// Some files carry a number without a letter (Simplify3D: `G1 0.200 F10000`); firmware skips it.
inline auto const stray_number = x3::raw[gcode_number >> &(separator | letter)][on_stray_number];
inline auto const bad_token = x3::raw[+token_char][on_bad_token];
inline auto const paren_comment = '(' >> x3::raw[until_parser<')'>{}][on_comment] >> -x3::lit(')');
// The `!` guard stops the loop at the end of the words without trying every alternative there.
inline auto const items = *(detail::numeric_word_run_parser{} |
                            blanks >> !(x3::eoi | ';' | '*') >>
                                (word | paren_comment | bad_number | stray_number | bad_token));

inline auto const command_head = detail::command_head_parser{};
inline auto const string_argument =
    detail::string_argument_expected_parser{} >> blanks >>
    x3::raw[*(x3::char_ - ';' - (x3::lit('*') >> x3::uint_ >> blanks >> (x3::eoi | ';')))]
           [on_string_argument];
inline auto const command = command_head >> (string_argument | items);
inline auto const words_only =
    (&(letter >> blanks >> gcode_number >> (separator | letter)) >> x3::eps)[on_words_only] >>
    items;

inline auto const identifier = as_range((letter | x3::char_('_')) >> +identifier_char);
inline auto const macro_value = as_range('"' >> *(x3::char_ - '"') >> '"' | +token_char);
inline auto const macro_param = (as_range(+identifier_char) >> '=' >> macro_value)[on_macro_param];
inline auto const macro = identifier[on_macro_name] >> *(+blank >> macro_param) >> blanks >>
                          &(x3::lit(';') | x3::eoi);

inline auto const host_command =
    ('@' >> as_range(+token_char) >> blanks >> as_range(until_semicolon))[on_host_command];
inline auto const text = x3::raw[&(x3::char_ - ';') >> until_semicolon][on_text];

// Alternatives start with different characters; the most common comes first.
inline auto const body =
    command | host_command | words_only | macro | (paren_comment >> items) | text;
inline auto const checksum =
    (as_range(x3::lit('*')) >> x3::uint_parser<std::uint8_t>{})[on_checksum] |
    x3::raw[x3::lit('*') >> *token_char][on_malformed_checksum];
inline auto const comment = ';' >> x3::raw[rest_of_line][on_comment];

line_type const line = "line";
// A comment-only line (a third of most files, and every thumbnail line) takes the first branch.
auto const line_def = blanks >>
                      (comment >> x3::eoi | -line_number >> blanks >> -body >> blanks >>
                                                -checksum >> blanks >> -comment >> x3::eoi);

BOOST_SPIRIT_DEFINE(line)

}  // namespace strata::parser::lexer
