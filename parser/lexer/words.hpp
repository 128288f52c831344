// The pieces of a G-code line that nearly every line is made of, read by plain functions: the
// command word (`G1`), numeric words (`X1.5`), and how a word is stored into the GcodeLine. The
// X3 grammar (grammar_def.hpp) wraps them as primitives, and lexer.cpp's shortcut for common lines
// calls them directly, so both read these parts by the same code. No Spirit here; only lexer/
// includes this header.
//
// Numbers: Marlin never reads an exponent (it stops at `E`, so `X5E0.5` is two words), and
// neither does this. Typical G-code numbers have few digits, so most take Clinger's exact fast
// path (an integer mantissa below 2^53 divided by an exact power of ten is correctly rounded);
// anything else falls back to fast_float, which is exact for every input.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>

#include <fast_float/fast_float.h>  // fast_float::from_chars, the exact fallback

#include "strata/parser/gcode_line.hpp"

namespace strata::parser::lexer::words {

inline bool is_letter(char c) {
    return static_cast<unsigned>((c | 0x20) - 'a') < 26u;
}
inline bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}
inline bool is_digit(char c) {
    return static_cast<unsigned>(c - '0') < 10u;
}
inline char to_upper(char c) {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
}

/// What may follow a word or a command: a blank, the next word's letter, a comment, a checksum,
/// or the end of the line.
inline bool ends_word(const char* at, const char* last) {
    return at == last || is_blank(*at) || is_letter(*at) || *at == ';' || *at == '*' || *at == '(';
}

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
    while (cursor != last && is_digit(*cursor)) {
        mantissa = mantissa * 10 + static_cast<unsigned>(*cursor - '0');
        ++cursor;
    }
    int digit_count = static_cast<int>(cursor - digits_begin);
    int fraction_digits = 0;
    if (cursor != last && *cursor == '.') {
        const char* fraction_begin = ++cursor;
        while (cursor != last && is_digit(*cursor)) {
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

/// One numeric word as read: where its letter is and its value.
struct NumericWord {
    const char* letter_at = nullptr;
    double value = 0.0;
};

/// `letter blanks number`, followed by what may end a word (so `G1X5Y98` is three words). The
/// end of the word, or nullptr when there is none at `first`.
inline const char* read_numeric_word(const char* first, const char* last, NumericWord& word) {
    if (first == last || !is_letter(*first)) return nullptr;
    const char* cursor = first + 1;
    while (cursor != last && is_blank(*cursor))
        ++cursor;
    const char* end = parse_gcode_number(cursor, last, word.value);
    if (end == nullptr || !ends_word(end, last)) return nullptr;
    word.letter_at = first;
    return end;
}

/// Records an error at `at`, unless the line has one already: the first is the one worth reading.
inline void report(GcodeLine& line, LexError error, const char* at) {
    if (line.error != LexError::none) return;
    line.error = error;
    line.error_column =
        static_cast<std::uint16_t>(std::min<std::ptrdiff_t>(at - line.raw.data(), 0xFFFF));
}

// Marlin never reads an exponent; `X1e308` is X1 followed by E308. In files written without
// spaces (`G1X5E0.5`) that is normal; when the rest of the line is spaced it is almost certainly
// a number meant with an exponent, so it is reported.
inline bool looks_like_exponent(const GcodeLine& line, const char* letter_at) {
    if (letter_at == line.raw.data() || !is_digit(letter_at[-1])) return false;
    for (const char* p = line.raw.data(); p < letter_at; ++p) {
        if (*p == ' ' || *p == '\t') return true;
    }
    return false;
}

/// Stores one numeric word into the line (a repeated letter keeps its last value, as firmware).
inline void store_numeric_word(GcodeLine& line, const NumericWord& word) {
    const char* at = word.letter_at;
    const char letter = to_upper(*at);
    if (!std::isfinite(word.value)) {
        report(line, LexError::non_finite_number, at);
        return;  // A non-finite value is never handed on as if it were a coordinate.
    }
    if (letter == 'E' && looks_like_exponent(line, at))
        report(line, LexError::exponent_like_number, at);
    line.word_mask |= GcodeLine::bit(letter);
    line.word_value[static_cast<std::size_t>(letter - 'A')] = word.value;
}

/// Reads and stores the numeric words from `first` on, each after optional blanks (`X1.5 Y2
/// E0.03`): the words of every move. The end of the last word read, or `first` when none was.
inline const char* read_numeric_words(const char* first, const char* last, GcodeLine& line) {
    for (;;) {
        const char* cursor = first;
        while (cursor != last && is_blank(*cursor))
            ++cursor;
        NumericWord word;
        const char* end = read_numeric_word(cursor, last, word);
        if (end == nullptr) return first;
        store_numeric_word(line, word);
        first = end;
    }
}

/// The command word (`G1`, `m117`, `T1000`, `G29.1`), followed by what may end a word, stored
/// into the line. Its end, or nullptr (and the line untouched) when there is none at `first`.
inline const char* read_command_head(const char* first, const char* last, GcodeLine& line) {
    if (last - first < 2) return nullptr;
    const char letter = to_upper(*first);
    if (letter != 'G' && letter != 'M' && letter != 'T' && letter != 'P') return nullptr;
    const char* cursor = first + 1;
    std::uint64_t number = 0;
    const char* digits = cursor;
    while (cursor != last && is_digit(*cursor) && cursor - digits < 10)
        number = number * 10 + static_cast<unsigned>(*cursor++ - '0');
    if (cursor == digits || number > 0xFFFFFFFFu || (cursor != last && is_digit(*cursor)))
        return nullptr;
    int subcode = -1;
    if (cursor != last && *cursor == '.' && cursor + 1 != last && is_digit(cursor[1])) {
        const char* sub = ++cursor;
        subcode = 0;
        while (cursor != last && is_digit(*cursor) && cursor - sub < 3)
            subcode = subcode * 10 + (*cursor++ - '0');
        if (subcode > 127 || (cursor != last && is_digit(*cursor))) return nullptr;
    }
    if (!ends_word(cursor, last)) return nullptr;
    line.kind = LineKind::command;
    line.command_letter = letter;
    line.command_number = static_cast<std::uint32_t>(number);
    line.subcode = static_cast<std::int8_t>(subcode);
    return cursor;
}

// Commands whose argument is free text, not words (Marlin: M23 select, M28 write, M30 delete,
// M32 select+print, M33 long name, M117 display, M118 echo, M928 log).
inline bool takes_string_argument(const GcodeLine& line) {
    if (line.command_letter != 'M' || line.subcode >= 0) return false;
    switch (line.command_number) {
        case 23:
        case 28:
        case 30:
        case 32:
        case 33:
        case 117:
        case 118:
        case 928:
        // Bambu Studio: M1002 takes a text action (`M1002 gcode_claim_action : 2`), M624/M625
        // carry base64 object masks.
        case 624:
        case 625:
        case 1002: return true;
        default: return false;
    }
}

// Commands with a word whose value is text rather than a number: M486 A<object name>,
// M115 U<firmware version>, Prusa's M862.x P"<printer>" checks.
inline bool takes_text_words(const GcodeLine& line) {
    return line.command_letter == 'M' &&
           (line.command_number == 486 || line.command_number == 115 || line.command_number == 862);
}

}  // namespace strata::parser::lexer::words
