// Port and baud-rate auto-detection by handshake (see strata/streamer/streamer.hpp): each
// candidate is opened, greeted with a numbered M110, and kept when something answers with
// `ok`, `wait` or `start` within the timeout. At the wrong rate a UART delivers garbage both
// ways, so only the right rate gets an answer. USB ports are tried first, then the rest.
#include <poll.h>

#include <chrono>
#include <string>

#include "strata/streamer/protocol.hpp"
#include "strata/streamer/reply.hpp"
#include "strata/streamer/streamer.hpp"

namespace strata::streamer {
namespace {

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// Whether `link` answers a greeting within `timeout_s`.
bool answers(Link& link, double timeout_s) {
    link.discard_buffers();
    std::string greeting = "\n";
    append_numbered(greeting, 0, "M110 N0");
    const double until_s = now_s() + timeout_s;
    std::string received;
    // A board that resets on open says `start` first and may miss the first greeting.
    for (double next_greeting_s = 0.0; now_s() < until_s;) {
        if (now_s() >= next_greeting_s) {
            if (link.write(greeting.data(), greeting.size()).status != IoResult::Status::ok &&
                !received.empty())
                return false;
            next_greeting_s = now_s() + timeout_s / 3.0;
        }
        pollfd waiting{link.fd(), POLLIN, 0};
        ::poll(&waiting, 1, 50);
        char buffer[256];
        const IoResult got = link.read(buffer, sizeof buffer);
        if (got.status == IoResult::Status::closed || got.status == IoResult::Status::error)
            return false;
        if (got.status != IoResult::Status::ok) continue;
        received.append(buffer, got.bytes);
        for (std::size_t end = received.find('\n'); end != std::string::npos;
             end = received.find('\n')) {
            const ReplyKind kind = parse_reply(std::string_view(received).substr(0, end)).kind;
            if (kind == ReplyKind::ok || kind == ReplyKind::wait || kind == ReplyKind::start)
                return true;
            received.erase(0, end + 1);
        }
        if (received.size() > 4096) received.clear();
    }
    return false;
}

}  // namespace

std::optional<LinkOptions> detect_printer(const LinkOptions& wanted, double timeout_s,
                                          std::string& tried) {
    std::vector<std::string> ports;
    if (wanted.target.empty() || wanted.target == "auto") {
        for (const PortInfo& port : list_ports())
            ports.push_back(port.path);
    } else {
        ports.push_back(wanted.target);
    }
    std::vector<int> bauds;
    if (wanted.baud > 0) {
        bauds.push_back(wanted.baud);
    } else {
        const auto candidates = candidate_baud_rates();
        bauds.assign(candidates.begin(), candidates.end());
    }
    for (const std::string& port : ports) {
        for (const int baud : bauds) {
            LinkOptions options = wanted;
            options.target = port;
            options.baud = baud;
            const Result<std::unique_ptr<Link>> link = open_link(options);
            tried += (tried.empty() ? "" : ", ") + port + " @ " + std::to_string(baud);
            if (!link) {
                // The port itself cannot be opened: no rate will do; the reason goes in the list.
                tried += " (" + link.error().message + ")";
                break;
            }
            if (answers(**link, timeout_s)) return options;
        }
    }
    return std::nullopt;
}

}  // namespace strata::streamer
