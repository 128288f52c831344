// Progress through whole prints, the class of bug a Cura file showed (issue 25: completion at 0
// from start to end). A job's completion must move while it prints and be 100 % when it ends,
// whichever way it is printed: prepared (prep's index, weighted by the estimate's time samples)
// or as it is (the server's fallback when prep cannot plan it: the line count and the estimate's
// total, no samples). Files print on the virtual printer at full speed (no simulated time); the
// completion the streamer reports is then checked along the lines the printer acknowledged.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "../streamer/streaming_fixture.hpp"
#include "../support/corpus_required.hpp"
#include "../support/result.hpp"
#include "strata/planner/prep.hpp"

namespace {

namespace fs = std::filesystem;
using namespace strata;
using streamer::EventKind;
using streamer::JobTimeline;
using streamer::testing::Streaming;

struct Watched {
    EventKind end = EventKind::message;
    std::string text;
    std::uint64_t last_line = 0;  ///< The last line the printer acknowledged.
    double final_percent = -1.0;  ///< What the job's end reported.
};

Watched watch(const streamer::testing::Outcome& outcome) {
    Watched watched;
    watched.end = outcome.end;
    watched.text = outcome.text;
    if (outcome.events.empty()) return watched;
    watched.last_line = outcome.events.back().progress.line;
    watched.final_percent = outcome.events.back().progress.percent;
    return watched;
}

// Completion along the job never falls, has moved by the middle of its lines and stands above
// half once the last line is acknowledged (a file with a long trailing settings block ends
// lower when counted by lines); the job's end said 100.
void expect_progress_moves(const JobTimeline& timeline, const Watched& printed) {
    ASSERT_EQ(printed.end, EventKind::job_finished) << printed.text;
    EXPECT_DOUBLE_EQ(printed.final_percent, 100.0);
    double before = 0.0;
    for (int step = 1; step <= 20; ++step) {
        const double percent = timeline.percent_at(printed.last_line * step / 20);
        EXPECT_GE(percent, before) << "at " << step * 5 << " % of the lines";
        before = percent;
    }
    EXPECT_GT(timeline.percent_at(printed.last_line / 2), 0.0);
    EXPECT_GT(timeline.percent_at(printed.last_line), 50.0);
}

// A file with a line longer than Marlin reads (a Klipper file's EXCLUDE_OBJECT_DEFINE) cannot
// print on it: the job must fail at once, naming the line, rather than resend it for ever. The
// line named must really be that long: its command, without a comment or blanks, over 80 bytes
// (Marlin's 95 less the longest number and checksum).
bool refused_as_too_long(const streamer::testing::Outcome& outcome, const fs::path& source) {
    if (outcome.end != EventKind::job_failed) return false;
    EXPECT_NE(outcome.text.find("is too long for the firmware"), std::string::npos) << outcome.text;
    std::size_t named = 0;
    EXPECT_EQ(std::sscanf(outcome.text.c_str(), "line %zu ", &named), 1) << outcome.text;
    std::ifstream in(source);
    std::string line;
    for (std::size_t number = 1; number <= named && std::getline(in, line); ++number) {
    }
    line = line.substr(0, line.find(';'));
    line.erase(0, line.find_first_not_of(" \t"));
    line.erase(line.find_last_not_of(" \t\r") + 1);
    EXPECT_GT(line.size(), 80U) << "line " << named << ": " << line;
    return true;
}

// The timeline the server builds for a file printed as it is (printer_service.cpp).
JobTimeline plain_timeline(const planner::PrepResult& analysed) {
    JobTimeline timeline;
    timeline.total_lines = analysed.analysis.lines;
    timeline.total_s = analysed.estimate.total_s();
    return timeline;
}

class Progress : public Streaming {
  protected:
    void SetUp() override {
        Streaming::SetUp();
        streamer::VirtualPrinterConfig printer;
        printer.time_scale = 0.0;
        start_printer(printer);
        connect();
    }
    // Prepares `source` (inside a generous area, as a printer profile gives the server); the
    // result, with the job and its index in the test's directory when planned.
    planner::PrepResult prepare(const fs::path& source) {
        planner::PrepOptions options;
        options.input_path = source.string();
        options.output_path = (directory_ / "job.gcode").string();
        options.index_path = (directory_ / "job.gcode.index.json").string();
        options.profile.safety.area_min_mm = std::array<double, 2>{-100.0, -100.0};
        options.profile.safety.area_max_mm = std::array<double, 2>{1000.0, 1000.0};
        options.durable = false;
        return planner::prep_file(options);
    }
    // A print that did not end leaves the printer busy: a new printer and connection.
    void restart_if_stuck(const streamer::testing::Outcome& outcome) {
        if (outcome.end != EventKind::message) return;
        streamer_.reset();
        printer_->stop();
        SetUp();
    }
    // Prints `source` as it is and, when prep planned it, prepared; checks both.
    void check_file(const fs::path& source) {
        SCOPED_TRACE(source.string());
        const planner::PrepResult prepared = prepare(source);
        // Read and planned, or read but with nothing to plan: either prints.
        ASSERT_TRUE(prepared.planned ||
                    strata::testing::code_of(prepared.status) == strata::ErrorCode::unsupported)
            << strata::testing::message_of(prepared.status);
        const JobTimeline plain = plain_timeline(prepared);
        const streamer::testing::Outcome as_it_is =
            streamer::testing::print(*streamer_, source.string(), limit_s, plain);
        restart_if_stuck(as_it_is);
        if (refused_as_too_long(as_it_is, source)) return;
        expect_progress_moves(plain, watch(as_it_is));
        if (!prepared.status) return;
        Result<JobTimeline> loaded =
            streamer::load_job_timeline((directory_ / "job.gcode.index.json").string());
        ASSERT_TRUE(loaded) << loaded.error().message;
        const JobTimeline& timeline = *loaded;
        const streamer::testing::Outcome job = streamer::testing::print(
            *streamer_, (directory_ / "job.gcode").string(), limit_s, timeline);
        restart_if_stuck(job);
        expect_progress_moves(timeline, watch(job));
    }
    static constexpr double limit_s = 60.0;
};

TEST_F(Progress, ACuraFileWithoutAnIndexMovesAndEndsAt100) {
    // Cura master, Marlin flavour: the file whose completion sat at 0 in every client.
    check_file(fs::path(STRATA_TEST_DATA_DIR) / "cura_master_marlin_small.gcode");
}

TEST_F(Progress, EveryCorpusFileMovesAndEndsAt100) {
    const fs::path corpus = fs::path(STRATA_SHARED_DIR) / "corpus";
    if (!fs::is_directory(corpus)) STRATA_SKIP_OR_FAIL_WITHOUT_CORPUS(corpus.string());
    std::vector<fs::path> files;
    for (const fs::directory_entry& entry : fs::recursive_directory_iterator(corpus))
        if (entry.is_regular_file() && entry.path().extension() == ".gcode")
            files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    ASSERT_GE(files.size(), 76U);
    for (const fs::path& file : files)
        check_file(file);
}

}  // namespace
