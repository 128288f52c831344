// The rest of OctoPrint's API that clients call, in OctoPrint's shapes and status codes: system
// commands (none; FDM Monster's restart gets OctoPrint's 404), language packs, the access lists
// with strata's roles as groups, the SD card that is never ready, and /online.txt.
#include <rapidjson/document.h>

#include "../support/json_at.hpp"
#include "server_fixture.hpp"

namespace strata::server::test {
namespace {

using testing::parse_json;
using SystemApiTest = ServerTest;

TEST_F(SystemApiTest, SystemCommandsAreListedEmptyAndARestartIsOctoPrintsNotFound) {
    httplib::Client admin = client(admin_key_);
    const auto listed = admin.Get("/api/system/commands");
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->status, 200);
    const rapidjson::Document commands = parse_json(listed->body);
    for (const char* source : {"core", "plugin", "custom"}) {
        ASSERT_TRUE(commands[source].IsArray()) << source;
        EXPECT_EQ(commands[source].Size(), 0U) << source;
    }
    const auto core = admin.Get("/api/system/commands/core");
    ASSERT_TRUE(core);
    EXPECT_EQ(core->body, "[]");
    EXPECT_EQ(admin.Get("/api/system/commands/elsewhere")->status, 404);
    // FDM Monster's "restart OctoPrint": strata cannot restart itself.
    const auto restart = admin.Post("/api/system/commands/core/restart", "", "application/json");
    ASSERT_TRUE(restart);
    EXPECT_EQ(restart->status, 404);
    EXPECT_NE(parse_json(restart->body)["error"].GetString(), std::string());
    // As in OctoPrint, only an admin may see or run them.
    EXPECT_EQ(client(operator_key_).Get("/api/system/commands")->status, 403);
}

TEST_F(SystemApiTest, LanguagesAccessListsSdCardAndOnlineTxt) {
    httplib::Client viewer = client(viewer_key_);
    const auto languages = viewer.Get("/api/languages");
    ASSERT_TRUE(languages);
    EXPECT_EQ(parse_json(languages->body)["language_packs"]["_core"].Size(), 0U);

    const rapidjson::Document permissions = parse_json(viewer.Get("/api/access/permissions")->body);
    ASSERT_GT(permissions["permissions"].Size(), 10U);
    const rapidjson::Value& first = permissions["permissions"][0];
    EXPECT_EQ(std::string(first["key"].GetString()), "STATUS");
    EXPECT_TRUE(first["needs"]["role"].IsArray());

    httplib::Client admin = client(admin_key_);
    const rapidjson::Document groups = parse_json(admin.Get("/api/access/groups")->body);
    ASSERT_EQ(groups["groups"].Size(), 3U);
    EXPECT_EQ(std::string(groups["groups"][0]["key"].GetString()), "admins");
    const rapidjson::Document users = parse_json(admin.Get("/api/access/users")->body);
    ASSERT_EQ(users["users"].Size(), 3U);  // ada, otto, vera
    for (const rapidjson::Value& user : users["users"].GetArray()) {
        const std::string name = user["name"].GetString();
        const std::string group = user["groups"][user["groups"].Size() - 1].GetString();
        EXPECT_EQ(group, name == "vera" ? "readonly" : "users") << name;
        EXPECT_EQ(user["admin"].GetBool(), name == "ada");
    }
    EXPECT_EQ(viewer.Get("/api/access/users")->status, 403);

    const auto sd = viewer.Get("/api/printer/sd");
    ASSERT_TRUE(sd);
    EXPECT_EQ(sd->status, 200);
    EXPECT_FALSE(parse_json(sd->body)["ready"].GetBool());
    const auto init =
        client(operator_key_).Post("/api/printer/sd", R"({"command":"init"})", "application/json");
    ASSERT_TRUE(init);
    EXPECT_EQ(init->status, 409);

    const auto online = client().Get("/online.txt");  // No credentials: a liveness probe.
    ASSERT_TRUE(online);
    EXPECT_EQ(online->status, 200);
    EXPECT_EQ(online->body, "online\n");
}

}  // namespace
}  // namespace strata::server::test
