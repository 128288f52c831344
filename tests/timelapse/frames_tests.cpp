// The frame store on a real directory: rows written after their JPEGs, numbering carried on by a
// new writer, a torn last row skipped and a bad one named by line, and the archive policy's tar
// unpacked again byte for byte (and refused when an entry would land outside the directory).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "../support/result.hpp"
#include "../support/test_directory.hpp"
#include "strata/timelapse/frames.hpp"

namespace {

using strata::testing::ok;
using strata::testing::value_of;

// What a refusal says; "accepted" when there was none.
template <class T>
std::string refusal(const strata::Result<T>& result) {
    return result ? std::string("accepted") : result.error().message;
}

namespace fs = std::filesystem;
using namespace strata::timelapse;

class Frames : public ::testing::Test {
  protected:
    void SetUp() override { directory_ = strata::testing::test_directory("strata_frames_"); }
    void TearDown() override { fs::remove_all(directory_); }

    static std::string read(const fs::path& path) {
        std::ifstream in(path, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }

    fs::path directory_;
};

TEST_F(Frames, RowsComeBackWithTheirFilesAndANewWriterCarriesOn) {
    const fs::path camera = directory_ / "job" / "cam0";
    {
        FrameWriter writer(camera);
        ASSERT_TRUE(ok(writer.add("jpeg one", {1, 1, 0.2, 10.0, 5.0, 1700000000.5})));
        ASSERT_TRUE(ok(writer.add("jpeg two", {2, 2, 0.4, 20.0, 10.0, 1700000001.5})));
    }
    FrameWriter again(camera);
    EXPECT_EQ(again.count(), 2u);
    ASSERT_TRUE(ok(again.add("jpeg three", {3, 3, 0.6, 30.0, 15.0, 1700000002.5})));
    const std::vector<Frame> frames = value_of(load_frames(camera));
    ASSERT_EQ(frames.size(), 3u);
    EXPECT_EQ(frames[2].path.filename(), "000003.jpg");
    EXPECT_EQ(read(frames[2].path), "jpeg three");
    EXPECT_EQ(frames[1].info.snapshot, 2u);
    EXPECT_EQ(frames[1].info.layer, 2u);
    EXPECT_DOUBLE_EQ(frames[1].info.z_mm, 0.4);
    EXPECT_DOUBLE_EQ(frames[1].info.elapsed_s, 20.0);
    EXPECT_DOUBLE_EQ(frames[1].info.progress_percent, 10.0);
    EXPECT_DOUBLE_EQ(frames[1].info.captured_unix_s, 1700000001.5);
    EXPECT_FALSE(fs::exists(camera / "000003.jpg.partial"));
}

TEST_F(Frames, ATornLastRowIsSkippedAndABadRowIsNamed) {
    const fs::path camera = directory_ / "cam";
    FrameWriter writer(camera);
    ASSERT_TRUE(ok(writer.add("a", {1, 1, 0.2, 1.0, 1.0, 1.0})));
    ASSERT_TRUE(ok(writer.add("b", {2, 2, 0.4, 2.0, 2.0, 2.0})));
    std::ofstream(camera / frame_index_name, std::ios::app) << "000003.jpg\t3\t3";  // No newline.
    EXPECT_EQ(value_of(load_frames(camera)).size(), 2u);

    std::ofstream(camera / frame_index_name, std::ios::app) << "\n000004.jpg\tfour\n";
    EXPECT_NE(refusal(load_frames(camera)).find("frames.tsv:4: not a frame row"),
              std::string::npos);

    fs::remove(camera / frame_index_name);
    std::ofstream(camera / frame_index_name) << "000009.jpg\t9\t9\t1.8\t9\t9\t9\n";
    EXPECT_NE(refusal(load_frames(camera)).find("frames.tsv:1: 000009.jpg does not exist"),
              std::string::npos);
    // A writer numbers on after the frames there, however damaged the index: none overwritten.
    FrameWriter after_damage(camera);
    EXPECT_EQ(after_damage.count(), 2u);
}

TEST_F(Frames, WithoutAnIndexEveryJpegInNameOrder) {
    fs::create_directories(directory_);
    for (const char* name : {"b.jpg", "a.JPEG", "c.png", "0.jpg"})
        std::ofstream(directory_ / name) << name;
    const std::vector<Frame> frames = value_of(load_frames(directory_));
    ASSERT_EQ(frames.size(), 3u);
    EXPECT_EQ(frames[0].path.filename(), "0.jpg");
    EXPECT_EQ(frames[1].path.filename(), "a.JPEG");
    EXPECT_EQ(frames[2].path.filename(), "b.jpg");
    EXPECT_NE(refusal(load_frames(directory_ / "missing")).find("not a directory"),
              std::string::npos);
}

TEST_F(Frames, PoliciesKeepArchiveOrRemoveAndArchivesUnpackIntact) {
    const fs::path camera = directory_ / "job" / "cam0";
    FrameWriter writer(camera);
    const std::string big(1000, 'x');  // Crosses a 512-byte tar block.
    ASSERT_TRUE(ok(writer.add(big, {1, 1, 0.2, 1.0, 1.0, 1.0})));
    ASSERT_TRUE(ok(writer.add("small", {2, 2, 0.4, 2.0, 2.0, 2.0})));
    ASSERT_TRUE(ok(apply_frame_policy(camera, FramePolicy::keep)));
    EXPECT_TRUE(fs::exists(camera / "000001.jpg"));
    ASSERT_TRUE(ok(apply_frame_policy(camera, FramePolicy::archive)));
    EXPECT_FALSE(fs::exists(camera));
    const fs::path archive = camera.string() + ".tar";
    ASSERT_TRUE(fs::exists(archive));
    const fs::path unpacked = directory_ / "unpacked";
    ASSERT_TRUE(ok(extract_frame_archive(archive, unpacked)));
    const std::vector<Frame> frames = value_of(load_frames(unpacked));
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(read(frames[0].path), big);
    EXPECT_EQ(read(frames[1].path), "small");
    EXPECT_DOUBLE_EQ(frames[1].info.z_mm, 0.4);
    // GNU tar reads it too.
    EXPECT_EQ(std::system(("tar -tf '" + archive.string() + "' > /dev/null").c_str()), 0);
    ASSERT_TRUE(ok(apply_frame_policy(unpacked, FramePolicy::remove)));
    EXPECT_FALSE(fs::exists(unpacked));
}

TEST_F(Frames, AnArchiveEntryLeadingOutsideIsRefused) {
    fs::create_directories(directory_ / "evil");
    std::ofstream(directory_ / "evil" / "x.jpg") << "x";
    const fs::path archive = directory_ / "evil.tar";
    ASSERT_EQ(std::system(
                  ("cd '" + directory_.string() + "' && tar --format=ustar -cf evil.tar evil/x.jpg")
                      .c_str()),
              0);
    EXPECT_NE(refusal(extract_frame_archive(archive, directory_ / "out"))
                  .find("unsafe entry 'evil/x.jpg'"),
              std::string::npos);
    EXPECT_FALSE(fs::exists(directory_ / "out" / "x.jpg"));
}

}  // namespace
