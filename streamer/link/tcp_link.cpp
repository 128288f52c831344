// TCP link to a serial-over-network bridge (ser2net, ESP3D's telnet port): `tcp://host:port`.
// Connects with a timeout, then runs non-blocking with Nagle off so short lines leave at once.
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "links.hpp"

namespace strata::streamer::links {
namespace {

class TcpLink final : public Link {
  public:
    TcpLink(int fd, std::string address) : fd_(fd), address_(std::move(address)) {}
    ~TcpLink() override { ::close(fd_); }

    [[nodiscard]] int fd() const override { return fd_; }
    IoResult read(char* buffer, std::size_t size) override {
        return result_of(::recv(fd_, buffer, size, 0));
    }
    IoResult write(const char* data, std::size_t size) override {
        return result_of(::send(fd_, data, size, MSG_NOSIGNAL));
    }
    [[nodiscard]] std::string describe() const override { return "tcp " + address_; }
    /// The bridge's serial side is behind the network; its speed is unknown here.
    [[nodiscard]] WireTiming wire_timing() const override { return {0.0, 0.05}; }

  private:
    int fd_;
    std::string address_;
};

// Waits for a non-blocking connect to finish; 0 or the errno it failed with.
int finish_connect(int fd, double timeout_s) {
    pollfd waiting{fd, POLLOUT, 0};
    const int ready = ::poll(&waiting, 1, static_cast<int>(timeout_s * 1000.0));
    if (ready <= 0) return ready == 0 ? ETIMEDOUT : errno;
    int failure = 0;
    socklen_t length = sizeof failure;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length);
    return failure;
}

}  // namespace

Result<std::unique_ptr<Link>> open_tcp(const LinkOptions& options) {
    const std::string address = options.target.substr(6);  // After "tcp://".
    const std::size_t colon = address.rfind(':');
    if (colon == std::string::npos || colon + 1 == address.size()) {
        return fail(ErrorCode::unavailable,
                    "a TCP link needs tcp://host:port, not " + options.target);
    }
    std::string host = address.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int status = ::getaddrinfo(host.c_str(), address.c_str() + colon + 1, &hints, &found);
        status != 0) {
        return fail(ErrorCode::unavailable,
                    "cannot resolve " + host + ": " + ::gai_strerror(status));
    }
    int failure = ECONNREFUSED;
    for (addrinfo* candidate = found; candidate != nullptr; candidate = candidate->ai_next) {
        const int fd = ::socket(candidate->ai_family,
                                candidate->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) continue;
        failure = ::connect(fd, candidate->ai_addr, candidate->ai_addrlen) == 0 ? 0 : errno;
        if (failure == EINPROGRESS) failure = finish_connect(fd, options.connect_timeout_s);
        if (failure == 0) {
            ::freeaddrinfo(found);
            const int on = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
            return std::make_unique<TcpLink>(fd, address);
        }
        ::close(fd);
    }
    ::freeaddrinfo(found);
    return errno_error("cannot connect to " + address, failure);
}

}  // namespace strata::streamer::links
