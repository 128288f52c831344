// A single-producer single-consumer ring of events: the streamer thread pushes, one consumer
// pops. No lock: the producer never waits for the consumer, whatever the consumer does. When
// the ring is full, the producer keeps events in its own backlog and retries on its next turn;
// progress and temperature events are dropped rather than queued once the ring is half full.
#pragma once

#include <atomic>
#include <cstddef>
#include <deque>
#include <vector>

#include "strata/streamer/streamer.hpp"

namespace strata::streamer {

class EventQueue {
  public:
    explicit EventQueue(std::size_t capacity) : slots_(capacity) {}

    /// Producer side.
    void push(StreamerEvent event) {
        const bool droppable =
            event.kind == EventKind::progress || event.kind == EventKind::temperatures;
        if (droppable && size() * 2 >= slots_.size()) return;
        backlog_.push_back(std::move(event));
        flush();
    }
    /// Producer side: moves the backlog into the ring as room allows.
    void flush() {
        while (!backlog_.empty()) {
            const std::size_t tail = tail_.load(std::memory_order_relaxed);
            const std::size_t next = (tail + 1) % slots_.size();
            if (next == head_.load(std::memory_order_acquire)) return;  // Full.
            slots_[tail] = std::move(backlog_.front());
            backlog_.pop_front();
            tail_.store(next, std::memory_order_release);
        }
    }
    /// Consumer side.
    bool pop(StreamerEvent& event) {
        const std::size_t head = head_.load(std::memory_order_relaxed);
        if (head == tail_.load(std::memory_order_acquire)) return false;
        event = std::move(slots_[head]);
        head_.store((head + 1) % slots_.size(), std::memory_order_release);
        return true;
    }

  private:
    [[nodiscard]] std::size_t size() const {
        const std::size_t head = head_.load(std::memory_order_acquire);
        const std::size_t tail = tail_.load(std::memory_order_relaxed);
        return (tail + slots_.size() - head) % slots_.size();
    }

    std::vector<StreamerEvent> slots_;
    std::atomic<std::size_t> head_{0};
    std::atomic<std::size_t> tail_{0};
    std::deque<StreamerEvent> backlog_;  ///< Producer only.
};

}  // namespace strata::streamer
