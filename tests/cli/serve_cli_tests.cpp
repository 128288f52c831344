// `strata serve` as a process, on the virtual printer over a real pty. Killed with SIGKILL in the
// middle of a print (what a crash or a power cut does to the host), started again on the same
// data directory, it shows the job as interrupted at its last confirmed line and layer, and
// resumes it from the start of that layer: X and Y homed, Z declared with G92, the rest of the
// job printed to the end. An emergency stop (M112) halts the printer for good, and connecting
// again brings it back (opening the port resets the board); a printer that resets by itself in
// the middle of a print ends the job, which is sent no further.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "../support/json_at.hpp"
#include "../support/result.hpp"
#include "../support/test_directory.hpp"
#include "strata/streamer/virtual_printer.hpp"
#include "strata_child.hpp"

extern char** environ;

namespace strata::testing {
namespace {

// This process's environment and `extra` (NAME=value entries).
std::vector<std::string> environment_with(const std::vector<std::string>& extra) {
    std::vector<std::string> entries;
    for (char** entry = environ; *entry != nullptr; ++entry)
        entries.emplace_back(*entry);
    entries.insert(entries.end(), extra.begin(), extra.end());
    return entries;
}

// A `strata serve` child; its first line of output names the port.
class ServeProcess {
  public:
    ServeProcess(const std::filesystem::path& data, const std::string& port_device,
                 const std::vector<std::string>& extra_environment = {}) {
        int pipe_fds[2];
        EXPECT_EQ(::pipe(pipe_fds), 0);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
        posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
        const std::string data_text = data.string();
        const char* argv[] = {STRATA_BINARY,     "serve",       "--data",
                              data_text.c_str(), "--port",      port_device.c_str(),
                              "--listen",        "127.0.0.1:0", nullptr};
        const std::vector<std::string> environment = environment_with(extra_environment);
        std::vector<char*> envp;
        envp.reserve(environment.size() + 1);
        for (const std::string& entry : environment)
            envp.push_back(const_cast<char*>(entry.c_str()));
        envp.push_back(nullptr);
        EXPECT_EQ(::posix_spawn(&pid_, STRATA_BINARY, &actions, nullptr, const_cast<char**>(argv),
                                envp.data()),
                  0);
        posix_spawn_file_actions_destroy(&actions);
        ::close(pipe_fds[1]);
        output_ = ::fdopen(pipe_fds[0], "r");
        char line[512] = {};
        if (std::fgets(line, sizeof line, output_) != nullptr) {
            const std::string text = line;
            const std::size_t colon = text.find(':', text.find("127.0.0.1"));
            if (colon != std::string::npos) port_ = std::atoi(text.c_str() + colon + 1);
        }
    }
    ~ServeProcess() { kill(SIGTERM); }
    ServeProcess(const ServeProcess&) = delete;
    ServeProcess& operator=(const ServeProcess&) = delete;

    void kill(int signal_number) {
        if (pid_ <= 0) return;
        ::kill(pid_, signal_number);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        if (output_ != nullptr) std::fclose(output_);
        output_ = nullptr;
    }
    [[nodiscard]] int port() const { return port_; }
    /// The exit code once the process has ended by itself; -1 if it has not within `timeout_s`
    /// (or a signal ended it).
    int exit_code_within(double timeout_s) {
        const auto deadline = std::chrono::steady_clock::now() +
                              std::chrono::milliseconds(static_cast<int>(timeout_s * 1000));
        int status = 0;
        while (pid_ > 0 && std::chrono::steady_clock::now() < deadline) {
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return -1;
    }

  private:
    pid_t pid_ = -1;
    std::FILE* output_ = nullptr;
    int port_ = 0;
};

rapidjson::Document newest_job(httplib::Client& http) {
    rapidjson::Document document;
    const auto jobs = http.Get("/api/strata/jobs");
    document.Parse(jobs ? jobs->body.c_str() : "{}");
    return document;
}

template <typename Condition>
bool eventually(Condition done, double timeout_s) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(int(timeout_s * 1000));
    while (std::chrono::steady_clock::now() < deadline) {
        if (done()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return done();
}

// Whether the printer becomes operational (and idle) within 20 s.
bool operational(httplib::Client& http) {
    return eventually(
        [&] {
            const auto job = http.Get("/api/job");
            return job && job->body.find("\"state\":\"Operational\"") != std::string::npos;
        },
        20.0);
}

// A server user's API key, made with `strata user add` in `data`.
std::string admin_key(const std::filesystem::path& data) {
    const ChildRun user = run_strata("user add ada --admin --json --data " + data.string());
    EXPECT_EQ(user.exit_code, 0) << user.output;
    rapidjson::Document created;
    created.Parse(user.output.c_str());
    if (!created.IsObject() || !created.HasMember("api_key")) return {};
    return testing::at(created, "api_key").GetString();
}

// Connects the server to its printer and starts the sample cube; false when either failed.
bool connect_and_print(httplib::Client& http) {
    const auto connected =
        http.Post("/api/connection", R"({"command":"connect"})", "application/json");
    if (!connected || connected->status != 204 || !operational(http)) return false;
    const httplib::MultipartFormDataItems form = {
        {"print", "true", "", ""},
        {"file", read_file_text(data_file("ps281_mini_cube_m486.gcode")), "cube.gcode",
         "application/octet-stream"}};
    const auto uploaded = http.Post("/api/files/local", form);
    return uploaded && uploaded->status == 201;
}

// The newest job's state and result, once it has ended (empty when it has not in 30 s).
std::pair<std::string, std::string> ended_job(httplib::Client& http) {
    std::pair<std::string, std::string> ended;
    eventually(
        [&] {
            const rapidjson::Document jobs = newest_job(http);
            if (!jobs.IsObject() || testing::at(jobs, "jobs").Size() == 0) return false;
            const std::string state = testing::at(jobs, "jobs.0.state").GetString();
            if (state == "printing" || state == "paused") return false;
            ended = {state, testing::at(jobs, "jobs.0.result").GetString()};
            return true;
        },
        30.0);
    return ended;
}

// `strata serve` in its own process on a fresh data directory, the virtual printer (time scale
// 0.05) on a real pty, and a client with an admin's key, printing the sample cube.
class ServedPrint : public ::testing::Test {
  protected:
    void SetUp() override {
        data_ = test_directory("serve_print");
        std::filesystem::remove_all(data_);
        const std::string key = admin_key(data_);
        ASSERT_FALSE(key.empty());
        streamer::VirtualPrinterConfig printer_config;
        printer_config.time_scale = 0.05;
        printer_ = std::make_unique<streamer::VirtualPrinter>(printer_config);
        std::string error;
        ASSERT_TRUE(strata::testing::ok(printer_->start()));
        serve_ = std::make_unique<ServeProcess>(data_, printer_->path());
        ASSERT_GT(serve_->port(), 0);
        http_ = std::make_unique<httplib::Client>("127.0.0.1", serve_->port());
        http_->set_default_headers({{"X-Api-Key", key}});
        ASSERT_TRUE(connect_and_print(*http_));
    }
    void TearDown() override {
        http_.reset();
        serve_.reset();
        if (printer_) printer_->stop();
        std::filesystem::remove_all(data_);
    }

    std::filesystem::path data_;
    std::unique_ptr<streamer::VirtualPrinter> printer_;
    std::unique_ptr<ServeProcess> serve_;
    std::unique_ptr<httplib::Client> http_;
};

TEST_F(ServedPrint, AfterAnEmergencyStopConnectingAgainBringsThePrinterBack) {
    ASSERT_TRUE(eventually([&] { return printer_->executed_log().size() > 100; }, 30.0));
    const auto stop =
        http_->Post("/api/printer/command", R"({"command":"M112"})", "application/json");
    ASSERT_TRUE(stop);
    EXPECT_EQ(stop->status, 204);
    ASSERT_TRUE(eventually([&] { return printer_->state().halted; }, 5.0));
    const auto [state, result] = ended_job(*http_);
    EXPECT_EQ(state, "failed");
    EXPECT_NE(result.find("emergency stop"), std::string::npos) << result;
    const std::size_t ran_before = printer_->executed_log().size();

    // Marlin's kill() waits for a reset: only opening the port again (DTR) brings it back.
    const auto again =
        http_->Post("/api/connection", R"({"command":"connect"})", "application/json");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 204) << again->body;
    ASSERT_TRUE(operational(*http_));
    EXPECT_FALSE(printer_->state().halted);
    const auto moved = http_->Post("/api/printer/command", R"({"command":"G1 X12 Y34 F3000"})",
                                   "application/json");
    ASSERT_TRUE(moved);
    EXPECT_EQ(moved->status, 204);
    EXPECT_TRUE(eventually(
        [&] {
            const std::vector<std::string> log = printer_->executed_log();
            return std::find(log.begin() + static_cast<std::ptrdiff_t>(ran_before), log.end(),
                             "G1 X12 Y34 F3000") != log.end();
        },
        10.0));
}

TEST_F(ServedPrint, APrinterThatResetsMidPrintEndsTheJobAndIsSentNoMoreOfIt) {
    ASSERT_TRUE(eventually([&] { return printer_->executed_log().size() > 300; }, 30.0));
    const std::size_t ran_before = printer_->executed_log().size();
    printer_->reset();  // A brown-out, a watchdog: the board boots and says `start`.
    const auto [state, result] = ended_job(*http_);
    EXPECT_EQ(state, "failed");
    EXPECT_NE(result.find("reset"), std::string::npos) << result;
    // The server greets the freshly booted board and is ready again, without restarting.
    ASSERT_TRUE(operational(*http_));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    // From the greeting on, only the greeting itself and temperature requests: none of the job.
    // (Lines the old board took before it reset ran before the greeting; any the host sent
    // after the reset were refused by their numbers.)
    const std::vector<std::string> log = printer_->executed_log();
    const auto greeting =
        std::find(log.begin() + static_cast<std::ptrdiff_t>(ran_before), log.end(), "M110 N0");
    ASSERT_NE(greeting, log.end());
    for (auto command = greeting; command != log.end(); ++command) {
        const bool own = command->rfind("M110", 0) == 0 || *command == "M115" ||
                         command->rfind("M155", 0) == 0 || *command == "M105" || *command == "M114";
        EXPECT_TRUE(own) << "sent after the reset: " << *command;
    }
}

TEST(ServeCli, AJobCutOffByAServerCrashResumesFromItsLayer) {
    const std::filesystem::path data = test_directory("serve_crash");
    std::filesystem::remove_all(data);
    const ChildRun user = run_strata("user add ada --admin --json --data " + data.string());
    ASSERT_EQ(user.exit_code, 0);
    rapidjson::Document created;
    created.Parse(user.output.c_str());
    ASSERT_TRUE(created.IsObject() && created.HasMember("api_key")) << user.output;
    const std::string key = testing::at(created, "api_key").GetString();

    streamer::VirtualPrinterConfig printer_config;
    printer_config.time_scale = 0.05;  // The sample's 5.5 minutes in about 16 s.
    streamer::VirtualPrinter printer(printer_config);
    std::string error;
    ASSERT_TRUE(strata::testing::ok(printer.start()));

    double z_at_crash = 0.0;
    std::size_t executed_at_crash = 0;
    {
        ServeProcess serve(data, printer.path());
        ASSERT_GT(serve.port(), 0);
        httplib::Client http("127.0.0.1", serve.port());
        http.set_default_headers({{"X-Api-Key", key}});
        ASSERT_EQ(
            http.Post("/api/connection", R"({"command":"connect"})", "application/json")->status,
            204);
        // Upload-and-print while still connecting would store the file without printing it.
        ASSERT_TRUE(operational(http));
        const httplib::MultipartFormDataItems form = {
            {"print", "true", "", ""},
            {"file", read_file_text(data_file("ps281_mini_cube_m486.gcode")), "cube.gcode",
             "application/octet-stream"}};
        ASSERT_EQ(http.Post("/api/files/local", form)->status, 201);
        // Wait until the persisted progress is well into the print, then pull the plug.
        ASSERT_TRUE(eventually(
            [&] {
                const rapidjson::Document jobs = newest_job(http);
                return jobs.IsObject() && testing::at(jobs, "jobs").Size() == 1 &&
                       testing::at(jobs, "jobs.0.layer").GetInt64() >= 12;
            },
            60.0));
        serve.kill(SIGKILL);
        executed_at_crash = printer.executed_log().size();
    }
    ServeProcess restarted(data, printer.path());
    ASSERT_GT(restarted.port(), 0);
    httplib::Client http("127.0.0.1", restarted.port());
    http.set_default_headers({{"X-Api-Key", key}});
    const rapidjson::Document jobs = newest_job(http);
    ASSERT_TRUE(jobs.IsObject());
    const auto& interrupted = testing::at(jobs, "jobs.0");
    EXPECT_EQ(std::string(testing::at(interrupted, "state").GetString()), "interrupted");
    EXPECT_GT(testing::at(interrupted, "last_line").GetInt64(), 0);
    EXPECT_GE(testing::at(interrupted, "layer").GetInt64(), 12);
    z_at_crash = testing::at(interrupted, "z").GetDouble();
    // The printer finished what it had queued; the host reconnects and resumes the job.
    ASSERT_EQ(http.Post("/api/connection", R"({"command":"connect"})", "application/json")->status,
              204);
    ASSERT_TRUE(operational(http));
    const auto resume = http.Post("/api/strata/jobs/1/resume", "", "application/json");
    ASSERT_TRUE(resume);
    ASSERT_EQ(resume->status, 204) << resume->body;
    ASSERT_TRUE(eventually(
        [&] {
            const rapidjson::Document now = newest_job(http);
            return now.IsObject() && testing::at(now, "jobs").Size() == 2 &&
                   std::string(testing::at(now, "jobs.0.state").GetString()) == "finished";
        },
        60.0));
    const rapidjson::Document finished = newest_job(http);
    EXPECT_EQ(testing::at(finished, "jobs.0.resumed_from").GetInt64(), 1);
    // What the printer did after the crash: the preamble, then the job's own end.
    const std::vector<std::string> log = printer.executed_log();
    std::vector<std::string> after(log.begin() + static_cast<std::ptrdiff_t>(executed_at_crash),
                                   log.end());
    char declared[32];
    std::snprintf(declared, sizeof declared, "G92 Z%.3f", z_at_crash);
    const auto position = [&after](const std::string& command) {
        return std::find_if(after.begin(), after.end(),
                            [&](const std::string& line) { return line.rfind(command, 0) == 0; }) -
               after.begin();
    };
    EXPECT_LT(position(declared), position("G28 X Y"));  // Z is declared before homing X, Y.
    EXPECT_LT(position("G28 X Y"), static_cast<std::ptrdiff_t>(after.size()));
    EXPECT_EQ(position("G28 Z"), static_cast<std::ptrdiff_t>(after.size()));  // Never Z.
    EXPECT_GT(after.size(), 500U);
    restarted.kill(SIGTERM);
    printer.stop();
    std::filesystem::remove_all(data);
}

// Under systemd (which names each run in $INVOCATION_ID) OctoPrint's core/restart is offered;
// refused while a job prints, asked when idle it answers 204 and the process exits with 75,
// which strata.service restarts on. Without a service manager nothing would start strata
// again, so nothing is offered and the command is OctoPrint's 404.
TEST(ServeCli, CoreRestartIsOfferedOnlyUnderAServiceManagerAndExitsForItToRestart) {
    const std::filesystem::path data = test_directory("serve_restart");
    std::filesystem::remove_all(data);
    const std::string key = admin_key(data);
    ASSERT_FALSE(key.empty());
    streamer::VirtualPrinterConfig printer_config;
    printer_config.time_scale = 0.05;
    streamer::VirtualPrinter printer(printer_config);
    ASSERT_TRUE(strata::testing::ok(printer.start()));
    {
        ServeProcess plain(data, printer.path());
        ASSERT_GT(plain.port(), 0);
        httplib::Client http("127.0.0.1", plain.port());
        http.set_default_headers({{"X-Api-Key", key}});
        const auto listed = http.Get("/api/system/commands/core");
        ASSERT_TRUE(listed);
        EXPECT_EQ(listed->body, "[]");
        EXPECT_EQ(http.Post("/api/system/commands/core/restart", "", "application/json")->status,
                  404);
    }
    ServeProcess managed(data, printer.path(), {"INVOCATION_ID=5f0c7e2a9b1d4c3e8f6a0b2c4d6e8f01"});
    ASSERT_GT(managed.port(), 0);
    httplib::Client http("127.0.0.1", managed.port());
    http.set_default_headers({{"X-Api-Key", key}});
    const auto listed = http.Get("/api/system/commands");
    ASSERT_TRUE(listed);
    rapidjson::Document commands;
    commands.Parse(listed->body.c_str());
    ASSERT_TRUE(commands.IsObject()) << listed->body;
    ASSERT_EQ(testing::at(commands, "core").Size(), 1U) << listed->body;
    EXPECT_EQ(std::string(testing::at(commands, "core.0.action").GetString()), "restart");
    EXPECT_EQ(std::string(testing::at(commands, "core.0.source").GetString()), "core");
    const std::string resource = testing::at(commands, "core.0.resource").GetString();
    EXPECT_NE(resource.find("/api/system/commands/core/restart"), std::string::npos) << resource;

    ASSERT_TRUE(connect_and_print(http));
    ASSERT_TRUE(eventually([&] { return printer.executed_log().size() > 100; }, 30.0));
    const auto refused = http.Post("/api/system/commands/core/restart", "", "application/json");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 409) << refused->body;
    EXPECT_EQ(managed.exit_code_within(0.5), -1);  // Still serving.
    ASSERT_EQ(http.Post("/api/job", R"({"command":"cancel"})", "application/json")->status, 204);
    ASSERT_TRUE(operational(http));
    const auto restarted = http.Post("/api/system/commands/core/restart", "", "application/json");
    ASSERT_TRUE(restarted);
    EXPECT_EQ(restarted->status, 204) << restarted->body;
    EXPECT_EQ(managed.exit_code_within(15.0), 75);
    printer.stop();
    std::filesystem::remove_all(data);
}

}  // namespace
}  // namespace strata::testing
