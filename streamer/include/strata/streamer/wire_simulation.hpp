// The host's protocol against the virtual printer's firmware over an emulated serial wire, on a
// simulated clock: the same `Protocol` the streamer thread drives and the same `Firmware` the
// virtual printer runs, joined by two wires that carry 10 bits a byte at the baud rate and lose
// what finds the RX buffer full. Nothing waits for real time, so a 100,000-line job at 115200
// baud is simulated in seconds, and a seed makes every run repeatable: the soak benchmark and
// the short fault tests use it to show every line runs exactly once, in order, under each fault.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "strata/streamer/protocol.hpp"
#include "strata/streamer/virtual_printer.hpp"

namespace strata::streamer {

struct WireSimulationConfig {
    /// The printer: its `baud` is the wire's (0: a flow-controlled native USB port), its
    /// faults, its variant of Marlin. `time_scale` 0 runs commands instantly (the wire alone
    /// sets the pace), 1 in real time.
    VirtualPrinterConfig printer;
    ProtocolConfig protocol;
    /// What the streamer would learn from the link: its speed (bytes/s; 0: unknown, as a pty
    /// reports) and its reply latency.
    double link_bytes_per_s = 0.0;
    double link_reply_latency_s = 0.002;
    /// From a reply's arrival to the host's answer leaving (the host's reaction time).
    double host_reaction_s = 100e-6;
    std::size_t send_ahead_lines = 16;  ///< As `StreamerConfig::send_ahead_lines`.
    /// `M155 S<n>` before the job, as the streamer asks a firmware that can autoreport: the
    /// temperature reports show the printer alive under a long move. 0: none.
    int autoreport_s = 2;
    double limit_s = 36'000.0;  ///< Simulated seconds before the run counts as hung.
    /// When set, every line crossing: the simulated time, '>' to the printer or '<' to the
    /// host, and the bytes (as they left, before any wire fault).
    std::function<void(double, char, std::string_view)> trace;
};

struct WireSimulationResult {
    bool finished = false;   ///< Every line acknowledged and the protocol idle.
    std::string failure;     ///< The protocol's reason, or the time limit.
    double elapsed_s = 0.0;  ///< Simulated time from the handshake to the last ok.
    /// What the firmware ran after the handshake, without the protocol's own lines and
    /// without the lines damaged on the wire that its checks let through (`damaged_ran`).
    std::vector<std::string> executed;
    std::uint64_t damaged_ran = 0;
    /// Of those, the protocol's own lines (M105 probes, M110 markers), removed from `executed`.
    std::uint64_t probes_executed = 0;
    ProtocolCounters counters;
    LiveState printer;
    std::uint64_t job_bytes = 0;  ///< The job's lines as numbered on the wire, each once.
    /// `job_bytes` over what the wire could carry in `elapsed_s`.
    [[nodiscard]] double wire_use(int baud) const;
};

/// Streams `commands` (plus the final M400 the streamer sends) through the protocol to the
/// firmware.
[[nodiscard]] WireSimulationResult simulate_print(const std::vector<std::string>& commands,
                                                  const WireSimulationConfig& config);

/// Whether the run printed the job exactly once, in order, allowing only for what no host can
/// prevent: each line the firmware took damaged (an XOR checksum collision) may stand in for
/// one line of the job. `expected` is the job with its final M400.
[[nodiscard]] bool ran_as_sent(const WireSimulationResult& result,
                               const std::vector<std::string>& expected);

}  // namespace strata::streamer
