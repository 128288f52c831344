// A minimal blocking WebSocket client for the tests, written to RFC 6455 from the client's
// side (masked frames out, unmasked in) and independent of the server's codec: it sends the
// opening handshake, reads frames with a deadline, and can send any frame, including broken
// ones, to see how the server answers them.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>

namespace strata::testing {

struct WsFrame {
    std::uint8_t opcode = 0;  ///< 1 text, 2 binary, 8 close, 9 ping, 10 pong.
    std::string payload;
    [[nodiscard]] std::uint16_t close_code() const {
        return payload.size() >= 2
                   ? static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8U) |
                                                static_cast<unsigned char>(payload[1]))
                   : 0;
    }
};

class WsClient {
  public:
    WsClient() = default;
    ~WsClient() {
        if (fd_ >= 0) ::close(fd_);
    }
    WsClient(const WsClient&) = delete;
    WsClient& operator=(const WsClient&) = delete;

    /// Connects and sends `request` (a whole HTTP head); the server's answer head, or "" when
    /// none came.
    std::string open_raw(std::uint16_t port, const std::string& request) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return "";
        send_bytes(request);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (buffer_.find("\r\n\r\n") == std::string::npos)
            if (!fill(deadline)) return "";
        const std::size_t end = buffer_.find("\r\n\r\n") + 4;
        std::string head = buffer_.substr(0, end);
        buffer_.erase(0, end);
        return head;
    }

    /// The opening handshake for `path` with the RFC's sample key; the answer head.
    std::string open(std::uint16_t port, const std::string& path,
                     const std::string& key = "dGhlIHNhbXBsZSBub25jZQ==",
                     const std::string& version = "13") {
        return open_raw(port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                                  "Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n" +
                                  "Sec-WebSocket-Key: " + key + "\r\n" +
                                  "Sec-WebSocket-Version: " + version + "\r\n\r\n");
    }

    /// One masked frame (`fin` false: a fragment; `masked` false: a protocol error).
    void send_frame(std::uint8_t opcode, const std::string& payload, bool fin = true,
                    bool masked = true) {
        std::string frame;
        frame += static_cast<char>((fin ? 0x80 : 0x00) | opcode);
        const std::uint8_t mask_bit = masked ? 0x80 : 0x00;
        if (payload.size() < 126) {
            frame += static_cast<char>(mask_bit | payload.size());
        } else if (payload.size() < 65536) {
            frame += static_cast<char>(mask_bit | 126);
            frame += static_cast<char>(payload.size() >> 8U);
            frame += static_cast<char>(payload.size() & 0xFFU);
        } else {
            frame += static_cast<char>(mask_bit | 127);
            for (int shift = 56; shift >= 0; shift -= 8)
                frame +=
                    static_cast<char>((payload.size() >> static_cast<unsigned>(shift)) & 0xFFU);
        }
        std::string body = payload;
        if (masked) {
            std::uint8_t mask[4];
            for (std::uint8_t& byte : mask)
                byte = static_cast<std::uint8_t>(random_() & 0xFFU);
            frame.append(reinterpret_cast<const char*>(mask), 4);
            for (std::size_t i = 0; i < body.size(); ++i)
                body[i] = static_cast<char>(static_cast<std::uint8_t>(body[i]) ^ mask[i % 4]);
        }
        send_bytes(frame + body);
    }
    void send_text(const std::string& text) { send_frame(1, text); }

    /// The next frame within `timeout_s`; nothing on timeout or when the server closed.
    std::optional<WsFrame> read_frame(double timeout_s = 5.0) {
        const auto deadline = std::chrono::steady_clock::now() +
                              std::chrono::milliseconds(static_cast<int>(timeout_s * 1000));
        for (;;) {
            if (std::optional<WsFrame> frame = take_frame()) return frame;
            if (!fill(deadline)) return std::nullopt;
        }
    }
    /// The next text message, skipping pings and pongs.
    std::optional<std::string> read_text(double timeout_s = 5.0) {
        for (;;) {
            std::optional<WsFrame> frame = read_frame(timeout_s);
            if (!frame) return std::nullopt;
            if (frame->opcode == 1) return frame->payload;
            if (frame->opcode == 8) return std::nullopt;
        }
    }
    /// Whether the server has closed the TCP connection (read returns 0) within `timeout_s`.
    bool closed_within(double timeout_s) {
        const auto deadline = std::chrono::steady_clock::now() +
                              std::chrono::milliseconds(static_cast<int>(timeout_s * 1000));
        while (fill(deadline))
            buffer_.clear();
        return eof_;
    }

  private:
    void send_bytes(const std::string& bytes) {
        std::size_t sent = 0;
        while (sent < bytes.size()) {
            const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) return;
            sent += static_cast<std::size_t>(n);
        }
    }
    bool fill(std::chrono::steady_clock::time_point deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || eof_) return false;
        pollfd poll_fd{fd_, POLLIN, 0};
        if (::poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0) return false;
        char chunk[65536];
        const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n <= 0) {
            eof_ = true;
            return false;
        }
        buffer_.append(chunk, static_cast<std::size_t>(n));
        return true;
    }
    std::optional<WsFrame> take_frame() {
        if (buffer_.size() < 2) return std::nullopt;
        const auto byte = [this](std::size_t i) { return static_cast<std::uint8_t>(buffer_[i]); };
        std::uint64_t length = byte(1) & 0x7FU;
        std::size_t at = 2;
        if (length == 126) {
            if (buffer_.size() < 4) return std::nullopt;
            length = (std::uint64_t{byte(2)} << 8U) | byte(3);
            at = 4;
        } else if (length == 127) {
            if (buffer_.size() < 10) return std::nullopt;
            length = 0;
            for (std::size_t i = 2; i < 10; ++i)
                length = (length << 8U) | byte(i);
            at = 10;
        }
        if (buffer_.size() < at + length) return std::nullopt;
        WsFrame frame;
        frame.opcode = byte(0) & 0x0FU;
        frame.payload = buffer_.substr(at, static_cast<std::size_t>(length));
        buffer_.erase(0, at + static_cast<std::size_t>(length));
        return frame;
    }

    int fd_ = -1;
    std::string buffer_;
    bool eof_ = false;
    std::mt19937 random_{std::random_device{}()};
};

}  // namespace strata::testing
