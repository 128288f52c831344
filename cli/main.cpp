// strata: one binary, one subcommand per pipeline job. Dispatch only; every subcommand lives in
// its own file.
#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "commands.hpp"

namespace {

// The machine the binary was built for: a cross build for a Raspberry Pi says so.
constexpr const char* target_machine() {
#if defined(__aarch64__)
    return "aarch64";
#elif defined(__x86_64__)
    return "x86_64";
#elif defined(__arm__)
    return "arm";
#else
    return "unknown machine";
#endif
}

void print_usage(std::FILE* out) {
    std::fputs(
        "usage: strata <command> [options]\n"
        "       strata --version\n"
        "\n"
        "commands:\n"
        "  analyze FILE [--json] [--no-time] [--time-model=slicer|firmware]\n"
        "                               parse, simulate and time a G-code file; report on it\n"
        "  prep FILE [-o OUT] [--profile P.json] [--set key=value]... [--json]\n"
        "            [--printer PRINTER.json] [--index PATH | --no-index]\n"
        "                               compile FILE into an annotated job with verified\n"
        "                               timelapse snapshot blocks (in place without -o)\n"
        "  verify ORIGINAL ANNOTATED [--profile P.json] [--set key=value]... [--json]\n"
        "         [--printer PRINTER.json]\n"
        "                               prove an annotated job prints what ORIGINAL does\n"
        "  bench FILE... [--json] [--repeat N]\n"
        "                               throughput and peak memory of each pipeline stage\n"
        "  print FILE --port PATH [--baud N] [--profile P.json] [--set key=value]...\n"
        "        [--strategy S] [--window N] [--rx-buffer BYTES]\n"
        "                               print FILE (prepared first with a profile) with a\n"
        "                               progress line; Ctrl-C cancels, twice stops at once\n"
        "  virtual-printer [--link PATH] [--baud N] [--time-scale X] [--advanced-ok]\n"
        "        [--fault KIND=RATE]... [--seed N]\n"
        "                               a Marlin-like printer on a pty; prints its path\n"
        "  render FRAMES_DIR|FRAMES.tar -o OUT.mp4|.webm|.gif [--fps N | --length S]\n"
        "         [--pre-roll S] [--post-roll S] [--rotate D] [--flip-h] [--flip-v]\n"
        "         [--overlay TEMPLATE] [--thumbnail PATH] [--crf N] [--json]\n"
        "                               render timelapse frames into a video, in-process\n"
        "  user add NAME [--admin|--operator|--viewer] [--data DIR] [--json]\n"
        "                               add a server user; prints its password and API key once\n"
        "  serve [--listen ADDR:PORT] [--data DIR] [--port DEVICE] [--baud N] [--demo]\n"
        "                               the REST API (OctoPrint-compatible) and the print "
        "pipeline\n"
        "\n"
        "exit codes: 0 ok, 1 bad usage, 2 file unreadable, 3 not G-code (empty, binary, no "
        "commands),\n"
        "            4 no snapshot plan possible (printable area unknown, prepared already),\n"
        "            5 the job could not be written, 6 not equivalent (nothing was replaced),\n"
        "            7 the print failed or was cancelled, 8 no link or no handshake\n",
        out);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        print_usage(stderr);
        return strata::cli::exit_code::usage;
    }
    const std::string_view command = argv[1];
    const std::vector<std::string> arguments(argv + 2, argv + argc);
    const auto asks_for_help = [](const std::string& argument) {
        return argument == "--help" || argument == "-h";
    };
    if (command == "help" || asks_for_help(std::string(command)) ||
        std::any_of(arguments.begin(), arguments.end(), asks_for_help)) {
        print_usage(stdout);
        return strata::cli::exit_code::ok;
    }
    if (command == "--version" || command == "version") {
        std::printf("strata %s (%s)\n", STRATA_VERSION, target_machine());
        return strata::cli::exit_code::ok;
    }
    if (command == "analyze") return strata::cli::run_analyze(arguments);
    if (command == "bench") return strata::cli::run_bench(arguments);
    if (command == "prep") return strata::cli::run_prep(arguments);
    if (command == "verify") return strata::cli::run_verify(arguments);
    if (command == "print") return strata::cli::run_print(arguments);
    if (command == "virtual-printer") return strata::cli::run_virtual_printer(arguments);
    if (command == "render") return strata::cli::run_render(arguments);
    if (command == "user") return strata::cli::run_user(arguments);
    if (command == "serve") return strata::cli::run_serve(arguments);
    std::fprintf(stderr, "strata: unknown command '%s'\n\n", argv[1]);
    print_usage(stderr);
    return strata::cli::exit_code::usage;
}
