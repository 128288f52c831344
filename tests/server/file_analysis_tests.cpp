// A file's analysis as the store keeps it (typed columns and a row per tool, schema migration
// 10) and as clients read it: OctoPrint's `gcodeAnalysis` of a ready file matches what the slicer
// wrote into the file, a selected file's job shows the same filament, both survive a restart,
// and a store from before the migration keeps its files' analyses.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>

#include "../support/json_at.hpp"
#include "server_fixture.hpp"

namespace strata::server::test {
namespace {

using strata::testing::at;
using strata::testing::parse_json;

class FileAnalysisTest : public ServerTest {
  protected:
    // The body of the answer to GET `url`.
    [[nodiscard]] std::string answer(const std::string& url) const {
        const auto got = client(operator_key_).Get(url);
        if (!got || got->status != 200) return "no answer";
        return got->body;
    }
};

// A JSON value written out again (RapidJSON's own == is unreliable in C++20).
std::string text_of(const rapidjson::Value& value) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    value.Accept(writer);
    return buffer.GetString();
}

// The cube's slicer (PrusaSlicer 2.8.1) wrote `; filament used [mm] = 252.22`, 3135 lines and
// layers 0.2 mm apart up to 6.2 mm; the printed box is what its moves fill.
TEST_F(FileAnalysisTest, AReadyFilesAnalysisIsOctoPrintsShapeAndSurvivesARestart) {
    ASSERT_EQ(upload(operator_key_, "cube.gcode", read_file(sample_gcode))->status, 201);
    ASSERT_TRUE(eventually([&] {
        const auto file = server_->library().find("cube.gcode");
        return file && file->state == FileState::ready;
    }));
    const std::string first = answer("/api/files/local/cube.gcode");
    const rapidjson::Document file = parse_json(first);
    const rapidjson::Value& analysis = at(file, "gcodeAnalysis");
    EXPECT_NEAR(at(analysis, "filament.tool0.length").GetDouble(), 252.22, 2.5);
    const double volume_cm3 = at(analysis, "filament.tool0.volume").GetDouble();
    EXPECT_NEAR(volume_cm3, 0.61, 0.01);  // The slicer's own `[cm3]` figure.
    EXPECT_FALSE(strata::testing::has(analysis, "filament.tool1"));
    EXPECT_GT(at(analysis, "estimatedPrintTime").GetDouble(), 60.0);
    EXPECT_EQ(at(analysis, "strata.lines").GetUint64(), 3135U);
    EXPECT_EQ(at(analysis, "strata.layers").GetUint64(), 31U);
    EXPECT_STREQ(at(analysis, "strata.slicer").GetString(), "PrusaSlicer");
    EXPECT_NEAR(at(analysis, "printingArea.maxZ").GetDouble(), 6.2, 1e-6);
    for (const auto& [size, min, max] :
         {std::tuple{"dimensions.width", "printingArea.minX", "printingArea.maxX"},
          std::tuple{"dimensions.depth", "printingArea.minY", "printingArea.maxY"},
          std::tuple{"dimensions.height", "printingArea.minZ", "printingArea.maxZ"}}) {
        const double size_mm = at(analysis, size).GetDouble();
        EXPECT_GT(size_mm, 5.0) << size;
        EXPECT_NEAR(size_mm, at(analysis, max).GetDouble() - at(analysis, min).GetDouble(), 1e-5)
            << size;
    }

    // The job of the selected file shows the same filament.
    httplib::Client http = client(operator_key_);
    const auto selected =
        http.Post("/api/files/local/cube.gcode", R"({"command":"select"})", "application/json");
    ASSERT_TRUE(selected);
    ASSERT_EQ(selected->status, 204) << selected->body;
    const rapidjson::Document job = parse_json(answer("/api/job"));
    EXPECT_EQ(at(job, "job.filament.tool0.length").GetDouble(),
              at(analysis, "filament.tool0.length").GetDouble());

    restart_server();  // On another port: the file's links change, its analysis does not.
    const rapidjson::Document again = parse_json(answer("/api/files/local/cube.gcode"));
    EXPECT_EQ(text_of(at(again, "gcodeAnalysis")), text_of(analysis));
}

// A store written before migration 10 held the analysis as JSON text: its numbers are carried
// into the columns, a second tool's filament included; a row whose text is not JSON is a file
// without an analysis, and the JSON column is gone.
TEST(FileAnalysisMigration, AnAnalysisStoredAsJsonIsCarriedOverIntoColumns) {
    const std::filesystem::path directory = testing::test_directory("file_analysis_migration");
    std::filesystem::remove_all(directory);
    std::filesystem::create_directories(directory);
    const auto migrations = schema_migrations();
    ASSERT_EQ(migrations[9].version, 10);
    {
        Database before;
        ASSERT_TRUE(testing::ok(before.open(directory / "strata.db", migrations.first(9))));
        ASSERT_TRUE(testing::ok(before.execute(R"sql(
INSERT INTO files (id, path, display_name, size_bytes, hash, uploaded_s, state, analysis_json,
                   estimated_s, snapshots)
VALUES (1, 'two.gcode', 'two.gcode', 10, 'h1', 1, 'ready',
        '{"estimatedPrintTime":100.5,"filament":{"tool0":{"length":12.5,"volume":0.03},"tool1":{"length":7.25,"volume":0.02}},"dimensions":{"width":10,"depth":20,"height":3},"printingArea":{"minX":1,"maxX":11,"minY":2,"maxY":22,"minZ":0.2,"maxZ":3.2},"strata":{"lines":42,"layers":15,"slicer":"OrcaSlicer","slicer_version":"2.1.1","snapshots":3,"time_added_s":1.5,"warnings":2,"errors":1,"plan_s":0.25,"splice_s":0.125}}',
        100.5, 3),
       (2, 'broken.gcode', 'broken.gcode', 10, 'h2', 1, 'ready', '{"strata":', 5, 0),
       (3, 'waiting.gcode', 'waiting.gcode', 10, 'h3', 1, 'stored', NULL, NULL, NULL);
)sql")));
    }
    Store store;
    ASSERT_TRUE(testing::ok(store.open(directory / "strata.db")));
    EventHub events(store);
    FileLibrary library(directory, store, events);
    const std::optional<StoredFile> two = library.find("two.gcode");
    ASSERT_TRUE(two && two->analysis);
    const FileAnalysis& analysis = *two->analysis;
    EXPECT_EQ(analysis.lines, 42U);
    EXPECT_EQ(analysis.layers, 15U);
    EXPECT_EQ(analysis.filament_mm, (std::vector<double>{12.5, 7.25}));
    EXPECT_EQ(analysis.printed_min_mm, (std::array<double, 3>{1, 2, 0.2}));
    EXPECT_EQ(analysis.printed_max_mm, (std::array<double, 3>{11, 22, 3.2}));
    EXPECT_EQ(analysis.slicer, "OrcaSlicer");
    EXPECT_EQ(analysis.slicer_version, "2.1.1");
    EXPECT_EQ(analysis.time_added_s, 1.5);
    EXPECT_EQ(analysis.warnings, 2U);
    EXPECT_EQ(analysis.errors, 1U);
    EXPECT_EQ(analysis.plan_s, 0.25);
    EXPECT_EQ(analysis.splice_s, 0.125);
    EXPECT_EQ(two->estimated_s, 100.5);
    EXPECT_EQ(two->snapshots, 3);
    const std::optional<StoredFile> broken = library.find("broken.gcode");
    ASSERT_TRUE(broken);
    EXPECT_FALSE(broken->analysis);
    const std::optional<StoredFile> waiting = library.find("waiting.gcode");
    ASSERT_TRUE(waiting);
    EXPECT_FALSE(waiting->analysis);
    EXPECT_EQ(library.list().size(), 3U);
    const bool json_column_left = store.with([](Database& db) {
        Statement column = db.prepare(
            "SELECT count(*) FROM pragma_table_info('files') WHERE name = "
            "'analysis_json'");
        return column.step() != Statement::Step::row || column.int64(0) != 0;
    });
    EXPECT_FALSE(json_column_left);
    std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace strata::server::test
