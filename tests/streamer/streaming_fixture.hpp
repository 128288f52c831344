// What the streamer tests share: the virtual printer and a streamer connected to it on a real
// pty, a job's commands as the printer should log them, and waits that poll for states rather
// than sleep for a time.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "../support/result.hpp"
#include "../support/test_directory.hpp"
#include "strata/streamer/streamer.hpp"
#include "strata/streamer/virtual_printer.hpp"

namespace strata::streamer::testing {

namespace fs = std::filesystem;

inline std::string data_file(const std::string& name) {
    return std::string(STRATA_TEST_DATA_DIR) + "/" + name;
}

inline double steady_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// The commands a job sends, in order, and the M400 the streamer ends every job with.
inline std::vector<std::string> job_commands(const std::string& path) {
    JobReader reader;
    EXPECT_TRUE(strata::testing::ok(reader.open(path)));
    std::vector<std::string> commands;
    JobItem item;
    while (reader.next(item))
        if (item.kind == JobItem::Kind::send) commands.emplace_back(item.text);
    commands.emplace_back("M400");
    return commands;
}

// Where two command lists first differ, for a readable failure.
inline std::string first_difference(const std::vector<std::string>& got,
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
inline std::string write_moves(const fs::path& path, int lines) {
    std::ofstream out(path);
    out << "G28\nG90\nM83\nG1 Z0.3 F600\n";
    for (int i = 4; i < lines; ++i) {
        const int corner = i % 4;
        out << "G1 X" << (corner == 1 || corner == 2 ? 60 : 40) << '.' << (i % 10) << " Y"
            << (corner >= 2 ? 60 : 40) << " E0.05 F3000\n";
    }
    return path.string();
}

// A job with two snapshot blocks as prep writes them, parking at X10 Y190.
inline void write_two_snapshot_job(const fs::path& path) {
    std::ofstream(path) << "G28\nG90\nM83\nG1 Z0.3 F600\nG1 X50 Y50 E1 F3000\n"
                           "; STRATA SNAPSHOT BEGIN n=1 layer=1 z=0.300\nG1 X10 Y190 F9000\nM400\n"
                           "@STRATA SNAPSHOT n=1\nG1 X50 Y50 F9000\n; STRATA SNAPSHOT END n=1\n"
                           "G1 X60 Y60 E1 F3000\n"
                           "; STRATA SNAPSHOT BEGIN n=2 layer=2 z=0.300\nG1 X10 Y190 F9000\nM400\n"
                           "@STRATA SNAPSHOT n=2\nG1 X60 Y60 F9000\n; STRATA SNAPSHOT END "
                           "n=2\nG1 X70 Y70 E1\n";
}

// Polls `done` until it holds or `limit_s` passes; whether it held. Timing-free waits keep the
// tests right on a loaded machine.
inline bool wait_until(const std::function<bool()>& done, double limit_s) {
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
inline Outcome print(Streamer& streamer, const std::string& job, double limit_s,
                     const JobTimeline& timeline = {}) {
    Outcome outcome;
    std::string error;
    EXPECT_TRUE(strata::testing::ok(streamer.start_job(job, timeline)));
    const double until = steady_s() + limit_s;
    StreamerEvent event;
    while (steady_s() < until) {
        if (!streamer.wait_event(event, 0.2)) continue;
        outcome.events.push_back(event);
        if (event.kind == EventKind::job_finished || event.kind == EventKind::job_failed ||
            event.kind == EventKind::job_interrupted || event.kind == EventKind::job_cancelled) {
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
        directory_ = strata::testing::test_directory("strata_stream_");
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
        ASSERT_TRUE(strata::testing::ok(printer_->start()));
    }
    void connect(StreamerConfig config = {}) {
        config.link.target = printer_->path();
        config.protocol.ok_timeout_s = 0.5;
        streamer_ = std::make_unique<Streamer>(config);
        std::string error;
        ASSERT_TRUE(strata::testing::ok(streamer_->connect()));
    }
    // An instant printer, a streamer whose camera deadline is `capture_timeout_s`, and a job
    // with one snapshot; the job's path.
    std::string connect_for_one_snapshot(double capture_timeout_s) {
        std::ofstream(directory_ / "snap.gcode")
            << "G28\nG1 X5 Y5 F3000\nM400\n@STRATA SNAPSHOT n=1\nG1 X6 Y6\n";
        VirtualPrinterConfig printer_config;
        printer_config.time_scale = 0.0;
        start_printer(printer_config);
        StreamerConfig config;
        config.capture_timeout_s = capture_timeout_s;
        connect(config);
        return (directory_ / "snap.gcode").string();
    }
    // The printer's log without the handshake (M110, M105, M115, M155) and without the
    // streamer's own lines: M105 and M114 probes, M105 confirmations and episode closers, M110
    // error-episode markers (counted in `probes` when given). The jobs tested here have none of
    // their own.
    std::vector<std::string> printed_commands(std::size_t* probes = nullptr) const {
        std::vector<std::string> log = printer_->executed_log();
        std::size_t skip = 0;
        while (skip < log.size() && (log[skip].rfind("M110", 0) == 0 || log[skip] == "M115" ||
                                     log[skip] == "M105" || log[skip].rfind("M155", 0) == 0))
            ++skip;
        std::vector<std::string> commands;
        for (std::size_t i = skip; i < log.size(); ++i) {
            if (log[i] == "M105" || log[i] == "M114" || log[i].rfind("M110", 0) == 0) {
                if (probes != nullptr) ++*probes;
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

}  // namespace strata::streamer::testing
