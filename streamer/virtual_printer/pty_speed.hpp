// The baud rate the host configured on the pty (0 when it cannot be read).
#pragma once

namespace strata::streamer::virtual_printer {

[[nodiscard]] int host_baud(int fd);

}  // namespace strata::streamer::virtual_printer
