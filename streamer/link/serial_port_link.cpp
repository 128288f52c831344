// libserialport link for real serial devices, and the port list with USB details. libserialport
// looks every device up in sysfs and needs modem-control ioctls, so it refuses ptys; open_link()
// then falls back to termios.
#include <libserialport.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "links.hpp"

namespace strata::streamer::links {
namespace {

std::string last_error() {
    char* message = sp_last_error_message();
    std::string text = message != nullptr ? message : "unknown error";
    sp_free_error_message(message);
    return text;
}

std::string text_or_empty(const char* text) {
    return text != nullptr ? text : "";
}

class SerialPortLink final : public Link {
  public:
    SerialPortLink(sp_port* port, int fd, int baud) : port_(port), fd_(fd), baud_(baud) {}
    ~SerialPortLink() override {
        sp_close(port_);
        sp_free_port(port_);
    }

    [[nodiscard]] int fd() const override { return fd_; }
    IoResult read(char* buffer, std::size_t size) override {
        return result_of(sp_nonblocking_read(port_, buffer, size));
    }
    IoResult write(const char* data, std::size_t size) override {
        return result_of(sp_nonblocking_write(port_, data, size));
    }
    void discard_buffers() override { sp_flush(port_, SP_BUF_BOTH); }
    [[nodiscard]] WireTiming wire_timing() const override { return {baud_ / 10.0, 0.02}; }
    [[nodiscard]] std::string describe() const override {
        return "serial " + text_or_empty(sp_get_port_name(port_)) + " @ " + std::to_string(baud_) +
               " (libserialport)";
    }

  private:
    static IoResult result_of(sp_return done) {
        if (done > 0) return {IoResult::Status::ok, static_cast<std::size_t>(done), {}};
        if (done == 0) return {IoResult::Status::would_block, 0, {}};
        return {IoResult::Status::error, 0, last_error()};
    }

    sp_port* port_;
    int fd_;
    int baud_;
};

}  // namespace

Result<std::unique_ptr<Link>> open_serial_port(const LinkOptions& options) {
    sp_port* port = nullptr;
    if (sp_get_port_by_name(options.target.c_str(), &port) != SP_OK) {
        return fail(ErrorCode::unavailable, last_error());
    }
    const bool configured =
        sp_open(port, SP_MODE_READ_WRITE) == SP_OK &&
        sp_set_baudrate(port, options.baud) == SP_OK && sp_set_bits(port, 8) == SP_OK &&
        sp_set_parity(port, SP_PARITY_NONE) == SP_OK && sp_set_stopbits(port, 1) == SP_OK &&
        sp_set_flowcontrol(port, SP_FLOWCONTROL_NONE) == SP_OK;
    int fd = -1;
    if (!configured || sp_get_port_handle(port, &fd) != SP_OK) {
        std::string why = last_error();  // Before closing replaces it.
        sp_close(port);
        sp_free_port(port);
        return fail(ErrorCode::unavailable, std::move(why));
    }
    if (options.reset_on_open) {
        // A board that cannot be reset this way (native USB) ignores it.
        sp_set_dtr(port, SP_DTR_OFF);
        std::this_thread::sleep_for(dtr_pulse);
        sp_set_dtr(port, SP_DTR_ON);
    }
    return std::make_unique<SerialPortLink>(port, fd, options.baud);
}

}  // namespace strata::streamer::links

namespace strata::streamer {

std::vector<PortInfo> list_ports() {
    std::vector<PortInfo> ports;
    sp_port** list = nullptr;
    if (sp_list_ports(&list) != SP_OK) return ports;
    for (sp_port** port = list; *port != nullptr; ++port) {
        PortInfo info;
        info.path = links::text_or_empty(sp_get_port_name(*port));
        info.description = links::text_or_empty(sp_get_port_description(*port));
        switch (sp_get_port_transport(*port)) {
            case SP_TRANSPORT_USB: {
                info.transport = "usb";
                int vendor = 0;
                int product = 0;
                if (sp_get_port_usb_vid_pid(*port, &vendor, &product) == SP_OK) {
                    info.usb_vendor_id = vendor;
                    info.usb_product_id = product;
                }
                info.manufacturer = links::text_or_empty(sp_get_port_usb_manufacturer(*port));
                info.product = links::text_or_empty(sp_get_port_usb_product(*port));
                info.serial_number = links::text_or_empty(sp_get_port_usb_serial(*port));
                break;
            }
            case SP_TRANSPORT_BLUETOOTH: info.transport = "bluetooth"; break;
            default: info.transport = "native"; break;
        }
        info.device = info.path;
        ports.push_back(std::move(info));
    }
    sp_free_port_list(list);
    apply_stable_names(ports, "/dev/serial/by-id");
    return ports;
}

namespace {

// Whether two paths name the same character device (std::filesystem::equivalent refuses
// devices); a path that is not there is no device.
bool same_device(const std::string& a, const std::string& b) {
    struct stat first {};
    struct stat second {};
    return ::stat(a.c_str(), &first) == 0 && ::stat(b.c_str(), &second) == 0 &&
           S_ISCHR(first.st_mode) && S_ISCHR(second.st_mode) && first.st_rdev == second.st_rdev;
}

}  // namespace

void apply_stable_names(std::vector<PortInfo>& ports, const std::string& by_id_directory) {
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(by_id_directory, error)) {
        for (PortInfo& port : ports) {
            if (port.device.empty()) port.device = port.path;
            // A link whose device is gone (unplugged a moment ago) matches nothing.
            if (same_device(port.device, entry.path().string())) port.path = entry.path().string();
        }
    }
    // Stable names first; then USB devices (printers are); on-board UARTs (ttyS*) last.
    const auto rank = [](const PortInfo& port) {
        if (port.path != port.device) return 0;
        return port.transport == "usb" ? 1 : 2;
    };
    std::stable_sort(ports.begin(), ports.end(),
                     [&rank](const PortInfo& a, const PortInfo& b) { return rank(a) < rank(b); });
}

}  // namespace strata::streamer
