// The terminal: every line sent to the printer and received from it, in a fixed ring the
// streamer thread writes without ever waiting on a reader (a slow browser loses the oldest lines
// of its backlog, never the printer its pace). Readers take what followed the last line they
// saw, by sequence number, and learn when lines were overwritten before they read them.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace strata::streamer {

struct TerminalLine {
    std::uint64_t seq = 0;  ///< From 1, one per line, never reused.
    double at_s = 0.0;      ///< Unix time.
    bool sent = false;      ///< To the printer (else from it).
    /// A temperature report or poll (`ok T:`, ` T:`, `M105`): the terminal's filter hides these.
    bool temperature = false;
    std::string text;  ///< Without the line end.
};

class TerminalLog {
  public:
    explicit TerminalLog(std::size_t capacity = 4096);

    /// Adds each line of `text` (split at '\n'; empty lines are left out), stamped now.
    void add(bool sent, std::string_view text);
    /// Lines after `after_seq`, oldest first, at most `limit`. `first_kept` is the oldest line
    /// still in the ring: when it is above `after_seq + 1`, lines were lost to the reader.
    [[nodiscard]] std::vector<TerminalLine> since(std::uint64_t after_seq, std::size_t limit,
                                                  std::uint64_t& first_kept) const;
    [[nodiscard]] std::uint64_t last_seq() const;
    /// Tells this log's numbering from another's: a new server starts at seq 1 again, with a
    /// new id (the time it was made, in microseconds), so a reader knows its last seq is void.
    [[nodiscard]] std::uint64_t log_id() const { return log_id_; }

    /// Whether a line is a temperature report or poll.
    [[nodiscard]] static bool is_temperature(bool sent, std::string_view text);

  private:
    void add_line(bool sent, std::string_view line, double at_s);

    mutable std::mutex mutex_;
    std::vector<TerminalLine> ring_;
    std::uint64_t next_seq_ = 1;
    const std::uint64_t log_id_;
};

}  // namespace strata::streamer
