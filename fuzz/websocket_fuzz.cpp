// Fuzz target: a WebSocket fed a client's bytes (server/http/websocket.cpp on wslay). The codec
// is a library; what is ours is the glue around it: input buffered across reads, the messages
// handed on after its lock, a handler that sends (or closes) from inside its own callback, and
// the end of the connection. The same bytes must give the same messages, and end the connection
// alike, in one read and in pieces of any size (what is written may interleave differently:
// pongs go out with the read that brought their ping); the socket must say it is closing once
// it has ended the connection, tell its owner once, and hand nothing on after the client left.
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "strata/server/websocket.hpp"

namespace {

using strata::server::http::WebSocket;

struct Run {
    std::vector<std::string> messages;
    std::string written;
    bool closed = false;  ///< on_closed came.
    bool ended = false;   ///< The last bytes went out through write_and_close.
    int closed_calls = 0;
};

Run feed(const std::vector<std::string_view>& cut) {
    Run run;
    auto socket = std::make_shared<WebSocket>(1024);
    std::weak_ptr<WebSocket> weak = socket;
    WebSocket::Handlers handlers;
    handlers.on_open = [&run, weak] {
        if (auto open = weak.lock()) open->send_text("connected");
        run.messages.emplace_back("<open>");
    };
    handlers.on_text = [&run, weak](std::string&& text) {
        // Answer from inside the callback, as the push hub does; "bye" closes.
        if (auto open = weak.lock()) {
            if (text == "bye")
                open->close(1000, "asked");
            else
                open->send_text("echo " + text.substr(0, 100));
        }
        run.messages.push_back(std::move(text));
    };
    handlers.on_closed = [&run] {
        run.closed = true;
        ++run.closed_calls;
    };
    socket->set_handlers(std::move(handlers));
    socket->attach(
        [&run](std::string&& bytes) {
            strata::fuzz::require(!run.ended, "bytes written after the closing write");
            run.written += bytes;
            return true;
        },
        [&run](std::string&& bytes) {
            run.written += bytes;
            run.ended = true;
        });
    for (std::string_view piece : cut)
        socket->on_input(piece);
    if (run.ended) strata::fuzz::require(socket->closing(), "ended but not closing");
    const std::size_t before = run.messages.size();
    socket->on_disconnect();
    socket->on_input("\x81\x80\x00\x00\x00\x00");  // Anything after the client left is dropped.
    strata::fuzz::require(run.messages.size() == before, "a message after the disconnect");
    strata::fuzz::require(!socket->is_open(), "open after the disconnect");
    strata::fuzz::require(run.closed_calls == 1, "on_closed not called exactly once");
    return run;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 4) return 0;
    const std::uint32_t seed =
        static_cast<std::uint32_t>(data[0]) | (static_cast<std::uint32_t>(data[1]) << 8U) |
        (static_cast<std::uint32_t>(data[2]) << 16U) | (static_cast<std::uint32_t>(data[3]) << 24U);
    const std::string_view stream(reinterpret_cast<const char*>(data) + 4, size - 4);
    const Run whole = feed({stream});
    const Run cut = feed(strata::fuzz::pieces(stream, seed));
    strata::fuzz::require(whole.messages == cut.messages, "the pieces changed the messages");
    strata::fuzz::require(whole.ended == cut.ended, "the pieces changed how it ended");
    return 0;
}
