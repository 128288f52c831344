// The request sequences of real clients, replayed against a live server printing on the virtual
// printer (../shared/reference/octoprint.md §2): PrusaSlicer's connection test and upload with
// print=true, Cura's connect-and-poll loop with its toggle pause, FDM Monster's calls including
// its 409 handling and Range reads. Each step checks the fields that client reads.
#include <rapidjson/document.h>

#include "../support/json_at.hpp"
#include "server_fixture.hpp"

namespace strata::server::test {
namespace {

std::string state_text(httplib::Client& http) {
    const auto job = http.Get("/api/job");
    if (!job || job->status != 200) return "";
    const rapidjson::Document document = testing::parse_json(job->body);
    return testing::at(document, "state").GetString();
}

using ClientReplayTest = ServerTest;

TEST_F(ClientReplayTest, PrusaSlicerVersionCheckAndUploadWithPrint) {
    ASSERT_TRUE(connect_printer());
    httplib::Client http = client(operator_key_);
    // OctoPrint::test(): GET api/version; `api` must exist, `text` start with "OctoPrint".
    const auto version = http.Get("/api/version");
    ASSERT_TRUE(version);
    ASSERT_EQ(version->status, 200);
    const rapidjson::Document answer = testing::parse_json(version->body);
    ASSERT_TRUE(answer.HasMember("api"));
    EXPECT_EQ(std::string(testing::at(answer, "text").GetString()).rfind("OctoPrint", 0), 0U);
    // OctoPrint::upload(): the test again, then the form: print, path, file (octet-stream).
    ASSERT_TRUE(http.Get("/api/version"));
    const std::string gcode = read_file(sample_gcode);
    const httplib::MultipartFormDataItems form = {
        {"print", "true", "", ""},
        {"path", "", "", ""},
        {"file", gcode, "mini cube.gcode", "application/octet-stream"},
    };
    const auto uploaded = http.Post("/api/files/local", form);
    ASSERT_TRUE(uploaded);
    EXPECT_EQ(uploaded->status, 201) << uploaded->body;  // PrusaSlicer: success is < 400.
    // The header says mini%20cube.gcode; cpp-httplib hands Location back decoded.
    EXPECT_EQ(
        uploaded->get_header_value("Location"),
        "http://127.0.0.1:" + std::to_string(server_->port()) + "/api/files/local/mini cube.gcode");
    const rapidjson::Document body = testing::parse_json(uploaded->body);
    EXPECT_TRUE(testing::at(body, "done").GetBool());
    EXPECT_TRUE(testing::at(body, "effectivePrint").GetBool());
    EXPECT_EQ(std::string(testing::at(body, "files.local.path").GetString()), "mini cube.gcode");
    // The file prints once its prep is done, and to the end.
    EXPECT_TRUE(eventually([&] { return state_text(http) == "Printing"; }));
    EXPECT_TRUE(eventually([&] { return state_text(http) == "Operational"; }, 60.0));
    const auto job = http.Get("/api/job");
    ASSERT_TRUE(job);
    const rapidjson::Document done = testing::parse_json(job->body);
    EXPECT_DOUBLE_EQ(testing::at(done, "progress.completion").GetDouble(), 100.0);
    EXPECT_EQ(std::string(testing::at(done, "job.file.name").GetString()), "mini cube.gcode");
    // strata's layer count beside OctoPrint's progress: the last layer of the file's layers.
    const std::int64_t layers = testing::at(done, "strata.layers").GetInt64();
    EXPECT_GT(layers, 10);
    EXPECT_EQ(testing::at(done, "strata.layer").GetInt64(), layers);
    EXPECT_GT(testing::at(done, "strata.z_mm").GetDouble(), 0.0);
}

TEST_F(ClientReplayTest, CuraConnectsPollsUploadsAndTogglesPause) {
    ASSERT_TRUE(connect_printer());
    httplib::Client http = client(operator_key_);
    const auto settings = http.Get("/api/settings");
    ASSERT_TRUE(settings);
    const rapidjson::Document read = testing::parse_json(settings->body);
    EXPECT_FALSE(testing::at(read, "feature.sdSupport").GetBool());
    EXPECT_TRUE(testing::at(read, "webcam.streamUrl").IsString());
    EXPECT_TRUE(testing::at(read, "plugins").IsObject());
    const auto version = http.Get("/api/version");
    ASSERT_TRUE(version);
    EXPECT_TRUE(testing::at(testing::parse_json(version->body), "server").IsString());
    const auto login = http.Post("/api/login", R"({"passive":true})", "application/json");
    ASSERT_TRUE(login);
    EXPECT_EQ(login->status, 200);
    const auto profiles = http.Get("/api/printerprofiles");
    ASSERT_TRUE(profiles);
    const rapidjson::Document profile = testing::parse_json(profiles->body);
    const auto& current = testing::at(profile, "profiles._default");
    EXPECT_TRUE(testing::at(current, "current").GetBool());
    EXPECT_TRUE(testing::at(current, "axes.z.speed").IsNumber());
    EXPECT_TRUE(testing::at(current, "axes.x.inverted").IsBool());
    // Temperatures arrive with the printer's first report.
    std::string printer;
    ASSERT_TRUE(eventually([&] {
        const auto answer = http.Get("/api/printer");
        printer = answer ? answer->body : "";
        return printer.find("tool0") != std::string::npos;
    }));
    const rapidjson::Document state = testing::parse_json(printer);
    EXPECT_TRUE(testing::at(state, "state.flags.ready").GetBool());
    EXPECT_TRUE(testing::at(state, "temperature.tool0.actual").IsNumber());
    EXPECT_TRUE(testing::at(state, "temperature.bed.target").IsNumber());
    // Upload with select and print; Cura reads the Location header.
    const auto uploaded = upload(operator_key_, "cube.gcode", read_file(sample_gcode),
                                 {{"select", "true", "", ""}, {"print", "true", "", ""}});
    ASSERT_TRUE(uploaded);
    ASSERT_EQ(uploaded->status, 201);
    EXPECT_TRUE(uploaded->has_header("Location"));
    ASSERT_TRUE(eventually([&] { return state_text(http) == "Printing"; }));
    // Cura pauses and resumes with the same toggle command.
    const auto pause = http.Post("/api/job", R"({"command":"pause"})", "application/json");
    ASSERT_TRUE(pause);
    EXPECT_EQ(pause->status, 204);
    EXPECT_TRUE(eventually([&] { return state_text(http) == "Paused"; }));
    const auto flags = testing::parse_json(http.Get("/api/printer")->body);
    EXPECT_TRUE(testing::at(flags, "state.flags.paused").GetBool());
    const auto resume = http.Post("/api/job", R"({"command":"pause"})", "application/json");
    ASSERT_TRUE(resume);
    EXPECT_EQ(resume->status, 204);
    EXPECT_TRUE(eventually([&] { return state_text(http) == "Printing"; }));
    // A second start while printing is a conflict.
    const auto again = http.Post("/api/job", R"({"command":"start"})", "application/json");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 409);
    const auto cancel = http.Post("/api/job", R"({"command":"cancel"})", "application/json");
    ASSERT_TRUE(cancel);
    EXPECT_EQ(cancel->status, 204);
    EXPECT_TRUE(eventually([&] { return state_text(http) == "Operational"; }));
}

// FDM Monster logs in passively with its key every 2 s while it waits for a printer: one
// session for the key, however often, and it opens the API as a browser session does.
TEST_F(ClientReplayTest, AKeysRepeatedPassiveLoginsKeepOneSession) {
    const auto session_rows = [this] {
        Database db;
        if (!db.open(directory_ / "strata.db")) return std::int64_t{-1};
        Statement rows = db.prepare("SELECT count(*) FROM sessions");
        return rows.step() == Statement::Step::row ? rows.int64(0) : std::int64_t{-1};
    };
    const std::int64_t before = session_rows();
    httplib::Client http = client(operator_key_);
    std::string token;
    for (int i = 0; i < 60; ++i) {
        const auto login = http.Post("/api/login", R"({"passive":true})", "application/json");
        ASSERT_TRUE(login);
        ASSERT_EQ(login->status, 200) << login->body;
        const std::string session =
            testing::at(testing::parse_json(login->body), "session").GetString();
        if (i == 0) token = session;
        EXPECT_EQ(session, token);
    }
    EXPECT_EQ(session_rows(), before + 1);
    httplib::Client browser = client();
    const auto current = browser.Get("/api/currentuser", {{"Cookie", "strata_session=" + token}});
    ASSERT_TRUE(current);
    EXPECT_EQ(current->status, 200) << current->body;
    // The admin's key has a session of its own.
    const auto other =
        client(admin_key_).Post("/api/login", R"({"passive":true})", "application/json");
    ASSERT_TRUE(other);
    EXPECT_NE(std::string(testing::at(testing::parse_json(other->body), "session").GetString()),
              token);
    EXPECT_EQ(session_rows(), before + 2);
}

TEST_F(ClientReplayTest, FdmMonsterSequenceWithItsConflictsAndRangeReads) {
    httplib::Client http = client(operator_key_);
    // Offline first: FDM Monster turns the 409 and its `error` into "USB disconnected".
    const auto offline = http.Get("/api/printer?history=true");
    ASSERT_TRUE(offline);
    EXPECT_EQ(offline->status, 409);
    EXPECT_TRUE(testing::at(testing::parse_json(offline->body), "error").IsString());
    const auto login = http.Post("/api/login", R"({"passive":true})", "application/json");
    ASSERT_TRUE(login);
    const rapidjson::Document user = testing::parse_json(login->body);
    EXPECT_FALSE(std::string(testing::at(user, "session").GetString()).empty());
    EXPECT_NE(std::string(testing::at(user, "name").GetString()), "_api");
    EXPECT_NE(std::string(testing::at(user, "needs.group.0").GetString()), "guests");
    const auto current = http.Get("/api/currentuser");
    ASSERT_TRUE(current);
    EXPECT_EQ(std::string(testing::at(testing::parse_json(current->body), "name").GetString()),
              "otto");
    const auto connection = http.Get("/api/connection");
    ASSERT_TRUE(connection);
    EXPECT_EQ(std::string(
                  testing::at(testing::parse_json(connection->body), "current.state").GetString()),
              "Offline");
    ASSERT_TRUE(connect_printer());
    // Upload with only `file` and print=true, with an explicit Content-Length (httplib's).
    const std::string gcode = read_file(sample_gcode);
    const auto uploaded =
        upload(operator_key_, "monster.gcode", gcode, {{"print", "true", "", ""}});
    ASSERT_TRUE(uploaded);
    ASSERT_EQ(uploaded->status, 201);
    const auto listing = http.Get("/api/files/local?recursive=true");
    ASSERT_TRUE(listing);
    const rapidjson::Document files = testing::parse_json(listing->body);
    ASSERT_EQ(testing::at(files, "files").Size(), 1U);
    const auto& item = testing::at(files, "files.0");
    EXPECT_EQ(std::string(testing::at(item, "path").GetString()), "monster.gcode");
    EXPECT_EQ(testing::at(item, "size").GetUint64(), gcode.size());
    EXPECT_TRUE(testing::at(item, "date").IsInt64());
    EXPECT_EQ(std::string(testing::at(item, "type").GetString()), "machinecode");
    ASSERT_TRUE(eventually([&] { return state_text(http) == "Printing"; }));
    const auto flags = http.Get("/api/printer?history=true");
    ASSERT_TRUE(flags);
    EXPECT_TRUE(testing::at(testing::parse_json(flags->body), "state.flags.operational").GetBool());
    const auto job = testing::parse_json(http.Get("/api/job")->body);
    EXPECT_EQ(std::string(testing::at(job, "job.file.path").GetString()), "monster.gcode");
    EXPECT_EQ(testing::at(job, "job.file.size").GetUint64(), gcode.size());
    // Chunked reads of the file being printed.
    const auto head = http.Get("/downloads/files/local/monster.gcode", {{"Range", "bytes=0-99"}});
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 206);
    EXPECT_EQ(head->body, gcode.substr(0, 100));
    EXPECT_EQ(head->get_header_value("Content-Range"),
              "bytes 0-99/" + std::to_string(gcode.size()));
    const auto deleting = http.Delete("/api/files/local/monster.gcode");
    ASSERT_TRUE(deleting);
    EXPECT_EQ(deleting->status, 409);
    const auto pause =
        http.Post("/api/job", R"({"command":"pause","action":"pause"})", "application/json");
    ASSERT_TRUE(pause);
    EXPECT_EQ(pause->status, 204);
    EXPECT_TRUE(eventually([&] { return state_text(http) == "Paused"; }));
    const auto resume =
        http.Post("/api/job", R"({"command":"pause","action":"resume"})", "application/json");
    ASSERT_TRUE(resume);
    EXPECT_EQ(resume->status, 204);
    EXPECT_TRUE(eventually([&] { return state_text(http) == "Printing"; }));
    const auto cancel = http.Post("/api/job", R"({"command":"cancel"})", "application/json");
    ASSERT_TRUE(cancel);
    ASSERT_TRUE(eventually([&] { return state_text(http) == "Operational"; }));
    const auto deleted = http.Delete("/api/files/local/monster.gcode");
    ASSERT_TRUE(deleted);
    EXPECT_EQ(deleted->status, 204);
    const auto gone = http.Get("/api/files/local/monster.gcode");
    ASSERT_TRUE(gone);
    EXPECT_EQ(gone->status, 404);
    const auto disconnect =
        http.Post("/api/connection", R"({"command":"disconnect"})", "application/json");
    ASSERT_TRUE(disconnect);
    EXPECT_EQ(disconnect->status, 204);
    const auto after = http.Post("/api/job", R"({"command":"start"})", "application/json");
    ASSERT_TRUE(after);
    EXPECT_EQ(after->status, 409);
}

}  // namespace
}  // namespace strata::server::test
