// Fuzz target: the whole analysis of a file (`analyze_file`: line reader, lexer, dialects, the
// simulator, layers) on the input as a file, held in memory (memfd). The analysis must end with
// a result or an error value, never a crash or a hang, and reading the lines on a worker thread
// must give the same analysis as reading them inline.
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "strata/parser/analysis.hpp"

namespace {

using strata::fuzz::require;
using strata::parser::Analysis;

bool same(const Analysis& a, const Analysis& b) {
    const auto equal = [](double x, double y) {
        return x == y || (std::isnan(x) && std::isnan(y));
    };
    return a.lines == b.lines && a.command_lines == b.command_lines &&
           a.layers.size() == b.layers.size() && a.moves.print == b.moves.print &&
           a.moves.travel == b.moves.travel && a.moves.retract == b.moves.retract &&
           a.moves.arcs == b.moves.arcs && equal(a.print_distance_mm, b.print_distance_mm) &&
           equal(a.travel_distance_mm, b.travel_distance_mm) &&
           a.filament_mm.size() == b.filament_mm.size() &&
           a.diagnostics.error_count() == b.diagnostics.error_count() &&
           a.diagnostics.warning_count() == b.diagnostics.warning_count() &&
           a.slicer.slicer == b.slicer.slicer;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const int fd = ::memfd_create("fuzz.gcode", MFD_CLOEXEC);
    if (fd < 0) return 0;
    if (size > 0 && ::write(fd, data, size) != static_cast<ssize_t>(size)) {
        ::close(fd);
        return 0;
    }
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    strata::parser::AnalysisOptions inline_lexing;
    const strata::Result<strata::parser::Analysis> first =
        strata::parser::analyze_file(path, inline_lexing);
    strata::parser::AnalysisOptions worker_lexing;
    worker_lexing.lex_on_worker_thread = true;
    const strata::Result<strata::parser::Analysis> second =
        strata::parser::analyze_file(path, worker_lexing);
    ::close(fd);
    require(first.ok() == second.ok(), "a worker thread changes whether the file is G-code");
    if (!first) {
        require(first.error().code == second.error().code &&
                    first.error().message == second.error().message,
                "a worker thread changes the analysis error");
        require(!first.error().message.empty(), "an analysis error without a message");
        return 0;
    }
    require(first->bytes == size, "the analysis did not read every byte");
    require(same(*first, *second), "a worker thread changes the analysis");
    return 0;
}
