// The streamer's soak: a real job of 100,000 commands through the host protocol to the strict
// Marlin 2 virtual firmware over an emulated UART (strata/streamer/wire_simulation.hpp, a
// simulated clock, so a run takes seconds), for every send strategy, at 115200 and 250000 baud,
// clean and with each fault kind alone and all together, over several seeds, for each firmware
// variant (RX discarded with a resend request or kept; duplicates rejected or skipped). A run
// passes when the firmware ran the job's commands exactly once each, in order. The table gives
// the passes, the median simulated time against the clean run's, the wire use of clean runs, and
// the resends and probes. The printer has ADVANCED_OK only for that strategy: `auto` meets a
// Marlin without it, as most are built. Exit status 1 when any run failed.
#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "flags.hpp"
#include "strata/streamer/job.hpp"
#include "strata/streamer/wire_simulation.hpp"

namespace {

using strata::streamer::FaultRates;
using strata::streamer::SendStrategy;

constexpr std::string_view usage =
    "soak_benchmark [--file F.gcode] [--lines N] [--seeds N] [--first-seed N] [--rate R] "
    "[--variant "
    "all|discard|keep|skip|marlin1]\n"
    "               [--baud B] [--strategy S] [--fault F] [--trace 1] [--time-scale X]\n"
    "  B, S, F: run only that baud rate, send strategy or fault (clean, corrupt, lost_ok, "
    "dup_ok,\n  busy, spurious, overrun, all); --trace 1 prints the conversation to stderr; X: "
    "the\n"
    "  printer's time scale (default 0: commands run at once, the wire sets the pace; 1: moves\n"
    "  take their real time, so lines wait in the RX buffer behind a full command queue)\n"
    "  F: a real job (default ../shared/corpus/prusaslicer/ps271_benchy_arcfit_m486.gcode);\n"
    "  N: its first N commands (default 100000); R: each fault's rate (default 0.02);\n"
    "  seeds run: --first-seed (default 1) and the --seeds - 1 after it, so one failing run\n"
    "  reported as `seed K` is repeated alone by --first-seed K --seeds 1";

struct Fault {
    const char* name;
    void (*set)(FaultRates&, double);
};

const std::vector<Fault>& faults() {
    static const std::vector<Fault> all = {
        {"clean", [](FaultRates&, double) {}},
        {"corrupt", [](FaultRates& f, double r) { f.corrupt_line = r; }},
        {"lost_ok", [](FaultRates& f, double r) { f.drop_ok = r; }},
        {"dup_ok", [](FaultRates& f, double r) { f.duplicate_ok = r; }},
        {"busy", [](FaultRates& f, double r) { f.busy = r; }},
        {"spurious", [](FaultRates& f, double r) { f.spurious_resend = r; }},
        {"overrun", [](FaultRates& f, double r) { f.rx_overrun = r; }},
        {"all", [](FaultRates& f, double r) {
             f.corrupt_line = f.drop_ok = f.duplicate_ok = f.busy = f.spurious_resend =
                 f.rx_overrun = r;
         }}};
    return all;
}

struct Variant {
    const char* name;
    bool discard_rx;
    bool reject_duplicates;
    bool refuse_headless = false;  ///< Marlin 1.x's "No Line Number with checksum".
};

std::vector<std::string> read_job(const std::string& path, std::size_t lines) {
    strata::streamer::JobReader reader;
    if (const strata::Status opened = reader.open(path); !opened) {
        std::fprintf(stderr, "soak_benchmark: %s\n", opened.error().message.c_str());
        std::exit(2);
    }
    std::vector<std::string> commands;
    strata::streamer::JobItem item;
    while (commands.size() < lines && reader.next(item))
        if (item.kind == strata::streamer::JobItem::Kind::send) commands.emplace_back(item.text);
    return commands;
}

double median(std::vector<double> values) {
    if (values.empty()) return 0.0;
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

// First index where the firmware's log and the job part, or -1.
long first_difference(const std::vector<std::string>& ran, const std::vector<std::string>& job) {
    const std::size_t common = std::min(ran.size(), job.size());
    for (std::size_t i = 0; i < common; ++i)
        if (ran[i] != job[i]) return static_cast<long>(i);
    return ran.size() == job.size() ? -1 : static_cast<long>(common);
}

struct Options {
    std::string file = "../shared/corpus/prusaslicer/ps271_benchy_arcfit_m486.gcode";
    int lines = 100'000;
    int seeds = 5;
    int first_seed = 1;  ///< Seeds run are first_seed .. first_seed + seeds - 1.
    double rate = 0.02;
    std::string variant = "all";
    int baud = 0;
    std::string strategy;
    std::string fault;
    int trace = 0;
    double time_scale = 0.0;  ///< The printer's: 0 runs commands instantly, 1 in real time.
};

// One configuration over every seed.
struct Row {
    int passed = 0;
    /// Runs in which the firmware took lines damaged on the wire that Marlin's XOR checksum did
    /// not catch (two equal bytes lost, a merge whose sum agrees), and otherwise ran the job
    /// exactly once, in order (`ran_as_sent`). No host can find those lines, so these runs are
    /// counted apart from the host's failures.
    int collided = 0;
    int failed = 0;
    std::vector<double> times_s;
    std::vector<double> uses;
    std::uint64_t resends = 0;
    std::uint64_t probes = 0;
};

void print_failure(const char* what, const strata::streamer::WireSimulationResult& result,
                   const std::vector<std::string>& expected, long difference) {
    std::fprintf(stderr,
                 "%s: %s; first difference at command %ld (%zu ran; the firmware took %llu "
                 "damaged lines)\n",
                 what, result.failure.c_str(), difference, result.executed.size(),
                 static_cast<unsigned long long>(result.printer.damaged_lines_taken));
    if (!result.executed.empty())
        std::fprintf(stderr, "  the last command run: \"%s\"\n", result.executed.back().c_str());
    // Where the job was left, which is what `ran_as_sent` weighs against the damaged lines:
    // a long skip is a line run twice or out of order (it was found again further on).
    std::size_t job_at = 0;
    int skips_shown = 0;
    for (std::size_t k = 0; k < result.executed.size() && skips_shown < 4; ++k) {
        const std::size_t from = job_at;
        while (job_at < expected.size() && expected[job_at] != result.executed[k])
            ++job_at;
        if (job_at != from) {
            std::fprintf(stderr, "  run %zu, \"%s\", is job command %zu: %zu skipped\n", k,
                         result.executed[k].c_str(), job_at, job_at - from);
            ++skips_shown;
        }
        if (job_at == expected.size()) break;
        ++job_at;
    }
    for (long i = std::max(0L, difference - 2); i >= 0 && i < difference + 3; ++i) {
        const auto at = static_cast<std::size_t>(i);
        std::fprintf(stderr, "  %ld: ran \"%s\" job \"%s\"\n", i,
                     at < result.executed.size() ? result.executed[at].c_str() : "<end>",
                     at < expected.size() ? expected[at].c_str() : "<end>");
    }
}

void trace_to_stderr(double at_s, char direction, std::string_view bytes) {
    std::fprintf(stderr, "%.6f %c %.*s", at_s, direction, static_cast<int>(bytes.size()),
                 bytes.data());
    if (!bytes.ends_with('\n')) std::fputc('\n', stderr);
}

Row run_row(const std::vector<std::string>& job, const Options& options, const Variant& variant,
            int baud, SendStrategy strategy, const Fault& fault) {
    std::vector<std::string> expected = job;
    expected.emplace_back("M400");
    Row row;
    for (int seed = options.first_seed; seed < options.first_seed + options.seeds; ++seed) {
        strata::streamer::WireSimulationConfig config;
        config.printer.baud = baud;
        config.printer.time_scale = options.time_scale;
        config.printer.advanced_ok = strategy == SendStrategy::advanced_ok;
        config.printer.flush_rx_on_resend = variant.discard_rx;
        config.printer.reject_duplicate_lines = variant.reject_duplicates;
        config.printer.refuse_checksum_without_number = variant.refuse_headless;
        config.printer.seed = static_cast<std::uint64_t>(seed);
        fault.set(config.printer.faults, options.rate);
        config.protocol.strategy = strategy;
        if (options.trace != 0) config.trace = trace_to_stderr;
        const auto result = strata::streamer::simulate_print(job, config);
        const long difference = first_difference(result.executed, expected);
        if (result.finished && difference < 0 && result.damaged_ran == 0) {
            ++row.passed;
        } else if (strata::streamer::ran_as_sent(result, expected)) {
            ++row.collided;
        } else {
            ++row.failed;
            const std::string what = std::string("FAILED ") + variant.name + " " +
                                     std::to_string(baud) + " " + std::string(to_string(strategy)) +
                                     " " + fault.name + " seed " + std::to_string(seed);
            print_failure(what.c_str(), result, expected, difference);
        }
        row.times_s.push_back(result.elapsed_s);
        row.uses.push_back(result.wire_use(baud));
        row.resends += result.counters.resends;
        row.probes += result.counters.timeouts + result.counters.stall_probes;
    }
    return row;
}

bool wanted(const Options& options, int baud, SendStrategy strategy, const Fault& fault) {
    return (options.baud == 0 || options.baud == baud) &&
           (options.strategy.empty() || to_string(strategy) == options.strategy) &&
           (options.fault.empty() || options.fault == fault.name ||
            std::string_view(fault.name) == "clean");
}

Options parse_options(int argc, char** argv) {
    namespace b = strata::benchmarks;
    Options o;
    b::parse_flags(
        argc, argv,
        {{"--file", [&](const std::string& v) { return !(o.file = v).empty(); }},
         {"--lines", [&](const std::string& v) { return b::read_int(v, 1, o.lines); }},
         {"--seeds", [&](const std::string& v) { return b::read_int(v, 1, o.seeds); }},
         {"--first-seed", [&](const std::string& v) { return b::read_int(v, 1, o.first_seed); }},
         {"--rate", [&](const std::string& v) { return b::read_double(v, 0.0, o.rate); }},
         {"--baud", [&](const std::string& v) { return b::read_int(v, 1, o.baud); }},
         {"--strategy",
          [&](const std::string& v) {
              SendStrategy parsed{};
              o.strategy = v;
              return strata::streamer::parse_send_strategy(v, parsed);
          }},
         {"--fault",
          [&](const std::string& v) {
              o.fault = v;
              return std::any_of(faults().begin(), faults().end(),
                                 [&](const Fault& f) { return v == f.name; });
          }},
         {"--trace", [&](const std::string& v) { return b::read_int(v, 0, o.trace); }},
         {"--time-scale",
          [&](const std::string& v) { return b::read_double(v, 0.0, o.time_scale); }},
         {"--variant",
          [&](const std::string& v) {
              o.variant = v;
              return v == "all" || v == "discard" || v == "keep" || v == "skip" || v == "marlin1";
          }}},
        usage);
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    const Options options = parse_options(argc, argv);
    const std::vector<std::string> job =
        read_job(options.file, static_cast<std::size_t>(options.lines));
    std::printf("job: %zu commands of %s; fault rate %.3f; %d seeds\n", job.size(),
                options.file.c_str(), options.rate, options.seeds);
    const std::vector<Variant> variants = {{"discard", true, true},
                                           {"keep", false, true},
                                           {"skip", true, false},
                                           {"marlin1", true, true, true}};
    const std::vector<SendStrategy> strategies = {
        SendStrategy::automatic, SendStrategy::ping_pong, SendStrategy::counted_window,
        SendStrategy::byte_counting, SendStrategy::advanced_ok};
    int failed_runs = 0;
    std::printf("%-8s %-7s %-14s %-9s %6s %8s %9s %7s %9s %8s %7s\n", "variant", "baud", "strategy",
                "fault", "passed", "collided", "median_s", "x_clean", "wire_use", "resends",
                "probes");
    for (const Variant& variant : variants) {
        if (options.variant != "all" && options.variant != variant.name) continue;
        for (const int baud : {115200, 250000}) {
            for (const SendStrategy strategy : strategies) {
                double clean_s = 0.0;
                for (const Fault& fault : faults()) {
                    if (!wanted(options, baud, strategy, fault)) continue;
                    const Row row = run_row(job, options, variant, baud, strategy, fault);
                    failed_runs += row.failed;
                    const double median_s = median(row.times_s);
                    if (std::string_view(fault.name) == "clean") clean_s = median_s;
                    std::printf(
                        "%-8s %-7d %-14s %-9s %3d/%-2d %8d %9.2f %7.3f %8.1f%% %8llu %7llu\n",
                        variant.name, baud, std::string(to_string(strategy)).c_str(), fault.name,
                        row.passed, options.seeds, row.collided, median_s,
                        clean_s > 0.0 ? median_s / clean_s : 0.0, 100.0 * median(row.uses),
                        static_cast<unsigned long long>(row.resends / options.seeds),
                        static_cast<unsigned long long>(row.probes / options.seeds));
                    std::fflush(stdout);
                }
            }
        }
    }
    std::printf("%d failed runs\n", failed_runs);
    return failed_runs == 0 ? 0 : 1;
}
