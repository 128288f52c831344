// simulate_print (see strata/streamer/wire_simulation.hpp): a discrete-event loop. At each step
// the printer takes what the wire has brought (a line end, or 32 bytes, at a time: Marlin reads
// its RX buffer between commands, so a whole burst delivered at once would overflow it where
// the real UART does not), runs what is due, and puts its replies on the other wire; the host
// reads the reply lines that have arrived (after its reaction time), runs its timeouts, and
// writes what the window allows, as the streamer thread does. The clock then jumps to the next
// thing that happens: a byte, a firmware event, a host deadline.
#include "strata/streamer/wire_simulation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "firmware.hpp"
#include "wire.hpp"

namespace strata::streamer {
namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();
constexpr std::size_t delivery_bytes = 32;
constexpr std::uint64_t handshake_tag = Protocol::probe_tag;

// The host: the protocol fed from the job as the streamer thread feeds it.
class Host : public ProtocolListener {
  public:
    Host(const std::vector<std::string>& commands, const WireSimulationConfig& config)
        : commands_(commands), config_(config), protocol_(config.protocol, *this) {
        protocol_.use_wire_timing(config.link_bytes_per_s, config.link_reply_latency_s);
    }
    void on_acknowledged(std::uint64_t tag) override {
        if (tag == handshake_tag) {
            handshake_done_ = true;
        } else if (tag < commands_.size() && tag + 1 > acknowledged_) {
            acknowledged_ = tag + 1;
        }
    }
    void on_reply(const Reply& /*reply*/) override {}
    void on_failure(const std::string& reason) override {
        if (failure_.empty()) failure_ = reason;
    }

    Protocol& protocol() { return protocol_; }
    void feed() {
        if (!handshake_done_) return;
        if (!started_) {
            started_ = true;
            if (config_.autoreport_s > 0)
                protocol_.enqueue("M155 S" + std::to_string(config_.autoreport_s), handshake_tag);
        }
        while (next_ < commands_.size() && protocol_.queued() < config_.send_ahead_lines) {
            protocol_.enqueue(commands_[next_], next_);
            ++next_;
        }
    }
    [[nodiscard]] bool handshake_done() const { return handshake_done_; }
    [[nodiscard]] bool done() const {
        return acknowledged_ == commands_.size() && next_ == commands_.size() && protocol_.idle();
    }
    [[nodiscard]] const std::string& failure() const { return failure_; }

  private:
    const std::vector<std::string>& commands_;
    const WireSimulationConfig& config_;
    Protocol protocol_;
    std::size_t next_ = 0;
    std::size_t acknowledged_ = 0;
    bool handshake_done_ = false;
    bool started_ = false;
    std::string failure_;
};

// The printer's side: the firmware on its own clock (real, or jumping while commands wait).
class Printer {
  public:
    explicit Printer(const VirtualPrinterConfig& config) : config_(config), firmware_(config) {}
    void power_on(double now_s) { firmware_.power_on(clock(now_s)); }
    void run(double now_s, std::string_view arrived) {
        firmware_.receive(arrived, now_s);
        firmware_.advance(clock(now_s));
        if (config_.time_scale <= 0.0) firmware_.advance_instantly(instant_s_);
    }
    [[nodiscard]] double next_event_s(double now_s) const {
        const double next = firmware_.next_event_s();
        if (!std::isfinite(next)) return infinity;
        if (config_.time_scale <= 0.0) return next <= instant_s_ ? now_s : infinity;
        return next * config_.time_scale;
    }
    virtual_printer::Firmware& firmware() { return firmware_; }

  private:
    [[nodiscard]] double clock(double now_s) const {
        return config_.time_scale > 0.0 ? now_s / config_.time_scale : instant_s_;
    }
    VirtualPrinterConfig config_;
    virtual_printer::Firmware firmware_;
    double instant_s_ = 0.0;
};

// When the next delivery to the printer is due: the end of the next line on the wire, or of the
// next `delivery_bytes`, whichever comes first.
double next_delivery_s(const virtual_printer::Wire& wire) {
    if (wire.empty()) return infinity;
    const std::string_view on_wire = wire.on_wire();
    const std::size_t line_end = on_wire.find('\n');
    const std::size_t count = std::min(
        line_end == std::string_view::npos ? on_wire.size() : line_end + 1, delivery_bytes);
    return wire.across_s(count);
}

// What the firmware ran from `first` on, without the protocol's own lines (its M105 and M114
// probes, M105 confirmations and closers, its M110 markers, the M155 before the job, where the job
// has no such command at that place) and without the commands damaged on the wire (counted in
// `damaged`).
std::vector<std::string> job_part(const virtual_printer::Firmware& firmware, std::size_t first,
                                  const std::vector<std::string>& expected, std::uint64_t& own,
                                  std::uint64_t& damaged) {
    const std::vector<std::string>& log = firmware.executed_log();
    const std::vector<std::size_t>& damaged_at = firmware.damaged_in_log();
    auto next_damaged = std::lower_bound(damaged_at.begin(), damaged_at.end(), first);
    std::vector<std::string> kept;
    kept.reserve(log.size() - first);
    std::size_t at = 0;
    for (std::size_t i = first; i < log.size(); ++i) {
        if (next_damaged != damaged_at.end() && *next_damaged == i) {
            ++next_damaged;
            ++damaged;
            continue;
        }
        const std::string& command = log[i];
        const bool protocol_line = command == "M105" || command == "M114" || command == "M110" ||
                                   command.starts_with("M110 ") || command.starts_with("M155 ");
        if (protocol_line && (at >= expected.size() || expected[at] != command)) {
            ++own;
            continue;
        }
        kept.push_back(command);
        ++at;
    }
    return kept;
}

}  // namespace

double WireSimulationResult::wire_use(int baud) const {
    if (baud <= 0 || elapsed_s <= 0.0) return 0.0;
    return static_cast<double>(job_bytes) / (elapsed_s * baud / 10.0);
}

WireSimulationResult simulate_print(const std::vector<std::string>& commands,
                                    const WireSimulationConfig& config) {
    std::vector<std::string> job = commands;
    job.emplace_back("M400");
    WireSimulationResult result;
    for (std::size_t i = 0; i < job.size(); ++i) {
        std::string numbered;
        append_numbered(numbered, i + 1, job[i]);
        result.job_bytes += numbered.size();
    }
    Host host(job, config);
    Printer printer(config.printer);
    virtual_printer::Wire to_printer(config.printer.baud);
    virtual_printer::Wire to_host(config.printer.baud);
    std::string from_printer;  // Reply bytes across, not yet a whole line.
    std::string out;
    double now_s = 0.0;
    double started_s = -1.0;
    std::size_t handshake_log = 0;
    printer.power_on(now_s);
    host.protocol().reset(now_s);
    while (now_s <= config.limit_s) {
        // The printer.
        const std::string_view arrived = to_printer.arrived(now_s);
        printer.run(now_s, arrived);
        const std::string replies_out = printer.firmware().take_output();
        if (config.trace && !replies_out.empty()) config.trace(now_s, '<', replies_out);
        to_host.push(replies_out, now_s);
        // The host, once its reaction time after a reply has passed.
        const std::string_view replies =
            to_host.arrived(std::max(0.0, now_s - config.host_reaction_s));
        from_printer.append(replies);
        std::size_t start = 0;
        for (std::size_t end = from_printer.find('\n'); end != std::string::npos;
             start = end + 1, end = from_printer.find('\n', start))
            host.protocol().on_received(std::string_view(from_printer).substr(start, end - start),
                                        now_s);
        from_printer.erase(0, start);
        if (!host.failure().empty()) break;
        if (host.handshake_done() && started_s < 0.0) {
            started_s = now_s;
            handshake_log = printer.firmware().executed_log().size();
        }
        host.feed();
        host.protocol().on_tick(out, now_s);
        host.protocol().fill(out, now_s);
        if (config.trace && !out.empty()) config.trace(now_s, '>', out);
        to_printer.push(out, now_s);
        out.clear();
        if (host.done()) break;
        const double next_s = std::min({next_delivery_s(to_printer), printer.next_event_s(now_s),
                                        to_host.next_s() + config.host_reaction_s,
                                        host.protocol().next_deadline_s()});
        if (!std::isfinite(next_s)) break;  // Nothing will ever happen again: hung.
        now_s = std::max(next_s, std::nextafter(now_s, infinity));
    }
    result.finished = host.done() && host.failure().empty();
    if (!result.finished) {
        result.failure = !host.failure().empty() ? host.failure()
                         : now_s > config.limit_s
                             ? "not finished after " + std::to_string(config.limit_s) + " s"
                             : "the conversation stopped: nothing left to wait for";
    }
    result.elapsed_s = now_s - std::max(0.0, started_s);
    result.executed = job_part(printer.firmware(), handshake_log, job, result.probes_executed,
                               result.damaged_ran);
    result.counters = host.protocol().counters();
    result.printer = printer.firmware().live_state();
    return result;
}

bool ran_as_sent(const WireSimulationResult& result, const std::vector<std::string>& expected) {
    if (!result.finished) return false;
    // `executed` must be `expected` with at most one line left out per damaged line that ran
    // or was refused as an unknown command in its place (counted in damaged_lines_taken).
    std::size_t skipped = 0;
    std::size_t at = 0;
    for (const std::string& command : result.executed) {
        while (at < expected.size() && expected[at] != command) {
            ++at;
            ++skipped;
        }
        if (at == expected.size()) return false;  // Out of order, or run twice.
        ++at;
    }
    skipped += expected.size() - at;
    return skipped <= result.printer.damaged_lines_taken;
}

}  // namespace strata::streamer
