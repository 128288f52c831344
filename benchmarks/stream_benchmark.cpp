// Streaming benchmark: the streamer against the virtual printer, each in its own process (the
// printer is a forked child on a real pty), so the CPU time measured is the streamer's alone.
//   1. Link utilization per send strategy at 115200 and 250000 baud with a Marlin-sized RX
//      buffer (128 bytes, BUFSIZE 4) and instant moves: bytes sent once (resent ones are wire
//      time lost) over the wire's capacity, and the resend requests acted on.
//   2. Lines per second over an unthrottled pty (native USB: flow controlled, instant moves).
//   3. The streamer's CPU use while the printer consumes about 1,000 lines/s in real time: the
//      whole process's (getrusage), and the streaming thread's own (its schedstat run time).
// usage: stream_benchmark [--lines N] [--part utilization|unthrottled|realtime]
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "flags.hpp"
#include "strata/streamer/streamer.hpp"
#include "strata/streamer/virtual_printer.hpp"
#include "vm_steal.hpp"

namespace {

using namespace strata::streamer;

double steady_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

double cpu_s() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// Seconds the thread named "strata-stream" has run, from /proc (0 when there is none).
double streaming_thread_cpu_s() {
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
        std::ifstream comm(task.path() / "comm");
        std::string name;
        std::getline(comm, name);
        if (name != "strata-stream") continue;
        std::ifstream schedstat(task.path() / "schedstat");
        double run_ns = 0.0;
        schedstat >> run_ns;
        return run_ns * 1e-9;
    }
    return 0.0;
}

// A virtual printer in a child process; its pty path comes back through a pipe.
class PrinterProcess {
  public:
    explicit PrinterProcess(const VirtualPrinterConfig& config) {
        int ends[2];
        if (::pipe(ends) != 0) return;
        child_ = ::fork();
        if (child_ == 0) {
            ::close(ends[0]);
            VirtualPrinter printer(config);
            const std::string path = printer.start() ? printer.path() + "\n" : "\n";
            (void)!::write(ends[1], path.data(), path.size());
            ::pause();  // Until the parent's SIGTERM.
            ::_exit(0);
        }
        ::close(ends[1]);
        char buffer[256] = {};
        const ssize_t got = ::read(ends[0], buffer, sizeof buffer - 1);
        ::close(ends[0]);
        if (got > 1) path_.assign(buffer, static_cast<std::size_t>(got - 1));
    }
    ~PrinterProcess() {
        if (child_ > 0) {
            ::kill(child_, SIGKILL);
            ::waitpid(child_, nullptr, 0);
        }
    }
    PrinterProcess(const PrinterProcess&) = delete;
    PrinterProcess& operator=(const PrinterProcess&) = delete;
    [[nodiscard]] const std::string& path() const { return path_; }

  private:
    pid_t child_ = -1;
    std::string path_;
};

struct Result {
    bool ok = false;
    double seconds = 0.0;
    double cpu_s = 0.0;
    double thread_cpu_s = 0.0;  ///< The streaming thread's alone.
    double steal_s = 0.0;       ///< CPU time the hypervisor took meanwhile (all CPUs).
    ProtocolCounters counters;
    std::uint64_t lines = 0;
};

Result stream(const VirtualPrinterConfig& printer_config, SendStrategy strategy,
              const std::string& job) {
    Result result;
    PrinterProcess printer(printer_config);
    if (printer.path().empty()) return result;
    StreamerConfig config;
    config.link.target = printer.path();
    config.link.baud = printer_config.baud > 0 ? printer_config.baud : 115200;
    config.protocol.strategy = strategy;
    // The printer emulates a UART on a pty: the pty alone would say there is no wire.
    if (printer_config.baud > 0) config.protocol.wire_bytes_per_s = printer_config.baud / 10.0;
    Streamer streamer(config);
    strata::Status ready = streamer.connect();
    if (ready) ready = streamer.start_job(job, {});
    if (!ready) {
        std::fprintf(stderr, "stream_benchmark: %s\n", ready.error().message.c_str());
        return result;
    }
    const ProtocolCounters before = streamer.counters();
    const double began_s = steady_s();
    const double began_cpu_s = cpu_s();
    const double began_thread_cpu_s = streaming_thread_cpu_s();
    const double began_steal_s = strata::bench::steal_s();
    StreamerEvent event;
    for (;;) {
        if (!streamer.wait_event(event, 1.0)) continue;
        if (event.kind == EventKind::job_failed) {
            std::fprintf(stderr, "stream_benchmark: the job failed: %s\n", event.text.c_str());
            return result;
        }
        if (event.kind == EventKind::job_finished) break;
    }
    result.seconds = steady_s() - began_s;
    result.cpu_s = cpu_s() - began_cpu_s;
    result.thread_cpu_s = streaming_thread_cpu_s() - began_thread_cpu_s;
    result.steal_s = strata::bench::steal_s() - began_steal_s;
    result.counters = streamer.counters();
    result.counters.bytes_sent -= before.bytes_sent;
    result.counters.lines_sent -= before.lines_sent;
    result.counters.bytes_resent -= before.bytes_resent;
    result.counters.resends -= before.resends;
    result.lines = event.progress.line;
    result.ok = true;
    return result;
}

// Short moves along a square, `lines` of them.
std::string square_job(const std::filesystem::path& path, int lines) {
    std::ofstream out(path);
    out << "G90\nM83\n";
    for (int i = 2; i < lines; ++i) {
        const int corner = i % 4;
        out << "G1 X" << (corner == 1 || corner == 2 ? 60 : 40) << '.' << (i % 10) << " Y"
            << (corner >= 2 ? 60 : 40) << " E0.05 F3000\n";
    }
    return path.string();
}

// 0.1 mm segments back and forth at 120 mm/s: about 1,000 lines per second with the turns.
std::string segment_job(const std::filesystem::path& path, int lines) {
    std::ofstream out(path);
    out << "G90\nM83\nG1 X0 Y100 F7200\n";
    for (int i = 1; i <= lines; ++i) {
        const int step = i % 2000;  // Back and forth over 200 mm.
        const double x_mm = i / 2000 % 2 == 0 ? step * 0.1 : 200.0 - step * 0.1;
        out << "G1 X" << x_mm << " E0.004\n";  // F7200 from the first line: 120 mm/s.
    }
    return path.string();
}

const char* name_of(SendStrategy strategy) {
    switch (strategy) {
        case SendStrategy::ping_pong: return "ping-pong";
        case SendStrategy::counted_window: return "window (4 lines)";
        case SendStrategy::byte_counting: return "byte counting (127 B)";
        case SendStrategy::advanced_ok: return "ADVANCED_OK";
        default: return "auto";
    }
}

constexpr SendStrategy strategies[] = {SendStrategy::ping_pong, SendStrategy::counted_window,
                                       SendStrategy::byte_counting, SendStrategy::advanced_ok};

bool link_utilization(const std::string& square, int lines) {
    std::printf("Link utilization (%d-line job, RX 128 B, BUFSIZE 4, instant moves)\n", lines);
    std::printf("%-24s %8s %10s %10s %12s %8s %7s\n", "strategy", "baud", "lines/s", "bytes/s",
                "utilization", "resends", "steal");
    for (const int baud : {115200, 250000}) {
        for (const SendStrategy strategy : strategies) {
            VirtualPrinterConfig printer;
            printer.realtime_priority = true;
            printer.baud = baud;
            printer.time_scale = 0.0;
            printer.advanced_ok = strategy == SendStrategy::advanced_ok;
            const Result result = stream(printer, strategy, square);
            if (!result.ok) return false;
            // Bytes sent a second time are wire time lost, not used.
            const double bytes_s =
                static_cast<double>(result.counters.bytes_sent - result.counters.bytes_resent) /
                result.seconds;
            std::printf("%-24s %8d %10.0f %10.0f %11.1f%% %8llu %6.0f%%\n", name_of(strategy), baud,
                        static_cast<double>(result.lines) / result.seconds, bytes_s,
                        100.0 * bytes_s / (baud / 10.0),
                        static_cast<unsigned long long>(result.counters.resends),
                        100.0 * result.steal_s / result.seconds / 2.0);
        }
    }
    return true;
}

bool unthrottled(const std::string& long_square, int lines) {
    std::printf("Unthrottled pty (native USB, instant moves, %d lines)\n", lines);
    for (const SendStrategy strategy : strategies) {
        VirtualPrinterConfig printer;
        printer.realtime_priority = true;
        printer.time_scale = 0.0;
        printer.advanced_ok = strategy == SendStrategy::advanced_ok;
        const Result result = stream(printer, strategy, long_square);
        if (!result.ok) return false;
        std::printf("%-24s %10.0f lines/s   streamer CPU %.0f%% of a core\n", name_of(strategy),
                    static_cast<double>(result.lines) / result.seconds,
                    100.0 * result.cpu_s / result.seconds);
    }
    return true;
}

bool real_time(const std::string& segments) {
    // A 32-bit board's planner (64 blocks) and 3000 mm/s² let 0.1 mm segments run at 100 mm/s;
    // Marlin's 16-block default caps them near 70 mm/s.
    std::printf("Real time: 0.1 mm segments at 120 mm/s, 5000 lines, 64-block planner\n");
    VirtualPrinterConfig printer;
    printer.realtime_priority = true;
    printer.time_scale = 1.0;
    printer.planner_blocks = 64;
    printer.limits.print_acceleration_mm_s2 = 3000.0;
    printer.limits.max_print_acceleration_mm_s2 = 3000.0;
    const Result result = stream(printer, SendStrategy::automatic, segments);
    if (!result.ok) return false;
    // The VM's steal is shown beside: CPU time taken by the hypervisor slows everything down.
    std::printf(
        "%10.0f lines/s   streamer process CPU %.1f%% of a core, streaming thread "
        "%.1f%%   (VM steal meanwhile %.0f%% of the 2 CPUs)\n",
        static_cast<double>(result.lines) / result.seconds, 100.0 * result.cpu_s / result.seconds,
        100.0 * result.thread_cpu_s / result.seconds,
        100.0 * result.steal_s / result.seconds / 2.0);
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    int lines = 3000;
    std::string part;
    strata::benchmarks::parse_flags(
        argc, argv,
        {{"--lines",
          [&](const std::string& v) { return strata::benchmarks::read_int(v, 1, lines); }},
         {"--part",
          [&](const std::string& v) {
              part = v;
              return v == "utilization" || v == "unthrottled" || v == "realtime";
          }}},
        "stream_benchmark [--lines N] [--part utilization|unthrottled|realtime]");
    const auto directory = std::filesystem::temp_directory_path();
    const std::string square = square_job(directory / "strata_stream_square.gcode", lines);
    const std::string long_square = square_job(directory / "strata_stream_long.gcode", lines * 10);
    const std::string segments = segment_job(directory / "strata_stream_segments.gcode", 5000);
    bool ok = true;
    if (ok && (part.empty() || part == "utilization")) ok = link_utilization(square, lines);
    if (ok && (part.empty() || part == "unthrottled")) ok = unthrottled(long_square, lines * 10);
    if (ok && (part.empty() || part == "realtime")) ok = real_time(segments);
    std::filesystem::remove(square);
    std::filesystem::remove(segments);
    std::filesystem::remove(long_square);
    return ok ? 0 : 1;
}
