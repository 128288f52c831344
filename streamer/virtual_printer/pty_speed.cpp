// The rate the host set on the pty, read with Linux's termios2 (which reports any rate, 250000
// included). Alone in this file: <asm/termbits.h> clashes with <termios.h>.
#include <asm/termbits.h>
#include <sys/ioctl.h>

#include <array>
#include <utility>

#include "pty_speed.hpp"

namespace strata::streamer::virtual_printer {

namespace {

// The classic speed codes, for where termios2 is missing: Debian 12's qemu-user answers TCGETS2
// with ENOSYS (the arm64 test run), as do WSL and some sandboxes; a host there can only have
// chosen one of these rates anyway.
int standard_baud(tcflag_t speed_code) {
    constexpr std::array<std::pair<tcflag_t, int>, 18> rates{{{B1200, 1200},
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
        if (code == speed_code) return rate;
    }
    return 0;
}

}  // namespace

int host_baud(int fd) {
    termios2 settings{};
    if (::ioctl(fd, TCGETS2, &settings) == 0) return static_cast<int>(settings.c_ospeed);
    termios classic{};
    if (::ioctl(fd, TCGETS, &classic) != 0) return 0;
    return standard_baud(classic.c_cflag & CBAUD);
}

}  // namespace strata::streamer::virtual_printer
