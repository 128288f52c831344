// /api/printer and its tool, bed, printhead and command endpoints against a live server on the
// virtual printer: the temperatures and their history (OctoPrint's `history=true&limit=N`), the
// G-code each command becomes as the printer executed it, 400 naming what is wrong, and 409
// when the printer is offline or when a job prints and the command would disturb it.
#include <rapidjson/document.h>

#include <algorithm>

#include "../support/json_at.hpp"
#include "server_fixture.hpp"
#include "strata/server/clock.hpp"

namespace strata::server::test {
namespace {

class PrinterApiTest : public ServerTest {
  protected:
    /// Whether the printer executed `expected` in this order (other lines may come between).
    [[nodiscard]] bool executed_in_order(const std::vector<std::string>& expected) const {
        const std::vector<std::string> log = printer_->executed_log();
        auto from = log.begin();
        for (const std::string& line : expected) {
            from = std::find(from, log.end(), line);
            if (from == log.end()) return false;
            ++from;
        }
        return true;
    }
    int post(httplib::Client& http, const std::string& path, const std::string& body) {
        const auto answer = http.Post(path, body, "application/json");
        return answer ? answer->status : -1;
    }
};

TEST_F(PrinterApiTest, TemperaturesComeWithTheirHistoryWhenAskedAndItsLimitIsChecked) {
    const double connected_unix_s = unix_now_s();
    ASSERT_TRUE(connect_printer());
    ASSERT_TRUE(eventually([&] { return server_->printer().temperature_history(0).size() >= 4; }));
    httplib::Client http = client(viewer_key_);

    const rapidjson::Document plain = testing::parse_json(http.Get("/api/printer")->body);
    EXPECT_TRUE(testing::at(plain, "temperature.tool0.actual").IsNumber());
    EXPECT_EQ(testing::at(plain, "temperature.tool0.offset").GetDouble(), 0.0);
    EXPECT_TRUE(testing::at(plain, "temperature.bed.target").IsNumber());
    EXPECT_FALSE(testing::has(plain, "temperature.history"));

    const rapidjson::Document full =
        testing::parse_json(http.Get("/api/printer?history=true")->body);
    const rapidjson::Value& history = testing::at(full, "temperature.history");
    ASSERT_TRUE(history.IsArray());
    ASSERT_GE(history.Size(), 4u);
    std::int64_t previous = 0;
    for (const auto& sample : history.GetArray()) {
        const std::int64_t time = testing::at(sample, "time").GetInt64();
        EXPECT_GE(time, previous);
        EXPECT_GE(time, static_cast<std::int64_t>(connected_unix_s) - 1);
        EXPECT_LE(time, static_cast<std::int64_t>(unix_now_s()) + 1);
        previous = time;
        EXPECT_TRUE(testing::at(sample, "tool0.actual").IsNumber());
        EXPECT_TRUE(testing::at(sample, "tool0.target").IsNumber());
        EXPECT_TRUE(testing::at(sample, "bed.actual").IsNumber());
        EXPECT_FALSE(testing::has(sample, "tool0.offset"));  // OctoPrint's history has none.
    }

    const rapidjson::Document two =
        testing::parse_json(http.Get("/api/printer?history=true&limit=2")->body);
    ASSERT_EQ(testing::at(two, "temperature.history").Size(), 2u);
    EXPECT_GE(testing::at(two, "temperature.history.1.time").GetInt64(), previous);
    const rapidjson::Document excluded =
        testing::parse_json(http.Get("/api/printer?history=true&exclude=temperature")->body);
    EXPECT_FALSE(testing::has(excluded, "temperature"));
    EXPECT_TRUE(testing::has(excluded, "state.flags"));

    const rapidjson::Document bed =
        testing::parse_json(http.Get("/api/printer/bed?history=true&limit=1")->body);
    EXPECT_TRUE(testing::has(bed, "bed.actual"));
    EXPECT_FALSE(testing::has(bed, "tool0"));
    ASSERT_EQ(testing::at(bed, "history").Size(), 1u);
    EXPECT_TRUE(testing::has(bed, "history.0.bed.actual"));
    EXPECT_FALSE(testing::has(bed, "history.0.tool0"));
    const rapidjson::Document tool =
        testing::parse_json(http.Get("/api/printer/tool?history=1")->body);
    EXPECT_TRUE(testing::has(tool, "tool0.actual"));
    EXPECT_TRUE(testing::has(tool, "history.0.tool0.actual"));
    EXPECT_FALSE(testing::has(tool, "history.0.bed"));

    for (const char* limit : {"0", "-1", "two", "3x"}) {
        const auto bad = http.Get(std::string("/api/printer?history=true&limit=") + limit);
        ASSERT_TRUE(bad);
        EXPECT_EQ(bad->status, 400) << limit;
        EXPECT_EQ(std::string(testing::at(testing::parse_json(bad->body), "field").GetString()),
                  "limit");
    }
    // A target set through the API shows in the newest reports.
    httplib::Client operator_http = client(operator_key_);
    EXPECT_EQ(
        post(operator_http, "/api/printer/tool", R"({"command":"target","targets":{"tool0":215}})"),
        204);
    EXPECT_TRUE(eventually([&] {
        const rapidjson::Document newest =
            testing::parse_json(http.Get("/api/printer?history=true&limit=1")->body);
        return testing::at(newest, "temperature.history.0.tool0.target").GetDouble() == 215.0;
    }));
}

TEST_F(PrinterApiTest, EveryCommandReachesThePrinterAsItsGcode) {
    httplib::Client http = client(operator_key_);
    EXPECT_EQ(post(http, "/api/printer/bed", R"({"command":"target","target":60})"), 409);
    EXPECT_EQ(http.Get("/api/printer/tool")->status, 409);
    ASSERT_TRUE(connect_printer());
    EXPECT_EQ(post(http, "/api/printer/tool", R"({"command":"target","targets":{"tool0":205.5}})"),
              204);
    EXPECT_EQ(post(http, "/api/printer/bed", R"({"command":"target","target":60})"), 204);
    EXPECT_EQ(post(http, "/api/printer/tool", R"({"command":"flowrate","factor":95})"), 204);
    EXPECT_EQ(post(http, "/api/printer/tool", R"({"command":"select","tool":"tool0"})"), 204);
    EXPECT_EQ(post(http, "/api/printer/tool", R"({"command":"extrude","amount":5,"speed":120})"),
              204);
    EXPECT_EQ(post(http, "/api/printer/printhead", R"({"command":"home","axes":["x","y"]})"), 204);
    EXPECT_EQ(post(http, "/api/printer/printhead", R"({"command":"jog","x":10,"y":-5.5})"), 204);
    EXPECT_EQ(post(http, "/api/printer/printhead", R"({"command":"feedrate","factor":110})"), 204);
    EXPECT_EQ(post(http, "/api/printer/command", R"({"commands":["M117 hello","M400"]})"), 204);
    // Line breaks within a command make it several.
    EXPECT_EQ(post(http, "/api/printer/command", R"({"command":"M118 one\r\nM118 two\nM400"})"),
              204);
    EXPECT_TRUE(eventually([&] {
        return executed_in_order({"M104 T0 S205.5", "M140 S60", "M221 S95", "T0", "G91", "M83",
                                  "G1 E5 F120", "M82", "G90", "G28 X Y", "G91",
                                  "G1 X10 Y-5.5 F6000", "G90", "M220 S110", "M117 hello", "M400",
                                  "M118 one", "M118 two", "M400"});
    })) << ::testing::PrintToString(printer_->executed_log());

    // Bad values are named and nothing is sent.
    const std::size_t executed = printer_->executed_log().size();
    EXPECT_EQ(post(http, "/api/printer/tool", R"({"command":"target","targets":{"tool0":900}})"),
              400);
    EXPECT_EQ(post(http, "/api/printer/tool", R"({"command":"target","targets":{"nozzle":200}})"),
              400);
    // A tool key is tool0 to tool7 and nothing more: its number becomes part of the G-code line.
    for (const char* bad :
         {R"({"command":"target","targets":{"toolx":200}})",
          R"({"command":"target","targets":{"tool8":200}})",
          R"({"command":"target","targets":{"tool0; M502":200}})",
          R"({"command":"target","targets":{"tool0\nM500":200}})",
          R"({"command":"select","tool":"tool1\nM502"})",
          R"({"command":"select","tool":"toolbox"})", R"({"command":"select"})"}) {
        const httplib::Result answer = http.Post("/api/printer/tool", bad, "application/json");
        ASSERT_TRUE(answer) << bad;
        EXPECT_EQ(answer->status, 400) << bad;
        EXPECT_NE(answer->body.find("tool0 to tool7"), std::string::npos) << answer->body;
    }
    EXPECT_EQ(post(http, "/api/printer/tool", R"({"command":"flowrate","factor":10})"), 400);
    EXPECT_EQ(post(http, "/api/printer/tool", R"({"command":"extrude"})"), 400);
    EXPECT_EQ(post(http, "/api/printer/bed", R"({"command":"target","target":-1})"), 400);
    EXPECT_EQ(post(http, "/api/printer/printhead", R"({"command":"home","axes":["w"]})"), 400);
    EXPECT_EQ(post(http, "/api/printer/printhead", R"({"command":"jog"})"), 400);
    EXPECT_EQ(post(http, "/api/printer/printhead", R"({"command":"spin"})"), 400);
    EXPECT_EQ(post(http, "/api/printer/command", R"({"command":"M105","commands":["M105"]})"), 400);
    EXPECT_EQ(post(http, "/api/printer/command", R"({"commands":[42]})"), 400);
    EXPECT_EQ(post(http, "/api/printer/bed", R"({"command":"offset","offset":55})"), 400);
    // Every number that becomes G-code is finite and within limits; the answer names the field.
    // (NaN once went out as `Enan`, 1e308 as a move the size of the snprintf buffer.)
    struct Bad {
        const char* path;
        const char* body;
        const char* field;
    };
    for (const Bad& bad : {
             Bad{"/api/printer/tool", R"({"command":"extrude","amount":"nan"})", "amount"},
             Bad{"/api/printer/tool", R"({"command":"extrude","amount":"inf"})", "amount"},
             Bad{"/api/printer/tool", R"({"command":"extrude","amount":1000})", "amount"},
             Bad{"/api/printer/tool", R"({"command":"extrude","amount":5,"speed":-1})", "speed"},
             Bad{"/api/printer/printhead", R"({"command":"jog","x":1e308})", "x"},
             Bad{"/api/printer/printhead", R"({"command":"jog","y":"NaN"})", "y"},
             Bad{"/api/printer/printhead", R"({"command":"jog","x":500})", "x"},
             Bad{"/api/printer/printhead", R"({"command":"jog","z":-1,"absolute":true})", "z"},
             Bad{"/api/printer/printhead", R"({"command":"jog","x":1,"speed":1e9})", "speed"},
         }) {
        const httplib::Result answer = http.Post(bad.path, bad.body, "application/json");
        ASSERT_TRUE(answer) << bad.body;
        EXPECT_EQ(answer->status, 400) << bad.body;
        EXPECT_EQ(answer->body.find(std::string("\"error\":\"") + bad.field + " must be"), 1u)
            << bad.body << ": " << answer->body;
    }
    httplib::Client viewer = client(viewer_key_);
    EXPECT_EQ(post(viewer, "/api/printer/bed", R"({"command":"target","target":50})"), 403);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(printer_->executed_log().size(), executed) << "a refused command was sent";
}

// An M112 inside a multi-line command takes the emergency path (ahead of everything queued),
// whatever its case or comment, and what follows it is not sent.
TEST_F(PrinterApiTest, AnEmergencyStopInsideACommandIsAnEmergencyStop) {
    ASSERT_TRUE(connect_printer());
    httplib::Client http = client(operator_key_);
    EXPECT_EQ(post(http, "/api/printer/command",
                   R"({"command":"M117 before\nm112 ; stop now\nM117 after"})"),
              204);
    ASSERT_TRUE(eventually([&] { return printer_->state().halted; }, 5.0));
    EXPECT_GE(printer_->state().emergency_stop_wall_s, 0.0);
    const std::vector<std::string> log = printer_->executed_log();
    EXPECT_EQ(std::count(log.begin(), log.end(), "M117 after"), 0) << ::testing::PrintToString(log);
}

TEST_F(PrinterApiTest, WhileAJobPrintsMovesAndExtrusionAreRefusedButTemperaturesAreNot) {
    ASSERT_TRUE(connect_printer());
    ASSERT_NO_FATAL_FAILURE(upload_and_print_sample("busy.gcode"));
    ASSERT_TRUE(eventually(
        [&] { return server_->printer().status().state == streamer::PrinterState::printing; }));
    httplib::Client http = client(operator_key_);
    EXPECT_EQ(post(http, "/api/printer/tool", R"({"command":"extrude","amount":5})"), 409);
    EXPECT_EQ(post(http, "/api/printer/printhead", R"({"command":"jog","x":1})"), 409);
    EXPECT_EQ(post(http, "/api/printer/printhead", R"({"command":"home","axes":["z"]})"), 409);
    EXPECT_EQ(post(http, "/api/printer/printhead", R"({"command":"feedrate","factor":120})"), 204);
    EXPECT_EQ(post(http, "/api/printer/bed", R"({"command":"target","target":65})"), 204);
    EXPECT_TRUE(eventually([&] { return executed_in_order({"M220 S120", "M140 S65"}); }));
}

// OctoPrint's restart: only a paused job, which starts again from its first line without the
// cancel script (the heaters stay on), as a new job record; only a PrintStarted is published.
TEST_F(PrinterApiTest, ARestartStartsAPausedJobAgainFromItsFirstLine) {
    using State = streamer::PrinterState;
    ASSERT_TRUE(connect_printer());
    httplib::Client http = client(operator_key_);
    EXPECT_EQ(post(http, "/api/job", R"({"command":"restart"})"), 409);  // No job.
    ASSERT_NO_FATAL_FAILURE(upload_and_print_sample("again.gcode"));
    const auto status = [this] { return server_->printer().status(); };
    ASSERT_TRUE(eventually(
        [&] { return status().state == State::printing && status().progress.line > 100; }, 60.0));
    const std::int64_t first_job = status().job_id;
    EXPECT_EQ(post(http, "/api/job", R"({"command":"restart"})"), 409);  // Not paused.
    EXPECT_EQ(post(http, "/api/job", R"({"command":"pause","action":"pause"})"), 204);
    ASSERT_TRUE(eventually([&] { return status().state == State::paused; }, 30.0));
    const std::size_t executed_before = printer_->executed_log().size();
    EXPECT_EQ(post(http, "/api/job", R"({"command":"restart"})"), 204);
    ASSERT_TRUE(eventually([&] {
        const PrinterStatus now = status();
        return now.state == State::printing && now.job_id != first_job && now.progress.line > 0;
    }));
    // From the first line, after the firmware's own modes; nothing turned the heaters off.
    ASSERT_TRUE(eventually([&] {
        const std::vector<std::string> log = printer_->executed_log();
        const auto after = log.begin() + static_cast<std::ptrdiff_t>(executed_before);
        const auto m82 = std::find(after, log.end(), "M82");
        return m82 != log.end() &&
               std::find(m82, log.end(), "M201 X4000 Y4000 Z200 E2500") != log.end();
    }));
    const std::vector<std::string> log = printer_->executed_log();
    for (auto line = log.begin() + static_cast<std::ptrdiff_t>(executed_before); line != log.end();
         ++line)
        EXPECT_TRUE(*line != "M104 S0" && *line != "M140 S0") << *line;

    const rapidjson::Document jobs = testing::parse_json(http.Get("/api/strata/jobs")->body);
    ASSERT_GE(testing::at(jobs, "jobs").Size(), 2U);
    EXPECT_EQ(std::string(testing::at(jobs, "jobs.0.state").GetString()), "printing");
    EXPECT_EQ(std::string(testing::at(jobs, "jobs.1.state").GetString()), "cancelled");
    EXPECT_EQ(std::string(testing::at(jobs, "jobs.1.result").GetString()),
              "restarted from the beginning");
    int started = 0;
    int cancelled = 0;
    const std::uint64_t live = server_->events().subscribe(0, [&](const Event& event) {
        started += event.type == "PrintStarted" ? 1 : 0;
        cancelled += event.type == "PrintCancelled" ? 1 : 0;
        return true;
    });
    if (live != 0) server_->events().unsubscribe(live);
    EXPECT_EQ(started, 2);
    EXPECT_EQ(cancelled, 0);
}

// OctoPrint's temperature offsets: shown with each heater, added to the temperatures the job
// sets (never to an S0 that turns a heater off, never to the user's own commands).
TEST_F(PrinterApiTest, TemperatureOffsetsAreShownAndAddedToTheJobsTemperaturesOnly) {
    httplib::Client http = client(operator_key_);
    const std::string tool_offset = R"({"command":"offset","offsets":{"tool0":10}})";
    EXPECT_EQ(post(http, "/api/printer/tool", tool_offset), 409);
    ASSERT_TRUE(connect_printer());
    ASSERT_TRUE(eventually([&] { return server_->printer().status().heater_count >= 2; }));
    EXPECT_EQ(post(http, "/api/printer/tool", tool_offset), 204);
    EXPECT_EQ(post(http, "/api/printer/bed", R"({"command":"offset","offset":-5})"), 204);
    for (const char* bad : {R"({"command":"offset","offsets":{"tool0":50.5}})",
                            R"({"command":"offset","offsets":{"nozzle":5}})",
                            R"({"command":"offset","offsets":{"tool8":5}})",
                            R"({"command":"offset","offsets":{"tool":5}})",
                            R"({"command":"offset","offsets":{"tool0x":5}})",
                            R"({"command":"offset","offsets":{"tool0":"hot"}})",
                            R"({"command":"offset","offsets":[5]})", R"({"command":"offset"})"}) {
        EXPECT_EQ(post(http, "/api/printer/tool", bad), 400) << bad;
    }
    EXPECT_EQ(post(http, "/api/printer/bed", R"({"command":"offset","offset":"warm"})"), 400);
    EXPECT_EQ(post(http, "/api/printer/bed", R"({"command":"offset","offset":-51})"), 400);
    httplib::Client viewer = client(viewer_key_);
    EXPECT_EQ(post(viewer, "/api/printer/bed", R"({"command":"offset","offset":1})"), 403);

    const rapidjson::Document state = testing::parse_json(viewer.Get("/api/printer")->body);
    EXPECT_EQ(testing::at(state, "temperature.tool0.offset").GetDouble(), 10.0);
    EXPECT_EQ(testing::at(state, "temperature.bed.offset").GetDouble(), -5.0);
    const rapidjson::Document tool = testing::parse_json(viewer.Get("/api/printer/tool")->body);
    EXPECT_EQ(testing::at(tool, "tool0.offset").GetDouble(), 10.0);

    EXPECT_EQ(post(http, "/api/printer/tool", R"({"command":"target","targets":{"tool0":150}})"),
              204);
    EXPECT_TRUE(eventually([&] { return executed_in_order({"M104 T0 S150"}); }));
    // The sample's start G-code: M140 S60, M104 T0 S170, M109 T0 R170, M190 S60, M104 S230,
    // M109 S230; then M104 S225 at its first layer.
    ASSERT_NO_FATAL_FAILURE(upload_and_print_sample("hot.gcode"));
    EXPECT_TRUE(eventually(
        [&] {
            return executed_in_order({"M140 S55", "M104 S180 T0", "M109 R180 T0", "M190 S55",
                                      "M104 S240", "M109 S240", "M104 S235"});
        },
        60.0))
        << ::testing::PrintToString(printer_->executed_log());
}

}  // namespace
}  // namespace strata::server::test
