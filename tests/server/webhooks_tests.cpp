// Webhooks on a real store: events are queued for the webhooks that want their type, due
// deliveries come out oldest first, a failure waits its back-off and is given up after the last
// attempt, a delivered one never comes back, and the signature is the HMAC-SHA256 a receiver
// recomputes (a known answer from two other implementations).
#include <gtest/gtest.h>

#include "../support/result.hpp"
#include "store_fixture.hpp"
#include "strata/server/webhooks.hpp"

namespace {

using namespace strata::server;

class Webhooks : public strata::testing::StoreFixture {};

TEST_F(Webhooks, EventsQueueForTheHooksThatWantThemAndRetryWithBackOff) {
    WebhookQueue queue(db_);
    EventLog log(db_);
    using strata::testing::ok;
    using strata::testing::value_of;
    ASSERT_TRUE(ok(queue.add_webhook("https://a.example/hook", "0123456789abcdef", "*", 0.0)));
    const std::int64_t prints = value_of(queue.add_webhook(
        "http://b.example/hook", "fedcba9876543210", "PrintDone, PrintFailed", 0.0));
    const auto refusal = [&](std::string_view url, std::string_view secret) {
        const auto added = queue.add_webhook(url, secret, "*", 0.0);
        return added ? std::string("added") : added.error().message;
    };
    EXPECT_EQ(refusal("ftp://c", "0123456789abcdef"), "url: must start with http:// or https://");
    EXPECT_EQ(refusal("https://c", "short"), "secret: at least 16 characters");
    const auto listed = value_of(queue.webhooks());
    ASSERT_EQ(listed.size(), 2U);
    EXPECT_EQ(listed[1].event_types, "PrintDone, PrintFailed");

    for (const char* type : {"PrintStarted", "PrintDone"}) {
        const std::int64_t id = value_of(log.append(type, "{}", 100.0));
        ASSERT_TRUE(ok(queue.enqueue(log.after(id - 1, 1).front())));
    }
    std::vector<Delivery> due = queue.due(100.0, 10);
    ASSERT_EQ(due.size(), 3u);  // Both events to "*", only PrintDone to the other.
    EXPECT_EQ(due[0].event.type, "PrintStarted");
    EXPECT_EQ(due[2].webhook_id, prints);
    EXPECT_EQ(due[2].event.type, "PrintDone");

    ASSERT_TRUE(ok(queue.delivered(due[0].id, 101.0)));
    const std::int64_t retried = due[1].id;
    ASSERT_TRUE(ok(queue.failed(retried, "HTTP 503", 101.0)));
    due = queue.due(101.0, 10);
    ASSERT_EQ(due.size(), 1u);  // The failed one waits 10 s.
    EXPECT_EQ(due[0].webhook_id, prints);
    EXPECT_EQ(queue.due(111.0, 10).size(), 2u);

    for (int attempt = 2; attempt <= WebhookQueue::max_attempts; ++attempt)
        ASSERT_TRUE(ok(queue.failed(retried, "HTTP 503", 200.0 + attempt)));
    due = queue.due(1e9, 10);  // Given up after the last attempt; the other is still due.
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].webhook_id, prints);
    EXPECT_EQ(queue.failed(9999, "HTTP 503", 300.0).error().code, strata::ErrorCode::not_found);
    EXPECT_TRUE(value_of(queue.remove_webhook(prints)));
    EXPECT_FALSE(value_of(queue.remove_webhook(prints)));
    EXPECT_EQ(value_of(queue.webhooks()).size(), 1U);
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
