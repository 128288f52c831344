// Protocol's error episodes (see protocol.hpp). The resend rules answer OctoPrint's known
// failures: a rejected line's followers are each rejected with the same request, so requests
// that echo the episode's are not acted on; the line asked for is the one resent (never N-1),
// and only once the episode's closer shows the followers are gone; refusals past the stale
// lines, or an episode for the same line `max_consecutive_resends` times over with no line
// taken between, are a stuck conversation, not a loop.
#include <algorithm>
#include <string>
#include <utility>

#include "strata/streamer/protocol.hpp"

namespace strata::streamer {

// A marker's ok frees its bytes and shows nothing more: Marlin 2 answers a piece of a cut line
// that runs without its `N` with the same plain ok. The closer behind it ends the episode.
void Protocol::answer_marker(const std::deque<InFlight>::iterator& marker) {
    remove_in_flight(marker, false);
}

// A closer's temperatures: the firmware read everything sent before it. Lines ahead of it ran;
// stale lines and markers ahead of it were refused or thrown away. Its own episode is over, and
// the job goes on after the closer's place.
void Protocol::answer_closer(const std::deque<InFlight>::iterator& closer) {
    const bool closes = episode_ && closer->episode == episode_serial_;
    settle_read_through(static_cast<std::size_t>(closer - in_flight_.begin()) + 1);
    if (!closes) return;
    end_episode();
    if (send_index_ < history_.size() && history_[send_index_].tag == closer_tag) ++send_index_;
}

bool Protocol::pairs_in_flight() const {
    return std::any_of(in_flight_.begin(), in_flight_.end(),
                       [](const InFlight& entry) { return entry.marker; });
}

void Protocol::forget_pairs() {
    for (auto entry = in_flight_.begin(); entry != in_flight_.end();) {
        if (entry->marker) {
            in_flight_bytes_ -= entry->bytes;
            entry = in_flight_.erase(entry);
        } else {
            ++entry;
        }
    }
}

void Protocol::drop_in_flight(const std::deque<InFlight>::iterator& entry) {
    in_flight_bytes_ -= entry->bytes;
    in_flight_.erase(entry);
}

void Protocol::answer_rejection() {
    // A firmware that refuses everything, however often its requests are answered, is stuck:
    // an episode has as many refusals as stale lines, pieces of cut lines and damaged markers.
    if (episode_ &&
        ++refusals_this_episode_ > stale_this_episode_ + config_.max_consecutive_resends) {
        fail("the printer keeps asking for line " + std::to_string(episode_number_) +
             " again and again: communication stuck");
        return;
    }
    // The first stale line; with none left, a damaged marker or closer was refused, or a piece
    // of a cut line. Counting refusals never ends the episode: a line cut in two by a flush can
    // be refused twice (its head without `*`, its tail without `N`), so only the closer's
    // temperatures show that nothing sent before it is still to come. A pair that the refusal
    // may have thrown away with the RX buffer goes out again once the link is quiet.
    auto answered = std::find_if(in_flight_.begin(), in_flight_.end(),
                                 [](const InFlight& entry) { return entry.stale; });
    if (answered == in_flight_.end())
        answered = std::find_if(in_flight_.begin(), in_flight_.end(),
                                [](const InFlight& entry) { return entry.marker; });
    if (answered == in_flight_.end()) return;
    const bool pair_refused = answered->marker;
    remove_in_flight(answered, false);
    // A refused marker or closer leaves the pair broken: another goes out at once. A stale
    // line's refusal may have thrown the pair away with the RX buffer, or not (it may still be
    // on the wire, or the firmware keeps its buffer): a second pair now would come back too as
    // often as not, and two pairs answering make either's answers ambiguous. Silence tells:
    // the pair goes out again when the link has been quiet for long enough (`on_tick`).
    if (episode_ && pair_refused) marker_due_ = true;
}

void Protocol::on_resend(const Reply& reply) {
    rejection_ok_due_ = true;  // Marlin follows every resend request with an ok.
    headless_refused_ = std::exchange(headless_refusal_due_, false);
    if (!reply.line || history_.empty()) return;
    std::uint64_t number = *reply.line;
    if (episode_ && number == episode_number_) {
        ++counters_.duplicate_resends;  // A stale line (or a damaged marker) refused in turn.
        return;
    }
    if (!episode_ && refuses_marker(number)) return;  // Its ok removes the marker.
    // A number older than anything kept, or past anything sent: the firmware's count is not
    // ours. A line damaged on the wire whose checksum still matched set it anywhere (a marker
    // most easily: M110 is exempt from the number check), and the firmware refuses every line
    // since. Everything answered was taken: rewind to the oldest line still unanswered, whose
    // marker sets the count back to the line before it.
    if (number < history_.front().number || number > highest_sent_ + 1) {
        const std::uint64_t rewind_to = oldest_unanswered();
        if (rewind_to < history_.front().number ||
            rewind_to - history_.front().number > send_index_) {
            fail("the printer asked for line " + std::to_string(number) +
                 ", which is not one of the lines sent: its count and the host's differ");
            return;
        }
        ++counters_.resyncs;
        if (episode_ && rewind_to == episode_number_) {
            marker_due_ = true;  // The episode stands; its next marker sets the count back.
            return;
        }
        number = rewind_to;
        if (number - history_.front().number == send_index_) {
            // Nothing unanswered: only the count is wrong. A marker alone sets it back.
            episode_number_ = number;
            marker_due_ = true;
            return;
        }
    }
    const std::size_t index = number - history_.front().number;
    if (index >= send_index_ && !episode_) return;  // Not sent yet: nothing to send again.
    if (index >= history_.size()) return;
    same_resend_count_ = number == last_resend_number_ ? same_resend_count_ + 1 : 1;
    last_resend_number_ = number;
    if (same_resend_count_ > config_.max_consecutive_resends) {
        fail("the printer keeps asking for line " + std::to_string(number) +
             " again and again: communication stuck");
        return;
    }
    ++counters_.resends;
    start_episode(number, index);
}

// The firmware reads what it is sent in order and refuses a line as it reads it: a request for
// `number` refuses the first thing in flight that was not taken already, a line numbered from
// `number` on or a marker (a damaged one). A marker refused after its episode ended is no new
// error: lines sent after it are taken as they come (or thrown away with the RX buffer, and
// then the next line is refused in turn).
bool Protocol::refuses_marker(std::uint64_t number) const {
    const auto first = std::find_if(in_flight_.begin(), in_flight_.end(), [&](const InFlight& e) {
        return e.marker || (!e.stale && e.number >= number);
    });
    return first != in_flight_.end() && first->marker;
}

// The number of the oldest line sent and not answered (stale ones included), else of the next
// line to send.
std::uint64_t Protocol::oldest_unanswered() const {
    std::uint64_t oldest =
        send_index_ < history_.size() ? history_[send_index_].number : next_number_;
    for (const InFlight& entry : in_flight_)
        if (!entry.marker) oldest = std::min(oldest, entry.number);
    return oldest;
}

// Lines before the one asked for were taken: their oks come when they have run, which can be
// after this request. Every line from it on will be refused (each with an ok) or was thrown away.
void Protocol::start_episode(std::uint64_t number, std::size_t index) {
    if (episode_) end_episode();  // Another number: the firmware took lines after all.
    // Lines from `number` on that a copied ok made look done are refused or thrown away too.
    while (!unconfirmed_.empty() && unconfirmed_.back().number >= number) {
        InFlight entry = unconfirmed_.back();
        unconfirmed_.pop_back();
        in_flight_bytes_ += entry.bytes;
        in_flight_.push_front(entry);
    }
    bool any_stale = false;
    stale_this_episode_ = 0;
    for (InFlight& entry : in_flight_) {
        entry.stale = entry.stale || (!entry.marker && entry.number >= number);
        any_stale = any_stale || entry.stale;
        stale_this_episode_ += entry.stale ? 1 : 0;
    }
    refusals_this_episode_ = 0;
    send_index_ = index;
    episode_ = any_stale;
    episode_number_ = number;
    markers_this_episode_ = 0;
    marker_due_ = any_stale;
    if (any_stale) {
        ++episode_serial_;
        insert_line(closer_tag, "M105");  // At `index`: the closer is line `number` now.
    }
}

void Protocol::end_episode() {
    for (auto entry = in_flight_.begin(); entry != in_flight_.end();) {
        if (!entry->stale) {
            ++entry;
            continue;
        }
        in_flight_bytes_ -= entry->bytes;
        ++counters_.flushed_lines;
        entry = in_flight_.erase(entry);
    }
    episode_ = false;
    marker_due_ = false;
}

// `N<n-1> M110`: M110 takes the line's own number as the last one (n-1, which the firmware has
// already) when it reads the line, and without an `N` word it does nothing when it runs. With
// one (`M110 N<x>`) Marlin's M110 handler would set the number again when the command runs,
// and a marker still queued behind a long move would then undo lines read in the meantime.
void Protocol::send_marker(std::string& wire, double now_s) {
    marker_due_ = false;
    const std::size_t start = wire.size();
    const std::uint64_t number = episode_number_ > 0 ? episode_number_ - 1 : 0;
    append_numbered(wire, number, "M110");
    const std::size_t bytes = wire.size() - start;
    in_flight_.push_back({number, bytes, false, false, false, false, true, episode_serial_});
    in_flight_bytes_ += bytes;
    ++counters_.markers;
    ++counters_.lines_sent;
    counters_.bytes_sent += bytes;
    ++markers_this_episode_;
    marker_sent_s_ = now_s;
    if (!episode_ || send_index_ >= history_.size() || history_[send_index_].tag != closer_tag)
        return;  // A marker alone: only the count was wrong.
    const Sent& closer = history_[send_index_];
    wire += closer.wire;
    in_flight_.push_back(
        {closer.number, closer.wire.size(), false, false, true, false, true, episode_serial_});
    in_flight_bytes_ += closer.wire.size();
    ++counters_.closers;
    ++counters_.lines_sent;
    counters_.bytes_sent += closer.wire.size();
}

// Lines sent before the episode and not answered yet are ahead of the pair in the firmware's
// queue: their oks come first, and under a long command nothing comes for long, so the pair goes
// out again only past the timeout that applies to them (their oks may be lost too, with the
// pair). With none ahead, the firmware answers the pair as it reads it: a quiet spell (backing
// off, plus the wire time of what is in flight) means it was thrown away or an answer of it
// lost. Every pair sent stays counted; when the episode closes on one closer's temperatures,
// the others are waited for the same way before the job goes on (answered, or let go after the
// quiet spell), so that a refusal of one of them is never taken for a job line's, nor a late
// answer for anything else's.
double Protocol::marker_deadline_s() const {
    bool ahead = false;
    bool long_ahead = false;
    for (const InFlight& entry : in_flight_) {
        if (entry.marker) break;
        if (entry.stale) continue;
        ahead = true;
        long_ahead = long_ahead || entry.long_running;
    }
    // A `busy` since the last ok: a command still blocks the queue (Marlin's host keepalive
    // comes every 2 s while it runs), and the pair waits behind it however quiet the link is.
    const bool blocked = last_busy_s_ > last_ok_s_;
    if (ahead || blocked)
        return last_reply_s_ + (long_ahead ? config_.long_command_timeout_s : timeout_s());
    const double wire_s =
        wire_bytes_per_s_ > 0.0 ? static_cast<double>(in_flight_bytes_) / wire_bytes_per_s_ : 0.0;
    const double backoff_s =
        settle_floor_s_ * static_cast<double>(1 << std::min(markers_this_episode_, 8));
    return std::max(last_received_s_, marker_sent_s_) + std::min(backoff_s, config_.ok_timeout_s) +
           wire_s;
}

}  // namespace strata::streamer
