// One G-code line as a flat value: what the lexer produces and everything downstream reads.
// The layout follows Marlin's parser and PrusaSlicer's GCodeReader: a presence mask over the
// letters A-Z plus one value slot per letter, so a consumer asks "is X there, what is it" in O(1)
// and no allocation happens per line. String parts are views into the caller's buffer and live
// exactly as long as it does.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace strata::parser {

/// What a line is, decided by its first token.
enum class LineKind : std::uint8_t {
    empty,         ///< Nothing but blanks, possibly a line number or checksum.
    comment,       ///< Only a comment (`; ...` or `( ... )`).
    command,       ///< A letter+number command (`G1`, `M117`, `T0`) or bare words (`S900`).
    macro,         ///< Klipper/RRF extended command: `NAME KEY=value ...`.
    host_command,  ///< `@pause`, `@STRATA SNAPSHOT n=3`: for the host, never sent to a printer.
    text,          ///< Stray plain text that is not G-code.
};

/// Why the lexer could not read a line fully. Everything it did read stays valid.
enum class LexError : std::uint8_t {
    none,
    bad_token,           ///< Characters that are neither a word, a comment nor a checksum.
    bad_number,          ///< A word's number is malformed (`X1..2`).
    non_finite_number,   ///< `NaN`, `inf`, or a value too large for a double.
    bad_checksum,        ///< `*NN` does not match the XOR of the bytes before it.
    malformed_checksum,  ///< `*` not followed by a number in 0..255.
    too_many_macro_params,
    exponent_like_number,  ///< `X1e308`: G-code has no exponent; read as X1 E308 like Marlin.
    stray_number,  ///< A number without a letter (`G1 0.200 F10000`); skipped as firmware does.
};

std::string_view to_string(LineKind kind);
std::string_view to_string(LexError error);

/// One `KEY=value` parameter of a macro line, as byte offsets into `GcodeLine::raw`. Offsets
/// rather than views keep GcodeLine trivially constructible: nothing is zeroed per line.
struct MacroParam {
    std::uint16_t key_offset;
    std::uint16_t key_length;
    std::uint16_t value_offset;
    std::uint16_t value_length;
};

/// The flat parsed form of one line. Value slots are written only for letters whose bit is set
/// in `word_mask`; reading another slot is a bug, which is why access goes through `has`/`value`.
struct GcodeLine {
    static constexpr int letter_count = 26;
    static constexpr int max_macro_params = 16;

    std::string_view raw;  ///< The whole line without its end-of-line bytes.

    LineKind kind = LineKind::empty;
    LexError error = LexError::none;
    char command_letter = 0;   ///< Upper case `G`, `M`, `T`, `P`; 0 when the line has none.
    std::int8_t subcode = -1;  ///< `G29.1` -> 1; -1 when absent.
    std::uint32_t command_number = 0;
    std::uint32_t word_mask = 0;       ///< Bit (letter - 'A') set when the word is present.
    std::uint32_t bare_word_mask = 0;  ///< Words present without a number (`T0 R`), value 0.
    std::uint16_t error_column = 0;    ///< 0-based byte column of the first error.
    std::uint8_t macro_param_count = 0;
    bool has_line_number = false;
    bool has_checksum = false;
    std::uint8_t checksum = 0;
    std::uint32_t line_number = 0;  ///< The `N` word, when `has_line_number`.

    std::string_view comment;          ///< Text of the first comment, without `;` or `( )`.
    std::string_view string_argument;  ///< `M117 Hello`, `M23 file.gco`, host command arguments.
    std::string_view name;             ///< Macro or host command name (`PRINT_START`, `pause`).

    /// Written only where `word_mask` has the bit: left uninitialised so a line costs no zeroing.
    std::array<double, letter_count> word_value;
    std::array<MacroParam, max_macro_params> macro_params;  ///< The first `macro_param_count`.

    static constexpr std::uint32_t bit(char letter) { return 1u << (letter - 'A'); }
    [[nodiscard]] bool has(char letter) const { return (word_mask & bit(letter)) != 0; }
    [[nodiscard]] double value(char letter, double fallback = 0.0) const {
        return has(letter) ? word_value[letter - 'A'] : fallback;
    }
    [[nodiscard]] bool is(char letter, std::uint32_t number) const {
        return command_letter == letter && command_number == number;
    }
    /// Case-insensitive lookup of a macro parameter; empty view when absent.
    [[nodiscard]] std::string_view macro_param(std::string_view key) const;
    [[nodiscard]] std::string_view macro_param_key(int index) const {
        return raw.substr(macro_params[index].key_offset, macro_params[index].key_length);
    }
    [[nodiscard]] std::string_view macro_param_value(int index) const {
        return raw.substr(macro_params[index].value_offset, macro_params[index].value_length);
    }
};

}  // namespace strata::parser
