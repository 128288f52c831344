// Event-stream readers for server_benchmark, standing in for browsers with the web app open:
// each is a process of its own in a session of its own (as a browser is: scheduled in its own
// autogroup, not inside the benchmark's), connected to GET /api/events, reading and counting
// everything the server sends until told to stop. They are forked, not exec'd: the child only
// uses system calls on memory prepared before the fork, as a child of a threaded process must.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace strata::bench {

struct EventClientTotals {
    std::uint64_t bytes = 0;   ///< Everything read, headers included.
    std::uint64_t events = 0;  ///< Blank lines: the end of each message (events and comments).
};

class EventClients {
  public:
    /// Starts `count` readers of http://127.0.0.1:`port`/api/events with the API key `key`.
    EventClients(int count, int port, const std::string& key) {
        const std::string request =
            "GET /api/events?from=now HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Accept: text/event-stream\r\nX-Api-Key: " +
            key + "\r\n\r\n";
        for (int i = 0; i < count; ++i) {
            int report[2];
            if (pipe(report) != 0) continue;
            const pid_t pid = fork();
            if (pid == 0) {
                close(report[0]);
                read_until_stopped(port, request.data(), request.size(), report[1]);
            }
            close(report[1]);
            if (pid > 0) children_.push_back({pid, report[0]});
        }
    }

    /// Stops them; what they read, together.
    EventClientTotals stop() {
        EventClientTotals totals;
        for (const Child& child : children_)
            kill(child.pid, SIGTERM);
        for (const Child& child : children_) {
            EventClientTotals one;
            if (read(child.report_fd, &one, sizeof one) == static_cast<ssize_t>(sizeof one)) {
                totals.bytes += one.bytes;
                totals.events += one.events;
            }
            close(child.report_fd);
            waitpid(child.pid, nullptr, 0);
        }
        children_.clear();
        return totals;
    }

    ~EventClients() { (void)stop(); }
    EventClients(const EventClients&) = delete;
    EventClients& operator=(const EventClients&) = delete;

  private:
    struct Child {
        pid_t pid;
        int report_fd;
    };

    [[noreturn]] static void read_until_stopped(int port, const char* request,
                                                std::size_t request_bytes, int report_fd) {
        setsid();
        struct sigaction on_term {};
        on_term.sa_handler = [](int) {};  // Interrupts read(): no SA_RESTART.
        sigaction(SIGTERM, &on_term, nullptr);
        EventClientTotals totals;
        const int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<std::uint16_t>(port));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd >= 0 &&
            connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0 &&
            write(fd, request, request_bytes) == static_cast<ssize_t>(request_bytes)) {
            char buffer[65536];
            char previous = 0;
            for (;;) {
                const ssize_t got = read(fd, buffer, sizeof buffer);
                if (got <= 0) break;
                totals.bytes += static_cast<std::uint64_t>(got);
                for (ssize_t i = 0; i < got; ++i) {
                    if (buffer[i] == '\n' && previous == '\n') ++totals.events;
                    if (buffer[i] != '\r') previous = buffer[i];
                }
            }
        }
        (void)write(report_fd, &totals, sizeof totals);
        _exit(0);
    }

    std::vector<Child> children_;
};

}  // namespace strata::bench
