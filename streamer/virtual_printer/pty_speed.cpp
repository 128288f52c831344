// The rate the host set on the pty, read with Linux's termios2 (which reports any rate, 250000
// included). Alone in this file: <asm/termbits.h> clashes with <termios.h>, and the kernel's
// `struct termios` must not meet glibc's in one program (link-time optimization reports the
// clash), so the fallback through glibc lives in pty_speed_classic.cpp.
#include <asm/termbits.h>
#include <sys/ioctl.h>

#include "pty_speed.hpp"

namespace strata::streamer::virtual_printer {

int host_baud_termios2(int fd) {
    termios2 settings{};
    if (::ioctl(fd, TCGETS2, &settings) != 0) return 0;
    return static_cast<int>(settings.c_ospeed);
}

}  // namespace strata::streamer::virtual_printer
