// A WebSocket (RFC 6455) on an upgraded HTTP connection: the opening handshake is checked here
// and the frames are wslay's (a maintained sans-I/O codec, so it runs on our adapter's bytes
// without a second event loop). Text messages in are handed to `on_text` on the connection's
// thread; `send_text` may be called from any thread. Pings are answered and the closing
// handshake completed by the codec.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "strata/server/http.hpp"

namespace strata::server::http {

class WebSocket final : public Upgraded {
  public:
    struct Handlers {
        /// The 101 has been queued: the first messages may be sent.
        std::function<void()> on_open;
        std::function<void(std::string&& text)> on_text;
        /// Called once, when the socket has closed for whatever reason.
        std::function<void()> on_closed;
    };
    /// A message longer than this closes the socket with 1009 (message too big).
    static constexpr std::size_t default_max_message_bytes = std::size_t{64} * 1024;

    explicit WebSocket(std::size_t max_message_bytes = default_max_message_bytes);
    ~WebSocket() override;

    /// Before the 101 goes out.
    void set_handlers(Handlers handlers);
    /// Queues a text message; false once the socket is closing or closed.
    bool send_text(std::string_view text);
    /// Starts the closing handshake with `code` (1000 normal, 1008 policy...).
    void close(std::uint16_t code, std::string_view reason);
    [[nodiscard]] bool is_open() const;

    void attach(Writer write, ClosingWriter write_and_close) override;
    void on_input(std::string_view bytes) override;
    void on_disconnect() override;
    [[nodiscard]] bool closing() const override;

    struct Impl;

  private:
    void notify_closed();
    std::unique_ptr<Impl> impl_;
};

/// Whether the request asks to switch to a WebSocket (`Upgrade: websocket`).
[[nodiscard]] bool wants_websocket(const RequestHead& head);

/// The answer to a WebSocket opening handshake: 101 with `Sec-WebSocket-Accept`, carrying
/// `socket`; or 400 naming the header at fault, or 426 for a version other than 13.
[[nodiscard]] Response accept_websocket(const RequestHead& head, std::shared_ptr<WebSocket> socket);

}  // namespace strata::server::http
