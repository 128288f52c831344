// Lines read and lexed in batches, optionally a few batches ahead on a worker thread, so the
// analysis pass spends its own thread on the simulator and the line observers only. A threaded
// batch owns its lines' bytes, so the GcodeLines' views stay valid while the reader moves on; an
// inline batch ends where the reader would have to read on, and its views point into the
// reader's buffer. Either way a batch's lines are valid until the next batch is asked for, and
// threaded or not gives the same lines (batches may end in other places).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "strata/parser/gcode_line.hpp"
#include "strata/parser/line_reader.hpp"

namespace strata::parser {

struct LexedBatch {
    std::string text;              ///< Threaded: the lines' bytes back to back (no end-of-line).
    std::vector<GcodeLine> lines;  ///< Slots; the first `count` hold this batch's lines.
    std::vector<std::uint64_t> end_bytes;  ///< Per line: where the next line begins in the file.
    std::vector<std::uint32_t> cut;        ///< Indexes of lines cut at max_line_bytes.
    std::size_t count = 0;
    std::uint64_t first_number = 0;  ///< The 1-based number of `lines[0]`.
};

class LexedLines {
  public:
    /// `reader` must be open and is read only through this from now on (from the worker when
    /// `threaded`), until `next` has returned nullptr.
    LexedLines(LineReader& reader, bool threaded);
    LexedLines(const LexedLines&) = delete;
    LexedLines& operator=(const LexedLines&) = delete;
    ~LexedLines();

    /// The next batch, valid until the next call; nullptr at the end, after which the reader's
    /// line count, error and end-of-file flags are final and may be read.
    const LexedBatch* next();

  private:
    /// A line the reader handed out that did not fit in the last batch: its bytes stay in the
    /// reader's buffer until the reader is next called, which only `fill` does.
    struct Pending {
        std::string_view text;
        std::uint64_t end_byte = 0;
        bool cut = false;
    };
    /// Makes `batch` empty, with its slots for `batch_lines_` lines.
    void empty(LexedBatch& batch) const;
    /// Reads and lexes lines into `batch` until it is full; false when the file had no more.
    bool fill(LexedBatch& batch);
    /// The same for the caller's own thread, without copying the lines: the batch ends early
    /// where the reader would have to read on.
    bool fill_in_place(LexedBatch& batch);
    void add(LexedBatch& batch, const Pending& line) const;
    void work();

    LineReader& reader_;
    const bool threaded_;
    const std::size_t batch_lines_;
    LexedBatch current_;  ///< The batch the caller holds.
    bool holding_ = false;
    // The filling side's state: the caller's when inline, the worker's when threaded.
    Pending pending_;
    bool has_pending_ = false;
    bool reader_done_ = false;
    std::uint64_t next_number_ = 1;

    std::mutex mutex_;
    std::condition_variable room_;    ///< The worker waits here while the queue is full.
    std::condition_variable filled_;  ///< The caller waits here while it is empty.
    std::deque<LexedBatch> ready_;
    std::vector<LexedBatch> spare_;
    bool done_ = false;  ///< The worker has queued its last batch.
    bool stopping_ = false;
    std::thread worker_;
};

}  // namespace strata::parser
