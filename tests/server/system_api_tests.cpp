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
        const rapidjson::Value& listed_commands = testing::at(commands, source);
        ASSERT_TRUE(listed_commands.IsArray()) << source;
        EXPECT_EQ(listed_commands.Size(), 0U) << source;
    }
    const auto core = admin.Get("/api/system/commands/core");
    ASSERT_TRUE(core);
    EXPECT_EQ(core->body, "[]");
    EXPECT_EQ(admin.Get("/api/system/commands/elsewhere")->status, 404);
    // FDM Monster's "restart OctoPrint": strata cannot restart itself.
    const auto restart = admin.Post("/api/system/commands/core/restart", "", "application/json");
    ASSERT_TRUE(restart);
    EXPECT_EQ(restart->status, 404);
    EXPECT_NE(testing::at(parse_json(restart->body), "error").GetString(), std::string());
    // As in OctoPrint, only an admin may see or run them.
    EXPECT_EQ(client(operator_key_).Get("/api/system/commands")->status, 403);
}

TEST_F(SystemApiTest, LanguagesAccessListsSdCardAndOnlineTxt) {
    httplib::Client viewer = client(viewer_key_);
    const auto languages = viewer.Get("/api/languages");
    ASSERT_TRUE(languages);
    EXPECT_EQ(testing::at(parse_json(languages->body), "language_packs._core").Size(), 0U);

    const rapidjson::Document permissions = parse_json(viewer.Get("/api/access/permissions")->body);
    ASSERT_GT(testing::at(permissions, "permissions").Size(), 10U);
    const rapidjson::Value& first = testing::at(permissions, "permissions.0");
    EXPECT_EQ(std::string(testing::at(first, "key").GetString()), "STATUS");
    EXPECT_TRUE(testing::at(first, "needs.role").IsArray());

    httplib::Client admin = client(admin_key_);
    const rapidjson::Document groups = parse_json(admin.Get("/api/access/groups")->body);
    ASSERT_EQ(testing::at(groups, "groups").Size(), 3U);
    EXPECT_EQ(std::string(testing::at(groups, "groups.0.key").GetString()), "admins");
    const rapidjson::Document users = parse_json(admin.Get("/api/access/users")->body);
    ASSERT_EQ(testing::at(users, "users").Size(), 3U);  // ada, otto, vera
    for (const rapidjson::Value& user : testing::at(users, "users").GetArray()) {
        const std::string name = testing::at(user, "name").GetString();
        const rapidjson::Value& groups_of = testing::at(user, "groups");
        const std::string group = groups_of[groups_of.Size() - 1].GetString();
        EXPECT_EQ(group, name == "vera" ? "readonly" : "users") << name;
        EXPECT_EQ(testing::at(user, "admin").GetBool(), name == "ada");
    }
    EXPECT_EQ(viewer.Get("/api/access/users")->status, 403);

    const auto sd = viewer.Get("/api/printer/sd");
    ASSERT_TRUE(sd);
    EXPECT_EQ(sd->status, 200);
    EXPECT_FALSE(testing::at(parse_json(sd->body), "ready").GetBool());
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

namespace strata::server::test {
namespace {

using FileCommandsTest = ServerTest;

// OctoPrint's copy and move: into a folder under the same name, or to a new path; a folder with
// everything in it; never over an existing item (409); the copy prepared like an upload.
TEST_F(FileCommandsTest, CopyAndMoveFilesAndFolders) {
    const std::string gcode = read_file(sample_gcode);
    ASSERT_EQ(upload(operator_key_, "cube.gcode", gcode)->status, 201);
    ASSERT_EQ(upload(operator_key_, "a.gcode", gcode, {{"path", "parts", "", ""}})->status, 201);
    httplib::Client http = client(operator_key_);
    const auto copy =
        http.Post("/api/files/local/cube.gcode", R"({"command":"copy","destination":"spares/"})",
                  "application/json");
    ASSERT_TRUE(copy);
    ASSERT_EQ(copy->status, 201) << copy->body;
    EXPECT_EQ(std::string(testing::at(parse_json(copy->body), "path").GetString()),
              "spares/cube.gcode");
    EXPECT_NE(copy->get_header_value("Location").find("/api/files/local/spares/cube.gcode"),
              std::string::npos);
    const auto again =
        http.Post("/api/files/local/cube.gcode", R"({"command":"copy","destination":"spares"})",
                  "application/json");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 409);  // spares is a folder now: spares/cube.gcode exists.
    const auto renamed =
        http.Post("/api/files/local/cube.gcode", R"({"command":"move","destination":"box.gcode"})",
                  "application/json");
    ASSERT_TRUE(renamed);
    ASSERT_EQ(renamed->status, 201) << renamed->body;
    EXPECT_EQ(http.Get("/api/files/local/cube.gcode")->status, 404);
    const auto moved = http.Get("/downloads/files/local/box.gcode");
    ASSERT_TRUE(moved);
    EXPECT_EQ(moved->body, gcode);
    const auto folder =
        http.Post("/api/files/local/parts", R"({"command":"move","destination":"archive/parts"})",
                  "application/json");
    ASSERT_TRUE(folder);
    ASSERT_EQ(folder->status, 201) << folder->body;
    EXPECT_EQ(http.Get("/api/files/local/archive/parts/a.gcode")->status, 200);
    const auto not_gcode =
        http.Post("/api/files/local/box.gcode", R"({"command":"copy","destination":"box.txt"})",
                  "application/json");
    ASSERT_TRUE(not_gcode);
    EXPECT_EQ(not_gcode->status, 415);
    const auto missing =
        http.Post("/api/files/local/nothing.gcode", R"({"command":"move","destination":"x.gcode"})",
                  "application/json");
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404);
    // The copy is a file of its own, analysed and prepared.
    EXPECT_TRUE(eventually([&] {
        const auto file = http.Get("/api/files/local/spares/cube.gcode");
        return file && file->status == 200 && parse_json(file->body).HasMember("gcodeAnalysis");
    }));
}

}  // namespace
}  // namespace strata::server::test

namespace strata::server::test {
namespace {

using FoldersTest = ServerTest;

// OctoPrint's folder creation (`foldername`, as clients organise files before uploading): an
// empty folder is listed, can be uploaded into, moved with what it holds, and deleted.
TEST_F(FoldersTest, AFolderCreatedEmptyIsListedMovedAndDeleted) {
    httplib::Client http = client(operator_key_);
    const auto create = [&](const std::string& name, const std::string& path) {
        httplib::MultipartFormDataItems form = {{"foldername", name, "", ""}};
        if (!path.empty()) form.push_back({"path", path, "", ""});
        return http.Post("/api/files/local", form);
    };
    const auto created = create("projects", "");
    ASSERT_TRUE(created);
    ASSERT_EQ(created->status, 201) << created->body;
    const rapidjson::Document answer = parse_json(created->body);
    EXPECT_EQ(std::string(testing::at(answer, "folder.path").GetString()), "projects");
    EXPECT_TRUE(testing::at(answer, "done").GetBool());
    EXPECT_NE(created->get_header_value("Location").find("/api/files/local/projects"),
              std::string::npos);
    EXPECT_EQ(create("projects", "")->status, 201);  // As OctoPrint: an existing one is fine.
    EXPECT_EQ(create("sub", "projects")->status, 201);
    EXPECT_EQ(create("part.gcode", "")->status, 409);  // It would pass for a file.
    EXPECT_EQ(http.Post("/api/files/local", httplib::MultipartFormDataItems{})->status, 400);

    const rapidjson::Document listing = parse_json(http.Get("/api/files?recursive=true")->body);
    ASSERT_EQ(testing::at(listing, "files").Size(), 1U);
    const rapidjson::Value& projects = testing::at(listing, "files.0");
    EXPECT_EQ(std::string(testing::at(projects, "type").GetString()), "folder");
    ASSERT_EQ(testing::at(projects, "children").Size(), 1U);
    EXPECT_EQ(std::string(testing::at(projects, "children.0.path").GetString()), "projects/sub");
    const auto folder = http.Get("/api/files/local/projects/sub");
    ASSERT_TRUE(folder);
    EXPECT_EQ(folder->status, 200);
    EXPECT_EQ(testing::at(parse_json(folder->body), "children").Size(), 0U);

    ASSERT_EQ(upload(operator_key_, "a.gcode", read_file(sample_gcode),
                     {{"path", "projects/sub", "", ""}})
                  ->status,
              201);
    const auto moved =
        http.Post("/api/files/local/projects",
                  R"({"command":"move","destination":"archive/projects"})", "application/json");
    ASSERT_TRUE(moved);
    ASSERT_EQ(moved->status, 201) << moved->body;
    EXPECT_EQ(http.Get("/api/files/local/projects")->status, 404);
    EXPECT_EQ(http.Get("/api/files/local/archive/projects/sub/a.gcode")->status, 200);
    EXPECT_EQ(create("empty", "archive/projects")->status, 201);

    restart_server();  // Kept in the store.
    httplib::Client after = client(operator_key_);
    EXPECT_EQ(after.Get("/api/files/local/archive/projects/empty")->status, 200);
    EXPECT_EQ(after.Delete("/api/files/local/archive")->status, 204);
    EXPECT_EQ(after.Get("/api/files/local/archive/projects/empty")->status, 404);
    EXPECT_EQ(after.Get("/api/files/local/archive")->status, 404);
    EXPECT_EQ(testing::at(parse_json(after.Get("/api/files")->body), "files").Size(), 0U);
}

}  // namespace
}  // namespace strata::server::test
