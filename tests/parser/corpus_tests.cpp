// The corpus test: every real slicer file in ../shared/corpus (or $STRATA_CORPUS) must analyze
// with no errors; where the file has layer comments, the layer count must agree with them
// (counted here independently, by regular expression) within max(1, 0.5 %); and every printed
// move must lie inside the reported bounding box.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <numeric>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../support/corpus_required.hpp"
#include "../support/result.hpp"
#include "analysis_fingerprint.hpp"
#include "line_difference.hpp"
#include "strata/parser/analysis.hpp"
#include "strata/parser/lexer.hpp"

namespace strata::parser {
namespace {

std::filesystem::path corpus_directory() {
    if (const char* from_environment = std::getenv("STRATA_CORPUS")) return from_environment;
    return std::filesystem::path(STRATA_SHARED_DIR) / "corpus";
}

std::vector<std::filesystem::path> corpus_files() {
    std::vector<std::filesystem::path> files;
    const auto directory = corpus_directory();
    if (!std::filesystem::is_directory(directory)) return files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(directory)) {
        if (entry.path().extension() == ".gcode") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

// Layer comments as the slicers write them, matched line by line with std::regex: a second,
// independent reading of the file.
std::size_t count_layer_comments(const std::filesystem::path& path) {
    static const std::regex marker(
        R"(^\s*;\s*(LAYER_CHANGE|LAYER:-?\d|CHANGE_LAYER|Layer #\d|<layer>|layer \d+, Z = ))");
    std::ifstream in(path, std::ios::binary);
    std::string line;
    std::size_t count = 0;
    while (std::getline(in, line)) {
        if (line.find(';') != std::string::npos && std::regex_search(line, marker)) ++count;
    }
    return count;
}

class Corpus : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(Corpus, AnalyzesCleanly) {
    const std::filesystem::path& path = GetParam();
    AnalysisOptions options;
    std::vector<std::array<double, 4>> printed;  // start x, start y, end x, end y ... z below
    std::vector<double> printed_z;
    options.on_line = [&](const LineEvent& event) {
        const MachineState& state = event.state;
        const auto& from = event.start_position_mm;
        if (event.simulated && state.move == MoveKind::extrude &&
            (from[0] != state.position_mm[0] || from[1] != state.position_mm[1])) {
            printed.push_back({from[0], from[1], state.position_mm[0], state.position_mm[1]});
            printed_z.push_back(state.position_mm[2]);
        }
    };
    const Result<Analysis> result = analyze_file(path.string(), options);
    ASSERT_TRUE(strata::testing::ok(result));
    const Analysis& analysis = *result;

    EXPECT_EQ(analysis.diagnostics.error_count(), 0u)
        << "first: line " << analysis.diagnostics.first().front().line << ": "
        << analysis.diagnostics.first().front().message;

    const std::size_t comments = count_layer_comments(path);
    if (comments > 0) {
        const double allowed = std::max(1.0, 0.005 * static_cast<double>(comments));
        EXPECT_LE(
            std::abs(static_cast<double>(analysis.layers.size()) - static_cast<double>(comments)),
            allowed)
            << analysis.layers.size() << " layers reported, " << comments
            << " layer comments in the file";
    }

    // Every printed millimetre is counted under exactly one feature; a file whose slicer labels
    // features leaves (almost) nothing unlabelled: at most 2 % (start G-code purge lines).
    const auto& by_feature = analysis.print_distance_by_feature_mm;
    const double labelled_mm = std::accumulate(by_feature.begin() + 1, by_feature.end(), 0.0);
    EXPECT_NEAR(labelled_mm + by_feature[0], analysis.print_distance_mm,
                1e-6 * analysis.print_distance_mm + 1e-9);
    if (labelled_mm > 0.0) {
        EXPECT_LE(by_feature[0], 0.02 * analysis.print_distance_mm);
    }

    if (printed.empty()) return;
    ASSERT_FALSE(analysis.printed_bbox.empty);
    const auto& box = analysis.printed_bbox;
    constexpr double tolerance = 1e-9;
    std::size_t outside = 0;
    for (std::size_t i = 0; i < printed.size(); ++i) {
        const auto& move = printed[i];
        for (std::size_t axis = 0; axis < 2; ++axis) {
            for (double value : {move[axis], move[axis + 2]}) {
                outside +=
                    (value < box.min_mm[axis] - tolerance || value > box.max_mm[axis] + tolerance)
                        ? 1
                        : 0;
            }
        }
        outside +=
            (printed_z[i] < box.min_mm[2] - tolerance || printed_z[i] > box.max_mm[2] + tolerance)
                ? 1
                : 0;
    }
    EXPECT_EQ(outside, 0u) << "of " << printed.size() << " printed moves";
}

// Lexing on a worker thread must leave every line event and the analysis as they were.
TEST_P(Corpus, LexingOnAWorkerThreadChangesNothing) {
    const std::string path = GetParam().string();
    AnalysisOptions options;
    const testing::AnalysisFingerprint inline_lexed = testing::fingerprint_of(path, options);
    options.lex_on_worker_thread = true;
    const testing::AnalysisFingerprint threaded = testing::fingerprint_of(path, options);
    EXPECT_EQ(threaded.summary, inline_lexed.summary);
    EXPECT_TRUE(threaded.line_hashes == inline_lexed.line_hashes)
        << threaded.line_hashes.size() << " events threaded, " << inline_lexed.line_hashes.size()
        << " inline";
    EXPECT_GT(threaded.line_hashes.size(), 0u);
}

// lex_line's shortcut for common lines must read every line of every slicer's file as the
// grammar alone does.
TEST_P(Corpus, ShortcutLexesEveryLineAsTheGrammarDoes) {
    std::ifstream in(GetParam(), std::ios::binary);
    std::string text;
    std::size_t number = 0;
    while (std::getline(in, text)) {
        ++number;
        ASSERT_EQ(testing::line_difference(lex_line(text), lex_line_by_grammar(text)), "")
            << "line " << number;
    }
    EXPECT_GT(number, 0u);
}

std::string test_name(const ::testing::TestParamInfo<std::filesystem::path>& info) {
    std::string name =
        info.param.parent_path().filename().string() + "_" + info.param.stem().string();
    for (char& c : name) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0) c = '_';
    }
    return name;
}

INSTANTIATE_TEST_SUITE_P(SharedCorpus, Corpus, ::testing::ValuesIn(corpus_files()), test_name);

TEST(CorpusPresence, CorpusIsThere) {
    const auto directory = corpus_directory();
    if (corpus_files().empty()) {
        std::cerr << "\n*** THE G-CODE CORPUS IS MISSING: no .gcode files under " << directory
                  << " ***\n*** Set STRATA_CORPUS or put shared/ beside the repository. ***\n\n";
        STRATA_SKIP_OR_FAIL_WITHOUT_CORPUS(directory);
    }
    EXPECT_GE(corpus_files().size(), 70u);
}

}  // namespace
}  // namespace strata::parser
