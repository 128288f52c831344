// The streamer against the virtual printer on a real pty: whole jobs end with the printer's
// executed log equal to the job's commands, under each send strategy and under injected faults;
// snapshots stop the stream until the moves are done; pause, resume and cancel run their
// scripts; unrecoverable faults end the job with the reason; M112 reaches the printer at once.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "strata/streamer/link.hpp"
#include "strata/streamer/streamer.hpp"
#include "strata/streamer/virtual_printer.hpp"

namespace {

namespace fs = std::filesystem;
using namespace strata::streamer;

std::string data_file(const std::string& name) {
    return std::string(STRATA_TEST_DATA_DIR) + "/" + name;
}

double steady_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// The commands a job sends, in order, and the M400 the streamer ends every job with.
std::vector<std::string> job_commands(const std::string& path) {
    JobReader reader;
    std::string error;
    EXPECT_TRUE(reader.open(path, error)) << error;
    std::vector<std::string> commands;
    JobItem item;
    while (reader.next(item))
        if (item.kind == JobItem::Kind::send) commands.emplace_back(item.text);
    commands.emplace_back("M400");
    return commands;
}

// Where two command lists first differ, for a readable failure.
std::string first_difference(const std::vector<std::string>& got,
                             const std::vector<std::string>& expected) {
    for (std::size_t i = 0; i < std::max(got.size(), expected.size()); ++i) {
        const std::string a = i < got.size() ? got[i] : "<end>";
        const std::string b = i < expected.size() ? expected[i] : "<end>";
        if (a == b) continue;
        std::string text = "command " + std::to_string(i);
        text += ": printer ran \"" + a;
        text += "\", job has \"" + b;
        text += "\" (" + std::to_string(got.size());
        text += " vs " + std::to_string(expected.size()) + " commands)";
        return text;
    }
    return "identical";
}

// A job of `lines` short moves around a square, as many lines as asked.
std::string write_moves(const fs::path& path, int lines) {
    std::ofstream out(path);
    out << "G28\nG90\nM83\nG1 Z0.3 F600\n";
    for (int i = 4; i < lines; ++i) {
        const int corner = i % 4;
        out << "G1 X" << (corner == 1 || corner == 2 ? 60 : 40) << '.' << (i % 10) << " Y"
            << (corner >= 2 ? 60 : 40) << " E0.05 F3000\n";
    }
    return path.string();
}

// Polls `done` until it holds or `limit_s` passes; whether it held. Timing-free waits keep the
// tests right on a loaded machine.
bool wait_until(const std::function<bool()>& done, double limit_s) {
    const double until = steady_s() + limit_s;
    while (!done()) {
        if (steady_s() > until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

struct Outcome {
    EventKind end = EventKind::message;
    std::string text;
    std::vector<StreamerEvent> events;
};

// Prints `job` and returns how it ended (waiting at most `limit_s`).
Outcome print(Streamer& streamer, const std::string& job, double limit_s,
              const JobTimeline& timeline = {}) {
    Outcome outcome;
    std::string error;
    EXPECT_TRUE(streamer.start_job(job, timeline, error)) << error;
    const double until = steady_s() + limit_s;
    StreamerEvent event;
    while (steady_s() < until) {
        if (!streamer.wait_event(event, 0.2)) continue;
        outcome.events.push_back(event);
        if (event.kind == EventKind::job_finished || event.kind == EventKind::job_failed ||
            event.kind == EventKind::job_cancelled) {
            outcome.end = event.kind;
            outcome.text = event.text;
            return outcome;
        }
    }
    outcome.text = "no end within the time limit";
    return outcome;
}

class Streaming : public ::testing::Test {
  protected:
    void SetUp() override {
        directory_ = fs::temp_directory_path() /
                     ("strata_stream_" + std::to_string(::getpid()) + "_" +
                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(directory_);
    }
    void TearDown() override {
        streamer_.reset();
        if (printer_) printer_->stop();
        fs::remove_all(directory_);
    }
    void start_printer(const VirtualPrinterConfig& config) {
        printer_ = std::make_unique<VirtualPrinter>(config);
        std::string error;
        ASSERT_TRUE(printer_->start(error)) << error;
    }
    void connect(StreamerConfig config = {}) {
        config.link.target = printer_->path();
        config.protocol.ok_timeout_s = 0.5;
        streamer_ = std::make_unique<Streamer>(config);
        std::string error;
        ASSERT_TRUE(streamer_->connect(error)) << error;
    }
    // The printer's log without the handshake (M110, M115, M155) and, when asked, without the
    // streamer's timeout probes (M105; the jobs tested here have none of their own).
    std::vector<std::string> printed_commands(std::size_t* probes = nullptr) const {
        std::vector<std::string> log = printer_->executed_log();
        std::size_t skip = 0;
        while (skip < log.size() && (log[skip].rfind("M110", 0) == 0 || log[skip] == "M115" ||
                                     log[skip].rfind("M155", 0) == 0))
            ++skip;
        std::vector<std::string> commands;
        for (std::size_t i = skip; i < log.size(); ++i) {
            if (probes != nullptr && log[i] == "M105") {
                ++*probes;
                continue;
            }
            commands.push_back(log[i]);
        }
        return commands;
    }

    fs::path directory_;
    std::unique_ptr<VirtualPrinter> printer_;
    std::unique_ptr<Streamer> streamer_;
};

TEST_F(Streaming, ARealFileArrivesCommandForCommandUnderEveryStrategy) {
    const std::string job = data_file("ps281_mini_cube_m486.gcode");
    const auto expected = job_commands(job);
    for (const SendStrategy strategy :
         {SendStrategy::ping_pong, SendStrategy::counted_window, SendStrategy::byte_counting,
          SendStrategy::advanced_ok, SendStrategy::automatic}) {
        VirtualPrinterConfig printer;
        printer.time_scale = 0.0;
        printer.advanced_ok = strategy == SendStrategy::advanced_ok;
        start_printer(printer);
        StreamerConfig config;
        config.protocol.strategy = strategy;
        connect(config);
        const double began = steady_s();
        const Outcome outcome = print(*streamer_, job, 60.0);
        std::printf("%s %.3f s\n", std::string(to_string(strategy)).c_str(), steady_s() - began);
        EXPECT_EQ(outcome.end, EventKind::job_finished) << to_string(strategy) << outcome.text;
        // A loaded machine (ctest -j2) can delay a reply past the probe timeout: the probe's
        // M105 is the streamer's own, not the job's.
        std::size_t probes = 0;
        EXPECT_EQ(first_difference(printed_commands(&probes), expected), "identical")
            << to_string(strategy);
        const ProtocolCounters counters = streamer_->counters();
        EXPECT_LE(probes, counters.timeouts + counters.stall_probes);
        streamer_.reset();
        printer_->stop();
    }
}

}  // namespace

namespace {

FaultRates recoverable_faults(double rate) {
    FaultRates faults;
    faults.corrupt_line = rate;
    faults.drop_ok = rate;
    faults.duplicate_ok = rate;
    faults.spurious_resend = rate;
    faults.busy = rate;
    return faults;
}

TEST_F(Streaming, NoLineLostNoneRepeatedUnderEveryRecoverableFault) {
    // 100,000 lines, 2 % of lines hit by each recoverable fault kind.
    const std::string job = write_moves(directory_ / "soak.gcode", 100'000);
    const auto expected = job_commands(job);
    for (const bool advanced : {true, false}) {
        VirtualPrinterConfig printer;
        printer.time_scale = 0.0;
        printer.advanced_ok = advanced;
        printer.faults = recoverable_faults(0.02);
        printer.seed = 7;
        start_printer(printer);
        StreamerConfig config;
        config.protocol.strategy =
            advanced ? SendStrategy::advanced_ok : SendStrategy::byte_counting;
        // Lost oks at this rate hold the window often: probe soon, and, without ADVANCED_OK's
        // numbers, re-synchronise the count every 50 lines.
        config.protocol.stall_probe_s = 0.05;
        config.protocol.busy_timeout_s = 0.5;
        config.sync_every_lines = advanced ? 0 : 50;
        connect(config);
        const double began = steady_s();
        const Outcome outcome = print(*streamer_, job, 600.0);
        const ProtocolCounters counters = streamer_->counters();
        std::printf(
            "%s: %.1f s, %llu resends, %llu duplicate requests, %llu timeouts, %llu "
            "resyncs\n",
            std::string(to_string(config.protocol.strategy)).c_str(), steady_s() - began,
            static_cast<unsigned long long>(counters.resends),
            static_cast<unsigned long long>(counters.duplicate_resends),
            static_cast<unsigned long long>(counters.timeouts),
            static_cast<unsigned long long>(counters.resyncs));
        EXPECT_EQ(outcome.end, EventKind::job_finished) << outcome.text;
        std::size_t probes = 0;
        EXPECT_EQ(first_difference(printed_commands(&probes), expected), "identical");
        // Each M105 the printer ran was a probe or a sync, none came from the job.
        EXPECT_LE(probes, counters.timeouts + counters.stall_probes + 100'000 / 50);
        EXPECT_GT(counters.resends, 1000u);  // The faults did happen.
        EXPECT_GT(printer_->state().resend_requests, 2000u);
        streamer_.reset();
        printer_->stop();
    }
}

}  // namespace

namespace {

TEST_F(Streaming, UnrecoverableFaultsEndTheJobWithTheReason) {
    const std::string job = write_moves(directory_ / "moves.gcode", 5000);
    struct Case {
        const char* name;
        void (*set)(FaultRates&);
        const char* reason;
    };
    const std::vector<Case> cases = {
        {"error_halt", [](FaultRates& f) { f.error_halt = 0.001; }, "kill() called"},
        {"thermal_runaway", [](FaultRates& f) { f.thermal_runaway = 0.001; }, "Thermal Runaway"},
        {"reset", [](FaultRates& f) { f.reset = 0.001; }, "printer reset during the print"},
        {"disconnect", [](FaultRates& f) { f.disconnect = 0.001; }, "link closed"}};
    for (const Case& fault : cases) {
        VirtualPrinterConfig printer;
        printer.time_scale = 0.0;
        fault.set(printer.faults);
        printer.seed = 3;
        start_printer(printer);
        connect();
        const Outcome outcome = print(*streamer_, job, 30.0);
        EXPECT_EQ(outcome.end, EventKind::job_failed) << fault.name << ": " << outcome.text;
        EXPECT_NE(outcome.text.find(fault.reason), std::string::npos)
            << fault.name << ": " << outcome.text;
        streamer_.reset();
        printer_->stop();
    }
}

TEST_F(Streaming, ASnapshotWaitsForTheMovesAndTheCamera) {
    // A job with two snapshot blocks as prep writes them: the capture runs with the planner
    // empty and the head where the block parked it.
    std::ofstream(directory_ / "snap.gcode")
        << "G28\nG90\nM83\nG1 Z0.3 F600\nG1 X50 Y50 E1 F3000\n"
           "; STRATA SNAPSHOT BEGIN n=1 layer=1 z=0.300\nG1 X10 Y190 F9000\nM400\n"
           "@STRATA SNAPSHOT n=1\nG1 X50 Y50 F9000\n; STRATA SNAPSHOT END n=1\n"
           "G1 X60 Y60 E1 F3000\n"
           "; STRATA SNAPSHOT BEGIN n=2 layer=2 z=0.300\nG1 X10 Y190 F9000\nM400\n"
           "@STRATA SNAPSHOT n=2\nG1 X60 Y60 F9000\n; STRATA SNAPSHOT END n=2\nG1 X70 Y70 E1\n";
    VirtualPrinterConfig printer_config;
    printer_config.time_scale = 0.02;
    start_printer(printer_config);
    connect();
    std::vector<LiveState> at_capture;
    streamer_->set_capture([&](std::uint32_t, std::string&) {
        at_capture.push_back(printer_->state());
        return true;
    });
    const Outcome outcome = print(*streamer_, (directory_ / "snap.gcode").string(), 30.0);
    ASSERT_EQ(outcome.end, EventKind::job_finished) << outcome.text;
    ASSERT_EQ(at_capture.size(), 2u);
    for (const LiveState& state : at_capture) {
        EXPECT_FALSE(state.moving);
        EXPECT_DOUBLE_EQ(state.position_mm[0], 10.0);
        EXPECT_DOUBLE_EQ(state.position_mm[1], 190.0);
    }
    int snapshots = 0;
    for (const StreamerEvent& event : outcome.events) {
        if (event.kind != EventKind::snapshot) continue;
        ++snapshots;
        EXPECT_TRUE(event.ok);
        EXPECT_GE(event.parked_s, 0.0);
    }
    EXPECT_EQ(snapshots, 2);
}

TEST_F(Streaming, ALateCameraMissesItsSnapshotAndThePrintGoesOn) {
    std::ofstream(directory_ / "snap.gcode")
        << "G28\nG1 X5 Y5 F3000\nM400\n@STRATA SNAPSHOT n=1\nG1 X6 Y6\n";
    VirtualPrinterConfig printer_config;
    printer_config.time_scale = 0.0;
    start_printer(printer_config);
    StreamerConfig config;
    config.capture_timeout_s = 0.2;
    connect(config);
    streamer_->set_capture([](std::uint32_t, std::string&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        return true;
    });
    const Outcome outcome = print(*streamer_, (directory_ / "snap.gcode").string(), 30.0);
    ASSERT_EQ(outcome.end, EventKind::job_finished) << outcome.text;
    bool late = false;
    for (const StreamerEvent& event : outcome.events)
        late = late || (event.kind == EventKind::snapshot && !event.ok &&
                        event.text.find("did not answer") != std::string::npos);
    EXPECT_TRUE(late);
    EXPECT_EQ(printer_->executed_log().back(), "M400");
}

TEST_F(Streaming, PauseParksAndResumeReturnsCancelRunsItsScript) {
    const std::string job = write_moves(directory_ / "moves.gcode", 3000);
    VirtualPrinterConfig printer_config;
    printer_config.time_scale = 0.01;
    start_printer(printer_config);
    StreamerConfig config;
    config.scripts.park_mm = std::array<double, 2>{0.0, 200.0};
    connect(config);
    std::string error;
    ASSERT_TRUE(streamer_->start_job(job, {}, error)) << error;
    ASSERT_TRUE(wait_until([&] { return printer_->executed_log().size() > 100; }, 20.0));
    streamer_->pause();
    StreamerEvent event;
    const double until = steady_s() + 20.0;
    while (steady_s() < until && streamer_->state() != PrinterState::paused)
        streamer_->wait_event(event, 0.1);
    ASSERT_EQ(streamer_->state(), PrinterState::paused);
    ASSERT_TRUE(wait_until(
        [&] {
            const LiveState state = printer_->state();
            return !state.moving && state.position_mm[0] == 0.0 && state.position_mm[1] == 200.0;
        },
        20.0));  // The park moves ran.
    const std::size_t executed_while_paused = printer_->executed_log().size();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_EQ(printer_->executed_log().size(), executed_while_paused);  // Nothing more sent.

    streamer_->resume();
    ASSERT_TRUE(wait_until(
        [&] { return printer_->executed_log().size() > executed_while_paused + 2; }, 20.0));
    const auto log = printer_->executed_log();
    const auto resume_at = std::find(
        log.begin() + static_cast<std::ptrdiff_t>(executed_while_paused), log.end(), "G90");
    ASSERT_NE(resume_at, log.end());
    EXPECT_EQ((resume_at + 1)->rfind("G1 X", 0), 0u);  // The return to where the job stood.
    streamer_->cancel();
    const double cancel_until = steady_s() + 20.0;
    bool cancelled = false;
    while (steady_s() < cancel_until && !cancelled)
        if (streamer_->wait_event(event, 0.1)) cancelled = event.kind == EventKind::job_cancelled;
    EXPECT_TRUE(cancelled);
    const auto final_log = printer_->executed_log();
    EXPECT_EQ(final_log.back(), "M84");
    EXPECT_NE(std::find(final_log.end() - 7, final_log.end(), "M104 S0"), final_log.end());
}

}  // namespace

namespace {

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
        ASSERT_TRUE(streamer_->start_job((directory_ / "slow.gcode").string(), {}, error));
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
    latencies.emplace_back(
        "waiting for the camera", latency_s([&] {
            std::ofstream(directory_ / "snap.gcode") << "G28\nM400\n@STRATA SNAPSHOT n=1\nG1 X5\n";
            VirtualPrinterConfig instant;
            instant.time_scale = 0.0;
            start_printer(instant);
            connect();
            streamer_->set_capture([](std::uint32_t, std::string&) {
                std::this_thread::sleep_for(std::chrono::seconds(3));
                return true;
            });
            std::string error;
            streamer_->start_job((directory_ / "snap.gcode").string(), {}, error);
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

}  // namespace

namespace {

TEST_F(Streaming, TheBaudRateIsFoundByHandshake) {
    // At the wrong rate the virtual UART delivers noise both ways, as a real one does.
    VirtualPrinterConfig printer;
    printer.baud = 250000;
    printer.time_scale = 0.0;
    start_printer(printer);
    StreamerConfig config;
    config.link.baud = 0;  // Auto: 115200 is tried first and gets no answer.
    config.handshake_timeout_s = 0.5;
    connect(config);
    StreamerEvent event;
    std::string connected;
    while (streamer_->poll_event(event))
        if (event.kind == EventKind::connected) connected = event.text;
    EXPECT_NE(connected.find("@ 250000"), std::string::npos) << connected;
    const Outcome outcome = print(*streamer_, data_file("ps281_mini_cube_m486.gcode"), 60.0);
    EXPECT_EQ(outcome.end, EventKind::job_finished) << outcome.text;
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
        std::string error;
        serial_ = open_link({pty, 115200, 1.0}, error);
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
    ASSERT_TRUE(streamer_->connect(error)) << error;
    const std::string job = data_file("ps281_mini_cube_m486.gcode");
    const Outcome outcome = print(*streamer_, job, 60.0);
    EXPECT_EQ(outcome.end, EventKind::job_finished) << outcome.text;
    std::size_t probes = 0;
    EXPECT_EQ(first_difference(printed_commands(&probes), job_commands(job)), "identical");
    streamer_.reset();
}

}  // namespace

namespace {

TEST(Ports, ListedPortsHaveDevicePaths) {
    // Whatever serial ports this machine has (ptys are never among them), each has a path.
    for (const PortInfo& port : list_ports()) {
        EXPECT_EQ(port.path.rfind("/dev/", 0), 0u) << port.path;
        EXPECT_FALSE(port.transport.empty());
    }
}

TEST_F(Streaming, WithoutAutoreportTemperaturesArePolled) {
    VirtualPrinterConfig printer;
    printer.time_scale = 0.0;
    printer.autoreport = false;
    start_printer(printer);
    StreamerConfig config;
    config.temperature_poll_s = 0.1;
    connect(config);
    int readings = 0;
    StreamerEvent event;
    const double until = steady_s() + 2.0;
    while (steady_s() < until && readings < 3)
        if (streamer_->wait_event(event, 0.1) && event.kind == EventKind::temperatures) ++readings;
    EXPECT_EQ(readings, 3);
    const auto log = printer_->executed_log();
    EXPECT_EQ(std::count(log.begin(), log.end(), "M155 S2"), 0);
    EXPECT_GE(std::count(log.begin(), log.end(), "M105"), 3);
}

TEST_F(Streaming, ProgressFollowsTheIndexOfAPreparedJob) {
    // The cube prepared by the strata binary, and the index prep writes beside it.
    const fs::path job = directory_ / "job.gcode";
    const std::string prep = std::string(STRATA_BINARY) + " prep " +
                             data_file("ps281_mini_cube_m486.gcode") + " -o " + job.string() +
                             " > /dev/null";
    ASSERT_EQ(std::system(prep.c_str()), 0);
    JobTimeline timeline;
    std::string error;
    ASSERT_TRUE(load_job_index(job.string() + ".index.json", timeline, error)) << error;
    ASSERT_GT(timeline.snapshots, 0u);
    VirtualPrinterConfig printer;
    printer.time_scale = 0.0;
    start_printer(printer);
    connect();
    const Outcome outcome = print(*streamer_, job.string(), 60.0, timeline);
    ASSERT_EQ(outcome.end, EventKind::job_finished) << outcome.text;
    double last_percent = -1.0;
    std::int64_t last_layer = -1;
    for (const StreamerEvent& event : outcome.events) {
        if (event.kind != EventKind::progress) continue;
        EXPECT_GE(event.progress.percent, last_percent);
        EXPECT_GE(event.progress.layer, last_layer);
        last_percent = event.progress.percent;
        last_layer = event.progress.layer;
    }
    const JobProgress& end = outcome.events.back().progress;
    EXPECT_NEAR(end.percent, 100.0, 0.01);
    EXPECT_EQ(end.layer + 1, static_cast<std::int64_t>(timeline.layers.size()));
    EXPECT_EQ(end.snapshots_taken, timeline.snapshots);
    EXPECT_EQ(end.snapshots_total, timeline.snapshots);
}

}  // namespace

namespace {

TEST_F(Streaming, ACommandTypedBetweenJobsIsSentAndItsReportComesBack) {
    VirtualPrinterConfig printer;
    printer.time_scale = 0.0;
    start_printer(printer);
    connect();
    streamer_->send_command("G1 X12.5 Y7 F3000 ; a comment");
    streamer_->send_command("M114");
    StreamerEvent event;
    bool reported = false;
    const double until = steady_s() + 5.0;
    while (steady_s() < until && !reported)
        reported = streamer_->wait_event(event, 0.1) && event.kind == EventKind::position;
    ASSERT_TRUE(reported);
    EXPECT_DOUBLE_EQ(event.position_mm[0], 12.5);
    EXPECT_DOUBLE_EQ(event.position_mm[1], 7.0);
    const auto log = printer_->executed_log();
    EXPECT_NE(std::find(log.begin(), log.end(), "G1 X12.5 Y7 F3000"), log.end());
}

TEST_F(Streaming, AnArcIsPrintedAsMarlinsOneMillimetreChords) {
    // A half circle of radius 10 around the origin: 31.4 mm, so 32 chords on the circle.
    std::ofstream(directory_ / "arc.gcode") << "G28\nG90\nM83\nG1 X10 Y0 Z0.2 F3000\n"
                                               "G2 X-10 Y0 I-10 J0 E2\n";
    VirtualPrinterConfig printer;
    printer.time_scale = 0.0;
    start_printer(printer);
    connect();
    const Outcome outcome = print(*streamer_, (directory_ / "arc.gcode").string(), 30.0);
    ASSERT_EQ(outcome.end, EventKind::job_finished) << outcome.text;
    const std::vector<PrintedSegment> printed = printer_->printed_since(0);
    ASSERT_EQ(printed.size(), 32u);
    for (const PrintedSegment& segment : printed)
        EXPECT_NEAR(std::hypot(segment.to_mm[0], segment.to_mm[1]), 10.0, 1e-4);
    EXPECT_NEAR(printed.back().to_mm[0], -10.0, 1e-5);
    EXPECT_NEAR(printed.back().to_mm[1], 0.0, 1e-5);
    EXPECT_NEAR(printed[15].to_mm[1], -10.0, 1e-5);  // G2 is clockwise: halfway is (0, -10).
}

}  // namespace
