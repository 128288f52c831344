// The configuration file and the service's side of systemd: the TOML subset read line by line
// with errors that name the line and the field, the package's own strata.toml, `strata serve
// --check-config` and `strata user add --config` as processes, the readiness and stopping
// notifications on a real datagram socket, and log priorities in the journal's format.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../support/result.hpp"
#include "../support/test_directory.hpp"
#include "config_file.hpp"
#include "serve_config.hpp"
#include "strata_child.hpp"

extern char** environ;

namespace strata::cli {
namespace {

using strata::testing::code_of;
using strata::testing::message_of;

std::string error_of(std::string_view text) {
    server::ServerConfig config;
    Result<ConfigDocument> document = parse_config(text);
    if (!document) return document.error().message;
    return message_of(apply_config(*document, config));
}

TEST(ConfigFile, ReadsTablesArraysOfTablesAndEveryValueType) {
    const Result<ConfigDocument> document = parse_config(
        "# comment\n[server]\nlisten = \"0.0.0.0:80\" # trailing\nmax_upload_mb = 2_048\n"
        "[printer]\nresume_bed_c = 55.5\n[[camera]]\nflip_vertical = true\n"
        "names = [\n  'a',  # one\n  \"b\\u00e9\",\n]\n[[camera]]\n");
    ASSERT_TRUE(strata::testing::ok(document));
    ASSERT_EQ(document->tables.size(), 5U);  // The root, then in file order.
    EXPECT_EQ(document->tables[1].name, "server");
    EXPECT_EQ(std::get<std::string>(document->tables[1].entries[0].second.data), "0.0.0.0:80");
    EXPECT_EQ(std::get<std::int64_t>(document->tables[1].entries[1].second.data), 2048);
    EXPECT_EQ(document->tables[1].entries[1].second.line, 4U);
    EXPECT_DOUBLE_EQ(std::get<double>(document->tables[2].entries[0].second.data), 55.5);
    EXPECT_TRUE(document->tables[3].array_element);
    EXPECT_TRUE(std::get<bool>(document->tables[3].entries[0].second.data));
    const auto& names =
        std::get<std::vector<ConfigValue>>(document->tables[3].entries[1].second.data);
    ASSERT_EQ(names.size(), 2U);
    EXPECT_EQ(std::get<std::string>(names[1].data), "b\xC3\xA9");
    EXPECT_EQ(document->tables[4].line, 13U);
}

TEST(ConfigFile, SyntaxErrorsNameTheLineAndWhatIsWrong) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"[server]\nlisten = 127.0.0.1:5000\n",
         "line 2: not a value: 127.0.0.1 (a string wants quotes)"},
        {"a = \"open\n", "line 1: the string has no closing quote"},
        {"\n\na.b = 1\n", "line 3: dotted keys are not used"},
        {"[server]\n[server]\n", "line 2: [server] appears twice (the first on line 1)"},
        {"x = 1\nx = 2\n", "line 2: x is set twice (the first on line 1)"},
        {"x = {a = 1}\n", "line 1: inline tables are not used; write a [table]"},
        {"x = \"\"\"many\"\"\"\n", "line 1: multi-line strings are not used"},
        {"x = [1, 2\n", "line 2: the array has no closing ]"},
        {"x = 99999999999999999999\n", "line 1: the integer 99999999999999999999 is out of range"},
        {"x = \"\\q\"\n", "line 1: unknown escape \\q"},
        {"x = 1 y = 2\n", "line 1: expected the end of the line"},
        {"x = 1979-05-27\n", "line 1: not a value: 1979-05-27 (a string wants quotes)"},
        {"x = " + std::string(100'000, '[') + "\n", "line 1: arrays nested deeper than 16"},
        // Two camera names that differ only in bytes that are not UTF-8 were written back by
        // --check-config alike (the fuzzer's find): such a file is refused.
        {"# ok\n[[camera]]\nname = \"front\xbd\xff\"\n",
         "line 3: not UTF-8 text (TOML files are UTF-8)"},
        {"x = \"\xc0\xaf\"\n", "line 1: not UTF-8 text (TOML files are UTF-8)"},
    };
    for (const auto& [text, expected] : cases) {
        const Result<ConfigDocument> document = parse_config(text);
        ASSERT_FALSE(document.ok()) << text;
        EXPECT_EQ(code_of(document), ErrorCode::invalid);
        EXPECT_EQ(document.error().message.substr(0, expected.size()), expected) << text;
    }
}

TEST(ServeConfig, SetsWhatTheFileSaysAndKeepsTheRest) {
    server::ServerConfig config;
    config.data_directory = "/somewhere";
    const Result<ConfigDocument> document = parse_config(
        "[server]\nlisten = \"[::]:8080\"\nmax_upload_mb = 10\n[printer]\nport = "
        "\"/dev/serial/by-id/usb-x\"\nbaud = 250000\n[[camera]]\nname = \"front\"\nurl = "
        "\"http://127.0.0.1:8080/?action=snapshot\"\nrotate = 180\ndelay_s = 0.5\n"
        "[[camera]]\nkind = \"script\"\ncommand = \"/usr/local/bin/shoot\"\n");
    ASSERT_TRUE(strata::testing::ok(document));
    ASSERT_TRUE(strata::testing::ok(apply_config(*document, config)));
    EXPECT_EQ(config.http.address, "::");
    EXPECT_EQ(config.http.port, 8080);
    EXPECT_EQ(config.max_upload_bytes, std::uint64_t{10} << 20U);
    EXPECT_EQ(config.data_directory, "/somewhere");
    EXPECT_EQ(config.printer.timelapse_directory, "/somewhere/timelapse");
    EXPECT_EQ(config.printer.streamer.link.target, "/dev/serial/by-id/usb-x");
    EXPECT_EQ(config.printer.streamer.link.baud, 250000);
    ASSERT_EQ(config.printer.cameras.size(), 2U);
    EXPECT_EQ(config.printer.cameras[0].name, "front");
    EXPECT_EQ(config.printer.cameras[0].transform.rotation, timelapse::Rotation::cw180);
    EXPECT_DOUBLE_EQ(config.printer.cameras[0].delay_s, 0.5);
    EXPECT_EQ(config.printer.cameras[1].name, "camera1");
    EXPECT_EQ(config.printer.cameras[1].kind, timelapse::CameraKind::script);
}

TEST(ServeConfig, MeaningErrorsNameTheLineAndTheField) {
    EXPECT_EQ(error_of("[server]\nlisen = \"x\"\n"),
              "line 2: server.lisen: unknown key (known here: listen, data_directory, "
              "max_upload_mb, http_threads, web_root)");
    EXPECT_EQ(error_of("\n[printer]\nbaud = \"fast\"\n"),
              "line 3: printer.baud: wants an integer, not a string");
    EXPECT_EQ(error_of("[server]\nmax_upload_mb = 0\n"),
              "line 2: server.max_upload_mb: wants 1 to 1000000, not 0");
    EXPECT_EQ(error_of("[server]\ndata_directory = \"relative\"\n"),
              "line 2: server.data_directory: wants an absolute path");
    EXPECT_EQ(error_of("[server]\nlisten = \"5000\"\n"),
              "line 2: server.listen: wants ADDR:PORT, not '5000'");
    EXPECT_EQ(error_of("listen = \"0.0.0.0:5000\"\n"),
              "line 1: listen: belongs in a table ([server], [printer], [webcam], [discovery] or "
              "[[camera]])");
    EXPECT_EQ(error_of("[srever]\n"),
              "line 1: unknown table [srever] (known: [server], [printer], [webcam], [discovery], "
              "[[camera]])");
    EXPECT_EQ(error_of("[camera]\n"),
              "line 1: unknown table [camera] (known: [server], [printer], [webcam], [discovery], "
              "[[camera]])");
    EXPECT_EQ(error_of("[[camera]]\nkind = \"snapshot\"\n"), "line 1: [[camera]] wants a url");
    EXPECT_EQ(error_of("[[camera]]\nkind = \"script\"\n"),
              "line 1: [[camera]] of kind \"script\" wants a command");
    EXPECT_EQ(error_of("[[camera]]\nurl = \"u\"\nrotate = 45\n"),
              "line 3: camera.rotate: wants 0, 90, 180 or 270 (degrees clockwise)");
    EXPECT_EQ(error_of("[[camera]]\nurl = \"u\"\nname = \"a\"\n[[camera]]\nurl = \"v\"\nname = "
                       "\"a\"\n"),
              "line 4: [[camera]] has the name \"a\" of another camera; give each its own");
    EXPECT_EQ(error_of("[[camera]]\nurl = \"u\"\nname = \"../x\"\n"),
              "line 1: [[camera]] wants a name that can be a folder's");
    EXPECT_EQ(error_of("[[camera]]\nurl = \"u\"\ndelay_s = 61\n"),
              "line 3: camera.delay_s: wants 0 to 60, not 61");
}

TEST(ServeConfig, WhatItWritesReadsBackAsTheSameSettings) {
    server::ServerConfig config;
    config.data_directory = "/var/lib/strata";
    ASSERT_TRUE(strata::testing::ok(parse_listen("0.0.0.0:5001", config)));
    config.printer.streamer.link.target = "/dev/serial/by-id/usb-\"quoted\"";
    config.printer.resume_bed_c = 65.5;
    timelapse::CameraConfig camera;
    camera.name = "front";
    camera.url = "http://cam/?action=snapshot";
    camera.password = "secret";
    camera.transform.rotation = timelapse::Rotation::cw270;
    config.printer.cameras.push_back(camera);
    std::ostringstream written;
    write_config(config, written);
    EXPECT_EQ(written.str().find("secret"), std::string::npos);

    server::ServerConfig again;
    const Result<ConfigDocument> document = parse_config(written.str());
    ASSERT_TRUE(strata::testing::ok(document)) << written.str();
    ASSERT_TRUE(strata::testing::ok(apply_config(*document, again)));
    EXPECT_EQ(again.http.address, "0.0.0.0");
    EXPECT_EQ(again.http.port, 5001);
    EXPECT_EQ(again.data_directory, config.data_directory);
    EXPECT_EQ(again.printer.streamer.link.target, config.printer.streamer.link.target);
    EXPECT_DOUBLE_EQ(again.printer.resume_bed_c, 65.5);
    ASSERT_EQ(again.printer.cameras.size(), 1U);
    EXPECT_EQ(again.printer.cameras[0].url, camera.url);
    EXPECT_EQ(again.printer.cameras[0].transform.rotation, timelapse::Rotation::cw270);
}

TEST(ServeConfig, ThePackagedFileIsValidAndListensOnLoopbackOnly) {
    server::ServerConfig config;
    ASSERT_TRUE(strata::testing::ok(apply_config_file(STRATA_PACKAGED_CONFIG, config)));
    EXPECT_EQ(config.http.address, "127.0.0.1");
    EXPECT_EQ(config.data_directory, "/var/lib/strata");
    EXPECT_EQ(config.printer.streamer.link.target, "auto");
    EXPECT_EQ(config.printer.streamer.link.baud, 0);
    EXPECT_TRUE(config.printer.cameras.empty());
}

}  // namespace
}  // namespace strata::cli

namespace strata::cli {
namespace {

class ServiceTest : public ::testing::Test {
  protected:
    void SetUp() override {
        directory_ = strata::testing::test_directory("strata_service_");
        std::filesystem::remove_all(directory_);
        std::filesystem::create_directories(directory_);
        data_ = directory_ / "data";
        config_ = directory_ / "strata.toml";
        std::ofstream(config_) << "[server]\nlisten = \"127.0.0.1:0\"\ndata_directory = \""
                               << data_.string() << "\"\n[printer]\nport = \"/dev/null-printer\"\n";
    }
    void TearDown() override { std::filesystem::remove_all(directory_); }

    std::filesystem::path directory_;
    std::filesystem::path data_;
    std::filesystem::path config_;
};

TEST_F(ServiceTest, CheckConfigPrintsTheSettingsInEffectOrRefusesWithTheLine) {
    const strata::testing::ChildRun checked = strata::testing::run_strata(
        "serve --check-config --config " + config_.string() + " --listen 127.0.0.1:5055");
    EXPECT_EQ(checked.exit_code, 0);
    EXPECT_NE(checked.output.find("listen = \"127.0.0.1:5055\""), std::string::npos)
        << checked.output;  // The option wins over the file.
    EXPECT_NE(checked.output.find("data_directory = \"" + data_.string() + "\""),
              std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(data_));  // Checking makes nothing.

    std::ofstream(config_, std::ios::app) << "baud = \"fast\"\n";
    const std::string stderr_path = (directory_ / "stderr").string();
    const strata::testing::ChildRun refused = strata::testing::run_strata(
        "serve --check-config --config " + config_.string() + " 2> " + stderr_path);
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_EQ(strata::testing::read_file_text(stderr_path),
              "strata serve: " + config_.string() +
                  ": line 6: printer.baud: wants an integer, not a string\n");
}

TEST_F(ServiceTest, UserAddFindsTheDataDirectoryInTheConfigFile) {
    const strata::testing::ChildRun added =
        strata::testing::run_strata("user add keeper --admin --json --config " + config_.string());
    EXPECT_EQ(added.exit_code, 0);
    EXPECT_NE(added.output.find("\"role\":\"admin\""), std::string::npos) << added.output;
    EXPECT_TRUE(std::filesystem::exists(data_ / "strata.db"));
}

// A datagram socket in the role of systemd's notification socket.
class NotifySocket {
  public:
    explicit NotifySocket(const std::filesystem::path& path) : path_(path.string()) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, path_.c_str(), sizeof address.sun_path - 1);
        EXPECT_EQ(::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
    }
    ~NotifySocket() { ::close(fd_); }
    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;

    /// The next message, or "" when none comes within `timeout_ms`.
    std::string next(int timeout_ms) {
        pollfd waiting{fd_, POLLIN, 0};
        if (::poll(&waiting, 1, timeout_ms) != 1) return "";
        char message[512];
        const ssize_t got = ::recv(fd_, message, sizeof message, 0);
        return got > 0 ? std::string(message, static_cast<std::size_t>(got)) : "";
    }
    [[nodiscard]] const std::string& path() const { return path_; }

  private:
    std::string path_;
    int fd_ = -1;
};

// `strata serve` with the environment systemd gives a `Type=notify` unit whose stderr is the
// journal's stream (here a file, named by its device and inode as systemd names the socket).
pid_t spawn_service(const std::string& config, const std::string& notify_path,
                    const std::string& stderr_path) {
    const int stderr_fd = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    struct stat info {};
    EXPECT_EQ(::fstat(stderr_fd, &info), 0);
    std::vector<std::string> environment = {
        "NOTIFY_SOCKET=" + notify_path,
        "JOURNAL_STREAM=" + std::to_string(info.st_dev) + ":" + std::to_string(info.st_ino)};
    for (char** variable = environ; *variable != nullptr; ++variable)
        environment.emplace_back(*variable);
    std::vector<char*> envp;
    envp.reserve(environment.size() + 1);
    for (std::string& variable : environment)
        envp.push_back(variable.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, stderr_fd, STDERR_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    const char* argv[] = {STRATA_BINARY, "serve", "--config", config.c_str(), nullptr};
    pid_t pid = -1;
    EXPECT_EQ(::posix_spawn(&pid, STRATA_BINARY, &actions, nullptr, const_cast<char**>(argv),
                            envp.data()),
              0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(stderr_fd);
    return pid;
}

TEST_F(ServiceTest, TellsTheServiceManagerWhenItServesAndWhenItStops) {
    ASSERT_EQ(strata::testing::run_strata("user add keeper --admin --config " + config_.string() +
                                          " > /dev/null")
                  .exit_code,
              0);
    NotifySocket notify(directory_ / "notify");
    const std::string stderr_path = (directory_ / "journal").string();
    const pid_t pid = spawn_service(config_.string(), notify.path(), stderr_path);
    ASSERT_GT(pid, 0);
    EXPECT_EQ(notify.next(20'000), "READY=1");
    ::kill(pid, SIGTERM);
    EXPECT_EQ(notify.next(20'000), "STOPPING=1");
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    // The journal reads the priority from each line's start: <5> is a notice.
    EXPECT_NE(strata::testing::read_file_text(stderr_path).find("<5>strata serve: stopping\n"),
              std::string::npos)
        << strata::testing::read_file_text(stderr_path);
}

}  // namespace
}  // namespace strata::cli
