// What an analysis pass showed its observers and what it concluded, reduced to numbers that two
// passes over one file can be compared by: a hash per line event (the line as lexed, its bytes,
// the machine state after it) and the summary with every kept diagnostic.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "strata/parser/analysis.hpp"

namespace strata::parser::testing {

class Fnv1a {
  public:
    void add(const void* data, std::size_t size) {
        const auto* bytes = static_cast<const unsigned char*>(data);
        for (std::size_t i = 0; i < size; ++i) {
            hash_ ^= bytes[i];
            hash_ *= 0x100000001b3ULL;
        }
    }
    void add(std::string_view text) { add(text.data(), text.size()); }
    template <typename Number>
    void add_number(Number value) {
        add(&value, sizeof value);
    }
    [[nodiscard]] std::uint64_t value() const { return hash_; }

  private:
    std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

struct AnalysisFingerprint {
    std::vector<std::uint64_t> line_hashes;
    std::string summary;
};

inline std::uint64_t hash_event(const LineEvent& event) {
    Fnv1a hash;
    const GcodeLine& line = event.line;
    hash.add(line.raw);
    hash.add(line.comment);
    hash.add(line.string_argument);
    hash.add(line.name);
    hash.add_number(event.number);
    hash.add_number(event.start_byte);
    hash.add_number(event.end_byte);
    hash.add_number(static_cast<int>(line.kind));
    hash.add_number(static_cast<int>(line.error));
    hash.add_number(line.error_column);
    hash.add_number(line.command_letter);
    hash.add_number(line.command_number);
    hash.add_number(line.subcode);
    hash.add_number(line.word_mask);
    hash.add_number(line.bare_word_mask);
    for (char letter = 'A'; letter <= 'Z'; ++letter) {
        if (line.has(letter)) hash.add_number(line.value(letter));
    }
    for (int i = 0; i < line.macro_param_count; ++i) {
        hash.add(line.macro_param_key(i));
        hash.add(line.macro_param_value(i));
    }
    hash.add_number(event.simulated);
    hash.add_number(static_cast<int>(event.state.move));
    for (const double axis_mm : event.state.position_mm)
        hash.add_number(axis_mm);
    hash.add_number(event.state.feedrate_mm_s);
    hash.add_number(event.state.e_mm);
    hash.add_number(static_cast<int>(event.feature));
    return hash.value();
}

inline double total_filament_mm(const Analysis& analysis) {
    double total_mm = 0.0;
    for (const double tool_mm : analysis.filament_mm)
        total_mm += tool_mm;
    return total_mm;
}

/// Analyses `path` with `options` (its `on_line` is replaced) and returns the fingerprint.
inline AnalysisFingerprint fingerprint_of(const std::string& path, AnalysisOptions options) {
    AnalysisFingerprint print;
    options.on_line = [&print](const LineEvent& event) {
        print.line_hashes.push_back(hash_event(event));
    };
    const Result<Analysis> result = analyze_file(path, options);
    const Analysis analysis = result.ok() ? *result : Analysis{};
    print.summary =
        (result.ok() ? std::string("ok ")
                     : std::string(to_string(result.error().code)) + " " + result.error().message) +
        " lines=" + std::to_string(analysis.lines) +
        " commands=" + std::to_string(analysis.command_lines) +
        " print_moves=" + std::to_string(analysis.moves.print) +
        " filament_mm=" + std::to_string(total_filament_mm(analysis)) +
        " layers=" + std::to_string(analysis.layers.size()) +
        " errors=" + std::to_string(analysis.diagnostics.error_count()) +
        " warnings=" + std::to_string(analysis.diagnostics.warning_count());
    for (const Diagnostic& diagnostic : analysis.diagnostics.first()) {
        print.summary += "\n" + std::to_string(diagnostic.line) + " " +
                         std::to_string(static_cast<int>(diagnostic.severity)) + " " +
                         diagnostic.message;
    }
    return print;
}

}  // namespace strata::parser::testing
