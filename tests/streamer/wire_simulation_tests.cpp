// The short version of the soak benchmark (benchmarks/soak_benchmark.cpp): a real 2,147-command
// PrusaSlicer job through the protocol to the strict Marlin 2 firmware over an emulated 115200
// baud UART, on a simulated clock, under the faults the protocol survives today (duplicated oks,
// RX overruns, lost oks under ping-pong and all faults at once still fail in the benchmark), with
// the firmware discarding its RX buffer on each resend request and keeping it. Every command
// must run exactly once, in order.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "strata/streamer/job.hpp"
#include "strata/streamer/wire_simulation.hpp"

namespace strata::streamer {
namespace {

std::vector<std::string> sample_job() {
    JobReader reader;
    std::string error;
    EXPECT_TRUE(
        reader.open(std::string(STRATA_TEST_DATA_DIR) + "/ps281_mini_cube_m486.gcode", error))
        << error;
    std::vector<std::string> commands;
    JobItem item;
    while (reader.next(item))
        if (item.kind == JobItem::Kind::send) commands.emplace_back(item.text);
    return commands;
}

struct Case {
    const char* fault;
    void (*set)(FaultRates&);
    std::vector<SendStrategy> strategies;
    bool keeping_too = true;  ///< Also with a firmware that keeps its RX buffer.
};

void expect_every_line_once(const std::vector<std::string>& job, const Case& fault,
                            SendStrategy strategy, bool discard_rx, std::uint64_t seed) {
    WireSimulationConfig config;
    config.printer.baud = 115200;
    config.printer.time_scale = 0.0;
    config.printer.advanced_ok = strategy == SendStrategy::advanced_ok;
    config.printer.flush_rx_on_resend = discard_rx;
    config.printer.seed = seed;
    fault.set(config.printer.faults);
    config.protocol.strategy = strategy;
    const WireSimulationResult result = simulate_print(job, config);
    std::vector<std::string> expected = job;
    expected.emplace_back("M400");
    const std::string where = std::string(fault.fault) + " " + std::string(to_string(strategy)) +
                              (discard_rx ? " discarding" : " keeping") + " seed " +
                              std::to_string(seed);
    EXPECT_TRUE(result.finished) << where << ": " << result.failure;
    ASSERT_EQ(result.executed.size(), expected.size()) << where;
    for (std::size_t i = 0; i < expected.size(); ++i)
        ASSERT_EQ(result.executed[i], expected[i]) << where << ", command " << i;
}

TEST(WireSimulation, EveryLineRunsOnceInOrderUnderTheFaultsSurvived) {
    const std::vector<std::string> job = sample_job();
    const std::vector<SendStrategy> all = {SendStrategy::automatic, SendStrategy::ping_pong,
                                           SendStrategy::counted_window,
                                           SendStrategy::byte_counting, SendStrategy::advanced_ok};
    const std::vector<Case> cases = {
        {"clean", [](FaultRates&) {}, all},
        // Not yet with a kept RX buffer: the soak benchmark finds a window run there whose last
        // line is taken as done without having run (an open part of the streamer issue).
        {"corrupt 2%", [](FaultRates& f) { f.corrupt_line = 0.02; }, all, false},
        {"spurious 2%", [](FaultRates& f) { f.spurious_resend = 0.02; }, all},
        {"busy 2%", [](FaultRates& f) { f.busy = 0.02; }, all},
        {"lost ok 2%",
         [](FaultRates& f) { f.drop_ok = 0.02; },
         {SendStrategy::automatic, SendStrategy::counted_window, SendStrategy::byte_counting,
          SendStrategy::advanced_ok}},
    };
    for (const Case& fault : cases)
        for (const SendStrategy strategy : fault.strategies)
            for (const bool discard_rx : {true, false})
                for (std::uint64_t seed = 1; seed <= 2 && (discard_rx || fault.keeping_too); ++seed)
                    expect_every_line_once(job, fault, strategy, discard_rx, seed);
}

// The failure the issue was filed for: on a pty the link has no wire rate, so a wait for
// silence ended at once and each follower's refusal rewound again, until "communication
// stuck". The episode's marker needs no timing.
TEST(WireSimulation, ACorruptedLineIsOneRewindWhateverTheLinkSaysOfItsSpeed) {
    const std::vector<std::string> job = sample_job();
    WireSimulationConfig config;
    config.printer.baud = 115200;
    config.printer.time_scale = 0.0;
    config.printer.faults.corrupt_line = 0.01;
    config.link_bytes_per_s = 0.0;
    config.link_reply_latency_s = 0.0005;
    config.protocol.strategy = SendStrategy::byte_counting;
    const WireSimulationResult result = simulate_print(job, config);
    EXPECT_TRUE(result.finished) << result.failure;
    EXPECT_GT(result.counters.resends, 5u);  // The faults did happen.
    EXPECT_EQ(result.executed.size(), job.size() + 1);
}

}  // namespace
}  // namespace strata::streamer
