// open_link (see strata/streamer/link.hpp): picks the implementation for a target.
#include <sys/stat.h>

#include <array>

#include "links.hpp"

namespace strata::streamer {

Result<std::unique_ptr<Link>> open_link(const LinkOptions& options) {
    if (options.target.rfind("tcp://", 0) == 0) return links::open_tcp(options);
    struct stat status {};
    if (::stat(options.target.c_str(), &status) != 0)
        return errno_error("cannot open " + options.target, errno);
    if (!S_ISCHR(status.st_mode))
        return fail(ErrorCode::invalid, options.target + " is not a serial device");
    Result<std::unique_ptr<Link>> serial = links::open_serial_port(options);
    if (serial) return serial;
    // A pty, or a device libserialport cannot describe: plain termios drives both.
    Result<std::unique_ptr<Link>> termios = links::open_termios(options);
    if (termios) return termios;
    return Error{termios.error().code,
                 termios.error().message + " (libserialport: " + serial.error().message + ")"};
}

namespace {
constexpr std::array<int, 9> baud_rates = {115200, 250000, 230400,  57600, 38400,
                                           19200,  500000, 1000000, 9600};
}  // namespace

std::span<const int> candidate_baud_rates() {
    return baud_rates;
}

}  // namespace strata::streamer
