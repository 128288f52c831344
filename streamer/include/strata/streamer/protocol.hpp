// The host side of the Marlin serial protocol as a state machine without I/O: lines go in with
// `enqueue`, numbered and checksummed; `fill` hands out the bytes the send strategy allows now;
// every line received goes through `on_received`; `on_tick` runs the timeouts. The caller (the
// streamer thread) owns the link and the clock, so scripted firmware conversations test all of
// this without a printer.
//
// Accounting: every numbered line sent is answered by exactly one `ok` (after it ran, or after a
// resend request rejected it), so the oldest line in flight is the one an `ok` acknowledges.
// ADVANCED_OK's `N` and the temperatures of M105's own `ok` re-synchronise that count when an
// `ok` was lost on the way.
//
// An error episode: Marlin rejects a bad line with `Resend: n` + `ok`, and every numbered line
// still in flight behind it is rejected the same way as it arrives, or thrown away unanswered
// with the RX buffer. The first request rewinds to `n` once; the requests that follow are its
// echoes and only answer stale lines. Nothing is resent until the firmware has provably read
// everything sent before: a marker, `N<n-1> M110` (M110 is exempt from the number check, is
// checksummed, sets the number the firmware already has as it is read, and does nothing when it
// runs), goes out behind the stale lines, followed by the episode's closer, `N<n> M105` (line n
// from then on is the M105; the job's lines move one number on). The closer's ok, recognisable
// by its temperatures, closes the episode: a plain ok cannot, since Marlin 2 runs a piece of a
// cut line that lost its `N` and answers it with one. A refused marker or closer is sent again
// at once; a pair thrown away with the RX buffer by a later rejection, when the link goes quiet.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "strata/streamer/reply.hpp"

namespace strata::streamer {

enum class SendStrategy : std::uint8_t {
    automatic,       ///< ADVANCED_OK when the oks carry it, else byte counting for Marlin.
    ping_pong,       ///< One line in flight (OctoPrint's way; for odd firmwares).
    counted_window,  ///< Up to `window_lines` lines in flight.
    byte_counting,   ///< Bytes in flight within the firmware's RX buffer (grbl's counting).
    advanced_ok,     ///< Driven by the `P`/`B` free counts of ADVANCED_OK replies.
};

[[nodiscard]] std::string_view to_string(SendStrategy strategy);
[[nodiscard]] bool parse_send_strategy(std::string_view text, SendStrategy& strategy);

struct ProtocolConfig {
    SendStrategy strategy = SendStrategy::automatic;
    std::size_t window_lines = 4;
    /// Marlin's RX ring is 128 bytes; one stays free to tell full from empty.
    std::size_t rx_buffer_bytes = 127;
    /// Lines kept for resend requests (OctoPrint keeps 50; a window needs more).
    std::size_t history_lines = 1024;
    double ok_timeout_s = 5.0;              ///< Silence with lines in flight before a probe.
    double busy_timeout_s = 3.0;            ///< The same once the firmware has said `busy`.
    double long_command_timeout_s = 600.0;  ///< Silence allowed under G28/M109/M400/...
    /// With the window full and lines waiting, a probe this soon after the last reply: lost
    /// oks holding the window are found without the full timeout. 0: off.
    double stall_probe_s = 1.0;
    /// Consecutive probes unanswered, and nothing at all heard for `silence_limit_s`: the
    /// printer is gone. Marlin says nothing while a long move fills its queue (probes wait
    /// behind it), so silence alone is no proof; OctoPrint waits 5 x 30 s while printing.
    int max_timeouts = 5;
    double silence_limit_s = 150.0;
    /// A plain `ok` may be a copy (a firmware or line fault), so it frees the window but only
    /// an M105's own ok (or ADVANCED_OK's number) shows the lines before it ran. While streaming,
    /// an M105 goes out this often to confirm them; when nothing more is queued, at once.
    double confirm_interval_s = 0.25;
    int max_consecutive_resends = 10;  ///< The same line asked for again and again: stuck.
    /// In an error episode (see `Protocol`), silence this long plus the wire time of the bytes
    /// in flight before the marker is sent again: it may have been thrown away with the RX
    /// buffer, or its ok lost. A marker sent too early costs a few bytes, never a line.
    /// Unset: the link's reply latency (Link::wire_timing), at least 20 ms.
    std::optional<double> resend_settle_s;
    /// The link's speed in bytes per second, for the wire time above; 0: no wire. Unset: the
    /// link's (Link::wire_timing).
    std::optional<double> wire_bytes_per_s;
};

/// What the protocol tells its owner.
class ProtocolListener {
  public:
    virtual ~ProtocolListener() = default;
    /// The line enqueued with `tag` has been acknowledged (in enqueue order).
    virtual void on_acknowledged(std::uint64_t tag) = 0;
    /// Every line received, parsed, after the protocol has acted on it.
    virtual void on_reply(const Reply& reply) = 0;
    /// The conversation cannot go on (stuck resends, no answer, history exhausted).
    virtual void on_failure(const std::string& reason) = 0;
};

struct ProtocolCounters {
    std::uint64_t lines_sent = 0;  ///< Including resent ones.
    std::uint64_t bytes_sent = 0;
    std::uint64_t bytes_resent = 0;       ///< The part of `bytes_sent` that went out again.
    std::uint64_t resends = 0;            ///< Resend requests acted on.
    std::uint64_t duplicate_resends = 0;  ///< Requests ignored as echoes of one already served.
    std::uint64_t timeouts = 0;
    std::uint64_t stall_probes = 0;  ///< Probes sent because the window stayed full.
    std::uint64_t resyncs = 0;       ///< Lost oks made good by ADVANCED_OK N or M105's ok.
    /// Lines sent before a resend request that the firmware never answered (flushed with its
    /// RX buffer); found when the episode's marker came back.
    std::uint64_t flushed_lines = 0;
    std::uint64_t markers = 0;       ///< Episode markers sent (`N<n-1> M110`).
    std::uint64_t closers = 0;       ///< Episode closers sent (`N<n> M105`).
    std::uint64_t fences = 0;        ///< M105s queued to confirm lines answered by plain oks.
    std::uint64_t fragment_oks = 0;  ///< Oks of line fragments (`Unknown command`), not counted.
    /// M105 oks right behind another, with a line or marker ahead of the M105 they would answer:
    /// copies, not counted.
    std::uint64_t repeated_m105_oks = 0;
};

class Protocol {
  public:
    static constexpr std::uint64_t probe_tag = ~std::uint64_t{0};
    /// The tag of the M105 `on_tick` sends when the printer is silent or the window held.
    static constexpr std::uint64_t timeout_probe_tag = probe_tag - 1;
    /// The tag of the M105 that confirms lines answered by plain oks (see `confirm_interval_s`).
    static constexpr std::uint64_t fence_tag = probe_tag - 2;
    /// The tag of an error episode's closing M105 (see the class comment).
    static constexpr std::uint64_t closer_tag = probe_tag - 3;

    Protocol(const ProtocolConfig& config, ProtocolListener& listener);

    /// Restarts numbering: `N0 M110 N0` goes out first and every held line is dropped. For the
    /// handshake and after a firmware reset.
    void reset(double now_s);
    /// Numbers and checksums `command` (no comment, no end-of-line) and queues it.
    void enqueue(std::string_view command, std::uint64_t tag);
    /// Forgets the lines enqueued and not sent yet (a cancelled job's); numbering goes on from
    /// the first of them.
    void drop_queued();
    /// Lines enqueued and not yet sent: the caller keeps this small (a few lines ahead).
    [[nodiscard]] std::size_t queued() const { return history_.size() - send_index_; }
    [[nodiscard]] std::size_t in_flight() const { return in_flight_.size(); }
    /// Nothing queued, nothing unanswered, and every line answered known to have run.
    [[nodiscard]] bool idle() const {
        return queued() == 0 && in_flight_.empty() && unconfirmed_.empty();
    }

    /// Appends to `wire` every queued line the strategy allows in flight now; returns how many.
    std::size_t fill(std::string& wire, double now_s);
    void on_received(std::string_view line, double now_s);
    /// Runs the timeouts; appends a probe to `wire` when one is due.
    void on_tick(std::string& wire, double now_s);
    /// When `on_tick` next has something to decide.
    [[nodiscard]] double next_deadline_s() const;
    /// The link's timing, for what the configuration leaves unset (see `resend_settle_s`).
    void use_wire_timing(double bytes_per_s, double reply_latency_s) {
        wire_bytes_per_s_ = config_.wire_bytes_per_s.value_or(bytes_per_s);
        settle_floor_s_ = config_.resend_settle_s.value_or(std::max(0.02, reply_latency_s));
    }

    [[nodiscard]] SendStrategy strategy() const { return strategy_; }
    [[nodiscard]] const ProtocolCounters& counters() const { return counters_; }
    [[nodiscard]] std::uint64_t next_line_number() const { return next_number_; }

  private:
    struct Sent {
        std::uint64_t number;
        std::uint64_t tag;
        std::string wire;   ///< `N12 G1 X3*45\n`.
        bool long_running;  ///< G28, M109, M400, ...: silence is expected while it runs.
        bool is_m105;
        bool is_m114 = false;
    };
    struct InFlight {
        std::uint64_t number;
        std::size_t bytes;
        bool stale;  ///< Sent before a resend: the firmware will reject it (and ask again).
        bool long_running;
        bool is_m105;
        bool probe;   ///< The timeout probe (M105), sent outside the window.
        bool marker;  ///< An episode's marker or closer (`is_m105`): no line of the job.
        /// The serial of the episode whose marker or closer this is; 0: none.
        std::uint32_t episode = 0;
        bool is_m114 = false;  ///< Answered by a position line, then an ok.
        [[nodiscard]] bool closer() const { return marker && is_m105; }
    };

    [[nodiscard]] bool window_allows(std::size_t bytes) const;
    void on_ok(const Reply& reply, double now_s);
    /// `rejection`: the ok came right after a resend request, so it answers a rejected line.
    void settle(const Reply& reply, bool rejection);
    void on_resend(const Reply& reply);
    void start_episode(std::uint64_t number, std::size_t index);
    void answer_marker(const std::deque<InFlight>::iterator& marker);
    void answer_closer(const std::deque<InFlight>::iterator& closer);
    void drop_in_flight(const std::deque<InFlight>::iterator& entry);
    /// Lets every marker and closer still counted go (see `marker_deadline_s`).
    void forget_pairs();
    [[nodiscard]] bool pairs_in_flight() const;
    [[nodiscard]] bool refuses_marker(std::uint64_t number) const;
    [[nodiscard]] std::uint64_t oldest_unanswered() const;
    void end_episode();
    void send_marker(std::string& wire, double now_s);
    void note_unknown_command(const Reply& reply);
    void acknowledge_oldest(bool confirmed = true);
    void confirm_through_m105();
    void confirm_oldest_unconfirmed();
    [[nodiscard]] bool fence_due(double now_s) const;
    void queue_fence();
    /// `command` numbered in sequence at the next place to send (M105 or M114).
    std::size_t insert_line(std::uint64_t tag, std::string_view command);
    void on_position();
    void settle_read_through(std::size_t count);
    void answer_rejection();
    void acknowledge_through(std::uint64_t number);
    void remove_in_flight(const std::deque<InFlight>::iterator& entry, bool confirmed = true);
    void note_strategy(const Reply& reply);
    void prune_history();
    [[nodiscard]] double timeout_s() const;
    [[nodiscard]] bool stalled() const;
    [[nodiscard]] double stall_wait_s() const;
    [[nodiscard]] bool long_running_in_flight() const;
    [[nodiscard]] double marker_deadline_s() const;
    void fail(const std::string& reason);
    void send_probe(std::string& wire, double now_s);

    const ProtocolConfig config_;
    ProtocolListener& listener_;
    std::deque<Sent> history_;  ///< Acknowledged lines kept for resends, then queued ones.
    std::deque<InFlight> in_flight_;
    /// Lines answered by a plain ok, oldest first, before the M105 (or ADVANCED_OK number) that
    /// shows they ran: the listener hears of them then. A copied ok is indistinguishable from
    /// the real one, so a plain ok frees the window but proves nothing.
    std::deque<InFlight> unconfirmed_;

    // Numbering and the window.
    std::size_t send_index_ = 0;
    std::size_t in_flight_bytes_ = 0;
    std::uint64_t next_number_ = 1;
    std::uint64_t highest_sent_ = 0;     ///< The highest line number sent since the last reset.
    std::size_t advanced_capacity_ = 1;  ///< Lines the last ADVANCED_OK said would fit.
    /// `Unknown command` echoes of text that is no line in flight: a fragment left by a flush or
    /// an overflow. The ok after each answers the fragment, not a line.
    std::size_t fragment_oks_pending_ = 0;

    // Time.
    double clock_s_ = 0.0;  ///< The time of the last call in.
    double unconfirmed_since_s_ = 0.0;
    double last_reply_s_ = 0.0;
    double last_received_s_ = 0.0;  ///< Any line at all from the printer.
    double last_ok_s_ = 0.0;
    double last_busy_s_ = -1.0;  ///< When the firmware last said `busy`.
    double last_probe_s_ = 0.0;
    int probe_retries_ = 0;    ///< M114 probes sent again while both kinds waited, since an ok.
    double ok_gap_s_ = 0.01;   ///< Moving average of the time between oks.
    double settle_floor_s_;    ///< `resend_settle_s`, or the link's reply latency.
    double wire_bytes_per_s_;  ///< `wire_bytes_per_s`, or the link's speed.

    // The error episode (between a resend request and its marker's ok).
    std::uint64_t episode_number_ = 0;
    std::uint64_t last_resend_number_ = 0;
    double marker_sent_s_ = 0.0;
    std::uint32_t episode_serial_ = 0;  ///< Counts episodes, to tell their closers apart.
    int markers_this_episode_ = 0;
    int stale_this_episode_ = 0;
    int refusals_this_episode_ = 0;
    int same_resend_count_ = 0;  ///< Episodes for the same line with no line taken since.
    int timeouts_in_a_row_ = 0;
    bool episode_ = false;
    bool marker_due_ = false;        ///< `fill` sends a marker first.
    bool rejection_ok_due_ = false;  ///< A resend request came: the next ok answers a rejection.
    bool headless_refusal_due_ = false;  ///< "No Line Number with checksum" came.
    bool headless_refused_ = false;      ///< The refusal whose ok is due was of such a line.
    bool fence_queued_ = false;
    bool previous_was_m105_ok_ = false;  ///< The last line received was an M105's ok.
    bool doubted_m105_ok_ = false;       ///< The last M105 ok was taken for a copy.
    bool m114_ok_due_ = false;           ///< A position line came: the ok after it is M114's.
    bool busy_seen_ = false;
    bool failed_ = false;
    SendStrategy strategy_;
    ProtocolCounters counters_;
};

/// `N<number> <command>*<checksum>\n`: the checksum is the XOR of every byte before the `*`.
void append_numbered(std::string& out, std::uint64_t number, std::string_view command);
/// The XOR of every byte of `text`: Marlin's line checksum.
[[nodiscard]] unsigned char checksum_of(std::string_view text);
/// `text` without blanks (space, tab, CR, LF) at either end.
[[nodiscard]] std::string_view trim_blanks(std::string_view text);
/// The command of a line as numbered on the wire: no `N<n> ` before it, no `*<checksum>`
/// after it, trimmed. Lines without them come back trimmed.
[[nodiscard]] std::string_view strip_numbering(std::string_view line);
/// Whether a command is one that may legitimately keep the printer silent for long.
[[nodiscard]] bool is_long_running(std::string_view command);

}  // namespace strata::streamer
