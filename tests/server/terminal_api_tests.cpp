// The terminal over the API, on the virtual printer: a typed command goes out between the
// printer's other lines and its answer is read back by sequence number; a restart is told by
// the log id; each user's history is their own, trimmed to the newest 100; bad queries and
// commands are refused by field.
#include <rapidjson/document.h>

#include "../support/json_at.hpp"
#include "server_fixture.hpp"

namespace strata::server::test {
namespace {

using TerminalApiTest = ServerTest;

rapidjson::Document parse(const std::string& body) {
    rapidjson::Document document;
    document.Parse(body.c_str());
    return document;
}

TEST_F(TerminalApiTest, ACommandsAnswerIsReadBackAfterItsLine) {
    ASSERT_TRUE(connect_printer());
    httplib::Client http = client(operator_key_);
    const auto before = http.Get("/api/strata/terminal?limit=1");
    ASSERT_TRUE(before);
    ASSERT_EQ(before->status, 200) << before->body;
    const std::uint64_t last = testing::at(parse(before->body), "last").GetUint64();
    const auto sent =
        http.Post("/api/strata/terminal", R"({"command":"M115"})", "application/json");
    ASSERT_TRUE(sent);
    ASSERT_EQ(sent->status, 204) << sent->body;
    bool sent_seen = false;
    bool answer_seen = false;
    ASSERT_TRUE(eventually([&] {
        const auto read = http.Get("/api/strata/terminal?after=" + std::to_string(last));
        if (!read || read->status != 200) return false;
        const rapidjson::Document answer = parse(read->body);
        for (const auto& line : testing::at(answer, "lines").GetArray()) {
            EXPECT_GT(testing::at(line, "seq").GetUint64(), last);
            const std::string text = testing::at(line, "text").GetString();
            if (testing::at(line, "sent").GetBool() && text.find(" M115*") != std::string::npos)
                sent_seen = true;
            if (!testing::at(line, "sent").GetBool() && text.starts_with("FIRMWARE_NAME:"))
                answer_seen = sent_seen;  // The answer after its line.
        }
        return answer_seen;
    }));
}

TEST_F(TerminalApiTest, EachUserHasTheirOwnHistoryOfTheNewestHundred) {
    ASSERT_TRUE(connect_printer());
    httplib::Client otto = client(operator_key_);
    httplib::Client ada = client(admin_key_);
    for (int i = 0; i < 105; ++i) {
        const auto sent =
            otto.Post("/api/strata/terminal", R"({"command":"M117 n)" + std::to_string(i) + R"("})",
                      "application/json");
        ASSERT_TRUE(sent);
        ASSERT_EQ(sent->status, 204) << sent->body;
    }
    ASSERT_EQ(ada.Post("/api/strata/terminal", R"({"command":"M114"})", "application/json")->status,
              204);
    const rapidjson::Document mine = parse(otto.Get("/api/strata/terminal/history")->body);
    ASSERT_EQ(testing::at(mine, "commands").Size(), 100U);
    EXPECT_STREQ(testing::at(mine, "commands.0").GetString(), "M117 n5");
    EXPECT_STREQ(testing::at(mine, "commands.99").GetString(), "M117 n104");
    const rapidjson::Document theirs = parse(ada.Get("/api/strata/terminal/history")->body);
    ASSERT_EQ(testing::at(theirs, "commands").Size(), 1U);
    EXPECT_STREQ(testing::at(theirs, "commands.0").GetString(), "M114");
}

// A restarted server numbers its lines from 1 again; its log id tells a page that its last
// seq belongs to the old numbering.
TEST_F(TerminalApiTest, ARestartedServerHasANewLogId) {
    const auto log_id = [this] {
        const auto answer = client(viewer_key_).Get("/api/strata/terminal?limit=1");
        return answer && answer->status == 200 ? testing::at(parse(answer->body), "log").GetUint64()
                                               : 0U;
    };
    const std::uint64_t before = log_id();
    EXPECT_GT(before, 0U);
    restart_server();
    const std::uint64_t after = log_id();
    EXPECT_GT(after, 0U);
    EXPECT_NE(after, before);
}

TEST_F(TerminalApiTest, BadQueriesAndCommandsAreRefusedByField) {
    httplib::Client http = client(operator_key_);
    for (const char* query : {"?after=-1", "?after=x", "?limit=0", "?limit=2001"}) {
        const auto answer = http.Get(std::string("/api/strata/terminal") + query);
        ASSERT_TRUE(answer);
        EXPECT_EQ(answer->status, 400) << query;
        EXPECT_NE(answer->body.find(query[1] == 'a' ? "after" : "limit"), std::string::npos);
    }
    for (const char* body : {R"({"command":""})", R"({"command":"G28\nM112"})", R"({})"}) {
        const auto answer = http.Post("/api/strata/terminal", body, "application/json");
        ASSERT_TRUE(answer);
        EXPECT_EQ(answer->status, 400) << body;
        EXPECT_NE(answer->body.find("command"), std::string::npos) << answer->body;
    }
}

}  // namespace
}  // namespace strata::server::test
