// Login flood benchmark: how long `GET /api/version` takes while others flood `POST /api/login`.
// The whole server runs in-process on a loopback port. One client asks for the version over a
// keep-alive connection, one request at a time, first with nothing else going on (quiet) and
// then while `--clients N` flooders post logins with wrong passwords, each from a source address
// of its own in 127.0.0.0/8 (the kernel routes all of it to loopback). With `--rotate 1` (the
// default) every login comes from a new address and names a new account, so the failed-login
// limit never stops one: each costs an argon2id check (or a 503 when the checker's queue is
// full). That is the worst a flood can do; `--rotate 0` keeps each flooder on one address and
// one name, and the limit answers most of them with 429. Reported: the version's latency (p50,
// p99, max) quiet and flooded, side by side, and the flood's answers by status.
// The flooders run in a child process in a session of its own (`setsid`), as clients on other
// machines would be: the kernel then schedules them in their own autogroup, and their 20 busy
// threads take the share of one client, not 20 shares of the server's two cores.
// usage: login_flood_benchmark [--clients N] [--seconds S] [--rotate 0|1]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "flags.hpp"
#include "spread.hpp"
#include "strata/server/accounts.hpp"
#include "strata/server/server.hpp"

namespace {

using namespace strata;
using Clock = std::chrono::steady_clock;

struct Options {
    int clients = 20;
    double seconds = 20.0;
    bool rotate = true;
};

using benchmarks::Spread;
using benchmarks::spread_of;

// A TCP connection to the server from `source` (an address in 127.0.0.0/8), or -1.
int connect_from(const std::string& source, std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, source.c_str(), &local.sin_addr);
    sockaddr_in remote{};
    remote.sin_family = AF_INET;
    remote.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr);
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
        ::connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Sends `request` and reads one answer (head and a Content-Length body); its status, or 0 when
// the connection failed.
int exchange(int fd, const std::string& request) {
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request.size()))
        return 0;
    std::string received;
    char buffer[4096];
    std::size_t head_end = std::string::npos;
    std::size_t wanted = 0;
    while (head_end == std::string::npos || received.size() < wanted) {
        const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
        if (got <= 0) return 0;
        received.append(buffer, static_cast<std::size_t>(got));
        if (head_end != std::string::npos) continue;
        head_end = received.find("\r\n\r\n");
        if (head_end == std::string::npos) continue;
        const std::size_t length_at = received.find("Content-Length: ");
        const std::size_t length =
            length_at < head_end ? std::stoul(received.substr(length_at + 16)) : 0;
        wanted = head_end + 4 + length;
    }
    return received.size() > 12 ? std::stoi(received.substr(9, 3)) : 0;
}

// The version asked for one request at a time over one keep-alive connection until `stop`.
std::vector<double> measure_version(std::uint16_t port, const std::string& key,
                                    const std::atomic<bool>& stop) {
    const std::string request =
        "GET /api/version HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: " + key + "\r\n\r\n";
    std::vector<double> latencies_ms;
    int fd = connect_from("127.0.0.1", port);
    while (!stop.load()) {
        const auto sent = Clock::now();
        const int status = fd < 0 ? 0 : exchange(fd, request);
        const double elapsed_ms =
            std::chrono::duration<double, std::milli>(Clock::now() - sent).count();
        if (status != 200) {
            std::fprintf(stderr, "login_flood_benchmark: GET /api/version answered %d\n", status);
            if (fd >= 0) ::close(fd);
            fd = connect_from("127.0.0.1", port);
            continue;
        }
        latencies_ms.push_back(elapsed_ms);
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (fd >= 0) ::close(fd);
    return latencies_ms;
}

struct FloodCounts {
    std::mutex mutex;
    std::map<int, std::size_t> by_status;
    [[nodiscard]] std::size_t total() const {
        std::size_t sum = 0;
        for (const auto& [status, count] : by_status)
            sum += count;
        return sum;
    }
};

// One flooder: wrong-password logins, one per connection (a checked login's connection closes
// after its answer), until `stop`.
void flood(int index, const Options& options, std::uint16_t port, const std::atomic<bool>& stop,
           FloodCounts& counts) {
    std::map<int, std::size_t> seen;
    for (unsigned attempt = 0; !stop.load(); ++attempt) {
        const unsigned n = options.rotate ? attempt : 0;
        // 127.<1 + index>.<n / 250>.<1 + n % 250>: never 127.0.0.1, which the measurer uses.
        const std::string source = "127." + std::to_string(1 + index) + "." +
                                   std::to_string((n / 250) % 250) + "." +
                                   std::to_string(1 + n % 250);
        const std::string name = "nobody" + std::to_string(index) + "x" + std::to_string(n);
        const std::string body = R"({"user":")" + name + R"(","pass":"not the password"})";
        const std::string request =
            "POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Content-Length: " +
            std::to_string(body.size()) + "\r\n\r\n" + body;
        const int fd = connect_from(source, port);
        ++seen[fd < 0 ? 0 : exchange(fd, request)];
        if (fd >= 0) ::close(fd);
    }
    const std::lock_guard lock(counts.mutex);
    for (const auto& [status, count] : seen)
        counts.by_status[status] += count;
}

void report(const char* label, const Spread& spread) {
    std::printf("%-8s GET /api/version: %6zu requests  p50 %7.3f ms  p99 %7.3f ms  max %8.3f ms\n",
                label, spread.samples, spread.p50_ms, spread.p99_ms, spread.max_ms);
}

Options parse_options(int argc, char** argv) {
    Options options;
    benchmarks::parse_flags(
        argc, argv,
        {{"--clients",
          [&](const std::string& v) { return benchmarks::read_int(v, 1, options.clients); }},
         {"--seconds",
          [&](const std::string& v) { return benchmarks::read_double(v, 1.0, options.seconds); }},
         {"--rotate",
          [&](const std::string& v) {
              options.rotate = v == "1";
              return v == "0" || v == "1";
          }}},
        "login_flood_benchmark [--clients N] [--seconds S] [--rotate 0|1]");
    return options;
}

// The flood, in a child process of its own session, for `seconds`; it prints its answers by
// status and exits. Its pid, or -1.
pid_t start_flood(const Options& options, std::uint16_t port) {
    const pid_t child = ::fork();
    if (child != 0) return child;
    ::setsid();
    std::atomic<bool> stop = false;
    FloodCounts counts;
    std::vector<std::thread> flooders;
    flooders.reserve(static_cast<std::size_t>(options.clients));
    for (int i = 0; i < options.clients; ++i)
        flooders.emplace_back([&, i] { flood(i, options, port, stop, counts); });
    std::this_thread::sleep_for(std::chrono::duration<double>(options.seconds));
    stop = true;
    for (std::thread& flooder : flooders)
        flooder.join();
    std::printf("flood: %.0f logins/s;  ", static_cast<double>(counts.total()) / options.seconds);
    for (const auto& [status, count] : counts.by_status)
        std::printf("%zu answered %d;  ", count, status);
    std::printf("(0: the connection failed)\n");
    std::fflush(stdout);
    std::_Exit(0);
}

// The version's latencies over `seconds`, with the flood beside it or not.
std::vector<double> run_phase(const Options& options, bool flooded, std::uint16_t port,
                              const std::string& key) {
    std::atomic<bool> stop = false;
    std::fflush(stdout);
    const pid_t flood = flooded ? start_flood(options, port) : -1;
    std::vector<double> latencies;
    std::thread measurer([&] { latencies = measure_version(port, key, stop); });
    std::this_thread::sleep_for(std::chrono::duration<double>(options.seconds));
    stop = true;
    measurer.join();
    if (flood > 0) ::waitpid(flood, nullptr, 0);
    return latencies;
}

}  // namespace

int main(int argc, char** argv) {
    const Options options = parse_options(argc, argv);
    const std::filesystem::path data =
        std::filesystem::temp_directory_path() / ("strata-login-flood-" + std::to_string(getpid()));
    std::filesystem::create_directories(data);
    std::string error;
    std::string key;
    {
        server::Database db;
        Status opened = db.open(data / "strata.db");
        const Result<server::NewUser> created =
            opened ? server::Accounts(db).add_user("bench", server::Role::admin, std::nullopt)
                   : Result<server::NewUser>(opened.error());
        if (!created) {
            std::fprintf(stderr, "login_flood_benchmark: %s\n", created.error().message.c_str());
            return 1;
        }
        key = created->api_key;
    }
    server::ServerConfig config;
    config.data_directory = data;
    config.http.port = 0;
    config.printer.timelapse_directory = data / "timelapse";
    server::Server server(config);
    if (const Status started = server.start(); !started) {
        std::fprintf(stderr, "login_flood_benchmark: %s\n", started.error().message.c_str());
        return 1;
    }
    std::printf("%d flooders, %s, %.0f s per phase\n", options.clients,
                options.rotate ? "a new address and account name for every login"
                               : "one address and one account name each",
                options.seconds);
    const Spread quiet = spread_of(run_phase(options, false, server.port(), key));
    const Spread flooded = spread_of(run_phase(options, true, server.port(), key));
    report("quiet", quiet);
    report("flooded", flooded);
    server.stop();
    std::filesystem::remove_all(data);
    return 0;
}
