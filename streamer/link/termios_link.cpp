// POSIX termios link: raw 8N1, no flow control, exclusive, non-blocking. Works on ptys and on
// real USB serial devices. Standard speeds go through cfsetspeed; others (250000, 500000) through
// Linux's termios2, kept in linux_baud.cpp because its header clashes with <termios.h>.
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

#include "links.hpp"

namespace strata::streamer::links {
namespace {

std::optional<speed_t> standard_speed(int baud) {
    constexpr std::array<std::pair<int, speed_t>, 14> speeds = {{{9600, B9600},
                                                                 {19200, B19200},
                                                                 {38400, B38400},
                                                                 {57600, B57600},
                                                                 {115200, B115200},
                                                                 {230400, B230400},
                                                                 {460800, B460800},
                                                                 {500000, B500000},
                                                                 {576000, B576000},
                                                                 {921600, B921600},
                                                                 {1000000, B1000000},
                                                                 {1500000, B1500000},
                                                                 {2000000, B2000000},
                                                                 {4800, B4800}}};
    for (const auto& [rate, speed] : speeds)
        if (rate == baud) return speed;
    return std::nullopt;
}

// Unix98 pty slaves (/dev/pts/N) have majors 136-143: bytes cross no wire there.
bool is_pty(int fd) {
    struct stat status {};
    if (::fstat(fd, &status) != 0 || !S_ISCHR(status.st_mode)) return false;
    const unsigned device_major = major(status.st_rdev);
    return device_major >= 136 && device_major <= 143;
}

class TermiosLink final : public Link {
  public:
    TermiosLink(int fd, std::string path, int baud)
        : fd_(fd), path_(std::move(path)), baud_(baud), pty_(is_pty(fd)) {}
    ~TermiosLink() override { ::close(fd_); }

    [[nodiscard]] int fd() const override { return fd_; }
    IoResult read(char* buffer, std::size_t size) override {
        return result_of(::read(fd_, buffer, size));
    }
    IoResult write(const char* data, std::size_t size) override {
        return result_of(::write(fd_, data, size));
    }
    void discard_buffers() override { ::tcflush(fd_, TCIOFLUSH); }
    [[nodiscard]] std::string describe() const override {
        return (pty_ ? "pty " : "serial ") + path_ + " @ " + std::to_string(baud_) + " (termios)";
    }
    [[nodiscard]] WireTiming wire_timing() const override {
        if (pty_) return {0.0, 0.002};
        return {baud_ / 10.0, 0.02};
    }

  private:
    int fd_;
    std::string path_;
    int baud_;
    bool pty_;
};

}  // namespace

IoResult result_of(ssize_t done) {
    if (done > 0) return {IoResult::Status::ok, static_cast<std::size_t>(done), {}};
    if (done == 0) return {IoResult::Status::closed, 0, {}};
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return {IoResult::Status::would_block, 0, {}};
    // A pty whose other side closed reads EIO, a socket whose peer left EPIPE or ECONNRESET:
    // the printer is gone.
    if (errno == EIO || errno == EPIPE || errno == ECONNRESET)
        return {IoResult::Status::closed, 0, {}};
    return {IoResult::Status::error, 0, std::strerror(errno)};
}

Result<std::unique_ptr<Link>> open_termios(const LinkOptions& options) {
    const int fd = ::open(options.target.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return errno_error("cannot open " + options.target, errno);
    termios settings{};
    if (::tcgetattr(fd, &settings) != 0) {
        const int failure = errno;  // Before close() can change it.
        ::close(fd);
        return errno_error(options.target + " is not a serial device", failure);
    }
    ::cfmakeraw(&settings);
    settings.c_cflag |= CLOCAL | CREAD;
    settings.c_cflag &= ~static_cast<tcflag_t>(CRTSCTS | CSTOPB);
    settings.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
    settings.c_cc[VMIN] = 0;
    settings.c_cc[VTIME] = 0;
    const auto speed = standard_speed(options.baud);
    if (speed) ::cfsetspeed(&settings, *speed);
    if (::tcsetattr(fd, TCSANOW, &settings) != 0) {
        const int failure = errno;
        ::close(fd);
        return errno_error("cannot configure " + options.target, failure);
    }
    if (!speed) {
        if (const int failure = set_custom_baud(fd, options.baud); failure != 0) {
            ::close(fd);
            const std::string what =
                "cannot set " + std::to_string(options.baud) + " baud on " + options.target;
            return fail(ErrorCode::unavailable, errno_error(what, failure).message);
        }
    }
    // Exclusive, as OctoPrint opens it: a second program writing to the printer corrupts lines.
    ::ioctl(fd, TIOCEXCL);
    if (options.reset_on_open && !is_pty(fd)) {
        int dtr = TIOCM_DTR;
        ::ioctl(fd, TIOCMBIC, &dtr);
        std::this_thread::sleep_for(dtr_pulse);
        ::ioctl(fd, TIOCMBIS, &dtr);
    }
    return std::make_unique<TermiosLink>(fd, options.target, options.baud);
}

}  // namespace strata::streamer::links
