// The baud rate the host configured on the pty, which the virtual UART compares with its own.
#pragma once

namespace strata::streamer::virtual_printer {

/// Any rate, 250000 included; 0 where termios2 is missing or the fd is no terminal.
[[nodiscard]] int host_baud_termios2(int fd);
/// termios2's answer, else the classic termios rate; 0 when it cannot be read.
[[nodiscard]] int host_baud(int fd);

}  // namespace strata::streamer::virtual_printer
