// The link implementations behind open_link() (see strata/streamer/link.hpp), one file each.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "strata/streamer/link.hpp"

namespace strata::streamer::links {

[[nodiscard]] std::unique_ptr<Link> open_termios(const LinkOptions& options, std::string& error);
/// Nothing when libserialport cannot open the device (a pty, a device without sysfs entry).
[[nodiscard]] std::unique_ptr<Link> open_serial_port(const LinkOptions& options,
                                                     std::string& error);
[[nodiscard]] std::unique_ptr<Link> open_tcp(const LinkOptions& options, std::string& error);

/// Sets a rate termios has no constant for (250000, ...) with Linux's termios2.
[[nodiscard]] bool set_custom_baud(int fd, int baud);
/// A read()/write() return value as an IoResult (errno read right away).
[[nodiscard]] IoResult result_of(ssize_t done);

}  // namespace strata::streamer::links
