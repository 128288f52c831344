// notify_service_manager (see service_notify.hpp). An address starting with '@' is in the
// abstract namespace: its first byte is a NUL and its length counts exactly.
#include "service_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>

namespace strata::cli {

Status notify_service_manager(std::string_view state) {
    const char* socket_path = std::getenv("NOTIFY_SOCKET");
    if (socket_path == nullptr || *socket_path == '\0') return {};
    const std::string path = socket_path;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if ((path[0] != '/' && path[0] != '@') || path.size() >= sizeof address.sun_path)
        return fail(ErrorCode::invalid, "NOTIFY_SOCKET is not a socket's path: " + path);
    std::memcpy(address.sun_path, path.data(), path.size());
    if (path[0] == '@') address.sun_path[0] = '\0';
    const auto address_bytes =
        static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + (path[0] == '/'));
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno_error("cannot notify the service manager", errno);
    const ssize_t sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                                  reinterpret_cast<const sockaddr*>(&address), address_bytes);
    const int sent_errno = errno;
    ::close(fd);
    if (sent != static_cast<ssize_t>(state.size()))
        return errno_error("cannot notify the service manager at " + path, sent_errno);
    return {};
}

bool run_by_service_manager() {
    const char* invocation = std::getenv("INVOCATION_ID");
    return invocation != nullptr && *invocation != '\0';
}

}  // namespace strata::cli
