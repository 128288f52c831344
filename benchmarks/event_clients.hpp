// Event-stream readers for server_benchmark, standing in for browsers with the web app open
// (GET /api/events) or for OctoPrint clients on the push API (a WebSocket on /sockjs/websocket,
// authenticated, as FDM Monster keeps one per printer): each is a process of its own in a
// session of its own (as a browser is: scheduled in its own autogroup, not inside the
// benchmark's), reading and counting everything the server sends until told to stop. They are
// forked, not exec'd: the child only uses system calls on memory prepared before the fork, as a
// child of a threaded process must.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace strata::bench {

struct EventClientTotals {
    std::uint64_t bytes = 0;  ///< Everything read, headers included.
    /// Messages: an event stream's blank lines (events and comments), a WebSocket's frames.
    std::uint64_t events = 0;
};

class EventClients {
  public:
    /// Starts `count` readers of http://127.0.0.1:`port`/api/events with the API key `key`; or,
    /// with `push_auth` ("user:session"), of the push API's raw WebSocket, authenticated so.
    EventClients(int count, int port, const std::string& key, const std::string& push_auth = "") {
        const std::string request =
            push_auth.empty() ? "GET /api/events?from=now HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                "Accept: text/event-stream\r\nX-Api-Key: " +
                                    key + "\r\n\r\n"
                              : std::string(
                                    "GET /sockjs/websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                    "Sec-WebSocket-Version: 13\r\n\r\n");
        const std::string auth =
            push_auth.empty() ? "" : masked_text("{\"auth\":\"" + push_auth + "\"}");
        for (int i = 0; i < count; ++i) {
            int report[2];
            if (pipe(report) != 0) continue;
            const pid_t pid = fork();
            if (pid == 0) {
                close(report[0]);
                read_until_stopped(port, request, auth, report[1]);
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

    // A client's text frame (masked, as a client's must be) of a short message.
    static std::string masked_text(const std::string& text) {
        std::string frame;
        frame += static_cast<char>(0x81);
        frame += static_cast<char>(0x80 | text.size());  // Under 126 bytes.
        const char mask[4] = {0x12, 0x34, 0x56, 0x78};
        frame.append(mask, 4);
        for (std::size_t i = 0; i < text.size(); ++i)
            frame += static_cast<char>(text[i] ^ mask[i % 4]);
        return frame;
    }

    // Counts WebSocket frames (the server's, unmasked) in a stream of bytes fed in pieces.
    struct FrameCounter {
        std::uint8_t header[10] = {};
        std::size_t header_bytes = 0;
        std::uint64_t payload_left = 0;
        void feed(const char* bytes, std::size_t size, std::uint64_t& frames) {
            for (std::size_t i = 0; i < size;) {
                if (payload_left > 0) {
                    const std::uint64_t skip = std::min<std::uint64_t>(payload_left, size - i);
                    payload_left -= skip;
                    i += static_cast<std::size_t>(skip);
                    continue;
                }
                header[header_bytes++] = static_cast<std::uint8_t>(bytes[i++]);
                if (header_bytes < 2) continue;
                const std::uint8_t length = header[1] & 0x7FU;
                const std::size_t needed = length == 126 ? 4 : length == 127 ? 10 : 2;
                if (header_bytes < needed) continue;
                std::uint64_t payload = length;
                if (length >= 126) {
                    payload = 0;
                    for (std::size_t b = 2; b < needed; ++b)
                        payload = (payload << 8U) | header[b];
                }
                payload_left = payload;
                header_bytes = 0;
                ++frames;
            }
        }
    };

    [[noreturn]] static void read_until_stopped(int port, const std::string& request,
                                                const std::string& auth, int report_fd) {
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
            write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
            char buffer[65536];
            char previous = 0;
            bool upgraded = auth.empty();  // An event stream needs no handshake.
            FrameCounter frames;
            for (;;) {
                const ssize_t got = read(fd, buffer, sizeof buffer);
                if (got <= 0) break;
                totals.bytes += static_cast<std::uint64_t>(got);
                std::size_t at = 0;
                // A WebSocket: the 101 head first (to its blank line), then the auth message.
                while (!upgraded && at < static_cast<std::size_t>(got)) {
                    const char c = buffer[at++];
                    const bool head_ended = c == '\n' && previous == '\n';
                    if (c != '\r') previous = c;
                    if (head_ended) {
                        upgraded = true;
                        if (write(fd, auth.data(), auth.size()) !=
                            static_cast<ssize_t>(auth.size()))
                            break;
                    }
                }
                if (!auth.empty()) {
                    frames.feed(buffer + at, static_cast<std::size_t>(got) - at, totals.events);
                    continue;
                }
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
