// The G-code text of one snapshot block, in DESIGN.md's format: a BEGIN comment, the steps
// (planner/snapshots/block_steps) in the file's own coordinates and E mode, the host's
// `@STRATA SNAPSHOT` line after the M400, and an END comment. Return coordinates and absolute E
// values are written in their shortest exact decimal form, so the file's next moves see the
// very values they would have seen without the block.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../snapshots/block_steps.hpp"
#include "strata/planner/snapshot_plan.hpp"

namespace strata::planner::splice {

struct WrittenBlock {
    std::uint32_t lines = 0;
    std::uint32_t capture_offset = 0;  ///< 0-based line of `@STRATA SNAPSHOT` in the block.
};

/// Appends the block (every line ending in '\n') to `out`.
WrittenBlock append_block(std::string& out, const PlannedSnapshot& snapshot,
                          const std::vector<snapshots::BlockStep>& steps,
                          const BlockMotion& motion);

}  // namespace strata::planner::splice
