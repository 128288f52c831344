// The link implementations behind open_link() (see strata/streamer/link.hpp), one file each.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>

#include "strata/streamer/link.hpp"

namespace strata::streamer::links {

/// How long DTR is dropped to reset a board on open (an Arduino's auto-reset capacitor needs
/// far less; a USB-serial bridge may need a USB frame or two).
constexpr std::chrono::milliseconds dtr_pulse{100};

[[nodiscard]] Result<std::unique_ptr<Link>> open_termios(const LinkOptions& options);
/// Refused when libserialport cannot open the device (a pty, a device without sysfs entry).
[[nodiscard]] Result<std::unique_ptr<Link>> open_serial_port(const LinkOptions& options);
[[nodiscard]] Result<std::unique_ptr<Link>> open_tcp(const LinkOptions& options);

/// Sets a rate termios has no constant for (250000, ...) with Linux's termios2. 0, or the errno
/// of the ioctl that failed (ENOSYS where termios2 is missing: Debian 12's qemu-user, WSL, some
/// sandboxes).
[[nodiscard]] int set_custom_baud(int fd, int baud);
/// A read()/write() return value as an IoResult (errno read right away).
[[nodiscard]] IoResult result_of(ssize_t done);

}  // namespace strata::streamer::links
