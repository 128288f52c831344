// The byte pipe to a printer, behind one interface: libserialport for real serial devices,
// POSIX termios for pseudo-terminals and whatever libserialport cannot open (it cannot open a
// pty at all), TCP for serial-over-network bridges (ser2net, ESP3D). Every link is non-blocking
// and exposes a file descriptor, so the streamer thread waits on it with poll() together with its
// own wake-up descriptor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "strata/common/result.hpp"

namespace strata::streamer {

/// The outcome of one read or write: bytes moved, or why nothing was.
struct IoResult {
    enum class Status : std::uint8_t { ok, would_block, closed, error };
    Status status = Status::ok;
    std::size_t bytes = 0;
    std::string error;  ///< For `error`: what the system said.
};

/// How soon the far end's answers can be counted on: the wire's speed (0: no wire to cross, as
/// on a pty) and the latency of replies on top of it (USB frames, an FTDI latency timer of up to
/// 16 ms, a network).
struct WireTiming {
    double bytes_per_s = 0.0;
    double reply_latency_s = 0.02;
};

class Link {
  public:
    virtual ~Link() = default;
    Link() = default;
    Link(const Link&) = delete;
    Link& operator=(const Link&) = delete;

    /// Pollable for input (POLLIN) and for room to write (POLLOUT).
    [[nodiscard]] virtual int fd() const = 0;
    virtual IoResult read(char* buffer, std::size_t size) = 0;
    virtual IoResult write(const char* data, std::size_t size) = 0;
    /// Drops what the driver holds in both directions (after a reset, before a handshake).
    virtual void discard_buffers() {}
    /// "serial /dev/ttyUSB0 @ 115200 (libserialport)", for logs and errors.
    [[nodiscard]] virtual std::string describe() const = 0;
    [[nodiscard]] virtual WireTiming wire_timing() const = 0;
};

struct LinkOptions {
    /// A device path (`/dev/ttyACM0`, a pty) or `tcp://host:port`.
    std::string target;
    int baud = 115200;
    double connect_timeout_s = 5.0;  ///< TCP only.
    /// Pulse DTR once the serial port is open: an Arduino-based board reboots, as it does
    /// whenever a host opens its port, and a board that M112 halted (Marlin's kill() waits for
    /// a reset) comes back. No effect on ptys and TCP bridges.
    bool reset_on_open = true;
};

/// Opens `options.target`, or says why it cannot be opened.
[[nodiscard]] Result<std::unique_ptr<Link>> open_link(const LinkOptions& options);

/// A serial port the system knows, with what USB says about it.
struct PortInfo {
    /// What to open: the stable name under /dev/serial/by-id when udev made one (it survives
    /// replugging and reboots, where ttyACM0 may become ttyACM1), else the device itself.
    std::string path;
    std::string device;  ///< The kernel's name (/dev/ttyACM0).
    std::string description;
    std::string transport;  ///< "usb", "native", "bluetooth".
    std::optional<int> usb_vendor_id;
    std::optional<int> usb_product_id;
    std::string manufacturer;
    std::string product;
    std::string serial_number;
};

/// Serial ports from libserialport, USB ones first (ptys are never listed: they have no sysfs
/// entry).
/// Gives each port whose device a link in `by_id_directory` points to that link as its path,
/// and puts those first (then USB ports, then the rest), keeping the order otherwise.
void apply_stable_names(std::vector<PortInfo>& ports, const std::string& by_id_directory);

[[nodiscard]] std::vector<PortInfo> list_ports();

/// Baud rates tried by auto-detection, most common for 3D printers first.
[[nodiscard]] std::span<const int> candidate_baud_rates();

}  // namespace strata::streamer
