// open_link (see strata/streamer/link.hpp): picks the implementation for a target.
#include <sys/stat.h>

#include <array>

#include "links.hpp"

namespace strata::streamer {

std::unique_ptr<Link> open_link(const LinkOptions& options, std::string& error) {
    if (options.target.rfind("tcp://", 0) == 0) return links::open_tcp(options, error);
    struct stat status {};
    if (::stat(options.target.c_str(), &status) != 0 || !S_ISCHR(status.st_mode)) {
        error = options.target + " is not a serial device";
        return nullptr;
    }
    std::string serial_port_error;
    if (auto link = links::open_serial_port(options, serial_port_error)) return link;
    // A pty, or a device libserialport cannot describe: plain termios drives both.
    return links::open_termios(options, error);
}

namespace {
constexpr std::array<int, 9> baud_rates = {115200, 250000, 230400,  57600, 38400,
                                           19200,  500000, 1000000, 9600};
}  // namespace

std::span<const int> candidate_baud_rates() {
    return baud_rates;
}

}  // namespace strata::streamer
