// The mDNS/DNS-SD announcement as a slicer's "browse" button sees it: `strata serve` listening
// beyond loopback, found by `avahi-browse -rtp _octoprint._tcp` with OctoPrint's TXT records
// and its real port, also as `_http._tcp`, renamed by Avahi when a second server takes the same
// name, and not announced at all when it listens on loopback only. The Avahi daemon is the
// real one (scripts/start-avahi keeps its multicast inside a network namespace); where none
// runs the tests skip loudly, and CI (STRATA_REQUIRE_AVAHI=1) fails them instead.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "../support/test_directory.hpp"
#include "strata/server/announcer.hpp"
#include "strata_child.hpp"

extern char** environ;

namespace strata::testing {
namespace {

std::string command_output(const std::string& command) {
    std::string output;
    std::FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return output;
    char buffer[4096];
    for (std::size_t got = 0; (got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
        output.append(buffer, got);
    ::pclose(pipe);
    return output;
}

// The resolved entries (`=` lines of avahi-browse's parsable output) for one service type.
// A name as avahi-browse -p writes it: punctuation and spaces as \ and three decimal digits.
std::string escaped_name(const std::string& name) {
    std::string escaped;
    for (const char c : name) {
        if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_') {
            escaped += c;
            continue;
        }
        char code[8];
        std::snprintf(code, sizeof code, "\\%03d", static_cast<unsigned char>(c));
        escaped += code;
    }
    return escaped;
}

std::string browse(const std::string& type) {
    return command_output("timeout 15 avahi-browse -rtp " + type + " 2>/dev/null | grep '^='");
}

// `strata serve` on its own data directory; its stdout (the line with the port) in a file.
class AnnouncedServer {
  public:
    AnnouncedServer(const std::filesystem::path& directory, const std::string& name,
                    const std::string& listen, int index = 0) {
        const std::string suffix = std::to_string(index);
        const std::filesystem::path data = directory / ("data-" + suffix);
        config_ = directory / ("strata-" + suffix + ".toml");
        stdout_path_ = directory / ("stdout-" + suffix);
        std::ofstream(config_) << "[server]\nlisten = \"" << listen << "\"\ndata_directory = \""
                               << data.string() << "\"\n[printer]\nport = \"/dev/null-printer\"\n"
                               << "[discovery]\nname = \"" << name << "\"\n";
        EXPECT_EQ(run_strata("user add keeper --admin --config " + config_.string() + " >/dev/null")
                      .exit_code,
                  0);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdout_path_.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0600);
        const std::string config_text = config_.string();
        const char* argv[] = {STRATA_BINARY, "serve", "--config", config_text.c_str(), nullptr};
        EXPECT_EQ(::posix_spawn(&pid_, STRATA_BINARY, &actions, nullptr, const_cast<char**>(argv),
                                environ),
                  0);
        posix_spawn_file_actions_destroy(&actions);
    }
    ~AnnouncedServer() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
    AnnouncedServer(const AnnouncedServer&) = delete;
    AnnouncedServer& operator=(const AnnouncedServer&) = delete;

    /// The port it listens on, once it says so (0 when it does not within 20 s).
    [[nodiscard]] int port() const {
        const std::regex listening(R"(http://[^/]*:([0-9]+)/)");
        for (int i = 0; i < 200; ++i) {
            std::smatch found;
            const std::string text = read_file_text(stdout_path_.string());
            if (std::regex_search(text, found, listening)) return std::stoi(found[1]);
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return 0;
    }

  private:
    std::filesystem::path config_;
    std::filesystem::path stdout_path_;
    pid_t pid_ = -1;
};

class Discovery : public ::testing::Test {
  protected:
    void SetUp() override {
        if (std::system("avahi-daemon --check 2>/dev/null") != 0) {
            if (std::getenv("STRATA_REQUIRE_AVAHI") != nullptr)
                FAIL() << "no Avahi daemon runs, and STRATA_REQUIRE_AVAHI is set "
                          "(scripts/start-avahi)";
            GTEST_SKIP() << "\n*** SKIPPED: no Avahi daemon runs here, so nothing can be announced "
                            "or browsed. Run scripts/start-avahi (root) to test discovery. ***";
        }
        directory_ = test_directory("strata_discovery_");
        std::filesystem::remove_all(directory_);
        std::filesystem::create_directories(directory_);
        name_ = "strata test " + std::to_string(::getpid());
    }
    void TearDown() override { std::filesystem::remove_all(directory_); }

    // The `=` lines for our instance name.
    [[nodiscard]] std::string entries_of(const std::string& type, const std::string& name) const {
        const std::string escaped = escaped_name(name);
        std::string found;
        for (int attempt = 0; attempt < 10 && found.empty(); ++attempt) {
            std::istringstream lines(browse(type));
            for (std::string line; std::getline(lines, line);)
                if (line.find(";" + escaped + ";") != std::string::npos) found += line + "\n";
        }
        return found;
    }

    std::filesystem::path directory_;
    std::string name_;
};

TEST_F(Discovery, AServerOnTheNetworkIsFoundAsOctoPrintWithItsTxtRecords) {
    AnnouncedServer server(directory_, name_, "0.0.0.0:0");
    const int port = server.port();
    ASSERT_GT(port, 0);
    const std::string octoprint = entries_of("_octoprint._tcp", name_);
    ASSERT_FALSE(octoprint.empty()) << browse("_octoprint._tcp");
    EXPECT_NE(octoprint.find(";" + std::to_string(port) + ";"), std::string::npos) << octoprint;
    for (const char* record : {"\"path=/\"", "\"api=0.1\"", "\"version=1.11.8\"",
                               "\"model=strata\"", "\"vendor=strata\""})
        EXPECT_NE(octoprint.find(record), std::string::npos) << record << " in " << octoprint;
    EXPECT_TRUE(std::regex_search(octoprint, std::regex("\"uuid=[0-9a-f-]{36}\"")));
    const std::string http = entries_of("_http._tcp", name_);
    EXPECT_NE(http.find(";" + std::to_string(port) + ";"), std::string::npos) << http;
}

TEST_F(Discovery, ASecondServerWithTheSameNameIsRenamedNotHidden) {
    AnnouncedServer first(directory_, name_, "0.0.0.0:0");
    ASSERT_GT(first.port(), 0);
    ASSERT_FALSE(entries_of("_octoprint._tcp", name_).empty());
    AnnouncedServer second(directory_, name_, "0.0.0.0:0", 1);
    const int second_port = second.port();
    ASSERT_GT(second_port, 0);
    const std::string renamed = entries_of("_octoprint._tcp", name_ + " #2");
    EXPECT_NE(renamed.find(";" + std::to_string(second_port) + ";"), std::string::npos)
        << browse("_octoprint._tcp");
}

TEST_F(Discovery, AServerOnLoopbackOnlyIsNotAnnounced) {
    AnnouncedServer server(directory_, name_, "127.0.0.1:0");
    ASSERT_GT(server.port(), 0);
    // What a browser finds after the announcement would have been made.
    std::this_thread::sleep_for(std::chrono::seconds(2));
    EXPECT_EQ(browse("_octoprint._tcp").find(escaped_name(name_)), std::string::npos);
}

TEST(LoopbackAddress, TellsLoopbackFromTheNetwork) {
    EXPECT_TRUE(server::is_loopback_address("127.0.0.1"));
    EXPECT_TRUE(server::is_loopback_address("127.1.2.3"));
    EXPECT_TRUE(server::is_loopback_address("::1"));
    EXPECT_TRUE(server::is_loopback_address("localhost"));
    EXPECT_FALSE(server::is_loopback_address("0.0.0.0"));
    EXPECT_FALSE(server::is_loopback_address("::"));
    EXPECT_FALSE(server::is_loopback_address("192.168.1.20"));
}

}  // namespace
}  // namespace strata::testing
