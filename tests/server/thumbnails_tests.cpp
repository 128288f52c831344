// Slicer thumbnails read from real files: the largest image is kept (QOI, which browsers cannot
// show, made into PNG), Creality's `W H` size form too, and a damaged block is no image.
#include <gtest/gtest.h>

#include <zlib.h>

#include <fstream>
#include <set>

#include "../support/corpus_required.hpp"
#include "../support/test_directory.hpp"
#include "server_fixture.hpp"
#include "strata/server/thumbnails.hpp"

namespace strata::server {
namespace {

const std::filesystem::path data_dir = STRATA_TEST_DATA_DIR;

TEST(Thumbnails, TheLargestPngOfAPrusaSlicerFile) {
    const std::optional<Thumbnail> found =
        extract_thumbnail(data_dir / "ps261_mini_vase_relative_e.gcode");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->extension, "png");
    EXPECT_EQ(found->width, 640);  // Of 16x16, 220x124 and 640x480.
    EXPECT_EQ(found->height, 480);
    EXPECT_TRUE(found->bytes.starts_with("\x89PNG\r\n\x1a\n"));
    EXPECT_EQ(found->bytes.size(),
              92683U);  // Its 123,580 base64 characters, as base64 -d reads them.
    EXPECT_FALSE(extract_thumbnail(data_dir / "cura_master_marlin_small.gcode"));  // Has none.
}

// The pixels of a PNG strata wrote (RGBA, 8 bits, one IDAT, filter 0 on every row), as RGBA
// bytes; empty when it is not such a PNG.
std::string png_pixels(const std::string& png, std::uint32_t& width, std::uint32_t& height) {
    const auto u32 = [&png](std::size_t at) {
        std::uint32_t value = 0;
        for (std::size_t i = 0; i < 4; ++i)
            value = (value << 8U) | static_cast<std::uint8_t>(png[at + i]);
        return value;
    };
    if (png.size() < 33 || png.compare(12, 4, "IHDR") != 0 || png[24] != 8 || png[25] != 6)
        return {};
    width = u32(16);
    height = u32(20);
    const std::size_t idat = png.find("IDAT");
    if (idat == std::string::npos) return {};
    const std::uint32_t packed_bytes = u32(idat - 4);
    std::string raw(static_cast<std::size_t>(height) * (1 + 4 * width), '\0');
    uLongf raw_bytes = raw.size();
    if (uncompress(reinterpret_cast<Bytef*>(raw.data()), &raw_bytes,
                   reinterpret_cast<const Bytef*>(png.data() + idat + 4), packed_bytes) != Z_OK ||
        raw_bytes != raw.size())
        return {};
    std::string pixels;
    for (std::uint32_t y = 0; y < height; ++y) {
        const std::size_t row = y * (1 + 4 * static_cast<std::size_t>(width));
        if (raw[row] != 0) return {};
        pixels.append(raw, row + 1, 4 * static_cast<std::size_t>(width));
    }
    return pixels;
}

// A 3x2 QOI image written by hand with each of its operations: RGB, RGBA, a small difference,
// a luma difference, an index back-reference and a run.
TEST(Thumbnails, QoiDecodesEveryOperationIntoAPng) {
    std::string qoi("qoif\0\0\0\x03\0\0\0\x02\x04\x00", 14);
    qoi += std::string("\xFE\x10\x20\x30", 4);      // (16,32,48,255)
    qoi += std::string("\xFF\x50\x60\x70\x80", 5);  // (80,96,112,128)
    qoi += "\x7F";                                  // DIFF +1 +1 +1: (81,97,113,128)
    qoi += std::string("\xA2\x88", 2);              // LUMA dg +2, dr-dg 0, db-dg 0: (83,99,115,128)
    // INDEX of the first pixel: (16*3 + 32*5 + 48*7 + 255*11) % 64 = 21.
    qoi += "\x15";
    qoi += "\xC0";  // RUN of 1: the last pixel again.
    qoi += std::string("\0\0\0\0\0\0\0\x01", 8);
    const std::optional<std::string> png = qoi_to_png(qoi);
    ASSERT_TRUE(png);
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    const std::string pixels = png_pixels(*png, width, height);
    EXPECT_EQ(width, 3U);
    EXPECT_EQ(height, 2U);
    const std::string expected(
        "\x10\x20\x30\xFF\x50\x60\x70\x80\x51\x61\x71\x80"
        "\x53\x63\x73\x80\x10\x20\x30\xFF\x10\x20\x30\xFF",
        24);
    EXPECT_EQ(pixels, expected);
    // Cut short, a wrong magic, a silly size: no image.
    EXPECT_FALSE(qoi_to_png(qoi.substr(0, 20)));
    EXPECT_FALSE(qoi_to_png("qoix" + qoi.substr(4)));
    std::string huge = qoi;
    huge[4] = '\x7F';
    EXPECT_FALSE(qoi_to_png(huge));
}

// SuperSlicer's file with nothing but a QOI thumbnail shows it, as a PNG.
TEST(Thumbnails, ASuperSlicerFileWithOnlyAQoiThumbnailGetsAPng) {
    const std::optional<Thumbnail> found =
        extract_thumbnail(data_dir / "ss2559_calib_squares_1layer.gcode");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->extension, "png");
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    const std::string pixels = png_pixels(found->bytes, width, height);
    EXPECT_EQ(width, 160U);
    EXPECT_EQ(height, 160U);
    ASSERT_EQ(pixels.size(), 160U * 160U * 4U);
    // A picture, not one colour: more than a handful of different pixels.
    std::set<std::string> colours;
    for (std::size_t at = 0; at < pixels.size() && colours.size() < 50; at += 4)
        colours.insert(pixels.substr(at, 4));
    EXPECT_GE(colours.size(), 50U);
}

TEST(Thumbnails, JpegAndCrealitySizesCountAndQoiOrDamageDoNot) {
    const std::filesystem::path file = testing::test_directory("thumbnails") / "t.gcode";
    std::filesystem::create_directories(file.parent_path());
    {
        std::ofstream out(file);
        // A JPEG's first bytes (FF D8 FF E0), base64; a larger QOI that is only a header; a
        // damaged larger PNG.
        out << "; generated by test\n"
            << "; thumbnail_JPG begin 300 300 8\n; /9j/4AAQSkZJRg==\n; thumbnail_JPG end\n"
            << "; thumbnail_QOI begin 640x480 8\n; cW9pZgAAAA==\n; thumbnail_QOI end\n"
            << "; thumbnail begin 400x400 8\n; iVBO*Rw0K\n; thumbnail end\n"
            << "G28\n; thumbnail begin 900x900 12\n; iVBORw0KGgo=\n; thumbnail end\n";
    }
    const std::optional<Thumbnail> found = extract_thumbnail(file);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->extension, "jpg");  // The PNG after the first command is not read.
    EXPECT_EQ(found->width, 300);
    EXPECT_EQ(found->height, 300);
    std::filesystem::remove_all(file.parent_path());
}

// A base64 encoder for the test only (the server decodes, never encodes).
std::string to_base64(const std::string& bytes) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string text;
    std::uint32_t bits = 0;
    int count = 0;
    for (const unsigned char byte : bytes) {
        bits = (bits << 8) | byte;
        count += 8;
        while (count >= 6)
            text += alphabet[(bits >> (count -= 6)) & 63];
    }
    if (count > 0) text += alphabet[(bits << (6 - count)) & 63];
    while (text.size() % 4 != 0)
        text += '=';
    return text;
}

// Cura's thumbnail comes from its CreateThumbnail post-processing script, which the Debian
// cura-engine (the slicer without its front end) cannot run: the block is put into a real Cura
// file as that script writes it (after ";Generated with Cura_SteamEngine", between ";" lines,
// 78 base64 characters a line), with a real slicer's PNG.
TEST(Thumbnails, CurasCreateThumbnailBlockInARealCuraFile) {
    const std::optional<Thumbnail> png =
        extract_thumbnail(data_dir / "ps261_mini_vase_relative_e.gcode");
    ASSERT_TRUE(png);
    const std::string encoded = to_base64(png->bytes);
    std::string block = ";\n; thumbnail begin 640x480 " + std::to_string(encoded.size()) + "\n";
    for (std::size_t at = 0; at < encoded.size(); at += 78)
        block += "; " + encoded.substr(at, 78) + "\n";
    block += "; thumbnail end\n;\n";
    std::ifstream in(data_dir / "cura_master_marlin_small.gcode", std::ios::binary);
    std::string gcode((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string marker = ";Generated with Cura_SteamEngine master\n";
    const std::size_t after = gcode.find(marker);
    ASSERT_NE(after, std::string::npos);
    gcode.insert(after + marker.size(), block);
    const std::filesystem::path file = testing::test_directory("thumbnails_cura") / "cura.gcode";
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << gcode;
    const std::optional<Thumbnail> found = extract_thumbnail(file);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->extension, "png");
    EXPECT_EQ(found->width, 640);
    EXPECT_EQ(found->bytes, png->bytes);
    std::filesystem::remove_all(file.parent_path());
}

TEST(Thumbnails, EveryCorpusFileWithAPngThumbnailGivesOne) {
    const std::filesystem::path corpus = STRATA_SHARED_DIR "/corpus";
    if (!std::filesystem::is_directory(corpus)) STRATA_SKIP_OR_FAIL_WITHOUT_CORPUS(corpus);
    int files = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(corpus)) {
        if (entry.path().extension() != ".gcode") continue;
        std::ifstream in(entry.path());
        std::string head(65536, '\0');
        in.read(head.data(), static_cast<std::streamsize>(head.size()));
        head.resize(static_cast<std::size_t>(in.gcount()));
        if (head.find("; thumbnail begin") == std::string::npos) continue;
        ++files;
        const std::optional<Thumbnail> found = extract_thumbnail(entry.path());
        ASSERT_TRUE(found) << entry.path();
        EXPECT_TRUE(found->bytes.starts_with("\x89PNG")) << entry.path();
    }
    EXPECT_GE(files, 15);
}

TEST(Thumbnails, Base64DecodesAndRefusesOtherCharacters) {
    EXPECT_EQ(decode_base64("aGVsbG8="), "hello");
    EXPECT_EQ(decode_base64("aGVs\nbG8"), "hello");
    EXPECT_FALSE(decode_base64("aGV*bG8="));
    EXPECT_FALSE(decode_base64("aG=Vs"));
}

using ThumbnailApiTest = test::ServerTest;

// Through the API: listed with the file as OctoPrint 2 lists it, served as an image, gone with
// the file.
TEST_F(ThumbnailApiTest, AnUploadsThumbnailIsListedServedAndRemovedWithIt) {
    const auto uploaded = upload(operator_key_, "vase.gcode",
                                 test::read_file(data_dir / "ps261_mini_vase_relative_e.gcode"));
    ASSERT_TRUE(uploaded);
    ASSERT_EQ(uploaded->status, 201) << uploaded->body;
    httplib::Client http = client(viewer_key_);
    std::string thumbnail;
    ASSERT_TRUE(eventually([&] {
        const auto listed = http.Get("/api/files/local/vase.gcode");
        if (!listed || listed->status != 200) return false;
        const std::size_t at = listed->body.find("\"thumbnail\":\"");
        if (at == std::string::npos) return false;
        const std::size_t from = at + 13;
        thumbnail = listed->body.substr(from, listed->body.find('"', from) - from);
        return true;
    }));
    EXPECT_TRUE(thumbnail.starts_with("api/strata/thumbnails/")) << thumbnail;
    const auto image = http.Get("/" + thumbnail);
    ASSERT_TRUE(image);
    EXPECT_EQ(image->status, 200);
    EXPECT_EQ(image->get_header_value("Content-Type"), "image/png");
    EXPECT_TRUE(image->body.starts_with("\x89PNG"));
    EXPECT_EQ(image->body.size(), 92683U);
    EXPECT_EQ(http.Get("/api/strata/thumbnails/../strata.db")->status, 404);
    EXPECT_EQ(client(operator_key_).Delete("/api/files/local/vase.gcode")->status, 204);
    EXPECT_EQ(http.Get("/" + thumbnail)->status, 404);
}

}  // namespace
}  // namespace strata::server
