// The terminal's ring (see terminal_log.hpp). Slots keep their strings' capacity, so once the
// ring has gone round, adding a line allocates nothing on the streamer thread.
#include "strata/streamer/terminal_log.hpp"

#include <algorithm>
#include <chrono>

namespace strata::streamer {

TerminalLog::TerminalLog(std::size_t capacity)
    : ring_(std::max<std::size_t>(capacity, 16)),
      log_id_(static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count())) {}

bool TerminalLog::is_temperature(bool sent, std::string_view text) {
    if (sent) {
        // `N12 M105*34` or `M105`: the command after the line number.
        if (text.starts_with('N')) {
            const std::size_t space = text.find(' ');
            if (space == std::string_view::npos) return false;
            text.remove_prefix(space + 1);
        }
        return text.starts_with("M105") && (text.size() == 4 || text[4] == '*' || text[4] == ' ');
    }
    while (!text.empty() && text.front() == ' ')
        text.remove_prefix(1);
    if (text.starts_with("ok ")) text.remove_prefix(3);
    return text.starts_with("T:") || text.starts_with("T0:") || text.starts_with("B:");
}

void TerminalLog::add_line(bool sent, std::string_view line, double at_s) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) return;
    TerminalLine& slot = ring_[next_seq_ % ring_.size()];
    slot.seq = next_seq_++;
    slot.at_s = at_s;
    slot.sent = sent;
    slot.temperature = is_temperature(sent, line);
    slot.text.assign(line);
}

void TerminalLog::add(bool sent, std::string_view text) {
    const double at_s =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    const std::lock_guard lock(mutex_);
    while (!text.empty()) {
        const std::size_t end = text.find('\n');
        add_line(sent, text.substr(0, end), at_s);
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
}

std::vector<TerminalLine> TerminalLog::since(std::uint64_t after_seq, std::size_t limit,
                                             std::uint64_t& first_kept) const {
    const std::lock_guard lock(mutex_);
    const std::uint64_t last = next_seq_ - 1;
    first_kept = last >= ring_.size() ? last - ring_.size() + 1 : 1;
    std::vector<TerminalLine> lines;
    std::uint64_t seq = std::max(after_seq + 1, first_kept);
    if (last >= seq && last - seq + 1 > limit) seq = last - limit + 1;  // The newest `limit`.
    for (; seq <= last; ++seq)
        lines.push_back(ring_[seq % ring_.size()]);
    return lines;
}

std::uint64_t TerminalLog::last_seq() const {
    const std::lock_guard lock(mutex_);
    return next_seq_ - 1;
}

}  // namespace strata::streamer
