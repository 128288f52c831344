// offset_temperature: which of a job's lines get the user's temperature offset, for which
// heater, and how the line is written back.
#include <string>

#include <gtest/gtest.h>

#include "strata/parser/lexer.hpp"
#include "strata/streamer/job.hpp"

namespace strata::streamer {
namespace {

TemperatureOffsets sample_offsets() {
    TemperatureOffsets offsets;
    offsets.tool_c[0] = 10.0;
    offsets.tool_c[1] = -7.5;
    offsets.bed_c = -5.0;
    return offsets;
}

// The wire text of `line` as the streamer would send it, with the offsets applied.
std::string sent(const std::string& line, std::uint32_t active_tool = 0,
                 const TemperatureOffsets& offsets = sample_offsets()) {
    std::string cleaned;
    const std::string_view text = clean_command(line, cleaned);
    std::string scratch;
    return std::string(
        offset_temperature(text, parser::lex_line(text), active_tool, offsets, scratch));
}

TEST(TemperatureOffset, TheToolTheLineNamesOrTheActiveOne) {
    EXPECT_EQ(sent("M104 S200"), "M104 S210");
    EXPECT_EQ(sent("M104 S200", 1), "M104 S192.5");
    EXPECT_EQ(sent("M104 T1 S200"), "M104 S192.5 T1");
    EXPECT_EQ(sent("M109 T0 R170 ; wait"), "M109 R180 T0");
    EXPECT_EQ(sent("M109 S215 B230 F1"), "M109 B230 F1 S225");  // Marlin's autotemp words stay.
    EXPECT_EQ(sent("m104 s200"), "M104 S210");
    EXPECT_EQ(sent("M104 T5 S200"), "M104 T5 S200");  // No offset was set for tool 5.
    EXPECT_EQ(sent("M104 T9 S200"), "M104 T9 S200");  // Beyond the tools offsets are kept for.
}

TEST(TemperatureOffset, TheBed) {
    EXPECT_EQ(sent("M140 S60"), "M140 S55");
    EXPECT_EQ(sent("M190 S60"), "M190 S55");
    EXPECT_EQ(sent("M190 R42.5"), "M190 R37.5");
}

TEST(TemperatureOffset, LinesThatSetNoTemperatureAreSentAsTheyAre) {
    EXPECT_EQ(sent("M104 S0"), "M104 S0");  // A heater turned off stays off.
    EXPECT_EQ(sent("M140 S0"), "M140 S0");
    EXPECT_EQ(sent("M104"), "M104");
    EXPECT_EQ(sent("M105"), "M105");
    EXPECT_EQ(sent("G1 X5 S200"), "G1 X5 S200");
    EXPECT_EQ(sent("M104.1 S200"), "M104.1 S200");
    EXPECT_EQ(sent("M104 S200", 0, TemperatureOffsets{}), "M104 S200");
}

TEST(TemperatureOffset, NeverBelowZero) {
    TemperatureOffsets offsets;
    offsets.bed_c = -50.0;
    EXPECT_EQ(sent("M140 S35", 0, offsets), "M140 S0");
}

TEST(TemperatureOffset, UnchangedLinesAreNotCopied) {
    const std::string text = "M104 S0";
    std::string scratch;
    const std::string_view out =
        offset_temperature(text, parser::lex_line(text), 0, sample_offsets(), scratch);
    EXPECT_EQ(out.data(), text.data());
}

}  // namespace
}  // namespace strata::streamer
