// Per-line diagnostics, collected as values: every stage reports into one Diagnostics and goes
// on. Counting is unbounded; only the first `kept_limit` messages are stored, so a file with a
// million bad lines still costs bounded memory.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::parser {

enum class Severity : std::uint8_t { warning, error };

struct Diagnostic {
    std::uint64_t line;  ///< 1-based line number in the file; 0 for the file as a whole.
    Severity severity;
    std::string message;
};

class Diagnostics {
  public:
    static constexpr std::size_t kept_limit = 100;

    void report(Severity severity, std::uint64_t line, std::string_view message) {
        (severity == Severity::error ? error_count_ : warning_count_) += 1;
        if (kept_.size() < kept_limit) kept_.push_back({line, severity, std::string(message)});
    }
    void warn(std::uint64_t line, std::string_view message) {
        report(Severity::warning, line, message);
    }
    void error(std::uint64_t line, std::string_view message) {
        report(Severity::error, line, message);
    }

    [[nodiscard]] std::uint64_t error_count() const { return error_count_; }
    [[nodiscard]] std::uint64_t warning_count() const { return warning_count_; }
    [[nodiscard]] const std::vector<Diagnostic>& first() const { return kept_; }

  private:
    std::uint64_t error_count_ = 0;
    std::uint64_t warning_count_ = 0;
    std::vector<Diagnostic> kept_;
};

}  // namespace strata::parser
