// Arbitrary baud rates through Linux's termios2 (BOTHER). Its header, <asm/termbits.h>, redefines
// what <termios.h> defines, so it lives alone in this file.
#include <asm/termbits.h>
#include <sys/ioctl.h>

#include <cerrno>

#include "links.hpp"

namespace strata::streamer::links {

int set_custom_baud(int fd, int baud) {
    termios2 settings{};
    if (::ioctl(fd, TCGETS2, &settings) != 0) return errno;
    settings.c_cflag &= ~static_cast<tcflag_t>(CBAUD);
    settings.c_cflag |= BOTHER;
    settings.c_ispeed = static_cast<speed_t>(baud);
    settings.c_ospeed = static_cast<speed_t>(baud);
    return ::ioctl(fd, TCSETS2, &settings) == 0 ? 0 : errno;
}

}  // namespace strata::streamer::links
