// Bytes that cross a serial wire at a fixed rate, one way: 10 bits a byte (start, 8 data, stop)
// at the baud rate, or at once when the rate is 0. Used by the virtual printer's thread on real
// time and by the wire simulation on a simulated clock.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>

namespace strata::streamer::virtual_printer {

class Wire {
  public:
    explicit Wire(int baud) : byte_s_(baud > 0 ? 10.0 / baud : 0.0) {}
    void push(std::string_view bytes, double now_s) {
        if (bytes.empty()) return;
        queue_.erase(0, taken_);
        taken_ = 0;
        if (queue_.empty())
            busy_from_s_ = std::max(busy_from_s_, now_s);  // An idle wire starts now.
        queue_.append(bytes);
    }
    /// Bytes fully across by `now_s`, removed.
    std::string_view arrived(double now_s) {
        queue_.erase(0, taken_);
        std::size_t count = queue_.size();
        if (byte_s_ > 0.0) {
            const auto across = static_cast<std::size_t>(
                std::max(0.0, std::floor((now_s - busy_from_s_) / byte_s_ + 1e-9)));
            count = std::min(count, across);
            busy_from_s_ += static_cast<double>(count) * byte_s_;
        }
        taken_ = count;
        return std::string_view(queue_).substr(0, taken_);
    }
    /// Gives back bytes `arrived` handed out that could not be used.
    void unread(std::size_t bytes) {
        taken_ -= bytes;
        if (byte_s_ > 0.0) busy_from_s_ -= static_cast<double>(bytes) * byte_s_;
    }
    [[nodiscard]] bool empty() const { return queue_.size() == taken_; }
    [[nodiscard]] std::size_t pending() const { return queue_.size() - taken_; }
    void clear() {
        queue_.clear();
        taken_ = 0;
    }
    /// When the next byte is across (infinity: none on the wire).
    [[nodiscard]] double next_s() const {
        return empty() ? std::numeric_limits<double>::infinity() : busy_from_s_ + byte_s_;
    }
    /// When the first `count` bytes still on the wire are all across.
    [[nodiscard]] double across_s(std::size_t count) const {
        return busy_from_s_ + static_cast<double>(std::min(count, pending())) * byte_s_;
    }
    /// The bytes still on the wire.
    [[nodiscard]] std::string_view on_wire() const {
        return std::string_view(queue_).substr(taken_);
    }

  private:
    double byte_s_;
    std::string queue_;
    std::size_t taken_ = 0;
    double busy_from_s_ = 0.0;
};

}  // namespace strata::streamer::virtual_printer
