// `verify_files`: the original and the annotated job read side by side, each through its own
// simulator, compared move by move in constant memory (see verify.hpp).
#include <optional>
#include <string>
#include <utility>

#include "strata/parser/analysis.hpp"
#include "strata/parser/lexer.hpp"
#include "strata/parser/line_reader.hpp"
#include "strata/parser/simulator.hpp"
#include "strata/planner/verify.hpp"

namespace strata::planner {
namespace {

// One file's moves, in order; with a checker, only those outside the snapshot blocks.
class MoveStream {
  public:
    MoveStream(const parser::MachineConfig& machine, BlockChecker* checker)
        : simulator_(machine), checker_(checker) {}

    [[nodiscard]] Status open(const std::string& path) { return reader_.open(path); }

    bool next(MoveRecord& move) {
        std::string_view text;
        while (reader_.next(text)) {
            const parser::GcodeLine line = parser::lex_line(text);
            const std::uint64_t number = reader_.line_number();
            const bool simulated = parser::is_simulated(line);
            if (simulated) simulator_.step(line, number, diagnostics_);
            std::optional<MoveRecord> found;
            if (checker_ != nullptr) {
                found = checker_->on_line(line, number, simulated, simulator_.state(),
                                          simulator_.previous_position_mm());
            } else if (simulated) {
                found = move_of(number, simulator_.state(), simulator_.previous_position_mm());
            }
            if (found) {
                move = *found;
                return true;
            }
        }
        if (checker_ != nullptr) checker_->finish(reader_.line_number());
        return false;
    }

    [[nodiscard]] std::uint64_t line() const { return reader_.line_number(); }
    [[nodiscard]] const Status& status() const { return reader_.status(); }

  private:
    parser::LineReader reader_;
    parser::Simulator simulator_;
    parser::Diagnostics diagnostics_;
    BlockChecker* checker_;
};

}  // namespace

Result<VerifyResult> verify_files(const std::string& original_path,
                                  const std::string& annotated_path, const VerifyOptions& options) {
    VerifyResult result;
    Result<parser::MachineConfig> machine = parser::machine_for_file(original_path, {});
    if (!machine) return machine.take_error();
    BlockChecker checker(options);
    MoveStream original(*machine, nullptr);
    MoveStream annotated(*machine, &checker);
    for (auto [stream, path] :
         {std::pair{&original, &original_path}, std::pair{&annotated, &annotated_path}}) {
        if (Status opened = stream->open(*path); !opened) return opened.take_error();
    }
    MoveRecord from_original;
    MoveRecord from_annotated;
    while (true) {
        const bool has_original = original.next(from_original);
        const bool has_annotated = annotated.next(from_annotated);
        if (checker.problem()) {
            result.difference = checker.problem();
            result.difference->original_line = original.line();
            break;
        }
        if (!has_original && !has_annotated) {
            result.equivalent = true;
            break;
        }
        if (has_original != has_annotated) {
            result.difference = Difference{
                has_original ? from_original.line : original.line(),
                has_annotated ? from_annotated.line : annotated.line(),
                has_original ? "the annotated job ends before this move of the original"
                             : "the annotated job has a move the original does not have"};
            break;
        }
        if (auto differs = compare_moves(from_original, from_annotated)) {
            result.difference = Difference{from_original.line, from_annotated.line, *differs};
            break;
        }
        ++result.moves_compared;
    }
    // A read that failed ended its file early: whatever was compared until then is no verdict.
    if (!original.status()) return original.status().error();
    if (!annotated.status()) return annotated.status().error();
    result.blocks = checker.blocks();
    return result;
}

}  // namespace strata::planner
