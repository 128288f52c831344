// LexedLines (see lexed_lines.hpp): batches of lexed lines from one filling side to the analysis
// pass, through a short queue with a low-water mark, so the worker is woken once per few batches
// rather than per batch (a wake-up costs tens of microseconds on a VM).
#include "lexed_lines.hpp"

#include "strata/parser/lexer.hpp"

namespace strata::parser {

namespace {
// 4096 slots of about 430 bytes, 1.8 MB a batch; five batches at most (three queued, one being
// filled, one being read): 7.5 MB more peak RSS on a 495 MB file. Batches of 2048 lines were
// slower (twice the thread switches); 8192 no faster, with 19 MB more.
constexpr std::size_t batch_lines = 4096;
// Room for 4096 lines of up to 128 bytes; a batch ends early when its text is full.
constexpr std::size_t batch_text_bytes = 512u << 10;
constexpr std::size_t max_ready_batches = 3;
// The worker is woken when the queue is this low, so it fills two batches per wake-up rather
// than one (a wake-up costs tens of microseconds on a VM).
constexpr std::size_t refill_at_batches = 1;
}  // namespace

LexedLines::LexedLines(LineReader& reader, bool threaded) : reader_(reader), threaded_(threaded) {
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
    if (!threaded_) return fill(current_) ? &current_ : nullptr;
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

bool LexedLines::fill(LexedBatch& batch) {
    batch.text.clear();
    batch.cut.clear();
    batch.count = 0;
    if (batch.lines.size() < batch_lines) {
        batch.lines.resize(batch_lines);
        batch.end_bytes.resize(batch_lines);
        batch.text.reserve(batch_text_bytes);
    }
    while (batch.count < batch_lines) {
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
