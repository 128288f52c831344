// The job index's writer and reader agree: an index written and read back is the same index,
// a real prep output reads and writes back byte for byte, extreme values write the same text
// twice, and a damaged index is refused with the field at fault.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "strata/common/job_index.hpp"

namespace strata {
namespace {

JobIndex sample_index() {
    JobIndex index;
    index.source = {"cube \"v2\".gcode", 85818, 3135};
    index.job = {93571, 3465};
    index.estimated_time_s = 333.342197;
    index.time_added_s = 8.909681;
    index.layers = {{0, 0.2, 298, 108.053336}, {1, 0.4, 409, 119.654765}};
    JobIndex::Snapshot parked;
    parked.n = 1;
    parked.line = 420;
    parked.source_line = 400;
    parked.layer = 0;
    parked.z_mm = 0.2;
    parked.trigger = "layer";
    parked.placement = "park";
    parked.feature = "perimeter";
    parked.position_mm = {100.5, -2.25, 0.2};
    parked.park_mm = std::array<double, 2>{0.0, 200.0};
    parked.travel_mm = 310.5;
    parked.time_added_s = 4.25;
    parked.elapsed_s = 119.7;
    JobIndex::Snapshot rolling = parked;
    rolling.n = 2;
    rolling.line = 560;
    rolling.placement = "on_path";
    rolling.park_mm.reset();
    rolling.stops = false;
    index.snapshots = {parked, rolling};
    index.skipped = {{5, 900, "layer", "no room beside the print"}};
    index.time_samples = {{1, 0.0}, {298, 108.053336}, {3465, 333.342197}};
    return index;
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

TEST(JobIndex, WrittenAndReadBackItIsTheSameIndex) {
    const JobIndex index = sample_index();
    const std::string written = job_index_json(index);
    const Result<JobIndex> read = parse_job_index(written);
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(read->source.file, index.source.file);
    EXPECT_EQ(read->job.lines, 3465U);
    EXPECT_DOUBLE_EQ(read->estimated_time_s, 333.342197);
    ASSERT_EQ(read->layers.size(), 2U);
    EXPECT_EQ(read->layers[1].first_line, 409U);
    ASSERT_EQ(read->snapshots.size(), 2U);
    ASSERT_TRUE(read->snapshots[0].park_mm.has_value());
    EXPECT_DOUBLE_EQ((*read->snapshots[0].park_mm)[1], 200.0);
    EXPECT_FALSE(read->snapshots[1].park_mm.has_value());
    EXPECT_FALSE(read->snapshots[1].stops);
    EXPECT_DOUBLE_EQ(read->snapshots[0].position_mm[1], -2.25);
    EXPECT_EQ(read->snapshots[1].placement, "on_path");
    ASSERT_EQ(read->skipped.size(), 1U);
    EXPECT_EQ(read->skipped[0].reason, "no room beside the print");
    ASSERT_EQ(read->time_samples.size(), 3U);
    EXPECT_EQ(read->time_samples[2].line, 3465U);
    EXPECT_EQ(job_index_json(*read), written);
}

// An index's numbers are times and lengths: up to 1e8 (three years, 100 km) each writes the
// same text twice, the largest, tiny and negative ones and a replaced byte included; past it a
// number is refused by name (3.1e83, all its digits written, once read back as a neighbouring
// double that wrote differently: found by the profiles fuzzer).
TEST(JobIndex, ExtremeValuesWriteTheSameTextTwiceAndAbsurdOnesAreRefused) {
    JobIndex index = sample_index();
    index.time_added_s = 99999999.999999;
    index.estimated_time_s = 1e8;
    index.snapshots[0].time_added_s = 12345678.123456789;
    index.snapshots[0].position_mm = {-0.0000004, 1e-300, -98765432.123456789};
    index.snapshots[1].feature = "inf\xe9ll";
    const std::string once = job_index_json(index);
    const Result<JobIndex> read = parse_job_index(once);
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(read->estimated_time_s, 1e8);
    EXPECT_EQ(job_index_json(*read), once);

    index.snapshots[0].time_added_s = 3.1e83;
    const Result<JobIndex> absurd = parse_job_index(job_index_json(index));
    ASSERT_FALSE(absurd);
    EXPECT_EQ(absurd.error().message,
              "snapshots[0].time_added_s must be a number from -1e8 to 1e8");
    index.snapshots[0].time_added_s = 1.0;
    index.time_samples[1].elapsed_s = -2e9;
    const Result<JobIndex> backwards = parse_job_index(job_index_json(index));
    ASSERT_FALSE(backwards);
    EXPECT_EQ(backwards.error().message, "time_samples[1] must be [line, seconds up to 1e8]");
}

TEST(JobIndex, APrepOutputReadsAndWritesBackByteForByte) {
    // A `strata prep` index of tests/data/ps281_mini_cube_m486.gcode, kept as a fuzz seed.
    const std::string path = std::string(STRATA_SOURCE_DIR) + "/fuzz/corpus/profiles/job_index";
    std::string text = read_text(path);
    ASSERT_FALSE(text.empty());
    text.erase(0, text.find('{'));  // The fuzz target's selector byte.
    const Result<JobIndex> read = parse_job_index(text);
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_GT(read->snapshots.size(), 5U);
    EXPECT_EQ(job_index_json(*read), text);
}

TEST(JobIndex, ADamagedIndexIsRefusedNamingTheField) {
    std::string written = job_index_json(sample_index());
    const auto refused = [](const std::string& text) {
        const Result<JobIndex> read = parse_job_index(text);
        return read ? std::string("accepted") : read.error().message;
    };
    const auto with = [&](const std::string& from, const std::string& to) {
        std::string text = written;
        const std::size_t at = text.find(from);
        EXPECT_NE(at, std::string::npos) << from;
        return at == std::string::npos ? text : text.replace(at, from.size(), to);
    };
    EXPECT_EQ(refused(with("strata-job-index", "other")), "format is not strata-job-index");
    EXPECT_EQ(refused(with("\"first_line\":409", "\"first_line\":100")),
              "layers[1].first_line goes back");
    EXPECT_EQ(refused(with("\"z_mm\":0.4", "\"z_mm\":\"high\"")),
              "layers[1].z_mm must be a number from -1e8 to 1e8");
    EXPECT_EQ(refused(with("\"position_mm\":[100.5,-2.25,0.2]", "\"position_mm\":[1]")),
              "snapshots[0].position_mm must be a list of 3 numbers");
    EXPECT_EQ(refused(with("[3465,333.342197]", "[3465,3.0]")),
              "time_samples[2] must come after the one before");
    EXPECT_EQ(refused(with("\"time_samples\"", "\"samples\"")), "time_samples is required");
    EXPECT_EQ(refused(with("\"estimated_time_s\":333.342197", "\"estimated_time_s\":null")),
              "estimated_time_s must be a number from -1e8 to 1e8");
    EXPECT_EQ(refused(written.substr(0, 40)).rfind("Missing", 0), 0U);
    EXPECT_EQ(refused(std::string("{\"a\":") + std::string(100, '[')).rfind("nested deeper", 0),
              0U);
    const Result<JobIndex> missing = load_job_index("/nonexistent/job.gcode.index.json");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::not_found);
    EXPECT_NE(missing.error().message.find("/nonexistent/job.gcode.index.json"), std::string::npos);
}

}  // namespace
}  // namespace strata
