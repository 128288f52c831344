// WebSocket over the adapter: wslay's event API does the framing, with our connection as its
// transport. wslay pulls input from `Impl::input` (what the reactor handed us) and pushes output
// into `Impl::output`, which goes to the client in one write per round. Every wslay call runs
// under the socket's mutex (the reactor reads, pushers on other threads write); the messages it
// decodes are handed to `on_text` after the mutex is released, so a handler may send at once.
#include "strata/server/websocket.hpp"

#include <openssl/evp.h>
#include <wslay/wslay.h>

#include <algorithm>
#include <limits>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "ascii.hpp"

namespace strata::server::http {

struct WebSocket::Impl {
    std::size_t max_message_bytes;
    std::mutex mutex;
    wslay_event_context_ptr context = nullptr;
    Handlers handlers;
    Upgraded::Writer write;
    Upgraded::ClosingWriter write_and_close;
    std::string input;  ///< Received, not yet taken by wslay (from `input_taken`).
    std::size_t input_taken = 0;
    std::size_t frame_left = 0;         ///< Bytes of the frame being handed to wslay still to give.
    std::string output;                 ///< Framed by wslay, not yet written.
    std::vector<std::string> received;  ///< Whole text messages, to hand on.
    bool ended = false;                 ///< Closed both ways, or the client has gone.
    bool close_notified = false;

    // Writes what wslay framed; ends the connection once wslay wants neither to read nor to
    // write (the closing handshake is over, or a protocol error was answered). With the mutex.
    void flush() {
        if (ended || !write) return;
        if (wslay_event_send(context) != 0) {
            ended = true;
            write_and_close(std::move(output));
            return;
        }
        const bool finished =
            wslay_event_want_read(context) == 0 && wslay_event_want_write(context) == 0;
        if (finished) {
            ended = true;
            write_and_close(std::move(output));
        } else if (!output.empty() && !write(std::move(output))) {
            ended = true;
        }
        output.clear();
    }
};

namespace {

// The size of the frame at the start of `bytes` once all of it is there; nothing while its
// header or (for a frame within `max_payload`) its payload is still to come. A frame over the
// limit is sized at once: wslay refuses it from its header.
std::optional<std::size_t> whole_frame_size(std::string_view bytes, std::size_t max_payload) {
    if (bytes.size() < 2) return std::nullopt;
    const auto second = static_cast<unsigned char>(bytes[1]);
    const std::size_t short_length = second & 0x7FU;
    const std::size_t length_bytes = short_length == 126 ? 2 : short_length == 127 ? 8 : 0;
    const std::size_t header = 2 + length_bytes + ((second & 0x80U) != 0 ? 4 : 0);
    if (bytes.size() < header) return std::nullopt;
    std::uint64_t payload = short_length;
    if (length_bytes > 0) {
        payload = 0;
        for (std::size_t i = 0; i < length_bytes; ++i)
            payload = (payload << 8U) | static_cast<unsigned char>(bytes[2 + i]);
    }
    if (payload > max_payload) return std::numeric_limits<std::size_t>::max();
    const std::size_t size = header + static_cast<std::size_t>(payload);
    if (bytes.size() < size) return std::nullopt;
    return size;
}

// wslay's transport. It gets a frame only once the whole frame is here: wslay checks a close
// frame's status code and reason as their bytes arrive, and did so differently for one frame
// split in two reads (found by fuzz/websocket: the same bytes ended the connection in one read
// and left it open in three).
ssize_t receive(wslay_event_context_ptr context, std::uint8_t* buffer, std::size_t length,
                int /*flags*/, void* user) {
    WebSocket::Impl& impl = *static_cast<WebSocket::Impl*>(user);
    const std::size_t left = impl.input.size() - impl.input_taken;
    if (impl.frame_left == 0 && left > 0) {
        const std::string_view waiting = std::string_view(impl.input).substr(impl.input_taken);
        impl.frame_left = whole_frame_size(waiting, impl.max_message_bytes).value_or(0);
    }
    if (left == 0 || impl.frame_left == 0) {
        wslay_event_set_error(context, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    const std::size_t taken = std::min({left, length, impl.frame_left});
    impl.frame_left -= taken;
    impl.input.copy(reinterpret_cast<char*>(buffer), taken, impl.input_taken);
    impl.input_taken += taken;
    return static_cast<ssize_t>(taken);
}

ssize_t send(wslay_event_context_ptr /*context*/, const std::uint8_t* data, std::size_t length,
             int /*flags*/, void* user) {
    WebSocket::Impl& impl = *static_cast<WebSocket::Impl*>(user);
    impl.output.append(reinterpret_cast<const char*>(data), length);
    return static_cast<ssize_t>(length);
}

void on_message(wslay_event_context_ptr /*context*/, const wslay_event_on_msg_recv_arg* message,
                void* user) {
    // Binary messages carry nothing a SockJS or OctoPrint client sends; control frames are
    // answered by wslay itself.
    if (message->opcode != WSLAY_TEXT_FRAME) return;
    WebSocket::Impl& impl = *static_cast<WebSocket::Impl*>(user);
    impl.received.emplace_back(reinterpret_cast<const char*>(message->msg), message->msg_length);
}

// Whether a comma-separated header value lists `token` (any case).
bool lists_token(std::string_view value, std::string_view token) {
    while (!value.empty()) {
        const std::size_t comma = value.find(',');
        std::string_view item = value.substr(0, comma);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
            item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t'))
            item.remove_suffix(1);
        if (lower(item) == token) return true;
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
    return false;
}

// A `Sec-WebSocket-Key` is 16 random bytes in base64: 22 characters and "==".
bool valid_key(std::string_view key) {
    if (key.size() != 24 || !key.ends_with("==")) return false;
    return std::all_of(key.begin(), key.end() - 2, [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '/';
    });
}

std::string accept_value(std::string_view key) {
    const std::string input = std::string(key) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_length = 0;
    EVP_Digest(input.data(), input.size(), digest, &digest_length, EVP_sha1(), nullptr);
    unsigned char encoded[64];
    const int encoded_length = EVP_EncodeBlock(encoded, digest, static_cast<int>(digest_length));
    return {reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(encoded_length)};
}

}  // namespace

WebSocket::WebSocket(std::size_t max_message_bytes) : impl_(std::make_unique<Impl>()) {
    impl_->max_message_bytes = max_message_bytes;
    const wslay_event_callbacks callbacks{receive, send,    nullptr,   nullptr,
                                          nullptr, nullptr, on_message};
    if (wslay_event_context_server_init(&impl_->context, &callbacks, impl_.get()) != 0) {
        impl_->context = nullptr;
        impl_->ended = true;  // Out of memory: the socket closes as soon as it is attached.
        return;
    }
    wslay_event_config_set_max_recv_msg_length(impl_->context, max_message_bytes);
}

WebSocket::~WebSocket() {
    if (impl_->context != nullptr) wslay_event_context_free(impl_->context);
}

void WebSocket::set_handlers(Handlers handlers) {
    const std::lock_guard lock(impl_->mutex);
    impl_->handlers = std::move(handlers);
}

bool WebSocket::send_text(std::string_view text) {
    {
        const std::lock_guard lock(impl_->mutex);
        if (impl_->ended || impl_->context == nullptr ||
            wslay_event_get_write_enabled(impl_->context) == 0 ||
            wslay_event_get_close_sent(impl_->context) != 0)
            return false;
        const wslay_event_msg message{
            WSLAY_TEXT_FRAME, reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
        if (wslay_event_queue_msg(impl_->context, &message) != 0) return false;
        impl_->flush();
        if (!impl_->ended) return true;
    }
    notify_closed();  // The client has gone.
    return false;
}

void WebSocket::close(std::uint16_t code, std::string_view reason) {
    bool ended = false;
    {
        const std::lock_guard lock(impl_->mutex);
        if (impl_->ended || impl_->context == nullptr) return;
        reason = reason.substr(0, 120);  // A close frame's payload is at most 125 bytes.
        wslay_event_queue_close(impl_->context, code,
                                reinterpret_cast<const std::uint8_t*>(reason.data()),
                                reason.size());
        impl_->flush();
        ended = impl_->ended;
    }
    if (ended) notify_closed();
}

bool WebSocket::is_open() const {
    const std::lock_guard lock(impl_->mutex);
    return !impl_->ended && impl_->context != nullptr &&
           wslay_event_get_close_sent(impl_->context) == 0 &&
           wslay_event_get_close_received(impl_->context) == 0;
}

bool WebSocket::closing() const {
    const std::lock_guard lock(impl_->mutex);
    return impl_->ended || impl_->context == nullptr ||
           wslay_event_get_close_sent(impl_->context) != 0;
}

void WebSocket::attach(Writer write, ClosingWriter write_and_close) {
    std::function<void()> on_open;
    bool ended = false;
    {
        const std::lock_guard lock(impl_->mutex);
        impl_->write = std::move(write);
        impl_->write_and_close = std::move(write_and_close);
        if (impl_->context == nullptr) {
            impl_->write_and_close(std::string());
        } else {
            on_open = impl_->handlers.on_open;
        }
        ended = impl_->ended;
    }
    if (ended) {
        notify_closed();
        return;
    }
    if (on_open) on_open();
}

void WebSocket::on_input(std::string_view bytes) {
    std::vector<std::string> received;
    std::function<void(std::string &&)> on_text;
    bool ended = false;
    {
        const std::lock_guard lock(impl_->mutex);
        if (impl_->ended || impl_->context == nullptr) return;
        if (impl_->input_taken == impl_->input.size()) {
            impl_->input.clear();
            impl_->input_taken = 0;
        }
        impl_->input.append(bytes);
        if (wslay_event_recv(impl_->context) != 0) {
            impl_->ended = true;
            impl_->write_and_close(std::string());
        } else {
            impl_->flush();
        }
        received.swap(impl_->received);
        on_text = impl_->handlers.on_text;
        ended = impl_->ended;
    }
    if (on_text)
        for (std::string& text : received)
            on_text(std::move(text));
    if (ended) notify_closed();
}

void WebSocket::on_disconnect() {
    {
        const std::lock_guard lock(impl_->mutex);
        impl_->ended = true;
    }
    notify_closed();
}

void WebSocket::notify_closed() {
    std::function<void()> on_closed;
    {
        const std::lock_guard lock(impl_->mutex);
        if (impl_->close_notified) return;
        impl_->close_notified = true;
        on_closed = std::move(impl_->handlers.on_closed);
        impl_->handlers = {};  // What they hold (the push client) is let go.
    }
    if (on_closed) on_closed();
}

bool wants_websocket(const RequestHead& head) {
    return lists_token(head.header("upgrade").value_or(""), "websocket");
}

Response accept_websocket(const RequestHead& head, std::shared_ptr<WebSocket> socket) {
    if (head.method != "GET") return Response::error(405, "a WebSocket opens with GET");
    if (!wants_websocket(head) || !lists_token(head.header("connection").value_or(""), "upgrade"))
        return Response::error(400, "Upgrade: websocket and Connection: Upgrade are needed");
    if (head.header("sec-websocket-version").value_or("") != "13") {
        Response refused = Response::error(426, "Sec-WebSocket-Version: only 13 is spoken");
        refused.add_header("Sec-WebSocket-Version", "13");
        return refused;
    }
    const std::string_view key = head.header("sec-websocket-key").value_or("");
    if (!valid_key(key)) return Response::error(400, "Sec-WebSocket-Key: not 16 bytes in base64");
    Response response;
    response.status = 101;
    response.content_type.clear();
    response.add_header("Upgrade", "websocket");
    response.add_header("Connection", "Upgrade");
    response.add_header("Sec-WebSocket-Accept", accept_value(key));
    response.upgraded = std::move(socket);
    return response;
}

}  // namespace strata::server::http
