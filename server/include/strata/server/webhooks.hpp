// Webhooks: every persisted event is queued for each enabled webhook that wants its type, and
// delivered by POST with an HMAC-SHA256 signature over the timestamp and body (the receiver
// checks it with the shared secret, and rejects old timestamps to stop replays). Failed
// deliveries are retried with exponential back-off; the queue lives in the store, so retries
// survive a restart. This file is the queue and the signing; the sending comes with the server.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "strata/server/event_log.hpp"
#include "strata/server/store.hpp"

namespace strata::server {

/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the secret>`, the value of
/// the `X-Strata-Signature` header.
[[nodiscard]] std::string webhook_signature(std::string_view secret, std::int64_t timestamp_s,
                                            std::string_view body);

/// Seconds to wait before attempt `attempt` (1-based) after a failure: 10 s doubling, at most
/// an hour.
[[nodiscard]] double retry_delay_s(int attempt);

struct Delivery {
    std::int64_t id = 0;
    std::int64_t webhook_id = 0;
    std::string url;
    std::string secret;
    Event event;
    int attempts = 0;
};

class WebhookQueue {
  public:
    /// After this many failed attempts a delivery is given up (kept, with its last error).
    static constexpr int max_attempts = 8;

    explicit WebhookQueue(Database& db) : db_(db) {}

    bool add_webhook(std::string_view url, std::string_view secret, std::string_view event_types,
                     double now_s, std::int64_t& id, std::string& error);
    /// Queues `event` for every enabled webhook whose types (comma-separated, or `*`) include it.
    bool enqueue(const Event& event, std::string& error);
    /// Deliveries due at `now_s`, oldest first.
    [[nodiscard]] std::vector<Delivery> due(double now_s, std::size_t limit);
    void delivered(std::int64_t delivery_id, double now_s);
    /// Records a failed attempt; the next one waits `retry_delay_s`, until `max_attempts`.
    void failed(std::int64_t delivery_id, const std::string& why, double now_s);

  private:
    Database& db_;
};

}  // namespace strata::server
