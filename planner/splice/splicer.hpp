// Pass two of `prep`: copies the file into a temporary file beside the output, range by range
// between the byte offsets pass one recorded, and writes each planned snapshot block there. Every
// block is simulated as it is written, from the machine state pass one recorded at its line, and
// checked against the verification invariant's block rules; the copied lines are the original's
// bytes, so with every block restoring the state it found, the job prints what the original prints.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "strata/common/result.hpp"
#include "strata/parser/machine_state.hpp"
#include "strata/planner/motion_limits.hpp"
#include "strata/planner/snapshot_plan.hpp"
#include "strata/planner/verify.hpp"

namespace strata::planner::splice {

struct SpliceResult {
    Status status;  ///< An I/O failure (`no_space`, `permission`...): nothing was installed.
    std::string temporary_path;
    std::uint64_t bytes = 0;
    std::uint64_t lines = 0;
    std::uint64_t blocks_checked = 0;
    std::optional<Difference> problem;         ///< A block that breaks the rules.
    std::vector<std::uint64_t> block_lines;    ///< Per snapshot: its BEGIN line in the job.
    std::vector<std::uint64_t> capture_lines;  ///< Per snapshot: its `@STRATA SNAPSHOT` line.
};

struct SpliceInputs {
    const std::string& input_path;
    std::uint64_t source_bytes;  ///< What pass one read: the blocks' offsets refer to it.
    std::uint64_t source_lines;
    const std::string& output_path;
    const parser::MachineConfig& machine;
    const VerifyOptions& verify;
    /// Flush the job to the disk before returning (see `PrepOptions::durable`).
    bool durable = true;
    /// Drop the original's pages from the page cache once copied (see
    /// `PrepOptions::release_original_cache`).
    bool release_original_cache = false;
};

/// Writes the job to a temporary file beside `output_path`, left for the caller to install or
/// remove.
[[nodiscard]] SpliceResult splice_file(const SpliceInputs& inputs, const SnapshotPlan& plan);

/// Renames `temporary` (flushed to disk already, unless not durable) over `target`.
[[nodiscard]] Status install(const std::string& temporary, const std::string& target);

/// Writes `text` to `path` atomically (temporary file, fsync when `durable`, rename).
[[nodiscard]] Status write_atomically(const std::string& path, const std::string& text,
                                      bool durable);

}  // namespace strata::planner::splice
