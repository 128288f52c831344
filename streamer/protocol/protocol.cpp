// Protocol (see protocol.hpp): numbering, the send window, and which line each reply answers,
// on trust (a plain ok) or confirmed (an M105's own ok, ADVANCED_OK's number). Error episodes
// are in protocol_episodes.cpp, timeouts, probes and confirming M105s in protocol_probes.cpp.
#include "strata/streamer/protocol.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <utility>

namespace strata::streamer {
namespace {

// G or M command number of `command`, as `{letter, number}`; letter 0 when there is none.
std::pair<char, unsigned> command_of(std::string_view command) {
    while (!command.empty() && command.front() == ' ')
        command.remove_prefix(1);
    if (command.size() < 2) return {0, 0};
    const char letter = static_cast<char>(command.front() & ~0x20);
    unsigned number = 0;
    const auto [end, error] =
        std::from_chars(command.data() + 1, command.data() + command.size(), number);
    if (error != std::errc() || (letter != 'G' && letter != 'M')) return {0, 0};
    return {letter, number};
}

}  // namespace

std::string_view to_string(SendStrategy strategy) {
    switch (strategy) {
        case SendStrategy::automatic: return "auto";
        case SendStrategy::ping_pong: return "ping_pong";
        case SendStrategy::counted_window: return "window";
        case SendStrategy::byte_counting: return "byte_counting";
        case SendStrategy::advanced_ok: return "advanced_ok";
    }
    return "?";
}

bool parse_send_strategy(std::string_view text, SendStrategy& strategy) {
    for (const SendStrategy candidate :
         {SendStrategy::automatic, SendStrategy::ping_pong, SendStrategy::counted_window,
          SendStrategy::byte_counting, SendStrategy::advanced_ok}) {
        if (text == to_string(candidate)) {
            strategy = candidate;
            return true;
        }
    }
    return false;
}

unsigned char checksum_of(std::string_view text) {
    unsigned char checksum = 0;
    for (const char c : text)
        checksum ^= static_cast<unsigned char>(c);
    return checksum;
}

std::string_view trim_blanks(std::string_view text) {
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!text.empty() && blank(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && blank(text.back()))
        text.remove_suffix(1);
    return text;
}

std::string_view strip_numbering(std::string_view line) {
    const auto digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
    std::string_view text = trim_blanks(line);
    if (text.size() > 1 && (text.front() == 'N' || text.front() == 'n') && digit(text[1])) {
        std::size_t at = 1;
        while (at < text.size() && digit(text[at]))
            ++at;
        text = trim_blanks(text.substr(at));
    }
    const std::size_t star = text.rfind('*');
    if (star != std::string_view::npos && star + 1 < text.size() &&
        std::all_of(text.begin() + static_cast<std::ptrdiff_t>(star) + 1, text.end(), digit))
        text = trim_blanks(text.substr(0, star));
    return text;
}

void append_numbered(std::string& out, std::uint64_t number, std::string_view command) {
    const std::size_t start = out.size();
    std::array<char, 24> digits{};
    const auto [end, error] = std::to_chars(digits.data(), digits.data() + digits.size(), number);
    out += 'N';
    out.append(digits.data(), end);
    out += ' ';
    out.append(command);
    const unsigned char checksum = checksum_of(std::string_view(out).substr(start));
    out += '*';
    const auto [checksum_end, checksum_error] =
        std::to_chars(digits.data(), digits.data() + digits.size(), unsigned{checksum});
    out.append(digits.data(), checksum_end);
    out += '\n';
}

bool is_long_running(std::string_view command) {
    const auto [letter, number] = command_of(command);
    if (letter == 'G') return number == 4 || (number >= 28 && number <= 35) || number == 76;
    if (letter == 'M') {
        return number == 0 || number == 1 || number == 109 || number == 190 || number == 191 ||
               number == 400 || number == 226 || number == 600 || number == 303 || number == 48;
    }
    return false;
}

Protocol::Protocol(const ProtocolConfig& config, ProtocolListener& listener)
    : config_(config),
      listener_(listener),
      settle_floor_s_(config.resend_settle_s.value_or(0.02)),
      wire_bytes_per_s_(config.wire_bytes_per_s.value_or(0.0)),
      strategy_(config.strategy) {}

void Protocol::reset(double now_s) {
    history_.clear();
    in_flight_.clear();
    in_flight_bytes_ = 0;
    send_index_ = 0;
    next_number_ = 0;
    episode_ = false;
    marker_due_ = false;
    rejection_ok_due_ = false;
    headless_refusal_due_ = false;
    headless_refused_ = false;
    fragment_oks_pending_ = 0;
    previous_was_m105_ok_ = false;
    doubted_m105_ok_ = false;
    m114_ok_due_ = false;
    highest_sent_ = 0;
    failed_ = false;
    timeouts_in_a_row_ = 0;
    same_resend_count_ = 0;
    last_reply_s_ = now_s;
    last_received_s_ = now_s;
    last_ok_s_ = now_s;
    last_busy_s_ = -1.0;
    clock_s_ = now_s;
    unconfirmed_.clear();
    fence_queued_ = false;
    enqueue("M110 N0", probe_tag);
}

void Protocol::enqueue(std::string_view command, std::uint64_t tag) {
    Sent sent{next_number_++, tag, {}, is_long_running(command), false};
    const auto [letter, number] = command_of(command);
    sent.is_m105 = letter == 'M' && number == 105;
    sent.is_m114 = letter == 'M' && number == 114;
    append_numbered(sent.wire, sent.number, command);
    history_.push_back(std::move(sent));
}

void Protocol::drop_queued() {
    fence_queued_ = false;
    if (send_index_ >= history_.size()) return;
    next_number_ = history_[send_index_].number;
    history_.erase(history_.begin() + static_cast<std::ptrdiff_t>(send_index_), history_.end());
}

bool Protocol::window_allows(std::size_t bytes) const {
    if (in_flight_.empty()) return true;
    switch (strategy_) {
        case SendStrategy::automatic:  // Until the first ok shows what the firmware is.
        case SendStrategy::ping_pong: return false;
        case SendStrategy::counted_window: return in_flight_.size() < config_.window_lines;
        case SendStrategy::byte_counting:
            return in_flight_bytes_ + bytes <= config_.rx_buffer_bytes;
        case SendStrategy::advanced_ok:
            return in_flight_.size() < advanced_capacity_ &&
                   in_flight_bytes_ + bytes <= config_.rx_buffer_bytes;
    }
    return false;
}

std::size_t Protocol::fill(std::string& wire, double now_s) {
    std::size_t sent = 0;
    if (failed_) return sent;
    if (marker_due_) send_marker(wire, now_s);
    // Nothing is resent before the closer is back, nor sent while a marker or closer is still
    // counted after it: a refusal then can only be theirs (see `marker_deadline_s`).
    if (episode_ || pairs_in_flight()) return sent;
    clock_s_ = now_s;
    if (fence_due(now_s)) queue_fence();
    while (send_index_ < history_.size()) {
        const Sent& line = history_[send_index_];
        if (!window_allows(line.wire.size())) break;
        if (line.tag == fence_tag) fence_queued_ = false;
        if (in_flight_.empty()) last_reply_s_ = now_s;  // The wait for an answer starts now.
        wire += line.wire;
        in_flight_.push_back({line.number, line.wire.size(), false, line.long_running, line.is_m105,
                              false, false, 0, line.is_m114});
        in_flight_bytes_ += line.wire.size();
        ++send_index_;
        ++sent;
        ++counters_.lines_sent;
        counters_.bytes_sent += line.wire.size();
        if (line.number <= highest_sent_ && line.number > 0) {
            counters_.bytes_resent += line.wire.size();
        } else {
            highest_sent_ = line.number;
        }
    }
    prune_history();
    return sent;
}

void Protocol::on_received(std::string_view line, double now_s) {
    const Reply reply = parse_reply(line);
    clock_s_ = now_s;
    last_received_s_ = now_s;
    switch (reply.kind) {
        case ReplyKind::ok:
            last_reply_s_ = now_s;
            timeouts_in_a_row_ = 0;
            on_ok(reply, now_s);
            break;
        case ReplyKind::wait:
            // Marlin says `wait` only with an empty command queue: whatever is still counted
            // in flight was done and its ok lost.
            last_reply_s_ = now_s;
            if (!in_flight_.empty() && !episode_) acknowledge_oldest(false);
            break;
        case ReplyKind::busy:
            last_reply_s_ = now_s;
            busy_seen_ = true;
            last_busy_s_ = now_s;
            break;
        case ReplyKind::resend:
            last_reply_s_ = now_s;
            on_resend(reply);
            break;
        case ReplyKind::echo: note_unknown_command(reply); break;
        case ReplyKind::position:
            last_reply_s_ = now_s;
            timeouts_in_a_row_ = 0;
            on_position();
            break;
        case ReplyKind::error:
            // Marlin 1.x's refusal of a line that has a checksum and no number: the tail of a
            // line whose head went elsewhere (thrown away, or ended early by a damaged byte).
            // It is no line of ours, so its ok answers none.
            if (reply.text.find("No Line Number with checksum") != std::string_view::npos)
                headless_refusal_due_ = true;
            break;
        default: break;
    }
    if (reply.kind != ReplyKind::temperature)
        previous_was_m105_ok_ = reply.kind == ReplyKind::ok && reply.heater_count > 0 &&
                                !std::exchange(doubted_m105_ok_, false);
    listener_.on_reply(reply);
}

void Protocol::note_strategy(const Reply& reply) {
    if (config_.strategy != SendStrategy::automatic) return;
    // ADVANCED_OK shows in every ok of a numbered line; without it, count bytes like Repetier.
    if (reply.buffer_free) {
        strategy_ = SendStrategy::advanced_ok;
    } else if (strategy_ == SendStrategy::automatic) {
        strategy_ = SendStrategy::byte_counting;
    }
}

void Protocol::on_ok(const Reply& reply, double now_s) {
    note_strategy(reply);
    const bool rejection = std::exchange(rejection_ok_due_, false);
    if (rejection && std::exchange(headless_refused_, false)) return;
    // The ok after a position line is M114's, settled with it; an M105's ok means it was lost.
    if (std::exchange(m114_ok_due_, false) && !rejection && reply.heater_count == 0) return;
    if (!rejection) {
        ok_gap_s_ = 0.9 * ok_gap_s_ + 0.1 * std::min(1.0, now_s - last_ok_s_);
        last_ok_s_ = now_s;
        probe_retries_ = 0;
    }
    if (fragment_oks_pending_ > 0 && !rejection) {
        --fragment_oks_pending_;
        ++counters_.fragment_oks;
        if (!reply.line) return;  // ADVANCED_OK's N is still true: acknowledging by it is safe.
    }
    if (!in_flight_.empty() || !unconfirmed_.empty())
        settle(reply, rejection);  // Else a duplicate, or a line sent by another host.
    if (strategy_ == SendStrategy::advanced_ok && reply.buffer_free) {
        // B is the command queue's free slots when this line left it; Marlin reports one too
        // few (#26128). The RX byte limit still holds, so a wrong guess costs no line.
        advanced_capacity_ =
            in_flight_.size() + static_cast<std::size_t>(std::max(0, *reply.buffer_free)) + 1;
    }
}

// Which entry an ok answers. The ok printed with a resend request: a stale line (or a damaged
// marker). ADVANCED_OK's number: that line and any before it whose oks were lost (N0: a
// marker). M105's temperatures: everything up to that M105. A plain ok: the oldest entry that
// is no stale line, which is a line that ran, or a marker.
void Protocol::settle(const Reply& reply, bool rejection) {
    if (rejection) {
        answer_rejection();
        return;
    }
    if (reply.line) {
        // A line still in flight with that number, else a marker (numbered n-1 like the line
        // that was taken before the episode; that line's own ok came first).
        const bool a_line = std::any_of(
            in_flight_.begin(), in_flight_.end(),
            [&](const InFlight& e) { return !e.stale && !e.marker && e.number == *reply.line; });
        const auto marker =
            std::find_if(in_flight_.begin(), in_flight_.end(),
                         [&](const InFlight& e) { return e.marker && e.number == *reply.line; });
        if (!a_line && marker != in_flight_.end()) {
            answer_marker(marker);
            return;
        }
        acknowledge_through(*reply.line);
        return;
    }
    if (reply.heater_count > 0) {
        confirm_through_m105();
        return;
    }
    const auto not_stale = [](const InFlight& entry) { return !entry.stale; };
    auto ran = std::find_if(in_flight_.begin(), in_flight_.end(), not_stale);
    // An earlier episode's closer ahead of a plain ok: its ok (with temperatures) was lost.
    while (ran != in_flight_.end() && ran->closer() &&
           !(episode_ && ran->episode == episode_serial_)) {
        drop_in_flight(ran);
        ran = std::find_if(in_flight_.begin(), in_flight_.end(), not_stale);
    }
    if (ran == in_flight_.end()) return;  // Only stale lines: they are answered by rejections.
    // This episode's closer answers with temperatures: a plain ok ahead of it is a marker's, or
    // a piece of a cut line's that Marlin 2 ran (it runs lines without `N` unchecked).
    if (ran->closer()) return;
    if (ran->marker) {
        answer_marker(ran);
        return;
    }
    remove_in_flight(ran, false);  // A plain ok could be a copy: the line is done on trust.
}

// M105's ok carries the temperatures: it answers the first M105 not yet answered, and the
// firmware ran everything before it. Without one to answer it is a late or repeated copy and
// settles nothing.
void Protocol::confirm_through_m105() {
    const auto is_m105 = [](const InFlight& e) { return e.is_m105 && !e.stale && !e.marker; };
    const auto trusted = std::find_if(unconfirmed_.begin(), unconfirmed_.end(), is_m105);
    if (trusted != unconfirmed_.end()) {
        const auto count = static_cast<std::size_t>(trusted - unconfirmed_.begin()) + 1;
        for (std::size_t i = 0; i < count; ++i)
            confirm_oldest_unconfirmed();
        return;
    }
    // An episode's closer is an M105 too (a marker, so `is_m105` above passes it by).
    const auto m105 = std::find_if(in_flight_.begin(), in_flight_.end(),
                                   [](const InFlight& e) { return e.is_m105 && !e.stale; });
    if (m105 == in_flight_.end()) return;
    // Right behind another M105's ok, with a line or marker still to answer ahead of this M105
    // (whose ok would come first): a copy of that ok. Taken for this M105's, it would mark lines
    // done that have not run, or end an episode early. Only the first of two in a row is doubted,
    // so a line whose ok was really lost holds up one probe's answer, never all of them.
    const bool answer_ahead =
        std::any_of(in_flight_.begin(), m105, [](const InFlight& e) { return !e.stale; });
    if (previous_was_m105_ok_ && answer_ahead) {
        ++counters_.repeated_m105_oks;
        doubted_m105_ok_ = true;
        return;
    }
    if (m105->closer()) {
        answer_closer(m105);
        return;
    }
    const auto count = static_cast<std::size_t>(m105 - in_flight_.begin()) + 1;
    if (count > 1) ++counters_.resyncs;
    for (std::size_t i = 0; i < count; ++i)
        acknowledge_oldest();
}

// A position line: the first M114 counted in flight (a probe, or the job's own) has run, and so
// has everything sent before it; an M105 probe ahead of it lost its ok. Without one it is a late
// answer of a probe let go; its ok comes next either way.
void Protocol::on_position() {
    m114_ok_due_ = true;
    probe_retries_ = 0;
    const auto m114 = std::find_if(in_flight_.begin(), in_flight_.end(),
                                   [](const InFlight& e) { return e.is_m114 && !e.stale; });
    if (m114 == in_flight_.end()) return;
    settle_read_through(static_cast<std::size_t>(m114 - in_flight_.begin()) + 1);
}

// The firmware has read the first `count` entries in flight and answered the last of them in
// order: the lines among them ran (and every line answered on trust before them), stale lines
// and markers were refused or thrown away.
void Protocol::settle_read_through(std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
        if (in_flight_.front().stale || in_flight_.front().marker) {
            if (in_flight_.front().stale) ++counters_.flushed_lines;
            drop_in_flight(in_flight_.begin());
        } else {
            acknowledge_oldest();
        }
    }
    while (!unconfirmed_.empty())
        confirm_oldest_unconfirmed();
}

void Protocol::confirm_oldest_unconfirmed() {
    const InFlight entry = unconfirmed_.front();
    unconfirmed_.pop_front();
    listener_.on_acknowledged(history_[entry.number - history_.front().number].tag);
}

// `confirmed`: the answer names the line (ADVANCED_OK's N, an M105's own ok behind it), so it
// and every line answered before it on trust have run. Else the line waits, answered on trust,
// for such an answer: a copied plain ok must never make a line that has not run look done.
void Protocol::remove_in_flight(const std::deque<InFlight>::iterator& entry, bool confirmed) {
    const InFlight removed = *entry;
    in_flight_bytes_ -= removed.bytes;
    in_flight_.erase(entry);
    if (removed.stale || removed.marker) return;
    if (removed.number >= last_resend_number_) same_resend_count_ = 0;
    if (!confirmed) {
        if (unconfirmed_.empty()) unconfirmed_since_s_ = clock_s_;
        unconfirmed_.push_back(removed);
        return;
    }
    while (!unconfirmed_.empty())
        confirm_oldest_unconfirmed();
    listener_.on_acknowledged(history_[removed.number - history_.front().number].tag);
}

void Protocol::acknowledge_oldest(bool confirmed) {
    remove_in_flight(in_flight_.begin(), confirmed);
}

void Protocol::acknowledge_through(std::uint64_t number) {
    const auto found = std::find_if(in_flight_.begin(), in_flight_.end(), [&](const InFlight& e) {
        return !e.stale && !e.marker && e.number == number;
    });
    if (found == in_flight_.end()) return;  // A duplicated ok: that line is done already.
    const auto count = static_cast<std::size_t>(found - in_flight_.begin()) + 1;
    if (count > 1) ++counters_.resyncs;
    for (std::size_t i = 0; i < count; ++i)
        acknowledge_oldest();
}

// Marlin echoes the text of a command it does not know. Text that is none of the lines in
// flight is the tail of a line whose head was thrown away (RX flush or overflow); so is a line
// whose `N` was damaged into `n` (Marlin's parser skips only an upper-case N).
void Protocol::note_unknown_command(const Reply& reply) {
    constexpr std::string_view marker = "Unknown command:";
    const std::size_t at = reply.text.find(marker);
    if (at == std::string_view::npos) return;
    std::string_view echoed = trim_blanks(reply.text.substr(at + marker.size()));
    if (echoed.size() >= 2 && echoed.front() == '"' && echoed.back() == '"')
        echoed = echoed.substr(1, echoed.size() - 2);
    const bool damaged_number = echoed.size() > 1 && echoed.front() == 'n' &&
                                std::isdigit(static_cast<unsigned char>(echoed[1])) != 0;
    echoed = strip_numbering(echoed);
    // Any line from the oldest in flight on: stale lines keep the numbers they were sent with,
    // which an episode's closer has since moved one on in the history.
    std::uint64_t oldest = history_.empty() ? 0 : history_.back().number + 1;
    for (const InFlight& entry : in_flight_)
        if (!entry.marker) oldest = std::min(oldest, entry.number);
    const bool ours =
        !damaged_number && !history_.empty() &&
        std::any_of(history_.begin() + static_cast<std::ptrdiff_t>(std::clamp<std::uint64_t>(
                                           oldest - history_.front().number, 0, history_.size())),
                    history_.end(), [&](const Sent& sent) {
                        return sent.tag != closer_tag && strip_numbering(sent.wire) == echoed;
                    });
    if (!ours) ++fragment_oks_pending_;
}

void Protocol::prune_history() {
    while (send_index_ > 0 && send_index_ > config_.history_lines) {
        const std::uint64_t oldest = history_.front().number;
        const auto is_oldest = [&](const InFlight& entry) {
            return !entry.marker && entry.number == oldest;
        };
        // A line answered on trust keeps its place until confirmed: its tag is read then.
        if (std::any_of(in_flight_.begin(), in_flight_.end(), is_oldest) ||
            std::any_of(unconfirmed_.begin(), unconfirmed_.end(), is_oldest))
            break;
        history_.pop_front();
        --send_index_;
    }
}

void Protocol::fail(const std::string& reason) {
    failed_ = true;
    listener_.on_failure(reason);
}

}  // namespace strata::streamer
