// Verification of an annotated job against its original: both are simulated and must yield the
// same sequence of moves outside the snapshot blocks (same start and end XYZ, same extrusion,
// same feedrate), every block must leave the machine as it found it, and no travel inside a
// block may go below the highest printed Z plus the lift or outside the printable area. This is
// DESIGN.md's invariant; `strata verify` runs it on two files and `strata prep` on its output.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "strata/parser/gcode_line.hpp"
#include "strata/parser/machine_state.hpp"
#include "strata/planner/snapshot_plan.hpp"
#include "strata/planner/timelapse_profile.hpp"

namespace strata::planner {

/// Where the two files part, with both line numbers (0 when a file has no such line).
struct Difference {
    std::uint64_t original_line = 0;
    std::uint64_t annotated_line = 0;
    std::string message;
};

struct VerifyOptions {
    /// The printable area; nothing: the area rule is not checked.
    std::optional<PrintableArea> area;
    /// The lift each travel must keep above the print; nothing: each block's own `lift=`.
    std::optional<double> lift_mm;
};

/// The verdict of a comparison that ran to its end (or to the first difference).
struct VerifyResult {
    bool equivalent = false;
    std::optional<Difference> difference;  ///< The first one, when not equivalent.
    std::uint64_t moves_compared = 0;
    std::uint64_t blocks = 0;
};

/// Compares the two files; fails (with the system's code) only when one cannot be read, which
/// is no verdict either way.
[[nodiscard]] Result<VerifyResult> verify_files(const std::string& original_path,
                                                const std::string& annotated_path,
                                                const VerifyOptions& options);

/// One move as the comparison sees it.
struct MoveRecord {
    std::uint64_t line = 0;
    parser::MoveKind kind = parser::MoveKind::none;
    std::array<double, 3> start_mm = {0.0, 0.0, 0.0};
    std::array<double, 3> end_mm = {0.0, 0.0, 0.0};
    double e_delta_mm = 0.0;
    double feedrate_mm_s = 0.0;
};

/// The first way two moves differ beyond rounding, or nothing.
[[nodiscard]] std::optional<std::string> compare_moves(const MoveRecord& original,
                                                       const MoveRecord& annotated);

/// Watches the annotated job's lines: checks every block and hands out the moves outside them.
class BlockChecker {
  public:
    explicit BlockChecker(const VerifyOptions& options) : options_(options) {}

    /// A move outside the blocks to compare, or nothing. Problems go to `problem()`.
    std::optional<MoveRecord> on_line(const parser::GcodeLine& line, std::uint64_t number,
                                      bool simulated, const parser::MachineState& state,
                                      const std::array<double, 3>& start_mm);
    /// Reports a block left open at the end of the file.
    void finish(std::uint64_t last_line);
    [[nodiscard]] const std::optional<Difference>& problem() const { return problem_; }
    /// For checking a block alone: the highest Z printed before it.
    void set_highest_printed_z(double z_mm) { highest_printed_z_mm_ = z_mm; }
    [[nodiscard]] std::uint64_t blocks() const { return blocks_; }

  private:
    void begin_block(std::string_view comment, std::uint64_t number,
                     const parser::MachineState& state);
    void end_block(std::uint64_t number, const parser::MachineState& state);
    void check_block_move(std::uint64_t number, const parser::MachineState& state,
                          const std::array<double, 3>& start_mm);
    void fail(std::uint64_t number, std::string message);

    VerifyOptions options_;
    std::optional<Difference> problem_;
    bool in_block_ = false;
    std::uint64_t block_line_ = 0;
    parser::MachineState entry_;
    double block_lift_mm_ = 0.0;
    double highest_printed_z_mm_ = 0.0;
    std::uint64_t blocks_ = 0;
};

/// The move a simulated line made, or nothing when it made none.
[[nodiscard]] std::optional<MoveRecord> move_of(std::uint64_t number,
                                                const parser::MachineState& state,
                                                const std::array<double, 3>& start_mm);

}  // namespace strata::planner
