// Server load benchmark: `GET /api/job` hammered by wrk over loopback while a job streams to the
// virtual printer, and browsers (five by default) following the event stream with its terminal
// lines and temperatures; whether the streamer's pacing suffers. The same file is printed again
// and again on one server: quietly, under wrk, and with the event stream readers, for the whole
// print. For each print,
// seen on the wire by the printer: the gaps between consecutive lines (set mostly by the printer's
// own pace: a long move holds the next ok back), and the host's reaction time, from each ok to
// the line sent in answer (the streamer's own part: its thread, the kernel's pty path). Quiet
// and loaded should match. The printer thread runs at SCHED_FIFO like the
// microcontroller it stands for (root only), the streamer thread as it always does.
// wrk runs in a session of its own (`setsid`), as a client started anywhere else would: the
// kernel then schedules it in its own autogroup. Run as our child, in our session
// (`--wrk-session shared`), it held the pty's flip-buffer work back by up to 0.65 s.
// usage: server_benchmark [--file F] [--time-scale X] [--connections N] [--threads N]
//                         [--rounds N] [--wrk-session own|shared]
//                         [--load wrk|events|push|both|all] [--event-clients N] [--push-clients N]
// `push`: OctoPrint clients on the push API's WebSocket (authenticated, so each gets `current`
// twice a second with the temperatures and terminal lines), as FDM Monster keeps one a printer.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "event_clients.hpp"
#include "flags.hpp"
#include "spread.hpp"
#include "strata/server/accounts.hpp"
#include "strata/server/clock.hpp"
#include "strata/server/library.hpp"
#include "strata/server/server.hpp"
#include "strata/server/sessions.hpp"
#include "strata/streamer/virtual_printer.hpp"
#include "vm_steal.hpp"

namespace {

using namespace strata;

struct Options {
    std::string file = STRATA_SAMPLE_GCODE;
    double time_scale = 0.05;
    int connections = 64;
    int wrk_threads = 2;
    int rounds = 2;
    bool wrk_own_session = true;
    bool wrk = true;     ///< A print under wrk in each round.
    bool events = true;  ///< A print with event stream readers in each round.
    int event_clients = 5;
    bool push = false;  ///< A print with push API clients (OctoPrint's socket) in each round.
    int push_clients = 5;
};

using benchmarks::Spread;
using benchmarks::spread_of;

struct Gaps {
    std::uint64_t underruns = 0;  ///< The printer's planner ran dry waiting for the host.
    Spread between_lines;         ///< Line to line: mostly the printer's own pace.
    Spread reaction;              ///< An ok to the line the host sends in answer.
    std::size_t lines = 0;
};

// The gaps between lines, and the host's reaction: for each ok followed by a line before the
// next ok, the time from the ok's write to that line's arrival. The first measures the
// printer's pace as much as the host's; the second only the host (streamer, kernel, pty).
Gaps summarise(const std::vector<double>& arrivals, const std::vector<double>& oks) {
    Gaps gaps;
    gaps.lines = arrivals.size();
    std::vector<double> between;
    for (std::size_t i = 1; i < arrivals.size(); ++i)
        between.push_back((arrivals[i] - arrivals[i - 1]) * 1000.0);
    gaps.between_lines = spread_of(std::move(between));
    std::vector<double> reaction;
    auto arrival = arrivals.begin();
    for (std::size_t i = 0; i < oks.size(); ++i) {
        arrival = std::upper_bound(arrival, arrivals.end(), oks[i]);
        if (arrival == arrivals.end()) break;
        if (i + 1 < oks.size() && *arrival > oks[i + 1]) continue;  // Not an answer to this ok.
        reaction.push_back((*arrival - oks[i]) * 1000.0);
    }
    gaps.reaction = spread_of(std::move(reaction));
    return gaps;
}

// Prints the file to its end; the gaps between its lines' arrivals, and the underruns.
Gaps print_once(server::Server& server, streamer::VirtualPrinter& printer,
                const server::StoredFile& file) {
    const std::size_t before = printer.line_arrivals_s().size();
    const std::size_t oks_before = printer.ok_writes_s().size();
    const std::uint64_t underruns_before = printer.state().planner_underruns;
    if (const Status selected = server.printer().select(file, true); !selected) {
        std::fprintf(stderr, "server_benchmark: %s\n", selected.error().message.c_str());
        std::exit(1);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    while (server.printer().status().state != streamer::PrinterState::operational)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const std::vector<double> all = printer.line_arrivals_s();
    const std::vector<double> oks = printer.ok_writes_s();
    Gaps gaps = summarise({all.begin() + static_cast<std::ptrdiff_t>(before), all.end()},
                          {oks.begin() + static_cast<std::ptrdiff_t>(oks_before), oks.end()});
    gaps.underruns = printer.state().planner_underruns - underruns_before;
    return gaps;
}

// "N req/s, latency avg/p99-ish" from wrk's output, and any errors it counted.
std::string wrk_summary(const std::filesystem::path& output) {
    std::ifstream in(output);
    std::string line;
    std::string summary;
    while (std::getline(in, line)) {
        if (line.find("Requests/sec:") != std::string::npos) {
            std::string rate = line.substr(line.find(':') + 1);
            rate += " req/s";
            summary.insert(0, rate);
        }
        if (line.find("Latency") != std::string::npos) summary.append(";").append(line);
        if (line.find("Non-2xx") != std::string::npos ||
            line.find("Socket errors") != std::string::npos)
            summary.append("; ").append(line);
    }
    return summary;
}

void report(const char* label, const Gaps& gaps) {
    std::printf(
        "%-20s %6zu lines  between lines p50 %7.3f p99 %8.3f max %8.3f ms;  "
        "reaction to ok (%zu) p50 %6.3f p99 %6.3f max %7.3f ms;  underruns %llu\n",
        label, gaps.lines, gaps.between_lines.p50_ms, gaps.between_lines.p99_ms,
        gaps.between_lines.max_ms, gaps.reaction.samples, gaps.reaction.p50_ms,
        gaps.reaction.p99_ms, gaps.reaction.max_ms,
        static_cast<unsigned long long>(gaps.underruns));
}

Options parse_options(int argc, char** argv) {
    Options options;
    benchmarks::parse_flags(
        argc, argv,
        {{"--file", [&](const std::string& v) { return !(options.file = v).empty(); }},
         {"--time-scale",
          [&](const std::string& v) {
              return benchmarks::read_double(v, 0.0, options.time_scale);
          }},
         {"--connections",
          [&](const std::string& v) { return benchmarks::read_int(v, 1, options.connections); }},
         {"--threads",
          [&](const std::string& v) { return benchmarks::read_int(v, 1, options.wrk_threads); }},
         {"--rounds",
          [&](const std::string& v) { return benchmarks::read_int(v, 1, options.rounds); }},
         {"--wrk-session",
          [&](const std::string& v) {
              options.wrk_own_session = v == "own";
              return v == "own" || v == "shared";
          }},
         {"--load",
          [&](const std::string& v) {
              options.wrk = v == "wrk" || v == "both" || v == "all";
              options.events = v == "events" || v == "both" || v == "all";
              options.push = v == "push" || v == "all";
              return options.wrk || options.events || options.push;
          }},
         {"--event-clients",
          [&](const std::string& v) { return benchmarks::read_int(v, 1, options.event_clients); }},
         {"--push-clients",
          [&](const std::string& v) { return benchmarks::read_int(v, 1, options.push_clients); }}},
        "server_benchmark [--file F] [--time-scale X] [--connections N] [--threads N] "
        "[--rounds N] [--wrk-session own|shared] [--load wrk|events|push|both|all] "
        "[--event-clients N] [--push-clients N]");
    return options;
}

// An admin's API key in a new store under `data`, or empty with `error`.
struct BenchUser {
    std::string key;
    std::string push_auth;  ///< "bench:<session>", the push API's auth.
};

BenchUser add_bench_user(const std::filesystem::path& data, std::string& error) {
    server::Database db;
    if (const Status opened = db.open(data / "strata.db"); !opened) {
        error = opened.error().message;
        return {};
    }
    const Result<server::NewUser> created =
        server::Accounts(db).add_user("bench", server::Role::admin, std::nullopt);
    if (!created) {
        error = created.error().message;
        return {};
    }
    const Result<server::NewSession> session =
        server::Sessions(db).open(created->user.id, server::unix_now_s());
    if (!session) {
        error = session.error().message;
        return {};
    }
    return {created->api_key, "bench:" + session->token};
}

// The file goes in as an upload would, and is prepared once.
bool store_file(server::Server& server, const std::string& file, server::StoredFile& stored,
                std::string& error) {
    Result<std::unique_ptr<server::Upload>> begun = server.library().begin_upload();
    if (!begun) {
        error = begun.error().message;
        return false;
    }
    std::ifstream in(file, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    const std::string name = std::filesystem::path(file).filename().string();
    Status written = (*begun)->write(content.str());
    Result<server::StoredFile> committed =
        written ? (*begun)->commit(name, name, false) : Result<server::StoredFile>(written.error());
    if (!committed) {
        error = committed.error().message;
        return false;
    }
    stored = *committed;
    server.library().wait_idle();
    stored = *server.library().find(stored.id);
    return true;
}

std::string wrk_command(const Options& options, int port, const std::string& key, int seconds,
                        const std::filesystem::path& output) {
    std::string command = options.wrk_own_session ? "setsid " : "";
    command += "wrk -t" + std::to_string(options.wrk_threads);
    command += " -c" + std::to_string(options.connections);
    command += " -d" + std::to_string(seconds) + "s";
    command += " -H 'X-Api-Key: " + key + "'";
    command += " http://127.0.0.1:" + std::to_string(port) + "/api/job";
    command += " > " + output.string() + " 2>&1";
    return command;
}

struct Round {
    Gaps quiet;
    Gaps loaded;
    Gaps streamed;
    Gaps pushed;
    std::string rate;
    bench::EventClientTotals read;
    bench::EventClientTotals push_read;
    double pushed_steal_s = 0.0;
    double quiet_s = 0.0;
    double quiet_steal_s = 0.0;
    double loaded_steal_s = 0.0;
    double streamed_steal_s = 0.0;
};

// A quiet print; the same print with wrk running for as long as the quiet one took; and again
// with the event stream readers connected from before its first line to after its last.
Round run_round(server::Server& server, streamer::VirtualPrinter& printer,
                const server::StoredFile& stored, const Options& options, const BenchUser& user,
                const std::filesystem::path& data) {
    const std::string& key = user.key;
    // Each print starts the same time after the last one ended (the readers' connecting time):
    // when the printer's idle temperature polls fall shifts the job's lines.
    const auto settle = [] { std::this_thread::sleep_for(std::chrono::milliseconds(300)); };
    Round round;
    settle();
    double steal_s = bench::steal_s();
    const auto started = std::chrono::steady_clock::now();
    round.quiet = print_once(server, printer, stored);
    round.quiet_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    round.quiet_steal_s = bench::steal_s() - steal_s;
    if (options.wrk) {
        steal_s = bench::steal_s();
        const std::string wrk = wrk_command(options, server.port(), key,
                                            static_cast<int>(round.quiet_s), data / "wrk.txt");
        settle();
        std::thread load([&wrk] { (void)std::system(wrk.c_str()); });
        round.loaded = print_once(server, printer, stored);
        load.join();
        round.loaded_steal_s = bench::steal_s() - steal_s;
        round.rate = wrk_summary(data / "wrk.txt");
    }
    if (options.events) {
        steal_s = bench::steal_s();
        bench::EventClients clients(options.event_clients, server.port(), key);
        settle();  // All connected.
        round.streamed = print_once(server, printer, stored);
        round.read = clients.stop();
        round.streamed_steal_s = bench::steal_s() - steal_s;
    }
    if (options.push) {
        steal_s = bench::steal_s();
        bench::EventClients clients(options.push_clients, server.port(), key, user.push_auth);
        settle();  // All connected and authenticated.
        round.pushed = print_once(server, printer, stored);
        round.push_read = clients.stop();
        round.pushed_steal_s = bench::steal_s() - steal_s;
    }
    return round;
}

// A print with `count` readers connected (event streams or push clients), and what they read.
void report_readers(const char* what, int count, const Gaps& gaps,
                    const bench::EventClientTotals& read) {
    char label[64];
    std::snprintf(label, sizeof label, "  %d %s", count, what);
    report(label, gaps);
    std::printf("  %s read %llu messages, %llu bytes in all\n", what,
                static_cast<unsigned long long>(read.events),
                static_cast<unsigned long long>(read.bytes));
}

void report_round(const Round& round, const Options& options) {
    report("  quiet print", round.quiet);
    if (options.wrk) {
        report("  print under wrk", round.loaded);
        std::printf("  GET /api/job (wrk -t%d -c%d): %s\n", options.wrk_threads,
                    options.connections, round.rate.c_str());
    }
    if (options.events)
        report_readers("event streams", options.event_clients, round.streamed, round.read);
    if (options.push)
        report_readers("push clients", options.push_clients, round.pushed, round.push_read);
    std::printf(
        "  steal: %.2f s quiet, %.2f s under wrk, %.2f s with event streams, %.2f s with push "
        "clients\n",
        round.quiet_steal_s, round.loaded_steal_s, round.streamed_steal_s, round.pushed_steal_s);
}

int fail(const std::string& error) {
    std::fprintf(stderr, "server_benchmark: %s\n", error.c_str());
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    const Options options = parse_options(argc, argv);
    const std::filesystem::path data = std::filesystem::temp_directory_path() /
                                       ("strata-server-bench-" + std::to_string(getpid()));
    std::filesystem::create_directories(data);
    std::string error;
    const BenchUser user = add_bench_user(data, error);
    if (user.key.empty()) return fail(error);
    streamer::VirtualPrinterConfig printer_config;
    printer_config.time_scale = options.time_scale;
    printer_config.realtime_priority = true;
    printer_config.log_limit = 100'000'000;
    streamer::VirtualPrinter printer(printer_config);
    if (const Status started = printer.start(); !started) return fail(started.error().message);
    server::ServerConfig config;
    config.data_directory = data;
    config.http.port = 0;
    config.printer.streamer.link.target = printer.path();
    config.printer.timelapse_directory = data / "timelapse";
    server::Server server(config);
    server::StoredFile stored;
    if (const Status started = server.start(); !started) return fail(started.error().message);
    if (const Status connected = server.printer().connect({}); !connected)
        return fail(connected.error().message);
    if (!store_file(server, options.file, stored, error)) return fail(error);

    // A first print heats the printer, so every measured print starts hot; then quiet and
    // loaded prints alternate, `--rounds` of each.
    (void)print_once(server, printer, stored);
    std::vector<Round> rounds;
    rounds.reserve(static_cast<std::size_t>(options.rounds));
    for (int round = 0; round < options.rounds; ++round)
        rounds.push_back(run_round(server, printer, stored, options, user, data));
    std::printf("file %s, printer time scale %.3f, print %.1f s, wrk in %s session\n",
                stored.display_name.c_str(), options.time_scale, rounds.front().quiet_s,
                options.wrk_own_session ? "its own" : "our");
    for (std::size_t round = 0; round < rounds.size(); ++round) {
        std::printf("round %zu\n", round + 1);
        report_round(rounds[round], options);
    }
    server.stop();
    printer.stop();
    std::filesystem::remove_all(data);
    return 0;
}
