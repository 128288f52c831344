// Webhooks: every persisted event is queued for each enabled webhook that wants its type, and
// delivered by POST with an HMAC-SHA256 signature over the timestamp and body (the receiver
// checks it with the shared secret, and rejects old timestamps to stop replays). Failed
// deliveries are retried with exponential back-off; the queue lives in the store, so retries
// survive a restart. The sender is one thread, woken by each event and every few seconds.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
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

/// A webhook as listed (its secret stays in the store).
struct Webhook {
    std::int64_t id = 0;
    std::string url;
    std::string event_types;  ///< Comma-separated names, or `*`.
    bool enabled = true;
};

/// The `webhooks` and `webhook_deliveries` tables: their only owner.
class WebhookQueue {
  public:
    /// After this many failed attempts a delivery is given up (kept, with its last error).
    static constexpr int max_attempts = 8;

    explicit WebhookQueue(Database& db) : db_(db) {}

    /// A new webhook; its id. Refused naming the field: a url that is not http(s), a secret
    /// shorter than 16 characters.
    [[nodiscard]] Result<std::int64_t> add_webhook(std::string_view url, std::string_view secret,
                                                   std::string_view event_types, double now_s);
    /// Every webhook, by id.
    [[nodiscard]] Result<std::vector<Webhook>> webhooks();
    /// Deletes a webhook and its deliveries; whether there was one.
    [[nodiscard]] Result<bool> remove_webhook(std::int64_t id);
    /// Queues `event` for every enabled webhook whose types (comma-separated, or `*`) include it.
    [[nodiscard]] Status enqueue(const Event& event);
    /// Deliveries due at `now_s`, oldest first.
    [[nodiscard]] std::vector<Delivery> due(double now_s, std::size_t limit);
    [[nodiscard]] Status delivered(std::int64_t delivery_id, double now_s);
    /// Records a failed attempt; the next one waits `retry_delay_s`, until `max_attempts`.
    [[nodiscard]] Status failed(std::int64_t delivery_id, const std::string& why, double now_s);

  private:
    Database& db_;
};

/// Delivers what is due: a POST of `{"id","type","at","payload"}` with the headers
/// `X-Strata-Event`, `X-Strata-Delivery` and `X-Strata-Signature`. A 2xx answer is a delivery;
/// anything else (or no answer within the timeout) is a failed attempt, retried later.
class WebhookSender {
  public:
    explicit WebhookSender(Store& store, double timeout_s = 10.0);
    ~WebhookSender();
    WebhookSender(const WebhookSender&) = delete;
    WebhookSender& operator=(const WebhookSender&) = delete;
    void start();
    void stop();
    /// Something may be due now (called after each publish).
    void wake();

  private:
    void run();
    Store& store_;
    double timeout_s_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool woken_ = false;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace strata::server
