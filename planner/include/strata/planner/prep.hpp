// `prep`: turns a G-code file into an annotated job. Pass one analyses the file, estimates its
// print time and plans the snapshots (one streaming read); pass two copies it with the snapshot
// blocks spliced in, simulating each block from the machine state recorded for it (a second
// streaming read, no second simulation of the file); the job replaces the output path
// atomically only once verified. Memory stays constant
// whatever the file's size. The index beside the job is what progress, ETA and the UI read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "strata/common/job_index.hpp"
#include "strata/parser/analysis.hpp"
#include "strata/planner/print_time.hpp"
#include "strata/planner/printable_area.hpp"
#include "strata/planner/snapshot_plan.hpp"
#include "strata/planner/timelapse_profile.hpp"
#include "strata/planner/verify.hpp"

namespace strata::planner {

/// min(3, the cores this machine has), at least 1.
[[nodiscard]] unsigned default_prep_threads();

struct PrepOptions {
    TimelapseProfile profile;
    /// The printer's bed (its printer profile): the area when neither the profile's safety
    /// settings nor the file give one (see printable_area.hpp).
    std::optional<PrintableArea> printer_bed;
    std::string input_path;
    std::string output_path;  ///< The input path itself: rewritten in place.
    std::string index_path;   ///< Empty: no index.
    /// Also re-simulate the original and the job side by side before installing the job (what
    /// `strata verify` does); pass two's block checks already prove the invariant.
    bool full_verify = false;
    /// Flush the job and its index to the disk before they are installed. Off, they are still
    /// installed by an atomic rename but may not survive a power cut: for a caller that syncs
    /// them later and prepares again, after a crash, what it had not synced (the server).
    bool durable = true;
    /// Drop the original's pages from the page cache as pass two copies them, so the job takes
    /// their place in memory instead of doubling the file's footprint there (and the job's new
    /// pages are the ones just freed). For a caller that prints the job, not the original, and
    /// whose original is on the disk already (the server syncs an upload before preparing it):
    /// only clean pages are dropped. A full verification then reads the original from the disk.
    bool release_original_cache = false;
    /// Threads for pass one: 1, all on the caller's; 2, the firmware planner on a second (or,
    /// when snapshots are triggered by time, the lexer); 3, both. `default_prep_threads()` is as
    /// many as the machine has cores, up to 3: on two cores a third thread only takes turns.
    unsigned threads = default_prep_threads();
    parser::ProgressObserver on_progress;
};

/// What a prep did, as far as it got. `status` fails, and nothing was replaced, when:
/// - the input cannot be read (the system's code) or is empty, binary or not G-code (`invalid`);
/// - no timelapse can be planned for it (`unsupported`): no printable area at all (no move on
///   X and Y), or a file prepared already; it prints as it is;
/// - the job or its index cannot be written (the system's code, `no_space` for a full disk);
/// - verification found a difference (`internal`: the splicer has a bug); `verification` says
///   where, and the original prints as it is.
struct PrepResult {
    Status status;
    /// Pass one finished: the input was read in full and planned. A read or permission error
    /// after it was the job's, not the input's.
    bool planned = false;
    parser::Analysis analysis;
    PrintTimeEstimate estimate;
    SnapshotPlan plan;
    VerifyResult verification;
    std::vector<std::uint64_t> job_block_lines;    ///< Per snapshot: its BEGIN line in the job.
    std::vector<std::uint64_t> job_capture_lines;  ///< Per snapshot: its capture line.
    std::uint64_t job_bytes = 0;
    std::uint64_t job_lines = 0;
    double time_added_s = 0.0;
    double plan_seconds = 0.0;    ///< Pass one: analysis, estimate, plan.
    double splice_seconds = 0.0;  ///< Pass two: copy, splice, verify, install.
};

[[nodiscard]] PrepResult prep_file(const PrepOptions& options);

/// The job index of a prepared job (strata/common/job_index.hpp): layers, snapshots and time
/// samples in the job's own line numbers, times including what the snapshots add.
[[nodiscard]] JobIndex job_index_of(const PrepResult& result);

}  // namespace strata::planner
