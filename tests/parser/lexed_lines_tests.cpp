// Lexing on a worker thread (AnalysisOptions::lex_on_worker_thread) must change nothing: the
// same line events with the same bytes and states, the same diagnostics on the same lines, the
// same summary. Checked on the files in tests/data and on files made to cross every batch edge.
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "analysis_fingerprint.hpp"

namespace strata::parser {
namespace {

using testing::AnalysisFingerprint;
using testing::fingerprint_of;

std::string write_temp(const std::string& name, const std::string& content) {
    const std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("strata_lexed_" + name);
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
}

AnalysisFingerprint analysed(const std::string& path, bool threaded) {
    AnalysisOptions options;
    options.lex_on_worker_thread = threaded;
    return fingerprint_of(path, options);
}

void expect_same_either_way(const std::string& path) {
    const AnalysisFingerprint inline_lexed = analysed(path, false);
    const AnalysisFingerprint threaded = analysed(path, true);
    EXPECT_EQ(threaded.summary, inline_lexed.summary) << path;
    ASSERT_EQ(threaded.line_hashes.size(), inline_lexed.line_hashes.size()) << path;
    for (std::size_t i = 0; i < threaded.line_hashes.size(); ++i) {
        ASSERT_EQ(threaded.line_hashes[i], inline_lexed.line_hashes[i])
            << path << ": line event " << i + 1 << " differs";
    }
}

TEST(LexOnAWorkerThread, EveryTestFileGivesTheSameEventsAndAnalysis) {
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(STRATA_TEST_DATA_DIR)) {
        if (entry.path().extension() != ".gcode") continue;
        expect_same_either_way(entry.path().string());
        ++files;
    }
    EXPECT_GE(files, 5u);
}

// Thousands of lines (several batches), CRLF ends, blank lines, lex errors and a line longer
// than a batch's text: each batch edge falls on a different kind of line.
TEST(LexOnAWorkerThread, BatchEdgesChangeNothing) {
    std::string content = "M83\r\nG28\n";
    for (int i = 0; i < 30000; ++i) {
        content += "G1 X" + std::to_string(i % 200) + " Y" + std::to_string(i % 97) + " E0.1";
        content += (i % 3 == 0) ? "\r\n" : "\n";
        if (i % 1000 == 0) content += "\n;LAYER_CHANGE\nG1 X1..2 Y3\n";
        if (i == 12345) content += ";" + std::string(3u << 20, 'x') + "\n";
    }
    content += "G1 X5 Y5 E";  // No end-of-line: the warning must name this line either way.
    const std::string path = write_temp("edges.gcode", content);
    expect_same_either_way(path);
    const AnalysisFingerprint threaded = analysed(path, true);
    EXPECT_EQ(threaded.line_hashes.size(), 30000u + 2u + 3u * 30u + 1u + 1u);
    EXPECT_NE(threaded.summary.find("the last line has no end-of-line"), std::string::npos);
    EXPECT_NE(threaded.summary.find("errors=30"), std::string::npos) << threaded.summary;
}

// A line past the 16 MiB cap is cut where the reader cuts it, and its warning names it.
TEST(LexOnAWorkerThread, ACutLineIsReportedOnItsOwnLine) {
    const std::string content = "G28\nG1 X1 E1\n;" + std::string(17u << 20, 'x') + "\nG1 X2 E1\n";
    const std::string path = write_temp("cut.gcode", content);
    expect_same_either_way(path);
    const AnalysisFingerprint threaded = analysed(path, true);
    EXPECT_EQ(threaded.line_hashes.size(), 4u);
    EXPECT_NE(threaded.summary.find("\n3 "), std::string::npos) << threaded.summary;
    EXPECT_NE(threaded.summary.find("only its start was read"), std::string::npos);
}

TEST(LexOnAWorkerThread, AFileOfOneLineAndAnEmptyFile) {
    expect_same_either_way(write_temp("one.gcode", "G28"));
    expect_same_either_way(write_temp("empty.gcode", ""));
    EXPECT_EQ(analysed(write_temp("one.gcode", "G28"), true).line_hashes.size(), 1u);
}

}  // namespace
}  // namespace strata::parser
