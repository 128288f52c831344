// VirtualPrinter (see strata/streamer/virtual_printer.hpp): a pty and one thread. The thread
// moves bytes between the pty and the firmware, at the emulated baud rate when there is one
// (a UART: bytes that find the RX buffer full are lost) or as the RX buffer makes room (native
// USB: flow controlled), and keeps the printer's clock: wall time over the time scale, or, with
// a scale of 0, jumping to the firmware's next event whenever commands wait on it. The board
// boots when a host opens the pty (and again at each later open), as opening the port of an
// Arduino-based printer resets it through DTR.
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <sys/eventfd.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <mutex>
#include <thread>

#include "firmware.hpp"
#include "pty_speed.hpp"
#include "strata/streamer/virtual_printer.hpp"
#include "wire.hpp"

namespace strata::streamer {
namespace {

double steady_now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// What bytes sent at the wrong rate look like on the other side: different bytes, no newlines
// where there were some.
void garble(char* bytes, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i)
        bytes[i] = static_cast<char>(bytes[i] ^ 0x5A);
}

}  // namespace

struct VirtualPrinter::Impl {
    explicit Impl(const VirtualPrinterConfig& settings)
        : config(settings), firmware(settings), to_printer(settings.baud), to_host(settings.baud) {}

    void run();
    void power_on(double wall_s);
    [[nodiscard]] bool host_attached() const;
    void attach(double wall_s);
    bool wait_for_work(double wall_s, double next_event_s, bool attached);
    void drain_wake() const;
    bool pump_input(double wall_s);
    bool pump_output(double wall_s);
    /// Records when each `ok` line starts going out (an "o" at a line start: no other reply
    /// starts with it). Called with `mutex` held.
    void note_oks(std::string_view written);
    [[nodiscard]] double printer_now(double wall_s) const {
        return config.time_scale > 0.0 ? (wall_s - started_wall_s) / config.time_scale
                                       : instant_now_s;
    }
    [[nodiscard]] double wall_of(double printer_s, double wall_s) const;
    void close_pty();

    VirtualPrinterConfig config;
    virtual_printer::Firmware firmware;
    mutable std::mutex mutex;  ///< Guards `firmware` and `ok_writes_s` against the accessors.
    std::vector<double> ok_writes_s;
    bool at_line_start = true;
    virtual_printer::Wire to_printer;
    virtual_printer::Wire to_host;
    int master = -1;
    int wake = -1;
    std::string path;
    std::thread thread;
    std::atomic<bool> stopping{false};
    std::atomic<bool> reset_requested{false};
    bool mismatched = false;  ///< The host's rate is not the emulated UART's.
    /// Bytes across the wire found the pty full: wait for room. Bytes still on the wire are
    /// waited for by the timeout instead; POLLOUT for them would return at once, and the loop
    /// would spin at SCHED_FIFO for as long as a reply takes to cross (87 us a byte at 115200).
    bool output_blocked = false;
    /// Reads land here; a member so no 64 KiB is cleared on every turn of the loop.
    std::array<char, 65536> input_buffer;
    double started_wall_s = 0.0;
    double instant_now_s = 0.0;
};

double VirtualPrinter::Impl::wall_of(double printer_s, double wall_s) const {
    if (!std::isfinite(printer_s)) return INFINITY;
    if (config.time_scale <= 0.0) return printer_s <= instant_now_s ? wall_s : INFINITY;
    return started_wall_s + printer_s * config.time_scale;
}

bool VirtualPrinter::Impl::pump_input(double wall_s) {
    std::array<char, 65536>& buffer = input_buffer;
    if (config.baud <= 0) {
        // A native USB port: the host's bytes wait in the pty until the RX buffer has room.
        const std::lock_guard lock(mutex);
        const std::size_t room = std::min(buffer.size(), firmware.rx_room());
        if (room == 0) return false;
        const ssize_t got = ::read(master, buffer.data(), room);
        if (got <= 0) return false;
        firmware.receive(std::string_view(buffer.data(), static_cast<std::size_t>(got)),
                         steady_now_s());
        return true;
    }
    // A UART: everything the host wrote is on the wire, arriving at the baud rate; what finds
    // the RX buffer full is lost. A host at another rate sends noise.
    mismatched = virtual_printer::host_baud(master) != config.baud;
    for (;;) {
        const ssize_t got = ::read(master, buffer.data(), buffer.size());
        if (got <= 0) break;
        if (mismatched) garble(buffer.data(), static_cast<std::size_t>(got));
        to_printer.push(std::string_view(buffer.data(), static_cast<std::size_t>(got)), wall_s);
    }
    const std::string_view arrived = to_printer.arrived(wall_s);
    if (arrived.empty()) return false;
    const std::lock_guard lock(mutex);
    firmware.receive(arrived, steady_now_s());
    return true;
}

void VirtualPrinter::Impl::note_oks(std::string_view written) {
    if (written.empty()) return;
    const double now_s = steady_now_s();
    for (const char c : written) {
        if (at_line_start && c == 'o' && ok_writes_s.size() < config.log_limit)
            ok_writes_s.push_back(now_s);
        at_line_start = c == '\n';
    }
}

bool VirtualPrinter::Impl::pump_output(double wall_s) {
    const std::string_view ready = to_host.arrived(wall_s);
    output_blocked = false;
    if (ready.empty()) return false;
    std::string noise;
    if (mismatched) {
        noise.assign(ready);
        garble(noise.data(), noise.size());
    }
    const std::string_view sent = mismatched ? std::string_view(noise) : ready;
    // Held across the write so no reader of `ok_writes_s` can see an ok on the wire before its
    // time is kept (the master is non-blocking: the lock is held for a copy, not a wait).
    const std::lock_guard lock(mutex);
    const ssize_t written = ::write(master, sent.data(), sent.size());
    const std::size_t done = written > 0 ? static_cast<std::size_t>(written) : 0;
    output_blocked = done < ready.size();
    to_host.unread(ready.size() - done);
    note_oks(sent.substr(0, done));
    return done > 0;
}

// A board that boots has lost whatever was on its wire and in its buffers: the host's bytes
// still in the pty are dropped too, so no command sent before the `start` is answered after it.
void VirtualPrinter::Impl::power_on(double wall_s) {
    ::tcflush(master, TCIFLUSH);
    to_printer.clear();
    firmware.power_on(printer_now(wall_s));
}

// Whether a host has the pty open: with no descriptor of the other side open anywhere (the
// virtual printer keeps none of its own) the master reports a hang-up.
bool VirtualPrinter::Impl::host_attached() const {
    pollfd probe{master, 0, 0};
    ::poll(&probe, 1, 0);
    return (probe.revents & POLLHUP) == 0;
}

// Opening the port resets the board, as the DTR line resets an Arduino-based one: a host that
// connects again after an emergency stop (M112 halts Marlin for good) or a crash finds a freshly
// booted printer, and nothing it wrote or was sent before.
void VirtualPrinter::Impl::attach(double wall_s) {
    const std::lock_guard lock(mutex);
    ::tcflush(master, TCIOFLUSH);
    to_host.clear();
    power_on(wall_s);
}

void VirtualPrinter::Impl::run() {
    ::pthread_setname_np(::pthread_self(), "strata-vprinter");
    if (config.realtime_priority) {
        sched_param priority{};
        priority.sched_priority = 10;
        ::pthread_setschedparam(::pthread_self(), SCHED_FIFO, &priority);
    }
    started_wall_s = steady_now_s();
    bool attached = false;
    while (!stopping.load()) {
        if (!attached && host_attached()) {
            attached = true;
            attach(steady_now_s());
        }
        // Also while no host has the pty open: what it wrote before closing (its M112) is
        // still read and run, and the board goes on with what it has queued.
        const double wall_s = steady_now_s();
        pump_input(wall_s);
        double next_event_s = INFINITY;
        bool disconnect = false;
        {
            const std::lock_guard lock(mutex);
            if (reset_requested.exchange(false)) power_on(wall_s);
            firmware.advance(printer_now(wall_s));
            if (config.time_scale <= 0.0) firmware.advance_instantly(instant_now_s);
            to_host.push(firmware.take_output(), wall_s);
            next_event_s = firmware.next_event_s();
            disconnect = firmware.wants_disconnect();
        }
        pump_output(wall_s);
        if (disconnect) {
            close_pty();
            break;
        }
        attached = wait_for_work(wall_s, next_event_s, attached);
    }
}

// Sleeps until the wire, the firmware, the host or a control needs the loop; returns whether a
// host still has the pty open. Without one the master reports a hang-up at once, so only the
// clock (at most 10 ms, to see a host arrive) and the controls wake the loop.
bool VirtualPrinter::Impl::wait_for_work(double wall_s, double next_event_s, bool attached) {
    double wake_at_s = std::min({wall_of(next_event_s, wall_s), to_printer.next_s(),
                                 output_blocked ? INFINITY : to_host.next_s()});
    if (!attached) wake_at_s = std::min(wake_at_s, wall_s + 0.01);
    // Microsecond wake-ups: a byte takes 40-90 us on an emulated wire, and a millisecond of
    // rounding per reply would show up as idle wire.
    timespec timeout{};
    const timespec* timeout_pointer = nullptr;
    if (std::isfinite(wake_at_s)) {
        const double wait_s = std::max(0.0, wake_at_s - wall_s);
        timeout.tv_sec = static_cast<time_t>(wait_s);
        timeout.tv_nsec = static_cast<long>((wait_s - static_cast<double>(timeout.tv_sec)) * 1e9);
        timeout_pointer = &timeout;
    }
    bool want_input = config.baud > 0;
    if (!want_input) {
        const std::lock_guard lock(mutex);
        want_input = firmware.rx_room() > 0;
    }
    const short master_events =
        static_cast<short>((want_input ? POLLIN : 0) | (output_blocked ? POLLOUT : 0));
    std::array<pollfd, 2> waits = {pollfd{wake, POLLIN, 0},
                                   pollfd{attached ? master : -1, master_events, 0}};
    ::ppoll(waits.data(), waits.size(), timeout_pointer, nullptr);
    if ((waits[0].revents & POLLIN) != 0) drain_wake();
    return attached && (waits[1].revents & POLLHUP) == 0;
}

void VirtualPrinter::Impl::drain_wake() const {
    std::uint64_t count = 0;
    (void)!::read(wake, &count, sizeof count);
}

void VirtualPrinter::Impl::close_pty() {
    if (master >= 0) ::close(master);
    master = -1;
}

VirtualPrinter::VirtualPrinter(const VirtualPrinterConfig& config)
    : impl_(std::make_unique<Impl>(config)) {}

VirtualPrinter::~VirtualPrinter() {
    stop();
}

Status VirtualPrinter::start() {
    std::array<char, 256> name{};
    int slave = -1;
    if (::openpty(&impl_->master, &slave, name.data(), nullptr, nullptr) != 0)
        return errno_error("cannot open a pseudo-terminal", errno);
    termios raw{};
    ::tcgetattr(slave, &raw);
    ::cfmakeraw(&raw);
    ::tcsetattr(slave, TCSANOW, &raw);
    // The host's side stays closed until a host opens it: that is how its arrival is seen.
    ::close(slave);
    ::fcntl(impl_->master, F_SETFL, ::fcntl(impl_->master, F_GETFL) | O_NONBLOCK);
    ::fcntl(impl_->master, F_SETFD, FD_CLOEXEC);
    impl_->wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    impl_->path = name.data();
    impl_->thread = std::thread([this] { impl_->run(); });
    return {};
}

void VirtualPrinter::stop() {
    if (!impl_->thread.joinable()) return;
    impl_->stopping = true;
    const std::uint64_t one = 1;
    (void)!::write(impl_->wake, &one, sizeof one);
    impl_->thread.join();
    impl_->close_pty();
    ::close(impl_->wake);
    impl_->wake = -1;
}

const std::string& VirtualPrinter::path() const {
    return impl_->path;
}

LiveState VirtualPrinter::state() const {
    const std::lock_guard lock(impl_->mutex);
    return impl_->firmware.live_state();
}

std::vector<std::string> VirtualPrinter::executed_log() const {
    const std::lock_guard lock(impl_->mutex);
    return impl_->firmware.executed_log();
}

std::vector<double> VirtualPrinter::line_arrivals_s() const {
    const std::lock_guard lock(impl_->mutex);
    return impl_->firmware.line_arrivals_s();
}

std::vector<double> VirtualPrinter::ok_writes_s() const {
    const std::lock_guard lock(impl_->mutex);
    return impl_->ok_writes_s;
}

std::vector<PrintedSegment> VirtualPrinter::printed_since(std::size_t first) const {
    const std::lock_guard lock(impl_->mutex);
    const auto& printed = impl_->firmware.printed();
    if (first >= printed.size()) return {};
    return {printed.begin() + static_cast<std::ptrdiff_t>(first), printed.end()};
}

void VirtualPrinter::reset() {
    impl_->reset_requested = true;
    const std::uint64_t one = 1;
    (void)!::write(impl_->wake, &one, sizeof one);
}

}  // namespace strata::streamer
