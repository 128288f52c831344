// Webhooks on a real store: events are queued for the webhooks that want their type, due
// deliveries come out oldest first, a failure waits its back-off and is given up after the last
// attempt, a delivered one never comes back, and the signature is the HMAC-SHA256 a receiver
// recomputes (a known answer from two other implementations).
#include <gtest/gtest.h>

#include "store_fixture.hpp"
#include "strata/server/webhooks.hpp"

namespace {

using namespace strata::server;

class Webhooks : public strata::testing::StoreFixture {};

TEST_F(Webhooks, EventsQueueForTheHooksThatWantThemAndRetryWithBackOff) {
    WebhookQueue queue(db_);
    EventLog log(db_);
    std::string error;
    std::int64_t all = 0;
    std::int64_t prints = 0;
    ASSERT_TRUE(
        queue.add_webhook("https://a.example/hook", "0123456789abcdef", "*", 0.0, all, error))
        << error;
    ASSERT_TRUE(queue.add_webhook("http://b.example/hook", "fedcba9876543210",
                                  "PrintDone, PrintFailed", 0.0, prints, error))
        << error;
    EXPECT_FALSE(queue.add_webhook("ftp://c", "0123456789abcdef", "*", 0.0, all, error));
    EXPECT_EQ(error, "url: must start with http:// or https://");
    EXPECT_FALSE(queue.add_webhook("https://c", "short", "*", 0.0, all, error));
    EXPECT_EQ(error, "secret: at least 16 characters");

    for (const char* type : {"PrintStarted", "PrintDone"}) {
        const auto id = log.append(type, "{}", 100.0, error);
        ASSERT_TRUE(id.has_value()) << error;
        ASSERT_TRUE(queue.enqueue(log.after(*id - 1, 1).front(), error)) << error;
    }
    std::vector<Delivery> due = queue.due(100.0, 10);
    ASSERT_EQ(due.size(), 3u);  // Both events to "*", only PrintDone to the other.
    EXPECT_EQ(due[0].event.type, "PrintStarted");
    EXPECT_EQ(due[2].webhook_id, prints);
    EXPECT_EQ(due[2].event.type, "PrintDone");

    queue.delivered(due[0].id, 101.0);
    const std::int64_t retried = due[1].id;
    queue.failed(retried, "HTTP 503", 101.0);
    due = queue.due(101.0, 10);
    ASSERT_EQ(due.size(), 1u);  // The failed one waits 10 s.
    EXPECT_EQ(due[0].webhook_id, prints);
    EXPECT_EQ(queue.due(111.0, 10).size(), 2u);

    for (int attempt = 2; attempt <= WebhookQueue::max_attempts; ++attempt)
        queue.failed(retried, "HTTP 503", 200.0 + attempt);
    due = queue.due(1e9, 10);  // Given up after the last attempt; the other is still due.
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].webhook_id, prints);
}

TEST(WebhookSignature, IsTheHmacOfTimestampDotBody) {
    EXPECT_EQ(retry_delay_s(1), 10.0);
    EXPECT_EQ(retry_delay_s(2), 20.0);
    EXPECT_EQ(retry_delay_s(20), 3600.0);
    // The expected value was computed by two other implementations, Python's hmac module and
    // `openssl dgst -sha256 -hmac`, over "1700000000.{"a":1}".
    const std::string signature = webhook_signature("secret-key-123456", 1700000000, "{\"a\":1}");
    EXPECT_EQ(signature,
              "t=1700000000,v1=a1ea4a54c7199758d517b5d2323fd63f9513539660e16d3136a16260e4599404");
    EXPECT_NE(webhook_signature("secret-key-123456", 1700000001, "{\"a\":1}"), signature);
}

}  // namespace
