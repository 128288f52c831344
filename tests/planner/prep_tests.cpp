// strata prep end to end through the library: triggers, position modes, stabilization, safety
// rules and vase mode on real slicer files, each job re-verified by the full side-by-side
// comparison (verify_files), plus the verifier's own failure cases on tampered jobs.
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "../../planner/splice/splicer.hpp"
#include "../support/result.hpp"
#include "../support/test_directory.hpp"
#include "strata/planner/prep.hpp"
#include "strata/planner/verify.hpp"

namespace {

namespace fs = std::filesystem;
using namespace strata::planner;

std::string data_file(const std::string& name) {
    return std::string(STRATA_TEST_DATA_DIR) + "/" + name;
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

class Prep : public ::testing::Test {
  protected:
    void SetUp() override {
        directory_ = strata::testing::test_directory("strata_prep_");
        fs::create_directories(directory_);
    }
    void TearDown() override { fs::remove_all(directory_); }

    // Preps `input` with `settings` (dotted overrides) into a job and returns the result.
    PrepResult prep(const std::string& input, const std::vector<std::string>& settings = {},
                    unsigned threads = default_prep_threads()) {
        PrepOptions options;
        options.threads = threads;
        options.profile = strata::testing::value_of(load_timelapse_profile("{}", settings));
        options.input_path = input;
        options.output_path = job_path();
        options.index_path = (directory_ / "job.gcode.index.json").string();
        return prep_file(options);
    }
    [[nodiscard]] std::string job_path() const { return (directory_ / "job.gcode").string(); }

    // The independent check: both files simulated side by side.
    [[nodiscard]] VerifyResult verify(const std::string& input, const PrepResult& result) const {
        VerifyOptions options;
        options.area = result.plan.area;
        options.lift_mm = result.plan.motion.lift_mm;
        return strata::testing::value_of(verify_files(input, job_path(), options));
    }

    fs::path directory_;
};

const std::string cube = data_file("ps281_mini_cube_m486.gcode");

TEST_F(Prep, EveryLayerButTheFirstGetsOneVerifiedSnapshot) {
    const PrepResult result = prep(cube);
    ASSERT_TRUE(strata::testing::ok(result.status));
    const auto layers = result.analysis.layers.size();
    EXPECT_EQ(result.plan.snapshots.size(), layers - 1);
    for (const PlannedSnapshot& snapshot : result.plan.snapshots) {
        EXPECT_GE(snapshot.layer, 1);
        EXPECT_TRUE(snapshot.park_mm.has_value());
        EXPECT_GT(snapshot.time_added_s, 0.0);
    }
    const VerifyResult verified = verify(cube, result);
    EXPECT_TRUE(verified.equivalent) << verified.difference->message;
    EXPECT_EQ(verified.blocks, result.plan.snapshots.size());
    const std::string job = read_text(job_path());
    EXPECT_NE(job.find("@STRATA SNAPSHOT n=1\n"), std::string::npos);
    EXPECT_NE(job.find("M400\n@STRATA SNAPSHOT n=1\n"), std::string::npos);
}

TEST_F(Prep, FirstLayerOnlyWhenAsked) {
    const PrepResult result = prep(cube, {"triggers.first_layer=true"});
    ASSERT_TRUE(strata::testing::ok(result.status));
    EXPECT_EQ(result.plan.snapshots.size(), result.analysis.layers.size());
    EXPECT_EQ(result.plan.snapshots.front().layer, 0);
}

TEST_F(Prep, EveryNthLayerAndHeightIncrements) {
    const PrepResult every_third = prep(cube, {"triggers.every_n_layers=3"});
    ASSERT_TRUE(strata::testing::ok(every_third.status));
    for (const PlannedSnapshot& snapshot : every_third.plan.snapshots)
        EXPECT_EQ(snapshot.layer % 3, 0);
    const PrepResult by_height =
        prep(cube, {"triggers.every_n_layers=0", "triggers.every_height_mm=1.0"});
    ASSERT_TRUE(strata::testing::ok(by_height.status));
    ASSERT_FALSE(by_height.plan.snapshots.empty());
    double last_z = -1.0;
    for (const PlannedSnapshot& snapshot : by_height.plan.snapshots) {
        EXPECT_EQ(snapshot.trigger, TriggerKind::height);
        EXPECT_GE(snapshot.layer_z_mm, last_z + 1.0 - 0.2);  // One per millimetre of height.
        last_z = snapshot.layer_z_mm;
    }
    EXPECT_TRUE(verify(cube, by_height).equivalent);
}

// One, two or three threads for pass one (with a time trigger, two means the lexer's rather than
// the planner's): the same job to the byte, the same index, the same estimate.
TEST_F(Prep, EveryThreadCountGivesTheSameJob) {
    // The area is given because the Cura file declares no bed.
    const std::vector<std::vector<std::string>> profiles = {
        {"safety.area_min_mm=[0,0]", "safety.area_max_mm=[250,210]"},
        {"safety.area_min_mm=[0,0]", "safety.area_max_mm=[250,210]", "triggers.every_n_layers=0",
         "triggers.every_time_s=10"}};
    for (const std::string name : {"ps281_mini_cube_m486.gcode", "ps261_mini_vase_relative_e.gcode",
                                   "cura_master_marlin_small.gcode"}) {
        for (const auto& settings : profiles) {
            std::string first_job;
            std::string first_index;
            double first_estimate_s = 0.0;
            for (const unsigned threads : {1u, 2u, 3u}) {
                const PrepResult result = prep(data_file(name), settings, threads);
                ASSERT_TRUE(strata::testing::ok(result.status)) << name;
                const std::string job = read_text(job_path());
                const std::string index = read_text(directory_ / "job.gcode.index.json");
                if (threads == 1) {
                    first_job = job;
                    first_index = index;
                    first_estimate_s = result.estimate.total_s();
                    EXPECT_FALSE(result.plan.snapshots.empty()) << name;
                    continue;
                }
                EXPECT_TRUE(job == first_job) << name << " with " << threads << " threads";
                EXPECT_EQ(index, first_index) << name << " with " << threads << " threads";
                EXPECT_EQ(result.estimate.total_s(), first_estimate_s) << name;
            }
        }
    }
}

TEST_F(Prep, TimeTriggersAreSpacedByEstimatedPrintTime) {
    const PrepResult result = prep(cube, {"triggers.every_n_layers=0", "triggers.every_time_s=60"});
    ASSERT_TRUE(strata::testing::ok(result.status));
    // One snapshot per 60 s window of estimated time, placed anywhere in its window: about one
    // per minute of printing, never two closer than nothing or further than two windows apart
    // (plus the lag of the estimator's timed moves behind the line read, up to ~300 moves: about
    // 15 s on this file of short moves).
    const double printing_s = result.estimate.total_s() -
                              result.estimate.elapsed_at(result.analysis.layers.front().first_line);
    const auto count = static_cast<double>(result.plan.snapshots.size());
    EXPECT_GE(count, printing_s / 60.0 - 2.0);
    EXPECT_LE(count, printing_s / 60.0 + 2.0);
    for (std::size_t i = 1; i < result.plan.snapshots.size(); ++i) {
        const double gap_s =
            result.plan.snapshots[i].elapsed_s - result.plan.snapshots[i - 1].elapsed_s;
        EXPECT_GT(gap_s, 0.0);
        EXPECT_LT(gap_s, 2 * 60.0 + 20.0);
        EXPECT_EQ(result.plan.snapshots[i].trigger, TriggerKind::time);
    }
    EXPECT_TRUE(verify(cube, result).equivalent);
}

TEST_F(Prep, MarkerLinesTakeASnapshotWhereTheyStand) {
    // A copy of the cube with a marker after a mid-print line.
    const std::string text = read_text(cube);
    const std::size_t at = text.find(";LAYER_CHANGE", text.size() / 2);
    ASSERT_NE(at, std::string::npos);
    const std::string marked_path = (directory_ / "marked.gcode").string();
    std::ofstream(marked_path) << text.substr(0, at) << "@OCTOLAPSE TAKE-SNAPSHOT\n"
                               << text.substr(at);
    const PrepResult result = prep(marked_path, {"triggers.every_n_layers=0"});
    ASSERT_TRUE(strata::testing::ok(result.status));
    ASSERT_EQ(result.plan.snapshots.size(), 1u);
    EXPECT_EQ(result.plan.snapshots[0].trigger, TriggerKind::marker);
    const std::string job = read_text(job_path());
    EXPECT_NE(job.find("@OCTOLAPSE TAKE-SNAPSHOT\n; STRATA SNAPSHOT BEGIN n=1"), std::string::npos);
    EXPECT_TRUE(verify(marked_path, result).equivalent);
}

TEST_F(Prep, SnapToPrintNeverTravels) {
    const PrepResult result = prep(cube, {"position.mode=\"snap_to_print\""});
    ASSERT_TRUE(strata::testing::ok(result.status));
    ASSERT_FALSE(result.plan.snapshots.empty());
    for (const PlannedSnapshot& snapshot : result.plan.snapshots) {
        EXPECT_FALSE(snapshot.park_mm.has_value());
        EXPECT_EQ(snapshot.travel_mm, 0.0);
        EXPECT_LT(snapshot.time_added_s, 0.3);
    }
    EXPECT_TRUE(verify(cube, result).equivalent);
}

TEST_F(Prep, SmartPlacementIsNeverDearerThanTheLayerChange) {
    const PrepResult at_change = prep(cube, {"position.mode=\"layer_change\""});
    const PrepResult smart = prep(cube, {"position.mode=\"fast\""});
    ASSERT_TRUE(strata::testing::ok(at_change.status));
    ASSERT_TRUE(strata::testing::ok(smart.status));
    ASSERT_EQ(at_change.plan.snapshots.size(), smart.plan.snapshots.size());
    for (std::size_t i = 0; i < smart.plan.snapshots.size(); ++i) {
        EXPECT_LE(smart.plan.snapshots[i].time_added_s,
                  at_change.plan.snapshots[i].time_added_s + 1e-9)
            << "layer " << smart.plan.snapshots[i].layer;
    }
}

TEST_F(Prep, PathStabilizationAdvancesOncePerSnapshot) {
    const PrepResult result = prep(
        cube, {R"(stabilization.x={"type":"path_mm","path":[10,20,30],"path_end":"ping_pong"})",
               R"(stabilization.y={"type":"fixed_mm","value":200})"});
    ASSERT_TRUE(strata::testing::ok(result.status));
    ASSERT_GE(result.plan.snapshots.size(), 5u);
    const double expected[] = {10, 20, 30, 20, 10};
    for (std::size_t i = 0; i < 5; ++i) {
        EXPECT_DOUBLE_EQ((*result.plan.snapshots[i].park_mm)[0], expected[i]);
        EXPECT_DOUBLE_EQ((*result.plan.snapshots[i].park_mm)[1], 200.0);
    }
    EXPECT_TRUE(verify(cube, result).equivalent);
}

TEST_F(Prep, TheLiftIsClampedOrTheSnapshotSkipped) {
    const PrepResult result = prep(cube, {"safety.max_z_mm=2.0"});
    ASSERT_TRUE(strata::testing::ok(result.status));
    for (const PlannedSnapshot& snapshot : result.plan.snapshots)
        EXPECT_LE(snapshot.entry.highest_printed_z_mm + result.plan.motion.lift_mm, 2.0 + 1e-9);
    ASSERT_FALSE(result.plan.skipped.empty());
    EXPECT_EQ(result.plan.skipped.back().reason, "the lift would exceed the maximum height");
}

TEST_F(Prep, RestrictionsAndTheAreaAreHonoured) {
    // Everything forbidden: every trigger is skipped, with the reason.
    const PrepResult forbidden = prep(
        cube,
        {R"(position.restrictions=[{"kind":"forbidden","shape":"rectangle","min_mm":[-500,-500],"max_mm":[500,500]}])"});
    ASSERT_TRUE(strata::testing::ok(forbidden.status));
    EXPECT_TRUE(forbidden.plan.snapshots.empty());
    ASSERT_FALSE(forbidden.plan.skipped.empty());
    // A parking point outside the area is clamped onto its edge.
    const PrepResult far = prep(cube, {R"(stabilization.x={"type":"fixed_mm","value":1000})"});
    ASSERT_TRUE(strata::testing::ok(far.status));
    for (const PlannedSnapshot& snapshot : far.plan.snapshots)
        EXPECT_DOUBLE_EQ((*snapshot.park_mm)[0], far.plan.area.max_mm[0]);
    EXPECT_TRUE(verify(cube, far).equivalent);
}

TEST_F(Prep, VaseModeCapturesOnTheFlyUnlessToldOtherwise) {
    const std::string vase = data_file("ps261_mini_vase_relative_e.gcode");
    const PrepResult in_place = prep(vase);
    ASSERT_TRUE(strata::testing::ok(in_place.status));
    ASSERT_FALSE(in_place.plan.snapshots.empty());
    EXPECT_TRUE(in_place.plan.vase_mode);
    for (const PlannedSnapshot& snapshot : in_place.plan.snapshots) {
        EXPECT_FALSE(snapshot.stop);
        EXPECT_EQ(snapshot.time_added_s, 0.0);
    }
    EXPECT_EQ(read_text(job_path()).find("M400\n@STRATA"), std::string::npos);
    EXPECT_TRUE(verify(vase, in_place).equivalent);
    EXPECT_TRUE(prep(vase, {"safety.vase_mode=\"skip\""}).plan.snapshots.empty());
    const PrepResult stabilized = prep(vase, {"safety.vase_mode=\"stabilize\""});
    ASSERT_FALSE(stabilized.plan.snapshots.empty());
    EXPECT_TRUE(stabilized.plan.snapshots.front().stop);
    EXPECT_TRUE(verify(vase, stabilized).equivalent);
}

TEST_F(Prep, ACuraFileWithoutABedPlansInsideItsOwnMovesUnlessGivenOne) {
    const std::string cura = data_file("cura_master_marlin_small.gcode");
    const PrepResult own = prep(cura);
    ASSERT_TRUE(strata::testing::ok(own.status));
    EXPECT_TRUE(own.plan.area_from_moves);
    // The print itself lies inside the area its moves span.
    const auto& printed = own.analysis.printed_bbox;
    for (std::size_t axis = 0; axis < 2; ++axis) {
        EXPECT_LE(own.plan.area.min_mm[axis], printed.min_mm[axis]);
        EXPECT_GE(own.plan.area.max_mm[axis], printed.max_mm[axis]);
    }
    EXPECT_FALSE(own.plan.snapshots.empty());
    EXPECT_TRUE(verify(cura, own).equivalent);
    const PrepResult given =
        prep(cura, {"safety.area_min_mm=[0,0]", "safety.area_max_mm=[200,200]"});
    ASSERT_TRUE(strata::testing::ok(given.status));
    EXPECT_FALSE(given.plan.area_from_moves);
    EXPECT_EQ(given.plan.area.max_mm[0], 200.0);
    EXPECT_TRUE(verify(cura, given).equivalent);
}

// The retraction rides along with the lift and the de-retraction with the lowering: one move
// each way (Z and E together), every block still restoring the exact E.
TEST_F(Prep, TheRetractionRidesAlongWithTheLift) {
    const PrepResult result = prep(cube);
    ASSERT_TRUE(strata::testing::ok(result.status));
    std::istringstream job(read_text(job_path()));
    std::size_t lifts_retracting = 0;
    std::size_t lowers_priming = 0;
    for (std::string line; std::getline(job, line);) {
        if (line.rfind("G1 Z", 0) == 0 && line.find(" E-") != std::string::npos) ++lifts_retracting;
        if (line.rfind("G1 Z", 0) == 0 && line.find(" E") != std::string::npos &&
            line.find(" E-") == std::string::npos)
            ++lowers_priming;
    }
    EXPECT_GT(lifts_retracting, result.plan.snapshots.size() / 2);
    EXPECT_EQ(lowers_priming, lifts_retracting);
    EXPECT_TRUE(verify(cube, result).equivalent);
}

TEST_F(Prep, FirmwareRetractionUsesG10AndG11) {
    const std::string cura = data_file("cura_master_marlin_volumetric_fw_retract.gcode");
    const PrepResult result =
        prep(cura, {"safety.area_min_mm=[0,0]", "safety.area_max_mm=[200,200]",
                    "position.mode=\"layer_change\""});
    ASSERT_TRUE(strata::testing::ok(result.status));
    EXPECT_TRUE(result.plan.motion.firmware_retraction);
    EXPECT_TRUE(verify(cura, result).equivalent);
}

TEST_F(Prep, APreparedFileIsRefused) {
    ASSERT_TRUE(strata::testing::ok(prep(cube).status));
    const std::string once = (directory_ / "once.gcode").string();
    fs::copy_file(job_path(), once);
    const PrepResult twice = prep(once);
    EXPECT_EQ(strata::testing::code_of(twice.status), strata::ErrorCode::unsupported);
    EXPECT_NE(strata::testing::message_of(twice.status).find("prepared already"),
              std::string::npos);
}

TEST_F(Prep, TheIndexMapsSnapshotsToJobLines) {
    const PrepResult result = prep(cube);
    ASSERT_TRUE(strata::testing::ok(result.status));
    const std::string index = read_text(directory_ / "job.gcode.index.json");
    EXPECT_NE(index.find("\"format\":\"strata-job-index\""), std::string::npos);
    // Each capture line named by the index is the job's `@STRATA SNAPSHOT n=` line.
    std::ifstream job(job_path());
    std::string line;
    std::uint64_t number = 0;
    std::size_t next = 0;
    while (std::getline(job, line) && next < result.job_capture_lines.size()) {
        if (++number != result.job_capture_lines[next]) continue;
        EXPECT_EQ(line, "@STRATA SNAPSHOT n=" + std::to_string(next + 1));
        ++next;
    }
    EXPECT_EQ(next, result.plan.snapshots.size());
}

// Removes every snapshot block (BEGIN line to END line) from a job.
std::string without_blocks(const std::string& job) {
    std::string original;
    std::size_t at = 0;
    for (;;) {
        const std::size_t begin = job.find("; STRATA SNAPSHOT BEGIN", at);
        if (begin == std::string::npos) break;
        original += job.substr(at, begin - at);
        const std::size_t end = job.find("; STRATA SNAPSHOT END", begin);
        at = job.find('\n', end) + 1;
    }
    return original + job.substr(at);
}

TEST_F(Prep, TheOriginalsBytesAreCopiedExactly) {
    // CRLF line ends, and a marker as the very last line with no end-of-line after it: the job
    // keeps every byte of the original, and the block after that line starts on a line of its
    // own.
    std::string text = read_text(cube);
    text = text.substr(0, text.find(";LAYER_CHANGE", text.size() / 2));
    std::string crlf;
    for (const char c : text)
        crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    crlf += "@OCTOLAPSE TAKE-SNAPSHOT";
    const std::string original_path = (directory_ / "crlf.gcode").string();
    std::ofstream(original_path, std::ios::binary) << crlf;
    // The slicer's bed size is in the settings at the end, cut off here.
    const PrepResult result =
        prep(original_path, {"safety.area_min_mm=[0,0]", "safety.area_max_mm=[250,210]"});
    ASSERT_TRUE(strata::testing::ok(result.status));
    ASSERT_GE(result.plan.snapshots.size(), 2u);
    EXPECT_EQ(result.plan.snapshots.back().trigger, TriggerKind::marker);
    const std::string job = read_text(job_path());
    EXPECT_NE(job.find("@OCTOLAPSE TAKE-SNAPSHOT\n; STRATA SNAPSHOT BEGIN"), std::string::npos);
    EXPECT_EQ(without_blocks(job), crlf + "\n");
    EXPECT_EQ(result.job_bytes, job.size());
    EXPECT_EQ(result.job_lines,
              static_cast<std::uint64_t>(std::count(job.begin(), job.end(), '\n')));
    const VerifyResult verified = verify(original_path, result);
    EXPECT_TRUE(verified.equivalent) << verified.difference->message;
}

TEST_F(Prep, AnOriginalOnAnotherFilesystemIsCopiedToo) {
    // /dev/shm is tmpfs: the kernel may refuse to copy between filesystems, and the plain copy
    // takes over.
    if (!fs::is_directory("/dev/shm")) GTEST_SKIP() << "no /dev/shm on this machine";
    const fs::path elsewhere = fs::path("/dev/shm") / ("strata_prep_" + std::to_string(::getpid()));
    fs::copy_file(cube, elsewhere, fs::copy_options::overwrite_existing);
    const PrepResult result = prep(elsewhere.string());
    const std::string job = read_text(job_path());
    const std::string original = read_text(elsewhere);
    fs::remove(elsewhere);
    ASSERT_TRUE(strata::testing::ok(result.status));
    EXPECT_EQ(without_blocks(job), original);
}

// How many of the file's pages are in the page cache (its mapping is gone again on return, so
// it keeps none of them there itself).
std::size_t cached_pages(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    const auto bytes = static_cast<std::size_t>(fs::file_size(path));
    void* mapped = ::mmap(nullptr, bytes, PROT_READ, MAP_SHARED, fd, 0);
    ::close(fd);
    if (mapped == MAP_FAILED) return 0;
    const auto page_bytes = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    std::vector<unsigned char> resident((bytes + page_bytes - 1) / page_bytes);
    const bool known = ::mincore(mapped, bytes, resident.data()) == 0;
    ::munmap(mapped, bytes);
    if (!known) return 0;
    return static_cast<std::size_t>(std::count_if(resident.begin(), resident.end(),
                                                  [](unsigned char page) { return page & 1; }));
}

// A copy of the cube, on the disk (so its cached pages are clean) and read into the cache.
std::string synced_cached_copy(const fs::path& path) {
    fs::copy_file(cube, path);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(::fsync(fd), 0);
    ::close(fd);
    (void)read_text(path);
    return path.string();
}

bool on_tmpfs(const fs::path& path) {
    struct statfs filesystem {};
    return ::statfs(path.c_str(), &filesystem) == 0 && filesystem.f_type == TMPFS_MAGIC;
}

// A folder on a disk for the test's originals, removed with the test.
struct DiskFolder {
    explicit DiskFolder(fs::path where) : path(std::move(where)) { fs::create_directories(path); }
    DiskFolder(const DiskFolder&) = delete;
    DiskFolder& operator=(const DiskFolder&) = delete;
    ~DiskFolder() { fs::remove_all(path); }
    fs::path path;
};

TEST_F(Prep, ReleasingTheOriginalsCacheDropsItsPagesAndCopiesItExactly) {
    // On tmpfs the cache is the file itself: nothing can be dropped. Where the temporary folder
    // is on tmpfs, the build tree (the tests' working folder) is on a disk.
    const fs::path disk = on_tmpfs(fs::temp_directory_path())
                              ? fs::current_path() / (directory_.filename().string() + "_disk")
                              : directory_ / "disk";
    if (on_tmpfs(disk.parent_path()))
        GTEST_SKIP() << "both the temporary folder and " << disk.parent_path() << " are on tmpfs";
    const DiskFolder folder(disk);
    const std::string kept = synced_cached_copy(disk / "kept.gcode");
    const std::string released = synced_cached_copy(disk / "released.gcode");
    const std::size_t pages = cached_pages(kept);
    ASSERT_GT(pages, 10u);
    ASSERT_EQ(cached_pages(released), pages);

    ASSERT_TRUE(strata::testing::ok(prep(kept).status));
    EXPECT_EQ(cached_pages(kept), pages);  // By default the original stays cached.

    PrepOptions options;
    options.profile = strata::testing::value_of(load_timelapse_profile("{}"));
    options.input_path = released;
    options.output_path = (directory_ / "released_job.gcode").string();
    options.release_original_cache = true;
    const PrepResult result = prep_file(options);
    ASSERT_TRUE(strata::testing::ok(result.status));
    EXPECT_EQ(cached_pages(released), 0u);
    EXPECT_EQ(without_blocks(read_text(options.output_path)), read_text(released));
    EXPECT_EQ(read_text(options.output_path), read_text(job_path()));
}

TEST_F(Prep, AnOriginalChangedBetweenThePassesIsNotSpliced) {
    const std::string original_path = (directory_ / "growing.gcode").string();
    fs::copy_file(cube, original_path);
    const PrepResult result = prep(original_path);
    ASSERT_TRUE(strata::testing::ok(result.status));
    // The slicer appends while strata works: the offsets pass one took no longer hold.
    std::ofstream(original_path, std::ios::app) << "G1 X10 Y10\n";
    const strata::parser::MachineConfig machine;
    const VerifyOptions verify_options;
    const std::string output = (directory_ / "spliced.gcode").string();
    const splice::SpliceInputs inputs{
        original_path, result.analysis.bytes, result.analysis.lines, output,
        machine,       verify_options};
    const splice::SpliceResult spliced = splice::splice_file(inputs, result.plan);
    ASSERT_FALSE(spliced.status.ok());
    EXPECT_EQ(spliced.status.error().code, strata::ErrorCode::conflict);
    EXPECT_NE(spliced.status.error().message.find("changed while it was being prepared"),
              std::string::npos)
        << spliced.status.error().message;
    EXPECT_TRUE(spliced.temporary_path.empty());
    EXPECT_FALSE(fs::exists(output));
}

// The verifier itself: a job changed after prep must fail with the place named.
class Tampered : public Prep {
  protected:
    void tamper(const std::string& from, const std::string& to) {
        std::string job = read_text(job_path());
        const std::size_t at = job.find(from, job.find("STRATA SNAPSHOT END n=3"));
        ASSERT_NE(at, std::string::npos);
        job.replace(at, from.size(), to);
        std::ofstream(job_path(), std::ios::trunc) << job;
    }
};

TEST_F(Tampered, AChangedExtrusionIsFound) {
    const PrepResult result = prep(cube);
    ASSERT_TRUE(strata::testing::ok(result.status));
    tamper(" E.", " E1.");
    const VerifyResult verified = verify(cube, result);
    ASSERT_FALSE(verified.equivalent);
    EXPECT_GT(verified.difference->original_line, 0u);
    EXPECT_GT(verified.difference->annotated_line, verified.difference->original_line);
}

TEST_F(Tampered, ABlockThatDoesNotReturnIsFound) {
    const PrepResult result = prep(cube);
    ASSERT_TRUE(strata::testing::ok(result.status));
    std::string job = read_text(job_path());
    const std::size_t end = job.find("; STRATA SNAPSHOT END n=2");
    const std::size_t back = job.rfind("G1 X", end);
    job.erase(back, job.find('\n', back) + 1 - back);  // Drop the travel back.
    std::ofstream(job_path(), std::ios::trunc) << job;
    const VerifyResult verified = verify(cube, result);
    ASSERT_FALSE(verified.equivalent);
    EXPECT_NE(verified.difference->message.find("does not restore the position"),
              std::string::npos);
}

TEST_F(Tampered, ATravelIntoThePrintIsFound) {
    const PrepResult result = prep(cube);
    ASSERT_TRUE(strata::testing::ok(result.status));
    std::string job = read_text(job_path());
    const std::size_t begin = job.find("; STRATA SNAPSHOT BEGIN n=4");
    const std::size_t lift = job.find("G1 Z", begin);
    job.replace(lift, 4, "G1 Z0.1 ;");
    std::ofstream(job_path(), std::ios::trunc) << job;
    const VerifyResult verified = verify(cube, result);
    ASSERT_FALSE(verified.equivalent);
    EXPECT_NE(verified.difference->message.find("below the highest printed Z"), std::string::npos);
}

TEST_F(Tampered, ANumberWithAnExponentInABlockIsFound) {
    // Marlin reads `X1.5e1` as X1.5 and then an E word: an extrusion in the middle of a travel.
    const PrepResult result = prep(cube);
    ASSERT_TRUE(strata::testing::ok(result.status));
    std::string job = read_text(job_path());
    const std::size_t begin = job.find("; STRATA SNAPSHOT BEGIN n=2");
    const std::size_t travel = job.find("G1 X", begin);
    ASSERT_LT(travel, job.find("; STRATA SNAPSHOT END n=2"));
    const std::size_t end = job.find_first_of(" \n", travel + 4);
    // The same position, written as a mantissa and an exponent.
    const double x_mm = std::stod(job.substr(travel + 4, end - travel - 4));
    char written[64];
    std::snprintf(written, sizeof written, "%.6e", x_mm);
    job.replace(travel + 4, end - travel - 4, written);
    std::ofstream(job_path(), std::ios::trunc) << job;
    const VerifyResult verified = verify(cube, result);
    ASSERT_FALSE(verified.equivalent);
    EXPECT_NE(verified.difference->message.find("a number written with an exponent"),
              std::string::npos)
        << verified.difference->message;
}

}  // namespace
