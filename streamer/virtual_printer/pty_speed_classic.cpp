// The rate the host set on the pty: termios2 first (pty_speed.cpp), else glibc's classic termios.
// termios2 is missing under Debian 12's qemu-user (the arm64 test run: TCGETS2 answers ENOSYS),
// WSL and some sandboxes; a host there can only have chosen one of the classic rates anyway.
#include <termios.h>

#include <array>
#include <utility>

#include "pty_speed.hpp"

namespace strata::streamer::virtual_printer {

namespace {

int classic_baud(speed_t speed) {
    constexpr std::array<std::pair<speed_t, int>, 18> rates{{{B1200, 1200},
                                                             {B2400, 2400},
                                                             {B4800, 4800},
                                                             {B9600, 9600},
                                                             {B19200, 19200},
                                                             {B38400, 38400},
                                                             {B57600, 57600},
                                                             {B115200, 115200},
                                                             {B230400, 230400},
                                                             {B460800, 460800},
                                                             {B500000, 500000},
                                                             {B576000, 576000},
                                                             {B921600, 921600},
                                                             {B1000000, 1000000},
                                                             {B1500000, 1500000},
                                                             {B2000000, 2000000},
                                                             {B3000000, 3000000},
                                                             {B4000000, 4000000}}};
    for (const auto& [code, rate] : rates) {
        if (code == speed) return rate;
    }
    return 0;
}

}  // namespace

int host_baud(int fd) {
    if (const int rate = host_baud_termios2(fd); rate > 0) return rate;
    termios settings{};
    if (::tcgetattr(fd, &settings) != 0) return 0;
    return classic_baud(::cfgetospeed(&settings));
}

}  // namespace strata::streamer::virtual_printer
