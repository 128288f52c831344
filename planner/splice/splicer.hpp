// Pass two of `prep`: copies the file line by line into a temporary file beside the output,
// writes each planned snapshot block after its line, and simulates everything it writes (the
// verification's annotated side) so no third read is needed. Each snapshot's cost is settled
// here, once the move after its block is known.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "strata/parser/machine_state.hpp"
#include "strata/planner/motion_limits.hpp"
#include "strata/planner/snapshot_plan.hpp"
#include "strata/planner/verify.hpp"

namespace strata::planner::splice {

struct SpliceResult {
    std::string error;  ///< I/O failure: nothing was installed.
    std::string temporary_path;
    std::uint64_t bytes = 0;
    std::uint64_t lines = 0;
    MoveDigest digest;                         ///< The moves outside the blocks, as written.
    std::optional<Difference> problem;         ///< A block that breaks the rules.
    std::vector<std::uint64_t> block_lines;    ///< Per snapshot: its BEGIN line in the job.
    std::vector<std::uint64_t> capture_lines;  ///< Per snapshot: its `@STRATA SNAPSHOT` line.
};

struct SpliceInputs {
    const std::string& input_path;
    const std::string& output_path;
    const parser::MachineConfig& machine;
    const MotionLimits& limits;
    const EstimatorConfig& estimator;
    const VerifyOptions& verify;
};

/// Writes the job to a temporary file beside `output_path` (left for the caller to install or
/// remove) and updates each snapshot's `time_added_s` with the move that really follows it.
[[nodiscard]] SpliceResult splice_file(const SpliceInputs& inputs, SnapshotPlan& plan);

/// Renames `temporary` over `target` after flushing it to disk.
[[nodiscard]] bool install(const std::string& temporary, const std::string& target,
                           std::string& error);

/// Writes `text` to `path` atomically (temporary file, fsync, rename).
[[nodiscard]] bool write_atomically(const std::string& path, const std::string& text,
                                    std::string& error);

}  // namespace strata::planner::splice
