// Micro-benchmarks of the parser stage: one line through the lexer, one line through lexer and
// simulator, and one whole layer of a real PrusaSlicer file through the full analysis loop.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "strata/parser/lexer.hpp"
#include "strata/parser/simulator.hpp"

namespace {

using namespace strata::parser;

void BM_LexLine(benchmark::State& state, const char* text) {
    const std::string line = text;
    for (auto iteration : state) {
        (void)iteration;
        GcodeLine lexed = lex_line(line);
        benchmark::DoNotOptimize(lexed);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * (line.size() + 1)));
}
BENCHMARK_CAPTURE(BM_LexLine, move, "G1 X97.619 Y110.652 E0.02735");
BENCHMARK_CAPTURE(BM_LexLine, comment, "; perimeters extrusion width = 0.45mm");
BENCHMARK_CAPTURE(BM_LexLine, macro, "SET_VELOCITY_LIMIT ACCEL=5000 ACCEL_TO_DECEL=2500");

void BM_LexAndSimulateMoveLine(benchmark::State& state) {
    const std::vector<std::string> lines = {"G1 X97.619 Y110.652 E0.02735",
                                            "G1 X98.112 Y110.201 E0.02101",
                                            "G1 X98.5 Y109.7 E0.0202", "G1 X97.619 Y110.652 E0.03"};
    Simulator simulator(MachineConfig{});
    Diagnostics diagnostics;
    simulator.step(lex_line("M83"), 1, diagnostics);
    std::uint64_t number = 1;
    for (auto iteration : state) {
        (void)iteration;
        for (const std::string& line : lines) {
            benchmark::DoNotOptimize(simulator.step(lex_line(line), ++number, diagnostics));
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * lines.size()));
}
BENCHMARK(BM_LexAndSimulateMoveLine);

// One layer of a real file: the lines between the 10th and 11th ";LAYER_CHANGE".
std::vector<std::string> one_layer() {
    std::ifstream in(std::string(STRATA_TEST_DATA_DIR) + "/ps281_mini_cube_m486.gcode");
    std::vector<std::string> layer;
    std::string line;
    int changes = 0;
    while (std::getline(in, line)) {
        if (line.rfind(";LAYER_CHANGE", 0) == 0) ++changes;
        if (changes == 10) layer.push_back(line);
        if (changes > 10) break;
    }
    return layer;
}

void BM_LexAndSimulateOneLayer(benchmark::State& state) {
    const std::vector<std::string> layer = one_layer();
    std::size_t bytes = 0;
    for (const std::string& line : layer)
        bytes += line.size() + 1;
    for (auto iteration : state) {
        (void)iteration;
        Simulator simulator(MachineConfig{});
        Diagnostics diagnostics;
        std::uint64_t number = 0;
        for (const std::string& line : layer)
            benchmark::DoNotOptimize(simulator.step(lex_line(line), ++number, diagnostics));
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * layer.size()));
}
BENCHMARK(BM_LexAndSimulateOneLayer);

}  // namespace

BENCHMARK_MAIN();
