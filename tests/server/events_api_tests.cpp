// Events on a live server: the SSE stream resumes after a reconnect with exactly the events the
// client missed (Last-Event-ID), and a webhook that fails is retried and then delivered, signed
// with the shared secret.
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>

#include <rapidjson/document.h>

#include "../support/json_at.hpp"
#include "../support/loopback.hpp"
#include "server_fixture.hpp"
#include "strata/server/webhooks.hpp"

namespace strata::server::test {
namespace {

// A raw SSE client: the request, then frames as they come.
class SseClient {
  public:
    SseClient(std::uint16_t port, const std::string& key, std::int64_t last_event_id,
              const std::string& query = "") {
        fd_ = testing::connect_loopback(port);
        EXPECT_GE(fd_, 0);
        std::string request =
            "GET /api/events" + query + " HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + key + "\r\n";
        if (last_event_id > 0)
            request += "Last-Event-ID: " + std::to_string(last_event_id) + "\r\n";
        request += "\r\n";
        EXPECT_EQ(::send(fd_, request.data(), request.size(), 0),
                  static_cast<ssize_t>(request.size()));
    }
    ~SseClient() { ::close(fd_); }
    void wait_at_most_ms(int milliseconds) {
        timeval timeout{0, static_cast<suseconds_t>(milliseconds) * 1000};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    }
    SseClient(const SseClient&) = delete;
    SseClient& operator=(const SseClient&) = delete;

    // Frames of `type` (id and data) until `count` of them arrived or the wait ran out.
    std::vector<std::pair<std::int64_t, std::string>> read(const std::string& type,
                                                           std::size_t count) {
        std::vector<std::pair<std::int64_t, std::string>> frames;
        for (;;) {
            std::size_t end = 0;
            while ((end = buffer_.find("\n\n")) != std::string::npos) {
                const std::string frame = buffer_.substr(0, end);
                buffer_.erase(0, end + 2);
                if (frame.find("event: " + type + "\n") == std::string::npos) continue;
                const std::size_t id = frame.find("id: ");
                const std::size_t data = frame.find("data: ");
                frames.emplace_back(id == std::string::npos ? 0 : std::stoll(frame.substr(id + 4)),
                                    frame.substr(data + 6));
            }
            if (frames.size() >= count) return frames;
            char chunk[4096];
            const ssize_t got = ::recv(fd_, chunk, sizeof chunk, 0);
            if (got <= 0) return frames;
            buffer_.append(chunk, static_cast<std::size_t>(got));
        }
    }

  private:
    int fd_ = -1;
    std::string buffer_;
};

using EventsApiTest = ServerTest;

TEST_F(EventsApiTest, AReconnectedStreamGetsExactlyWhatItMissed) {
    std::int64_t last_seen = 0;
    {
        SseClient stream(server_->port(), viewer_key_, 0);
        ASSERT_EQ(stream.read("current", 1).size(), 1U);  // The job as it stands.
        for (int i = 1; i <= 3; ++i)
            server_->events().publish("TestEvent", "{\"n\":" + std::to_string(i) + "}");
        const auto frames = stream.read("TestEvent", 3);
        ASSERT_EQ(frames.size(), 3U);
        EXPECT_EQ(frames[0].second, "{\"n\":1}");
        EXPECT_EQ(frames[2].second, "{\"n\":3}");
        EXPECT_LT(frames[0].first, frames[2].first);
        last_seen = frames[1].first;  // As if the third had been lost with the connection.
    }
    server_->events().publish("TestEvent", "{\"n\":4}");
    SseClient resumed(server_->port(), viewer_key_, last_seen);
    server_->events().publish("TestEvent", "{\"n\":5}");
    const auto frames = resumed.read("TestEvent", 3);
    ASSERT_EQ(frames.size(), 3U);
    EXPECT_EQ(frames[0].second, "{\"n\":3}");
    EXPECT_EQ(frames[1].second, "{\"n\":4}");
    EXPECT_EQ(frames[2].second, "{\"n\":5}");  // Live, after the catch-up, not repeated.
    resumed.wait_at_most_ms(300);
    EXPECT_EQ(resumed.read("TestEvent", 1).size(), 0U);
}

// A page that has just loaded the state by REST wants what happens from now on, not the stored
// history (up to 10,000 events, each of which would make it load the state again).
TEST_F(EventsApiTest, FromNowSkipsTheHistoryAndNamesWhereItStarts) {
    for (int i = 1; i <= 3; ++i)
        server_->events().publish("TestEvent", "{\"old\":" + std::to_string(i) + "}");
    SseClient stream(server_->port(), viewer_key_, 0, "?from=now");
    const auto current = stream.read("current", 1);
    ASSERT_EQ(current.size(), 1U);
    server_->events().publish("TestEvent", "{\"new\":1}");
    const auto frames = stream.read("TestEvent", 1);
    ASSERT_EQ(frames.size(), 1U);
    EXPECT_EQ(frames[0].second, "{\"new\":1}");
    EXPECT_EQ(frames[0].first, current[0].first + 1);  // Nothing between the two is lost.
}

TEST_F(EventsApiTest, AFailingWebhookIsRetriedAndDeliveredSigned) {
    struct Hit {
        std::string body;
        std::string signature;
        std::string event;
    };
    std::mutex mutex;
    std::vector<Hit> hits;
    httplib::Server receiver;
    receiver.Post("/hook", [&](const httplib::Request& request, httplib::Response& response) {
        const std::lock_guard lock(mutex);
        hits.push_back({request.body, request.get_header_value("X-Strata-Signature"),
                        request.get_header_value("X-Strata-Event")});
        response.status = hits.size() == 1 ? 500 : 200;  // The first attempt fails.
    });
    const int port = receiver.bind_to_any_port("127.0.0.1");
    std::thread serving([&] { receiver.listen_after_bind(); });
    const std::string secret = "a-shared-secret-of-some-length";
    const auto added =
        client(admin_key_)
            .Post("/api/strata/webhooks",
                  R"({"url":"http://127.0.0.1:)" + std::to_string(port) +
                      R"(/hook","events":"PrintDone,TestHook","secret":")" + secret + R"("})",
                  "application/json");
    ASSERT_TRUE(added);
    ASSERT_EQ(added->status, 201) << added->body;
    server_->events().publish("NotWanted", "{}");
    const std::int64_t id = server_->events().publish("TestHook", R"({"x":1})");
    const auto hit_count = [&] {
        const std::lock_guard lock(mutex);
        return hits.size();
    };
    ASSERT_TRUE(eventually([&] { return hit_count() == 1; }, 10.0));
    // The retry waits 10 s; bring it forward instead of waiting.
    const Status hurried = server_->store().with([](Database& db) {
        return db.execute("UPDATE webhook_deliveries SET next_attempt_s = 0");
    });
    ASSERT_TRUE(hurried) << hurried.error().message;
    ASSERT_TRUE(eventually([&] { return hit_count() == 2; }, 10.0));
    // The sender records the delivery once the receiver's answer is back, just after the hit.
    const auto delivered_at_attempt = [&] {
        return server_->store().with([id](Database& db) -> std::int64_t {
            Statement select = db.prepare(
                "SELECT attempts, delivered_s IS NOT NULL FROM "
                "webhook_deliveries WHERE event_id = ?");
            if (!select.valid() || select.bind(1, id).step() != Statement::Step::row) return -1;
            return select.int64(1) == 1 ? select.int64(0) : 0;
        });
    };
    EXPECT_TRUE(eventually([&] { return delivered_at_attempt() != 0; }, 10.0));
    EXPECT_EQ(delivered_at_attempt(), 2);  // Delivered, at the second attempt.
    receiver.stop();
    serving.join();
    const std::lock_guard lock(mutex);
    ASSERT_EQ(hits.size(), 2U);  // NotWanted was not sent.
    EXPECT_EQ(hits[1].event, "TestHook");
    rapidjson::Document body;
    body.Parse(hits[1].body.c_str());
    ASSERT_TRUE(body.IsObject());
    EXPECT_EQ(testing::at(body, "id").GetInt64(), id);
    EXPECT_EQ(testing::at(body, "payload.x").GetInt(), 1);
    // The signature checks out with the secret and the timestamp it names.
    const std::string& signature = hits[1].signature;
    const std::int64_t timestamp = std::stoll(signature.substr(2, signature.find(',') - 2));
    EXPECT_EQ(signature, webhook_signature(secret, timestamp, hits[1].body));
}

}  // namespace
}  // namespace strata::server::test
