// LexedLines (see lexed_lines.hpp): batches of lexed lines from one filling side to the analysis
// pass, through a short queue with a low-water mark, so the worker is woken once per few batches
// rather than per batch (a wake-up costs tens of microseconds on a VM).
#include "lexed_lines.hpp"

#include "strata/parser/lexer.hpp"

namespace strata::parser {

namespace {
// Threaded: 4096 slots of about 430 bytes, 1.8 MB a batch; five batches at most (three queued,
// one being filled, one being read): 7.5 MB more peak RSS on a 495 MB file. Batches of 2048
// lines switched threads twice as often (7,300 switches on that file against 4,000).
constexpr std::size_t threaded_batch_lines = 4096;
// Inline, a batch is read right after it is lexed: 64 slots (27 KB) stay in the L1/L2 cache,
// where 4096 would be read back from L3. Its lines are views into the reader's buffer, not
// copies: nothing reads on until the batch is done with.
constexpr std::size_t inline_batch_lines = 64;
// Room for the batch's lines at up to 128 bytes each; a batch ends early when its text is full.
constexpr std::size_t text_bytes_per_line = 128;
constexpr std::size_t max_ready_batches = 3;
// The worker is woken when the queue is this low, so it fills two batches per wake-up rather
// than one (a wake-up costs tens of microseconds on a VM).
constexpr std::size_t refill_at_batches = 1;
}  // namespace

LexedLines::LexedLines(LineReader& reader, bool threaded)
    : reader_(reader),
      threaded_(threaded),
      batch_lines_(threaded ? threaded_batch_lines : inline_batch_lines) {
    if (threaded_) worker_ = std::thread([this] { work(); });
}

LexedLines::~LexedLines() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    room_.notify_all();
    if (worker_.joinable()) worker_.join();
}

const LexedBatch* LexedLines::next() {
    if (!threaded_) return fill_in_place(current_) ? &current_ : nullptr;
    std::unique_lock lock(mutex_);
    if (holding_) {
        spare_.push_back(std::move(current_));
        holding_ = false;
    }
    filled_.wait(lock, [this] { return !ready_.empty() || done_; });
    if (ready_.empty()) return nullptr;
    current_ = std::move(ready_.front());
    ready_.pop_front();
    holding_ = true;
    if (ready_.size() <= refill_at_batches) room_.notify_one();
    return &current_;
}

void LexedLines::empty(LexedBatch& batch) const {
    batch.text.clear();
    batch.cut.clear();
    batch.count = 0;
    if (batch.lines.size() < batch_lines_) {
        batch.lines.resize(batch_lines_);
        batch.end_bytes.resize(batch_lines_);
    }
}

bool LexedLines::fill(LexedBatch& batch) {
    empty(batch);
    batch.text.reserve(batch_lines_ * text_bytes_per_line);
    while (batch.count < batch_lines_) {
        if (!has_pending_) {
            if (reader_done_ || !reader_.next(pending_.text)) {
                reader_done_ = true;
                break;
            }
            pending_.end_byte = reader_.bytes_read();
            pending_.cut = reader_.last_line_cut();
            has_pending_ = true;
        }
        const bool fits = batch.text.size() + pending_.text.size() <= batch.text.capacity();
        if (!fits && batch.count > 0) break;  // It opens the next batch.
        if (!fits) batch.text.reserve(pending_.text.size());
        add(batch, pending_);
        has_pending_ = false;
    }
    batch.first_number = next_number_;
    next_number_ += batch.count;
    return batch.count > 0;
}

bool LexedLines::fill_in_place(LexedBatch& batch) {
    empty(batch);
    // Only the batch's first line may make the reader read on (and move its buffer); the rest
    // are lines the buffer already holds, so all the batch's views stay valid until the next
    // fill, which comes only once the caller is done with this batch.
    std::string_view text;
    if (reader_done_ || !reader_.next(text)) {
        reader_done_ = true;
        return false;
    }
    bool cut = reader_.last_line_cut();
    do {
        lex_line(text, batch.lines[batch.count]);
        batch.end_bytes[batch.count] = reader_.bytes_read();
        if (cut) batch.cut.push_back(static_cast<std::uint32_t>(batch.count));
        cut = false;  // Lines from the buffer as it is are whole.
        ++batch.count;
    } while (batch.count < batch_lines_ && reader_.next_buffered(text));
    batch.first_number = next_number_;
    next_number_ += batch.count;
    return true;
}

void LexedLines::add(LexedBatch& batch, const Pending& line) const {
    const std::size_t at = batch.text.size();
    // Within the capacity `fill` checked: no reallocation, so the earlier lines' views hold.
    batch.text.append(line.text);
    lex_line(std::string_view(batch.text).substr(at, line.text.size()), batch.lines[batch.count]);
    batch.end_bytes[batch.count] = line.end_byte;
    if (line.cut) batch.cut.push_back(static_cast<std::uint32_t>(batch.count));
    ++batch.count;
}

void LexedLines::work() {
    for (;;) {
        LexedBatch batch;
        {
            std::unique_lock lock(mutex_);
            room_.wait(lock, [this] { return stopping_ || ready_.size() < max_ready_batches; });
            if (stopping_) return;
            if (!spare_.empty()) {
                batch = std::move(spare_.back());
                spare_.pop_back();
            }
        }
        const bool any = fill(batch);
        {
            const std::lock_guard lock(mutex_);
            if (any) ready_.push_back(std::move(batch));
            done_ = reader_done_;
        }
        filled_.notify_one();
        if (reader_done_) return;
    }
}

}  // namespace strata::parser
