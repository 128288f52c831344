// The streamer's ways to the printer: M112 reaching it at once in every state, the baud rate
// found by handshake, a TCP bridge carrying a job, the serial port list.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "../support/result.hpp"
#include "strata/streamer/link.hpp"
#include "streaming_fixture.hpp"

namespace {

using namespace strata::streamer;
using namespace strata::streamer::testing;

// Starts what `setup` asks, calls emergency_stop(), and returns how long M112 took to reach
// the printer's emergency parser.
class EmergencyStop : public Streaming {
  protected:
    double latency_s(const std::function<void()>& setup) {
        setup();
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        state_before_ = streamer_->state();
        const double asked_s = steady_s();
        streamer_->emergency_stop();
        const double until = asked_s + 2.0;
        while (steady_s() < until && printer_->state().emergency_stop_wall_s < 0.0)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        const LiveState state = printer_->state();
        EXPECT_TRUE(state.halted);
        return state.emergency_stop_wall_s < 0.0 ? 99.0 : state.emergency_stop_wall_s - asked_s;
    }
    PrinterState state_before_ = PrinterState::disconnected;
    void print_in_real_time(int baud, const std::string& head) {
        std::ofstream(directory_ / "slow.gcode") << head << "G1 X100 Y100 F600\nG1 X0 Y0\n"
                                                 << "G1 X100 Y100\nG1 X0 Y0\n";
        VirtualPrinterConfig printer;
        printer.baud = baud;
        start_printer(printer);
        connect();
        std::string error;
        ASSERT_TRUE(
            strata::testing::ok(streamer_->start_job((directory_ / "slow.gcode").string(), {})));
    }
};

TEST_F(EmergencyStop, M112ReachesThePrinterWithin50msInEveryState) {
    std::vector<std::pair<std::string, double>> latencies;
    latencies.emplace_back("idle", latency_s([&] {
                               start_printer({});
                               connect();
                           }));
    printer_->stop();
    latencies.emplace_back("printing", latency_s([&] { print_in_real_time(0, ""); }));
    printer_->stop();
    latencies.emplace_back("printing at 115200 baud",
                           latency_s([&] { print_in_real_time(115200, ""); }));
    printer_->stop();
    latencies.emplace_back("heating (M109)",
                           latency_s([&] { print_in_real_time(0, "M109 S215\n"); }));
    printer_->stop();
    latencies.emplace_back("paused", latency_s([&] {
                               print_in_real_time(0, "");
                               streamer_->pause();
                           }));
    printer_->stop();
    latencies.emplace_back("waiting for the camera", latency_s([&] {
                               std::ofstream(directory_ / "snap.gcode")
                                   << "G28\nM400\n@STRATA SNAPSHOT n=1\nG1 X5\n";
                               VirtualPrinterConfig instant;
                               instant.time_scale = 0.0;
                               start_printer(instant);
                               connect();
                               streamer_->set_capture([](std::uint32_t) {
                                   std::this_thread::sleep_for(std::chrono::seconds(3));
                                   return strata::Status{};
                               });
                               ASSERT_TRUE(strata::testing::ok(
                                   streamer_->start_job((directory_ / "snap.gcode").string(), {})));
                           }));
    const double camera_began_s = steady_s();
    EXPECT_EQ(state_before_, PrinterState::printing);  // Held at the snapshot, not done.
    streamer_.reset();                                 // Waits for the camera callback to return.
    EXPECT_GT(steady_s() - camera_began_s, 2.0);
    for (const auto& [state, latency] : latencies) {
        std::printf("M112 %-26s %.2f ms\n", state.c_str(), latency * 1000.0);
        EXPECT_LT(latency, 0.050) << state;
    }
}

// Whether a rate without a termios constant can be set on a pty here: not where termios2 is
// missing (Debian 12's qemu-user, which runs the arm64 build's tests, answers ENOSYS).
bool custom_baud_rates_settable() {
    int controller = -1;
    int device = -1;
    if (::openpty(&controller, &device, nullptr, nullptr, nullptr) != 0) return true;
    LinkOptions options;
    options.target = ::ttyname(device);
    options.baud = 250000;
    const auto link = open_link(options);
    ::close(device);
    ::close(controller);
    return link || link.error().message.find(std::strerror(ENOSYS)) == std::string::npos;
}

TEST_F(Streaming, TheBaudRateIsFoundByHandshake) {
    if (!custom_baud_rates_settable()) {
        GTEST_SKIP() << "NOT TESTED HERE: this system has no termios2 (TCSETS2 answers ENOSYS), "
                        "so 250000 baud cannot be set on any port and finding it by handshake "
                        "cannot be tried";
    }
    // At the wrong rate the virtual UART delivers noise both ways, as a real one does.
    VirtualPrinterConfig printer;
    printer.baud = 250000;
    printer.time_scale = 0.0;
    start_printer(printer);
    StreamerConfig config;
    config.link.baud = 0;  // Auto: 115200 is tried first and gets no answer.
    // Only the wrong rate waits this out. Shorter, a machine busy with other tests (a streamer
    // thread at SCHED_FIFO among them) can keep the right rate's answer from arriving in time.
    config.handshake_timeout_s = 2.0;
    connect(config);
    StreamerEvent event;
    std::string connected;
    while (streamer_->poll_event(event))
        if (event.kind == EventKind::connected) connected = event.text;
    EXPECT_NE(connected.find("@ 250000"), std::string::npos) << connected;
    const Outcome outcome = print(*streamer_, data_file("ps281_mini_cube_m486.gcode"), 60.0);
    const ProtocolCounters counters = streamer_->counters();
    const LiveState state = printer_->state();
    EXPECT_EQ(outcome.end, EventKind::job_finished)
        << outcome.text << " (resends " << counters.resends << ", timeouts " << counters.timeouts
        << ", fragment oks " << counters.fragment_oks << ", rx overflow bytes "
        << state.rx_overflow_bytes << ", unknown commands " << state.unknown_commands << ")";
}

// Relays one TCP connection to the virtual printer's pty: a serial-over-network bridge.
class TcpBridge {
  public:
    explicit TcpBridge(const std::string& pty) {
        listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&address), length), 0);
        EXPECT_EQ(::listen(listener_, 1), 0);
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
        port_ = ntohs(address.sin_port);
        serial_ = strata::testing::value_of(open_link({pty, 115200, 1.0}));
        thread_ = std::thread([this] { relay(); });
    }
    ~TcpBridge() {
        stopping_ = true;
        thread_.join();
        ::close(listener_);
    }
    TcpBridge(const TcpBridge&) = delete;
    TcpBridge& operator=(const TcpBridge&) = delete;
    [[nodiscard]] int port() const { return port_; }

  private:
    void relay() {
        pollfd accepting{listener_, POLLIN, 0};
        while (!stopping_ && ::poll(&accepting, 1, 50) <= 0) {
        }
        if (stopping_) return;
        const int client = ::accept(listener_, nullptr, nullptr);
        char buffer[4096];
        while (!stopping_) {
            std::array<pollfd, 2> waits = {pollfd{client, POLLIN, 0},
                                           pollfd{serial_->fd(), POLLIN, 0}};
            if (::poll(waits.data(), waits.size(), 50) <= 0) continue;
            if ((waits[0].revents & POLLIN) != 0) {
                const ssize_t got = ::recv(client, buffer, sizeof buffer, 0);
                if (got <= 0) break;
                serial_->write(buffer, static_cast<std::size_t>(got));
            }
            if ((waits[1].revents & POLLIN) != 0) {
                const IoResult got = serial_->read(buffer, sizeof buffer);
                if (got.status == IoResult::Status::ok) ::send(client, buffer, got.bytes, 0);
            }
        }
        ::close(client);
    }

    int listener_ = -1;
    int port_ = 0;
    std::unique_ptr<Link> serial_;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

TEST_F(Streaming, ATcpBridgeCarriesTheJob) {
    VirtualPrinterConfig printer;
    printer.time_scale = 0.0;
    start_printer(printer);
    TcpBridge bridge(printer_->path());
    StreamerConfig config;
    config.link.target = "tcp://127.0.0.1:" + std::to_string(bridge.port());
    streamer_ = std::make_unique<Streamer>(config);
    std::string error;
    ASSERT_TRUE(strata::testing::ok(streamer_->connect()));
    const std::string job = data_file("ps281_mini_cube_m486.gcode");
    const Outcome outcome = print(*streamer_, job, 60.0);
    EXPECT_EQ(outcome.end, EventKind::job_finished) << outcome.text;
    std::size_t probes = 0;
    EXPECT_EQ(first_difference(printed_commands(&probes), job_commands(job)), "identical");
    streamer_.reset();
}

TEST(Ports, StableNamesUnderSerialByIdComeFirstAndNameTheirDevice) {
    // udev's by-id links, made here for two real ptys: one link per device, and one whose
    // device is gone (a printer unplugged a moment ago).
    int masters[2];
    int slaves[2];
    char names[2][64];
    for (int i = 0; i < 2; ++i)
        ASSERT_EQ(::openpty(&masters[i], &slaves[i], names[i], nullptr, nullptr), 0);
    const std::filesystem::path by_id =
        std::filesystem::temp_directory_path() / ("strata_by_id_" + std::to_string(::getpid()));
    std::filesystem::create_directories(by_id);
    const std::filesystem::path stable = by_id / "usb-Prusa_Research_Original_Prusa_MK4-if00";
    std::filesystem::create_symlink(names[1], stable);
    std::filesystem::create_symlink("/dev/strata-no-such-tty", by_id / "usb-Gone-if00");

    std::vector<PortInfo> ports(3);
    ports[0].path = "/dev/ttyS0";
    ports[0].transport = "native";
    ports[1].path = names[0];
    ports[1].transport = "usb";
    ports[2].path = names[1];
    ports[2].transport = "usb";
    apply_stable_names(ports, by_id.string());
    ASSERT_EQ(ports.size(), 3U);
    EXPECT_EQ(ports[0].path, stable.string());
    EXPECT_EQ(ports[0].device, names[1]);
    EXPECT_EQ(ports[1].path, names[0]);  // USB without a stable name: next.
    EXPECT_EQ(ports[1].device, names[0]);
    EXPECT_EQ(ports[2].path, "/dev/ttyS0");  // On-board UARTs last.
    for (int i = 0; i < 2; ++i) {
        ::close(masters[i]);
        ::close(slaves[i]);
    }
    std::filesystem::remove_all(by_id);
}

TEST(Ports, ListedPortsHaveDevicePaths) {
    // Whatever serial ports this machine has (ptys are never among them), each has a path.
    for (const PortInfo& port : list_ports()) {
        EXPECT_EQ(port.path.rfind("/dev/", 0), 0u) << port.path;
        EXPECT_FALSE(port.transport.empty());
    }
}

}  // namespace
