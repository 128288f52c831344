// EventHub: one mutex orders publishing against subscribing, so a new subscriber's catch-up
// (read from the store) and its live feed meet without a gap or a repeat.
#include "strata/server/event_hub.hpp"
#include "strata/common/log.hpp"
#include "strata/server/clock.hpp"

#include <cstdio>

#include "strata/server/webhooks.hpp"

namespace strata::server {
std::int64_t EventHub::publish(std::string_view type, std::string_view payload_json) {
    std::function<void()> listener;
    std::int64_t id = 0;
    {
        const std::lock_guard lock(mutex_);
        Event event;
        event.at_s = unix_now_s();
        event.type = std::string(type);
        event.payload_json = std::string(payload_json);
        const bool trim = ++published_since_trim_ >= 1000;
        if (trim) published_since_trim_ = 0;
        const Status stored = store_.with([&](Database& db) -> Status {
            const Result<std::int64_t> stored_id =
                EventLog(db).append(type, payload_json, event.at_s);
            if (!stored_id) return stored_id.error();
            event.id = *stored_id;
            if (Status queued = WebhookQueue(db).enqueue(event); !queued) return queued;
            if (trim) EventLog(db).trim(kept_events);
            return {};
        });
        // Live subscribers still get the event; a client resuming later will miss it.
        if (!stored)
            log_message(LogLevel::warning, "strata serve: event %s: %s\n", event.type.c_str(),
                        stored.error().message.c_str());
        id = event.id;
        std::erase_if(subscribers_, [&event](const Subscription& subscription) {
            return !subscription.subscriber(event);
        });
        listener = published_listener_;
    }
    if (listener) listener();
    return id;
}

void EventHub::broadcast(std::string_view type, std::string_view payload_json) {
    const std::lock_guard lock(mutex_);
    if (subscribers_.empty()) return;
    Event event;
    event.at_s = unix_now_s();
    event.type = std::string(type);
    event.payload_json = std::string(payload_json);
    std::erase_if(subscribers_, [&event](const Subscription& subscription) {
        return !subscription.subscriber(event);
    });
}

std::uint64_t EventHub::subscribe(std::int64_t last_id, Subscriber subscriber) {
    const std::lock_guard lock(mutex_);
    for (;;) {
        const std::vector<Event> missed =
            store_.with([last_id](Database& db) { return EventLog(db).after(last_id, 500); });
        for (const Event& event : missed) {
            if (!subscriber(event)) return 0;
            last_id = event.id;
        }
        if (missed.size() < 500) break;
    }
    const std::uint64_t id = next_id_++;
    subscribers_.push_back({id, std::move(subscriber)});
    return id;
}

void EventHub::unsubscribe(std::uint64_t id) {
    const std::lock_guard lock(mutex_);
    std::erase_if(subscribers_,
                  [id](const Subscription& subscription) { return subscription.id == id; });
}

void EventHub::heartbeat() {
    const std::lock_guard lock(mutex_);
    const Event beat;
    std::erase_if(subscribers_, [&beat](const Subscription& subscription) {
        return !subscription.subscriber(beat);
    });
}

void EventHub::on_published(std::function<void()> listener) {
    const std::lock_guard lock(mutex_);
    published_listener_ = std::move(listener);
}

}  // namespace strata::server
