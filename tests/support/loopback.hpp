// A raw TCP client socket on loopback, for tests where the bytes on the wire matter (pipelining,
// malformed requests, Expect, event streams, uploads cut off).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>

namespace strata::testing {

/// A socket connected to 127.0.0.1:`port` whose reads give up after `timeout_s`; -1 on failure.
inline int connect_loopback(std::uint16_t port, int timeout_s = 5) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        if (fd >= 0) ::close(fd);
        return -1;
    }
    timeval timeout{timeout_s, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    return fd;
}

/// Everything `fd` receives until the peer closes it (or its read timeout passes).
inline std::string read_until_closed(int fd) {
    std::string received;
    char buffer[4096];
    for (ssize_t got = 0; (got = ::recv(fd, buffer, sizeof buffer, 0)) > 0;)
        received.append(buffer, static_cast<std::size_t>(got));
    return received;
}

}  // namespace strata::testing
