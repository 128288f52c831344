// The streamer against the virtual printer on a real pty: whole jobs end with the printer's
// executed log equal to the job's commands, under each send strategy and under injected faults;
// snapshots stop the stream until the moves are done; pause, resume and cancel run their
// scripts; unrecoverable faults end the job with the reason; M112 reaches the printer at once.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

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
        if (a != b)
            return "command " + std::to_string(i) + ": printer ran \"" + a + "\", job has \"" + b +
                   "\" (" + std::to_string(got.size()) + " vs " + std::to_string(expected.size()) +
                   " commands)";
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
        EXPECT_EQ(first_difference(printed_commands(), expected), "identical")
            << to_string(strategy);
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
