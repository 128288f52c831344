// An X3 primitive parser for G-code numbers: exact and fast. Marlin's parser reads numbers
// without exponents (it stops at `E` so `X5E0.5` is two words), and so does this one. Typical
// G-code numbers have few digits, so most take Clinger's exact fast path (an integer mantissa
// below 2^53 divided by an exact power of ten is correctly rounded); anything else falls back to
// fast_float, which is exact for every input. Only lexer/ includes this header.
#pragma once

#include <array>
#include <cstdint>
#include <limits>

#include <fast_float/fast_float.h>  // fast_float::from_chars, the exact fallback
#include <boost/spirit/home/x3.hpp>

namespace strata::parser::lexer {

/// `nan` / `inf` are not G-code, but firmwares using strtod would accept them; they are read so
/// the caller can reject them with a clear message instead of "bad token".
inline const char* parse_non_finite(const char* cursor, const char* last, bool negative,
                                    double& value) {
    auto lower = [](char c) { return static_cast<char>(c | 0x20); };
    auto matches = [&](const char* word) {
        const char* p = cursor;
        for (; *word != 0; ++word, ++p) {
            if (p == last || lower(*p) != *word) return false;
        }
        cursor = p;
        return true;
    };
    if (matches("nan")) {
        value = std::numeric_limits<double>::quiet_NaN();
        return cursor;
    }
    if (matches("infinity") || matches("inf")) {
        value = negative ? -std::numeric_limits<double>::infinity()
                         : std::numeric_limits<double>::infinity();
        return cursor;
    }
    return nullptr;
}

/// Parses `[+-]digits[.digits]`, `[+-].digits`, or `nan`/`inf` (reported, never silently used).
/// Returns the end of the number, or nullptr when there is none at `first`.
inline const char* parse_gcode_number(const char* first, const char* last, double& value) {
    static constexpr std::array<double, 23> exact_powers_of_ten = {
        1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char* cursor = first;
    bool negative = false;
    if (cursor != last && (*cursor == '-' || *cursor == '+')) {
        negative = *cursor == '-';
        ++cursor;
    }
    const char* digits_begin = cursor;
    std::uint64_t mantissa = 0;
    while (cursor != last && static_cast<unsigned>(*cursor - '0') < 10u) {
        mantissa = mantissa * 10 + static_cast<unsigned>(*cursor - '0');
        ++cursor;
    }
    int digit_count = static_cast<int>(cursor - digits_begin);
    int fraction_digits = 0;
    if (cursor != last && *cursor == '.') {
        const char* fraction_begin = ++cursor;
        while (cursor != last && static_cast<unsigned>(*cursor - '0') < 10u) {
            mantissa = mantissa * 10 + static_cast<unsigned>(*cursor - '0');
            ++cursor;
        }
        fraction_digits = static_cast<int>(cursor - fraction_begin);
        digit_count += fraction_digits;
    }
    // Past 19 digits the mantissa may have wrapped; such numbers take the fast_float path.
    if (digit_count == 0) return parse_non_finite(digits_begin, last, negative, value);
    if (digit_count <= 19 && mantissa <= (std::uint64_t{1} << 53) && fraction_digits <= 22) {
        const double magnitude = static_cast<double>(mantissa) /
                                 exact_powers_of_ten[static_cast<std::size_t>(fraction_digits)];
        value = negative ? -magnitude : magnitude;
        return cursor;
    }
    double magnitude = 0.0;
    auto result =
        fast_float::from_chars(digits_begin, cursor, magnitude, fast_float::chars_format::fixed);
    if (result.ptr != cursor) return nullptr;
    // fast_float reports overflow by returning infinity; that is what the caller checks.
    if (result.ec != std::errc{}) magnitude = std::numeric_limits<double>::infinity();
    value = negative ? -magnitude : magnitude;
    return cursor;
}

/// The X3 wrapper: attribute `double`.
struct number_parser : boost::spirit::x3::parser<number_parser> {
    using attribute_type = double;
    static bool const has_attribute = true;

    template <typename Iterator, typename Context, typename RContext, typename Attribute>
    bool parse(Iterator& first, Iterator const& last, Context const& /*context*/,
               RContext& /*rcontext*/, Attribute& attribute) const {
        double value = 0.0;
        const char* end = parse_gcode_number(first, last, value);
        if (end == nullptr) return false;
        first = end;
        boost::spirit::x3::traits::move_to(value, attribute);
        return true;
    }
};

inline constexpr number_parser gcode_number{};

/// One numeric word as the word parser sees it: where its letter is and its value.
struct NumericWord {
    const char* letter_at = nullptr;
    double value = 0.0;
};

/// The hot path of the grammar as one primitive: `letter blanks number`, followed by a separator
/// or the next letter (`G1X5Y98`). Spelled with X3 operators this is the same language, but each
/// word then costs several nested parser calls and a Fusion attribute; files are mostly words.
struct numeric_word_parser : boost::spirit::x3::parser<numeric_word_parser> {
    using attribute_type = NumericWord;
    static bool const has_attribute = true;

    static bool is_letter(char c) { return static_cast<unsigned>((c | 0x20) - 'a') < 26u; }
    static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

    /// The word at `first`, or nullptr; the end of the word otherwise.
    static const char* read(const char* first, const char* last, NumericWord& word) {
        if (first == last || !is_letter(*first)) return nullptr;
        const char* cursor = first + 1;
        while (cursor != last && is_blank(*cursor))
            ++cursor;
        const char* end = parse_gcode_number(cursor, last, word.value);
        if (end == nullptr) return nullptr;
        if (end != last && !is_blank(*end) && !is_letter(*end) && *end != ';' && *end != '*' &&
            *end != '(') {
            return nullptr;
        }
        word.letter_at = first;
        return end;
    }

    template <typename Iterator, typename Context, typename RContext, typename Attribute>
    bool parse(Iterator& first, Iterator const& last, Context const& /*context*/,
               RContext& /*rcontext*/, Attribute& attribute) const {
        NumericWord word;
        const char* end = read(first, last, word);
        if (end == nullptr) return false;
        boost::spirit::x3::traits::move_to(word, attribute);
        first = end;
        return true;
    }
};

inline constexpr numeric_word_parser numeric_word{};

}  // namespace strata::parser::lexer
