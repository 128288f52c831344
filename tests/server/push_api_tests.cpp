// The push API (OctoPrint's socket) through a live server over real TCP: the WebSocket
// handshake and its refusals, the codec's answers to pings and broken frames, then the
// protocol: nothing but `connected` before `auth`, `reauthRequired` for a stale session,
// `history` then `current` (throttled), events, SockJS's framing, and a logout ending the feed.
// The npm clients (sockjs-client, ws) drive it too, in tests/clients.
#include <rapidjson/document.h>

#include "../support/json_at.hpp"
#include "../support/websocket_client.hpp"
#include "server_fixture.hpp"

namespace strata::server::test {
namespace {

using testing::WsClient;

// The first key of a message object: its type.
std::string type_of(const rapidjson::Document& message) {
    return message.IsObject() && message.MemberCount() > 0 ? message.MemberBegin()->name.GetString()
                                                           : "";
}

class PushApiTest : public ServerTest {
  protected:
    // A passive login with `key`: "user:session" for the socket's auth message.
    std::string credentials(const std::string& key) {
        const auto login =
            client(key).Post("/api/login", R"({"passive":true})", "application/json");
        if (!login || login->status != 200) return "";
        const rapidjson::Document answer = testing::parse_json(login->body);
        return std::string(testing::at(answer, "name").GetString()) + ":" +
               testing::at(answer, "session").GetString();
    }
    // Reads messages until one of `type` arrives (others are skipped); null document if none.
    static rapidjson::Document await(WsClient& socket, const std::string& type,
                                     double timeout_s = 5.0) {
        const auto deadline = std::chrono::steady_clock::now() +
                              std::chrono::milliseconds(static_cast<int>(timeout_s * 1000));
        while (std::chrono::steady_clock::now() < deadline) {
            const std::optional<std::string> text = socket.read_text(timeout_s);
            if (!text) break;
            rapidjson::Document message = testing::parse_json(*text);
            if (type_of(message) == type) return message;
        }
        return rapidjson::Document();
    }
};

TEST_F(PushApiTest, HandshakeAnswersWithRfc6455sAcceptKey) {
    WsClient socket;
    const std::string head = socket.open(server_->port(), "/sockjs/websocket");
    EXPECT_EQ(head.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0U) << head;
    // RFC 6455 §1.3's example: this key's answer is this accept value.
    EXPECT_NE(head.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"),
              std::string::npos)
        << head;
    EXPECT_NE(head.find("Upgrade: websocket\r\n"), std::string::npos);
    EXPECT_EQ(head.find("Content-Length"), std::string::npos);
}

TEST_F(PushApiTest, HandshakeRefusesAnotherVersionAndABadKey) {
    WsClient old_version;
    const std::string refused =
        old_version.open(server_->port(), "/sockjs/websocket", "dGhlIHNhbXBsZSBub25jZQ==", "8");
    EXPECT_EQ(refused.rfind("HTTP/1.1 426 ", 0), 0U) << refused;
    EXPECT_NE(refused.find("Sec-WebSocket-Version: 13\r\n"), std::string::npos) << refused;
    WsClient bad_key;
    const std::string bad = bad_key.open(server_->port(), "/sockjs/websocket", "short");
    EXPECT_EQ(bad.rfind("HTTP/1.1 400 ", 0), 0U) << bad;
    // A plain GET of the socket's path is no WebSocket either.
    const auto plain = client().Get("/sockjs/websocket");
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->status, 400);
    // A SockJS session id with a dot is refused as SockJS refuses it.
    WsClient dotted;
    EXPECT_EQ(dotted.open(server_->port(), "/sockjs/000/a.b/websocket").rfind("HTTP/1.1 404 ", 0),
              0U);
}

TEST_F(PushApiTest, TheCodecAnswersPingsAndClosesOnBrokenFrames) {
    WsClient socket;
    ASSERT_EQ(socket.open(server_->port(), "/sockjs/websocket").rfind("HTTP/1.1 101", 0), 0U);
    ASSERT_TRUE(socket.read_text());  // connected
    socket.send_frame(9, "are you there");
    std::optional<testing::WsFrame> pong = socket.read_frame();
    while (pong && pong->opcode == 1)
        pong = socket.read_frame();
    ASSERT_TRUE(pong);
    EXPECT_EQ(pong->opcode, 10);
    EXPECT_EQ(pong->payload, "are you there");
    // A client's frame must be masked: the server fails the connection with 1002.
    socket.send_frame(1, R"({"throttle":2})", true, false);
    std::optional<testing::WsFrame> close = socket.read_frame();
    while (close && close->opcode != 8)
        close = socket.read_frame();
    ASSERT_TRUE(close);
    EXPECT_EQ(close->close_code(), 1002);
    EXPECT_TRUE(socket.closed_within(5.0));

    WsClient big;
    ASSERT_EQ(big.open(server_->port(), "/sockjs/websocket").rfind("HTTP/1.1 101", 0), 0U);
    big.send_frame(1,
                   std::string(std::size_t{100} * 1024, 'x'));  // Above the 64 KiB message limit.
    std::optional<testing::WsFrame> too_big = big.read_frame();
    while (too_big && too_big->opcode != 8)
        too_big = big.read_frame();
    ASSERT_TRUE(too_big);
    EXPECT_EQ(too_big->close_code(), 1009);
}

TEST_F(PushApiTest, NothingButConnectedUntilAuthThenHistoryCurrentAndEvents) {
    ASSERT_TRUE(connect_printer());
    WsClient socket;
    ASSERT_EQ(socket.open(server_->port(), "/sockjs/websocket").rfind("HTTP/1.1 101", 0), 0U);
    const rapidjson::Document connected = testing::parse_json(socket.read_text().value_or(""));
    ASSERT_EQ(type_of(connected), "connected");
    EXPECT_EQ(std::string(testing::at(connected, "connected.version").GetString()), "1.11.8");
    EXPECT_GT(testing::at(connected, "connected.permissions").Size(), 10U);
    EXPECT_FALSE(testing::at(connected, "connected").HasMember("apikey"));
    // Before auth, a second of silence: no state, no temperatures.
    EXPECT_FALSE(socket.read_text(1.2));
    // A session that does not exist is answered with reauthRequired.
    socket.send_text(R"({"auth":"otto:0123456789abcdef"})");
    const rapidjson::Document stale = await(socket, "reauthRequired");
    ASSERT_TRUE(stale.IsObject());
    EXPECT_EQ(std::string(testing::at(stale, "reauthRequired.reason").GetString()), "stale");

    socket.send_text(R"({"auth":")" + credentials(operator_key_) + R"("})");
    const rapidjson::Document history = await(socket, "history");
    ASSERT_TRUE(history.IsObject());
    EXPECT_EQ(std::string(testing::at(history, "history.state.text").GetString()), "Operational");
    EXPECT_TRUE(testing::at(history, "history.state.flags.operational").GetBool());
    EXPECT_FALSE(testing::at(history, "history.state.flags.finishing").GetBool());
    EXPECT_TRUE(testing::at(history, "history.temps").IsArray());
    EXPECT_TRUE(testing::at(history, "history.logs").IsArray());
    EXPECT_TRUE(testing::at(history, "history.job.file").IsObject());
    EXPECT_TRUE(testing::at(history, "history.busyFiles").IsArray());
    const rapidjson::Document timelapse = await(socket, "timelapse");
    EXPECT_EQ(std::string(testing::at(timelapse, "timelapse.type").GetString()), "off");
    // The virtual printer reports temperatures about once a second: they come with `current`.
    bool temps_seen = false;
    for (int i = 0; i < 10 && !temps_seen; ++i) {
        const rapidjson::Document current = await(socket, "current");
        ASSERT_TRUE(current.IsObject());
        EXPECT_TRUE(testing::at(current, "current.progress").IsObject());
        EXPECT_TRUE(testing::at(current, "current.resends.count").IsUint64());
        const rapidjson::Value& temps = testing::at(current, "current.temps");
        if (temps.Size() > 0) {
            temps_seen = true;
            EXPECT_TRUE(testing::at(temps, "0").HasMember("time"));
            EXPECT_TRUE(testing::at(temps, "0.tool0").HasMember("actual"));
            EXPECT_TRUE(testing::at(temps, "0.bed").HasMember("target"));
        }
    }
    EXPECT_TRUE(temps_seen);
    // An upload is an event, in OctoPrint's shape.
    ASSERT_EQ(upload(operator_key_, "pushed.gcode", read_file(sample_gcode))->status, 201);
    // (The file's analysis may start, and say so, before the upload's own event.)
    rapidjson::Document event;
    for (int i = 0; i < 10; ++i) {
        event = await(socket, "event");
        ASSERT_TRUE(event.IsObject());
        if (std::string(testing::at(event, "event.type").GetString()) == "Upload") break;
    }
    EXPECT_EQ(std::string(testing::at(event, "event.type").GetString()), "Upload");
    EXPECT_EQ(std::string(testing::at(event, "event.payload.path").GetString()), "pushed.gcode");
}

TEST_F(PushApiTest, ThrottleSpacesCurrentOut) {
    WsClient socket;
    ASSERT_EQ(socket.open(server_->port(), "/sockjs/websocket").rfind("HTTP/1.1 101", 0), 0U);
    socket.send_text(R"({"auth":")" + credentials(viewer_key_) + R"("})");
    ASSERT_TRUE(await(socket, "history").IsObject());
    ASSERT_TRUE(await(socket, "current").IsObject());
    // Throttle 6: one `current` every 3 s. Counted over 4 s: 1 or 2 (throttle 1 would send 8).
    socket.send_text(R"({"throttle":6})");
    ASSERT_TRUE(await(socket, "current").IsObject());  // One may have been due already.
    int currents = 0;
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(4);
    while (std::chrono::steady_clock::now() < end) {
        const std::optional<std::string> text = socket.read_text(0.2);
        if (text && text->starts_with(R"({"current")")) ++currents;
    }
    EXPECT_GE(currents, 1);
    EXPECT_LE(currents, 2);
}

// However throttled, a client hears of a state change at once (a Cancelling or Finishing as
// short as the demo printer's is what FDM Monster closes its job records on), and gets the
// timelapse configuration again when an admin changes it.
TEST_F(PushApiTest, StateChangesAndTimelapseChangesComeAtOnceUnderThrottle) {
    WsClient socket;
    ASSERT_EQ(socket.open(server_->port(), "/sockjs/websocket").rfind("HTTP/1.1 101", 0), 0U);
    socket.send_text(R"({"auth":")" + credentials(viewer_key_) + R"("})");
    ASSERT_TRUE(await(socket, "history").IsObject());
    const rapidjson::Document before = await(socket, "current");
    ASSERT_TRUE(before.IsObject());
    EXPECT_EQ(std::string(testing::at(before, "current.state.text").GetString()), "Offline");
    socket.send_text(R"({"throttle":60})");  // One `current` every 30 s.
    ASSERT_TRUE(connect_printer());
    const rapidjson::Document changed = await(socket, "current", 5.0);
    ASSERT_TRUE(changed.IsObject());
    EXPECT_NE(std::string(testing::at(changed, "current.state.text").GetString()), "Offline");

    ASSERT_EQ(client(admin_key_)
                  .Post("/api/timelapse", R"({"type":"timed","interval":5})", "application/json")
                  ->status,
              200);
    const rapidjson::Document timelapse = await(socket, "timelapse", 5.0);
    ASSERT_TRUE(timelapse.IsObject());
    // No camera in this server: OctoPrint reports a timelapse it cannot take as off.
    EXPECT_EQ(std::string(testing::at(timelapse, "timelapse.type").GetString()), "off");
}

TEST_F(PushApiTest, SockJsFramesMessagesAndALogoutEndsTheFeed) {
    const std::string user_session = credentials(admin_key_);
    WsClient socket;
    ASSERT_EQ(
        socket.open(server_->port(), "/sockjs/123/abcdefgh/websocket").rfind("HTTP/1.1 101", 0),
        0U);
    EXPECT_EQ(socket.read_text().value_or(""), "o");
    const std::string connected = socket.read_text().value_or("");
    EXPECT_EQ(connected.rfind(R"(a[{"connected":{)", 0), 0U) << connected.substr(0, 40);
    EXPECT_TRUE(connected.ends_with("}}]"));
    // A client's frame is an array of messages, each a JSON string.
    socket.send_text(R"(["{\"auth\":\")" + user_session + R"(\"}"])");
    std::string history;
    for (int i = 0; i < 5 && !history.starts_with(R"(a[{"history")"); ++i)
        history = socket.read_text().value_or("");
    EXPECT_EQ(history.rfind(R"(a[{"history":{"state":)", 0), 0U) << history.substr(0, 40);
    // The key's passive login shares one session: logging it out ends the socket's feed.
    const std::string token = user_session.substr(user_session.find(':') + 1);
    httplib::Client browser("127.0.0.1", server_->port());
    const auto logout = browser.Post("/api/logout", {{"Cookie", "strata_session=" + token}}, "",
                                     "application/json");
    ASSERT_TRUE(logout);
    bool told = false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!told && std::chrono::steady_clock::now() < deadline) {
        const std::optional<std::string> text = socket.read_text(1.0);
        told = text && text->find(R"({"reauthRequired":{"reason":"logout"}})") != std::string::npos;
    }
    EXPECT_TRUE(told);
    // After it, no more state (SockJS's heartbeat `h` may still come).
    const auto quiet_end = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
    while (std::chrono::steady_clock::now() < quiet_end) {
        const std::optional<std::string> text = socket.read_text(0.3);
        if (text) {
            EXPECT_EQ(text->find("current"), std::string::npos) << *text;
        }
    }
}

}  // namespace
}  // namespace strata::server::test

namespace strata::server::test {
namespace {

// An hour of FDM Monster, compressed: sessions last 2 s here and are swept every 0.2 s, and the
// client loops as fast as it can instead of every 2 s (so the test covers far more than an
// hour's logins): passive login with its key, currentuser, the socket's auth. Beside it a
// browser logs in with a password now and then, each time a session of its own. The count of
// sessions must stay flat: the key's logins share one, and ended ones are swept.
class SessionSweepTest : public PushApiTest {
  protected:
    void configure(ServerConfig& config) override {
        config.session_lifetime_s = 2.0;
        config.session_sweep_interval_s = 0.2;
    }
    std::int64_t session_count() {
        return server_->store().with([](Database& db) {
            Statement count = db.prepare("SELECT count(*) FROM sessions");
            return count.valid() && count.step() == Statement::Step::row ? count.int64(0) : -1;
        });
    }
};

TEST_F(SessionSweepTest, TheSessionCountStaysFlatUnderAPollingClient) {
    httplib::Client browser("127.0.0.1", server_->port());
    const std::string password = "correct horse battery staple";
    const Result<NewUser> added = server_->store().with(
        [&](Database& db) { return Accounts(db).add_user("bea", Role::viewer, password); });
    ASSERT_TRUE(added) << added.error().message;
    const auto started = std::chrono::steady_clock::now();
    const auto elapsed_s = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    };
    int logins = 0;
    int password_logins = 0;
    std::int64_t most_early = 0;
    std::int64_t most_late = 0;
    double next_password_s = 0.0;
    // At least 10 password logins however slow the key derivation is (several times slower
    // under qemu-aarch64); 60 s at most.
    while (elapsed_s() < 8.0 || (password_logins < 10 && elapsed_s() < 60.0)) {
        const std::string auth = credentials(operator_key_);
        ASSERT_FALSE(auth.empty());
        ++logins;
        ASSERT_EQ(client(operator_key_).Get("/api/currentuser")->status, 200);
        if (logins % 20 == 0) {
            WsClient socket;
            ASSERT_EQ(socket.open(server_->port(), "/sockjs/websocket").rfind("HTTP/1.1 101", 0),
                      0U);
            socket.send_text(R"({"auth":")" + auth + R"("})");
            ASSERT_TRUE(await(socket, "history").IsObject());
        }
        if (elapsed_s() >= next_password_s) {
            const auto login = browser.Post(
                "/api/login", R"({"user":"bea","pass":")" + password + R"("})", "application/json");
            ASSERT_TRUE(login);
            EXPECT_EQ(login->status, 200);
            ++password_logins;
            next_password_s = elapsed_s() + 0.5;
        }
        const std::int64_t count = session_count();
        if (elapsed_s() > 2.5 && elapsed_s() < 5.0) most_early = std::max(most_early, count);
        if (elapsed_s() >= 5.0) most_late = std::max(most_late, count);
    }
    EXPECT_GT(logins, 200);
    EXPECT_GE(password_logins, 10);
    // One for the key, and the browser's of the last 2 s (4, and one being swept).
    EXPECT_LE(most_late, 7);
    EXPECT_LE(most_late, most_early + 1);  // Flat: not growing with the logins.
}

}  // namespace
}  // namespace strata::server::test
