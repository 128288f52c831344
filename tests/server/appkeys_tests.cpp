// The application-key workflow as Cura's and PrusaSlicer's OctoPrint support drive it: probe,
// request, poll while the user decides, receive the key once, use it; a denial; a request for a
// named user; the per-address limit; listing and revoking an app's key. The request store's
// expiry is tested with the time passed in.
#include <rapidjson/document.h>

#include "../support/json_at.hpp"
#include "server_fixture.hpp"
#include "strata/server/app_key_requests.hpp"

namespace strata::server::test {
namespace {

using AppKeysTest = ServerTest;

// `{"app": app}` posted to the request endpoint: the answer.
httplib::Result request_key(httplib::Client& http, const std::string& body) {
    return http.Post("/plugin/appkeys/request", body, "application/json");
}

std::string user_token_for(httplib::Client& http, const std::string& app) {
    const auto listed = http.Get("/api/plugin/appkeys");
    if (!listed || listed->status != 200) return "";
    const rapidjson::Document answer = testing::parse_json(listed->body);
    for (const auto& pending : testing::at(answer, "pending").GetObject())
        if (std::string(testing::at(pending.value, "app_id").GetString()) == app)
            return pending.name.GetString();
    return "";
}

TEST_F(AppKeysTest, AnApprovedAppPollsItsKeyOnceAndTheKeyWorksUntilRevoked) {
    httplib::Client app = client();  // No credentials: the app has none yet.
    const auto probe = app.Get("/plugin/appkeys/probe");
    ASSERT_TRUE(probe);
    EXPECT_EQ(probe->status, 204);
    const auto requested = request_key(app, R"({"app":"Cura"})");
    ASSERT_TRUE(requested);
    ASSERT_EQ(requested->status, 201) << requested->body;
    const rapidjson::Document request = testing::parse_json(requested->body);
    const std::string app_token = testing::at(request, "app_token").GetString();
    const std::string poll_url = "/plugin/appkeys/request/" + app_token;
    EXPECT_EQ(requested->get_header_value("Location"),
              "http://127.0.0.1:" + std::to_string(server_->port()) + poll_url);
    EXPECT_NE(std::string(testing::at(request, "auth_dialog").GetString()).find(app_token),
              std::string::npos);
    const auto waiting = app.Get(poll_url);
    ASSERT_TRUE(waiting);
    EXPECT_EQ(waiting->status, 202);
    EXPECT_NE(waiting->body.find("Awaiting decision"), std::string::npos);

    httplib::Client user = client(operator_key_);
    const std::string user_token = user_token_for(user, "Cura");
    ASSERT_FALSE(user_token.empty());
    const auto decided = user.Post("/plugin/appkeys/decision/" + user_token, R"({"decision":true})",
                                   "application/json");
    ASSERT_TRUE(decided);
    EXPECT_EQ(decided->status, 204) << decided->body;
    const auto granted = app.Get(poll_url);
    ASSERT_TRUE(granted);
    ASSERT_EQ(granted->status, 200) << granted->body;
    const std::string key = testing::at(testing::parse_json(granted->body), "api_key").GetString();
    EXPECT_GE(key.size(), 32U);
    const auto again = app.Get(poll_url);  // Handed out once.
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 404);
    // The key is the approving user's.
    const auto me = client(key).Get("/api/currentuser");
    ASSERT_TRUE(me);
    ASSERT_EQ(me->status, 200);
    EXPECT_EQ(std::string(testing::at(testing::parse_json(me->body), "name").GetString()), "otto");
    const auto listed = user.Get("/api/plugin/appkeys");
    ASSERT_TRUE(listed);
    const rapidjson::Document keys = testing::parse_json(listed->body);
    ASSERT_EQ(testing::at(keys, "keys").Size(), 1U);
    EXPECT_EQ(std::string(testing::at(keys, "keys.0.app_id").GetString()), "Cura");
    EXPECT_EQ(std::string(testing::at(keys, "keys.0.user_id").GetString()), "otto");
    EXPECT_EQ(testing::at(keys, "pending").MemberCount(), 0U);

    const auto revoked = user.Post("/api/plugin/appkeys", R"({"command":"revoke","app":"Cura"})",
                                   "application/json");
    ASSERT_TRUE(revoked);
    EXPECT_EQ(revoked->status, 204);
    const auto refused = client(key).Get("/api/currentuser");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 403);
}

TEST_F(AppKeysTest, ADeniedOrForeignRequestGivesNoKey) {
    httplib::Client app = client();
    const auto requested = request_key(app, R"({"app":"PrusaSlicer","user":"ada"})");
    ASSERT_TRUE(requested);
    ASSERT_EQ(requested->status, 201);
    const std::string app_token =
        testing::at(testing::parse_json(requested->body), "app_token").GetString();
    // Asked of ada: otto is not shown it and cannot decide it.
    httplib::Client otto = client(operator_key_);
    EXPECT_TRUE(user_token_for(otto, "PrusaSlicer").empty());
    httplib::Client ada = client(admin_key_);
    const std::string user_token = user_token_for(ada, "PrusaSlicer");
    ASSERT_FALSE(user_token.empty());
    const auto foreign = otto.Post("/plugin/appkeys/decision/" + user_token, R"({"decision":true})",
                                   "application/json");
    ASSERT_TRUE(foreign);
    EXPECT_EQ(foreign->status, 404);
    const auto denied = ada.Post("/plugin/appkeys/decision/" + user_token, R"({"decision":false})",
                                 "application/json");
    ASSERT_TRUE(denied);
    EXPECT_EQ(denied->status, 204);
    const auto poll = app.Get("/plugin/appkeys/request/" + app_token);
    ASSERT_TRUE(poll);
    EXPECT_EQ(poll->status, 404);
    // A request without an app name is refused naming the field.
    const auto nameless = request_key(app, R"({"user":"ada"})");
    ASSERT_TRUE(nameless);
    EXPECT_EQ(nameless->status, 400);
    EXPECT_NE(nameless->body.find("app"), std::string::npos);
}

TEST_F(AppKeysTest, RequestsAreLimitedPerAddress) {
    httplib::Client app = client();
    // OctoPrint's 3 a minute (the nameless one above counts too in a real run; here, three).
    for (int i = 0; i < 3; ++i) {
        const auto requested = request_key(app, R"({"app":"Phone"})");
        ASSERT_TRUE(requested);
        EXPECT_EQ(requested->status, 201) << i;
    }
    const auto limited = request_key(app, R"({"app":"Phone"})");
    ASSERT_TRUE(limited);
    EXPECT_EQ(limited->status, 429);
}

TEST_F(AppKeysTest, GenerateMakesAKeyForTheCaller) {
    httplib::Client user = client(viewer_key_);
    const auto generated = user.Post(
        "/api/plugin/appkeys", R"({"command":"generate","app":"Octoapp"})", "application/json");
    ASSERT_TRUE(generated);
    ASSERT_EQ(generated->status, 200) << generated->body;
    const rapidjson::Document answer = testing::parse_json(generated->body);
    EXPECT_EQ(std::string(testing::at(answer, "user_id").GetString()), "vera");
    const auto me = client(testing::at(answer, "api_key").GetString()).Get("/api/currentuser");
    ASSERT_TRUE(me);
    EXPECT_EQ(me->status, 200);
    // Not for another user.
    const auto other =
        user.Post("/api/plugin/appkeys", R"({"command":"generate","app":"X","user":"ada"})",
                  "application/json");
    ASSERT_TRUE(other);
    EXPECT_EQ(other->status, 403);
}

TEST(AppKeyRequestsTest, AnUnpolledOrOldRequestExpires) {
    AppKeyRequests requests;
    const AppKeyRequest quiet = requests.open("Quiet", "", "10.0.0.2", 1000.0);
    const AppKeyRequest polled = requests.open("Polled", "", "10.0.0.3", 1000.0);
    // Polled every 4 s it lives on; the other is gone after 5 s without a poll.
    for (int poll = 1; poll < 100; ++poll)  // At 1004 s, 1008 s, ... 1396 s.
        EXPECT_EQ(requests.poll(polled.app_token, 1000.0 + 4.0 * poll).state,
                  AppKeyRequests::PollState::pending);
    EXPECT_EQ(requests.poll(quiet.app_token, 1400.0).state, AppKeyRequests::PollState::unknown);
    // Ten minutes after it was made, even a polled request is gone.
    double now_s = 1400.0;
    while (now_s < 1000.0 + AppKeyRequests::lifetime_s) {
        now_s += 4.0;
        (void)requests.poll(polled.app_token, now_s);
    }
    EXPECT_EQ(requests.poll(polled.app_token, now_s + 4.0).state,
              AppKeyRequests::PollState::unknown);
    EXPECT_TRUE(requests.pending_for("anyone", now_s + 4.0).empty());
}

}  // namespace
}  // namespace strata::server::test
