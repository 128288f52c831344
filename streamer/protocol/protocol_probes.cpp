// Protocol's clock (see protocol.hpp): when silence is a lost reply, the probes that find out
// (an M105 numbered in sequence, outside the window), and the M105 queued to confirm the lines
// answered by plain oks.
#include <algorithm>
#include <limits>
#include <string>
#include <string_view>

#include "strata/streamer/protocol.hpp"

namespace strata::streamer {
namespace {

// `N<number> M105*<checksum>\n` with a number of up to seven digits.
constexpr std::size_t probe_bytes = 20;

}  // namespace

double Protocol::timeout_s() const {
    // A firmware that has said `busy` keeps saying it while a command runs long (Marlin's host
    // keepalive): its silence means a lost reply whatever is in flight.
    if (busy_seen_) return config_.busy_timeout_s;
    return config_.ok_timeout_s;
}

bool Protocol::long_running_in_flight() const {
    return std::any_of(in_flight_.begin(), in_flight_.end(),
                       [](const InFlight& entry) { return entry.long_running; });
}

// The window is full and lines wait: lost oks may be what holds it. A probe costs a few bytes;
// one that finds the RX buffer full is at worst refused and sent again.
bool Protocol::stalled() const {
    return !failed_ && !episode_ && !in_flight_.empty() && send_index_ < history_.size() &&
           !window_allows(history_[send_index_].wire.size()) &&
           std::none_of(in_flight_.begin(), in_flight_.end(),
                        [](const InFlight& entry) { return entry.probe; });
}

// How long a held window waits before a probe: several times the usual gap between oks, so a
// printer that answers every few milliseconds is probed within tens of them, and one that
// runs long moves is not probed for each.
double Protocol::stall_wait_s() const {
    const bool fits = in_flight_bytes_ + probe_bytes <= config_.rx_buffer_bytes;
    const double wait_s = std::clamp(8.0 * ok_gap_s_, 0.03, config_.stall_probe_s);
    return fits ? wait_s : 2.0 * wait_s;
}

double Protocol::next_deadline_s() const {
    if (failed_) return std::numeric_limits<double>::infinity();
    if (episode_ || pairs_in_flight())
        return std::min(marker_deadline_s(), last_reply_s_ + timeout_s());
    if (in_flight_.empty()) return std::numeric_limits<double>::infinity();
    double deadline_s = last_reply_s_ + timeout_s();
    if (config_.stall_probe_s > 0.0 && stalled())
        deadline_s = std::min(deadline_s, last_reply_s_ + stall_wait_s());
    return deadline_s;
}

void Protocol::on_tick(std::string& wire, double now_s) {
    if (failed_ || now_s < next_deadline_s()) return;
    if (episode_ && now_s >= marker_deadline_s()) {
        send_marker(wire, now_s);  // Quiet: the pair was thrown away, or an answer of it lost.
        if (now_s < last_reply_s_ + timeout_s()) return;
    } else if (!episode_ && pairs_in_flight() && now_s >= marker_deadline_s()) {
        forget_pairs();  // Quiet after the episode: what is left will never be answered.
        return;
    }
    if (in_flight_.empty()) return;
    if (now_s < last_reply_s_ + timeout_s()) {
        ++counters_.stall_probes;  // Early: the window is held, not the printer silent.
    } else {
        ++counters_.timeouts;
        // Under G28, M109, M400 and the like silence is expected for long; the probe still goes
        // out (a lost ok is found in seconds), but only silence past the long limit fails.
        const bool long_wait =
            long_running_in_flight() && now_s < last_reply_s_ + config_.long_command_timeout_s;
        if (!long_wait && ++timeouts_in_a_row_ > config_.max_timeouts &&
            now_s - last_received_s_ >= config_.silence_limit_s) {
            fail("no answer from the printer for " +
                 std::to_string(static_cast<long>(now_s - last_received_s_)) + " s (" +
                 std::to_string(timeouts_in_a_row_) +
                 " probes unanswered); is it still connected and alive?");
            return;
        }
    }
    if (!episode_) send_probe(wire, now_s);
    last_reply_s_ = now_s;
}

// A probe is numbered in sequence and sent at once outside the window (which lost oks may hold
// full). Its answer settles everything sent before it: the firmware checked the numbers up to
// it, so a line lost on the way would have made it ask for that line instead. The lines queued
// behind it are numbered one further. Probes are M114 (a position line, then an ok) and M105
// (temperatures in its ok), at most one of each counted in flight: under a long move they wait
// in the firmware's queue and are all answered later, and two of a kind could not be told apart.
// The other kind's answer shows an earlier probe's was lost (answers come in order). Only an
// M114 is ever let go unanswered, so a late M105 ok can never be taken for another M105's (an
// error episode's closer's).
void Protocol::send_probe(std::string& wire, double now_s) {
    const auto outstanding = [&](bool m114) {
        return std::find_if(in_flight_.begin(), in_flight_.end(), [&](const InFlight& e) {
            return e.probe && !e.stale && e.is_m114 == m114;
        });
    };
    const bool m105_waiting = outstanding(false) != in_flight_.end();
    const auto m114 = outstanding(true);
    // Both wait: a long move holds the queue, and more probes would only fill the RX buffer
    // until it overflows. But both can also be lost (a line cut into another, both gone): with
    // no ok for a while (4 timeouts, doubling each time up to 64), the M114 is taken for lost
    // and goes again, which the firmware answers or refuses in order.
    if (m105_waiting && m114 != in_flight_.end()) {
        const double wait_s = timeout_s() * static_cast<double>(4 << std::min(probe_retries_, 4));
        if (now_s - std::max(last_ok_s_, last_probe_s_) < wait_s) return;
        ++probe_retries_;
    }
    last_probe_s_ = now_s;
    const bool use_m114 = m105_waiting || m114 == in_flight_.end();
    if (use_m114 && m114 != in_flight_.end()) drop_in_flight(m114);  // Its answer is harmless.
    const std::size_t at = insert_line(timeout_probe_tag, use_m114 ? "M114" : "M105");
    const Sent& probe = history_[at];
    wire += probe.wire;
    in_flight_.push_back(
        {probe.number, probe.wire.size(), false, false, !use_m114, true, false, 0, use_m114});
    in_flight_bytes_ += probe.wire.size();
    ++counters_.lines_sent;
    counters_.bytes_sent += probe.wire.size();
    if (probe.number > highest_sent_) highest_sent_ = probe.number;
    ++send_index_;
}

// Lines answered on trust wait for an M105 behind them: when nothing more is queued (the job's
// end, a snapshot's M400, a pause), or after `confirm_interval_s` while streaming, one goes out
// next, inside the window, unless one is on its way already.
bool Protocol::fence_due(double now_s) const {
    if (unconfirmed_.empty() || fence_queued_ || failed_) return false;
    if (std::any_of(in_flight_.begin(), in_flight_.end(),
                    [](const InFlight& e) { return e.is_m105 && !e.stale; }))
        return false;
    return queued() == 0 || now_s - unconfirmed_since_s_ >= config_.confirm_interval_s;
}

void Protocol::queue_fence() {
    insert_line(fence_tag, "M105");
    fence_queued_ = true;
    ++counters_.fences;
}

// An M105 numbered in sequence at the next place to send; the lines queued behind it are
// numbered one further. Returns its place in the history.
std::size_t Protocol::insert_line(std::uint64_t tag, std::string_view command) {
    const std::size_t at = send_index_;
    const std::uint64_t number = at < history_.size() ? history_[at].number : next_number_;
    for (std::size_t i = at; i < history_.size(); ++i) {
        Sent& queued = history_[i];
        const std::string queued_command(strip_numbering(queued.wire));
        queued.wire.clear();
        append_numbered(queued.wire, ++queued.number, queued_command);
    }
    ++next_number_;
    Sent line{number, tag, {}, false, command == "M105", command == "M114"};
    append_numbered(line.wire, number, command);
    history_.insert(history_.begin() + static_cast<std::ptrdiff_t>(at), std::move(line));
    return at;
}

}  // namespace strata::streamer
