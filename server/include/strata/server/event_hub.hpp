// The event hub: every step of the pipeline publishes here. An event is persisted first (so SSE
// clients resume from `Last-Event-ID` and webhooks retry after a restart), queued for the
// webhooks that want it, then handed to live subscribers (open SSE streams). Subscribers are
// called on the publishing thread and must not block; a subscriber that returns false is
// dropped.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "strata/server/event_log.hpp"
#include "strata/server/store.hpp"

namespace strata::server {

class EventHub {
  public:
    using Subscriber = std::function<bool(const Event&)>;
    /// Persisted events kept; older ones are trimmed as new ones arrive.
    static constexpr std::size_t kept_events = 10000;

    explicit EventHub(Store& store) : store_(store) {}

    /// Persists and delivers an event; its id (0 when the store refused it, which is logged
    /// but never stops the caller).
    std::int64_t publish(std::string_view type, std::string_view payload_json);
    /// Hands live subscribers an event that is not kept (id 0: no resume, no webhook): the
    /// terminal's lines and the temperatures, which come too often to store and are read
    /// again by REST after a reconnect.
    void broadcast(std::string_view type, std::string_view payload_json);
    /// Adds a live subscriber after catching it up with what followed `last_id`, with no gap
    /// and no repeat between the two. Its id, for `unsubscribe`.
    std::uint64_t subscribe(std::int64_t last_id, Subscriber subscriber);
    void unsubscribe(std::uint64_t id);
    /// Hands every subscriber an event with id 0 and no type, not persisted: a keep-alive that
    /// also finds subscribers whose client has gone.
    void heartbeat();
    /// Called after every publish, on the publisher's thread (the webhook sender's wake-up).
    void on_published(std::function<void()> listener);

  private:
    struct Subscription {
        std::uint64_t id;
        Subscriber subscriber;
    };
    Store& store_;
    std::mutex mutex_;  ///< Orders publishing and subscribing.
    std::vector<Subscription> subscribers_;
    std::uint64_t next_id_ = 1;
    std::function<void()> published_listener_;
    std::uint64_t published_since_trim_ = 0;
};

}  // namespace strata::server
