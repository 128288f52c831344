// Grammar tests: every construct the lexer reads, and every way a line can be wrong.
#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "line_difference.hpp"
#include "strata/parser/lexer.hpp"

namespace strata::parser {
namespace {

TEST(Lexer, SpacedMove) {
    const GcodeLine line = lex_line("G1 X10.5 Y-3 E0.25 F1800");
    EXPECT_EQ(line.kind, LineKind::command);
    EXPECT_EQ(line.error, LexError::none);
    EXPECT_TRUE(line.is('G', 1));
    EXPECT_DOUBLE_EQ(line.value('X'), 10.5);
    EXPECT_DOUBLE_EQ(line.value('Y'), -3.0);
    EXPECT_DOUBLE_EQ(line.value('E'), 0.25);
    EXPECT_DOUBLE_EQ(line.value('F'), 1800.0);
    EXPECT_FALSE(line.has('Z'));
    EXPECT_EQ(line.word_mask, GcodeLine::bit('X') | GcodeLine::bit('Y') | GcodeLine::bit('E') |
                                  GcodeLine::bit('F'));
}

TEST(Lexer, NoSpacesAsSkeinforgeWrites) {
    const GcodeLine line = lex_line("G1X5Y98F9000");
    EXPECT_TRUE(line.is('G', 1));
    EXPECT_DOUBLE_EQ(line.value('X'), 5.0);
    EXPECT_DOUBLE_EQ(line.value('Y'), 98.0);
    EXPECT_DOUBLE_EQ(line.value('F'), 9000.0);
    EXPECT_EQ(line.error, LexError::none);
}

TEST(Lexer, NoSpacesExtrusionIsNotAnExponent) {
    const GcodeLine line = lex_line("G1X5.25E0.5");
    EXPECT_DOUBLE_EQ(line.value('X'), 5.25);
    EXPECT_DOUBLE_EQ(line.value('E'), 0.5);
    EXPECT_EQ(line.error, LexError::none);
}

TEST(Lexer, LowerCaseTabsLeadingSpacesAndCarriageReturn) {
    const GcodeLine line = lex_line("  \tg1\tx1.5 y2\r");
    EXPECT_TRUE(line.is('G', 1));
    EXPECT_DOUBLE_EQ(line.value('X'), 1.5);
    EXPECT_DOUBLE_EQ(line.value('Y'), 2.0);
    EXPECT_EQ(line.error, LexError::none);
    EXPECT_EQ(line.raw, "  \tg1\tx1.5 y2");
}

TEST(Lexer, EmptyAndBlankLines) {
    EXPECT_EQ(lex_line("").kind, LineKind::empty);
    EXPECT_EQ(lex_line("   \t\r").kind, LineKind::empty);
    EXPECT_EQ(lex_line("   ").error, LexError::none);
}

TEST(Lexer, SemicolonComment) {
    const GcodeLine only = lex_line(";LAYER_CHANGE");
    EXPECT_EQ(only.kind, LineKind::comment);
    EXPECT_EQ(only.comment, "LAYER_CHANGE");
    const GcodeLine trailing = lex_line("G28 ; home all axes");
    EXPECT_TRUE(trailing.is('G', 28));
    EXPECT_EQ(trailing.comment, " home all axes");
    EXPECT_EQ(trailing.word_mask, 0u);
}

TEST(Lexer, ParenthesisComment) {
    const GcodeLine line = lex_line("G0 X5 (move over) Y3");
    EXPECT_DOUBLE_EQ(line.value('X'), 5.0);
    EXPECT_DOUBLE_EQ(line.value('Y'), 3.0);
    EXPECT_EQ(line.comment, "move over");
    EXPECT_EQ(lex_line("(Mach3 header)").kind, LineKind::comment);
}

TEST(Lexer, Subcode) {
    const GcodeLine line = lex_line("G29.1 Z0.2");
    EXPECT_TRUE(line.is('G', 29));
    EXPECT_EQ(line.subcode, 1);
    EXPECT_DOUBLE_EQ(line.value('Z'), 0.2);
    EXPECT_EQ(lex_line("G1 X1").subcode, -1);
}

TEST(Lexer, LineNumberAndValidChecksum) {
    // The RepRap wiki's example: the XOR of "N3 T0" is 57.
    const GcodeLine line = lex_line("N3 T0*57");
    EXPECT_TRUE(line.has_line_number);
    EXPECT_EQ(line.line_number, 3u);
    EXPECT_TRUE(line.is('T', 0));
    EXPECT_TRUE(line.has_checksum);
    EXPECT_EQ(line.checksum, 57);
    EXPECT_EQ(line.error, LexError::none);
    EXPECT_EQ(reprap_checksum("N3 T0"), 57u);
}

TEST(Lexer, WrongChecksumIsReportedWithColumn) {
    const GcodeLine line = lex_line("N3 T0*58");
    EXPECT_EQ(line.error, LexError::bad_checksum);
    EXPECT_EQ(line.error_column, 5);
    EXPECT_TRUE(line.is('T', 0));  // What was read stays readable.
}

TEST(Lexer, MalformedChecksum) {
    EXPECT_EQ(lex_line("N3 T0*").error, LexError::malformed_checksum);
    EXPECT_EQ(lex_line("N3 T0*999").error, LexError::malformed_checksum);
}

TEST(Lexer, StringArgumentCommands) {
    const GcodeLine display = lex_line("M117 Printing layer 3 of 10");
    EXPECT_TRUE(display.is('M', 117));
    EXPECT_EQ(display.string_argument, "Printing layer 3 of 10");
    EXPECT_EQ(display.word_mask, 0u);  // "Printing" is not a P word.
    EXPECT_EQ(lex_line("M23 /models/benchy.gco").string_argument, "/models/benchy.gco");
    EXPECT_EQ(lex_line("M118 E1 hello ; note").string_argument, "E1 hello");
    EXPECT_EQ(lex_line("M28 file.g").string_argument, "file.g");
    EXPECT_EQ(lex_line("M30 old.gcode").string_argument, "old.gcode");
    const GcodeLine with_checksum = lex_line("N5 M117 Hi*83");
    EXPECT_EQ(with_checksum.string_argument, "Hi");
    EXPECT_TRUE(with_checksum.has_checksum);
}

TEST(Lexer, KlipperMacroWithParameters) {
    const GcodeLine line = lex_line("EXCLUDE_OBJECT_START NAME=part_1");
    EXPECT_EQ(line.kind, LineKind::macro);
    EXPECT_EQ(line.name, "EXCLUDE_OBJECT_START");
    ASSERT_EQ(line.macro_param_count, 1);
    EXPECT_EQ(line.macro_param("name"), "part_1");
    const GcodeLine limits = lex_line("SET_VELOCITY_LIMIT ACCEL=5000 ACCEL_TO_DECEL=2500");
    EXPECT_EQ(limits.macro_param_count, 2);
    EXPECT_EQ(limits.macro_param("ACCEL"), "5000");
    EXPECT_EQ(limits.macro_param("ACCEL_TO_DECEL"), "2500");
    EXPECT_EQ(limits.macro_param("SQUARE_CORNER_VELOCITY"), "");
}

TEST(Lexer, MacroVariants) {
    const GcodeLine lower = lex_line("print_start bed=70 extruder=210 ; start");
    EXPECT_EQ(lower.kind, LineKind::macro);
    EXPECT_EQ(lower.macro_param("BED"), "70");
    EXPECT_EQ(lower.comment, " start");
    EXPECT_EQ(lex_line("TIMELAPSE_TAKE_FRAME").kind, LineKind::macro);
    EXPECT_EQ(lex_line("FMS_on").kind, LineKind::macro);
    const GcodeLine quoted = lex_line("M118_LIKE MSG=\"hello world\"");
    EXPECT_EQ(quoted.macro_param("MSG"), "\"hello world\"");
    const GcodeLine polygon =
        lex_line("EXCLUDE_OBJECT_DEFINE NAME=a.stl_id_0 CENTER=150,150 POLYGON=[[1,2],[3,4]]");
    EXPECT_EQ(polygon.macro_param("CENTER"), "150,150");
    EXPECT_EQ(polygon.macro_param("POLYGON"), "[[1,2],[3,4]]");
}

TEST(Lexer, M486IsAnOrdinaryCommand) {
    const GcodeLine line = lex_line("M486 S1");
    EXPECT_TRUE(line.is('M', 486));
    EXPECT_DOUBLE_EQ(line.value('S'), 1.0);
}

TEST(Lexer, HostCommands) {
    const GcodeLine pause = lex_line("@pause");
    EXPECT_EQ(pause.kind, LineKind::host_command);
    EXPECT_EQ(pause.name, "pause");
    const GcodeLine snapshot = lex_line("@STRATA SNAPSHOT n=12 ; taken here");
    EXPECT_EQ(snapshot.kind, LineKind::host_command);
    EXPECT_EQ(snapshot.name, "STRATA");
    EXPECT_EQ(snapshot.string_argument, "SNAPSHOT n=12");
    EXPECT_EQ(snapshot.comment, " taken here");
}

TEST(Lexer, ToolChangeWithPrusaXlWords) {
    const GcodeLine line = lex_line("T1 S1 L0 D0");
    EXPECT_TRUE(line.is('T', 1));
    EXPECT_DOUBLE_EQ(line.value('S'), 1.0);
    EXPECT_DOUBLE_EQ(line.value('L'), 0.0);
    EXPECT_TRUE(line.has('D'));
}

TEST(Lexer, BambuLargeToolNumbers) {
    EXPECT_TRUE(lex_line("T255").is('T', 255));
    EXPECT_TRUE(lex_line("T1000").is('T', 1000));
}

TEST(Lexer, BareWordWithoutValue) {
    const GcodeLine line = lex_line("T0 R ; switch extruder");
    EXPECT_TRUE(line.has('R'));
    EXPECT_EQ(line.bare_word_mask, GcodeLine::bit('R'));
    EXPECT_EQ(line.error, LexError::none);
    const GcodeLine home = lex_line("G28 X Y");
    EXPECT_TRUE(home.has('X'));
    EXPECT_TRUE(home.has('Y'));
    EXPECT_FALSE(home.has('Z'));
}

TEST(Lexer, WordsWithoutCommand) {
    const GcodeLine line = lex_line("S900 ;(Global DTHC ON/OFF is ON)");
    EXPECT_EQ(line.kind, LineKind::command);
    EXPECT_EQ(line.command_letter, 0);
    EXPECT_DOUBLE_EQ(line.value('S'), 900.0);
}

TEST(Lexer, PrusaXlParkCommand) {
    const GcodeLine line = lex_line("P0 S1 L2 D0; park the tool");
    EXPECT_TRUE(line.is('P', 0));
    EXPECT_DOUBLE_EQ(line.value('L'), 2.0);
}

TEST(Lexer, QuotedReprapParameter) {
    const GcodeLine line = lex_line("M98 P\"homeall.g\"");
    EXPECT_TRUE(line.is('M', 98));
    EXPECT_TRUE(line.has('P'));
    EXPECT_EQ(line.string_argument, "homeall.g");
    EXPECT_EQ(line.error, LexError::none);
}

TEST(Lexer, StrayTextIsText) {
    const GcodeLine line = lex_line(" to release some of the pressure");
    EXPECT_EQ(line.kind, LineKind::text);
    EXPECT_EQ(line.string_argument, "to release some of the pressure");
    EXPECT_EQ(line.macro_param_count, 0);
}

TEST(Lexer, MalformedNumber) {
    const GcodeLine line = lex_line("G1 X1..2 Y3");
    EXPECT_EQ(line.error, LexError::bad_number);
    EXPECT_EQ(line.error_column, 3);
    EXPECT_FALSE(line.has('X'));
    EXPECT_DOUBLE_EQ(line.value('Y'), 3.0);
}

TEST(Lexer, NonFiniteNumbersAreRejected) {
    const GcodeLine nan_line = lex_line("G1 XNaN Y2");
    EXPECT_EQ(nan_line.error, LexError::non_finite_number);
    EXPECT_FALSE(nan_line.has('X'));
    EXPECT_EQ(lex_line("G1 X-inf").error, LexError::non_finite_number);
    const std::string huge = "G1 X1" + std::string(400, '0');
    EXPECT_EQ(lex_line(huge).error, LexError::non_finite_number);
}

TEST(Lexer, ExponentIsReadAsMarlinDoes) {
    const GcodeLine line = lex_line("G1 X1e308");
    EXPECT_EQ(line.error, LexError::exponent_like_number);
    EXPECT_DOUBLE_EQ(line.value('X'), 1.0);
    EXPECT_DOUBLE_EQ(line.value('E'), 308.0);
}

TEST(Lexer, NumbersAreExact) {
    // Values the fast path and the fast_float fallback must both get bit-exact.
    for (const char* text :
         {"0.1", "12345.6789", "-0.000001", "3.14159265358979", "123456789012345678901.5",
          "0.30000000000000004", ".5", "5.", "+7.25"}) {
        const GcodeLine line = lex_line(std::string("G1 X") + text);
        ASSERT_EQ(line.error, LexError::none) << text;
        EXPECT_EQ(line.value('X'), std::strtod(text, nullptr)) << text;
    }
}

TEST(Lexer, NumbersInsideLinesAreExact) {
    // Runs of 0 to 20 digits on both sides of the point (so both the exact fast path and the
    // fallback), followed by words, blanks, comments or checksums, read exactly as strtod reads
    // them.
    std::mt19937_64 random(12345);
    const char* followers[] = {" Y1", "Y2.5 E0.1", " ; comment text", "\tF1200 S0", "*00000000"};
    for (int trial = 0; trial < 20000; ++trial) {
        std::string number = (trial % 3 == 0) ? "-" : "";
        const int integer_digits = static_cast<int>(random() % 12);
        const int fraction_digits = static_cast<int>(random() % 21);
        for (int i = 0; i < integer_digits; ++i)
            number.push_back(static_cast<char>('0' + random() % 10));
        if (fraction_digits > 0 || integer_digits == 0) {
            number.push_back('.');
            for (int i = 0; i < std::max(fraction_digits, 1); ++i)
                number.push_back(static_cast<char>('0' + random() % 10));
        }
        const std::string text = "G1 X" + number + followers[trial % 5];
        const GcodeLine line = lex_line(text);
        ASSERT_TRUE(line.has('X')) << text;
        EXPECT_EQ(line.value('X'), std::strtod(number.c_str(), nullptr)) << text;
    }
}

TEST(Lexer, BinaryGarbageNeverCrashes) {
    std::string garbage;
    for (int i = 0; i < 256; ++i)
        garbage.push_back(static_cast<char>(i == '\n' ? 1 : i));
    const GcodeLine line = lex_line(garbage);
    EXPECT_NE(line.kind, LineKind::command);
    const std::string with_nul("G1 X5\0Y3", 8);
    EXPECT_NE(lex_line(with_nul).error, LexError::none);
}

TEST(Lexer, VeryLongLine) {
    const std::string thumbnail = "; " + std::string(std::size_t{10} << 20, 'A');
    const GcodeLine line = lex_line(thumbnail);
    EXPECT_EQ(line.kind, LineKind::comment);
    EXPECT_EQ(line.comment.size(), thumbnail.size() - 1);
}

// lex_line takes a shortcut through the common lines; the grammar alone must read every line the
// same, field by field and view by view.
std::string shortcut_difference(const std::string& text) {
    return testing::line_difference(lex_line(text), lex_line_by_grammar(text));
}

TEST(LexerShortcut, ReadsTrickyLinesAsTheGrammarDoes) {
    const std::vector<std::string> lines = {"",
                                            "   ",
                                            "\t\r",
                                            "\r",
                                            ";",
                                            "; comment",
                                            "  ;c",
                                            "G1",
                                            "G1 ",
                                            "G1;",
                                            "G1 ;x",
                                            "G1 X5",
                                            "G1 X5 ",
                                            "G1X5Y98F9000",
                                            "g1 x5 y-3.5",
                                            "G1 X5;c",
                                            "G1 X5 ; c ; d",
                                            "G1 X .5 Y-.5 Z+1 E5.",
                                            "G1 X1 X2",
                                            "G1 X5\r",
                                            "G1 X5 Y",
                                            "G1 X5 *12",
                                            "G1 X5 (c)",
                                            "G1 X5 Y3 E1 F1800 ; move",
                                            "G1 X5E0.5",
                                            "G1 X5 Y3E0.5",
                                            "G1X5E0.5 ;c",
                                            "G1 Xnan",
                                            "G1 X inf",
                                            "G1 Xinfinity",
                                            "G1 X-inf",
                                            "G1 X1e5",
                                            "G1 X1..2",
                                            "G1 X5 0.2 F10",
                                            "G1 X99999999999999999999999.5",
                                            "G1 X0.00000000000000000000001",
                                            "G28 X Y",
                                            "G28 XY",
                                            "M117 Hello",
                                            "M117",
                                            "M23 file.gco",
                                            "M486 S1",
                                            "M486 AObject",
                                            "M486 Anancy",
                                            "M862.3 P\"MK4\"",
                                            "M115 U3.0",
                                            "G29.1 X1",
                                            "G29.128 X1",
                                            "G29. X1",
                                            "T0",
                                            "T1000 S1",
                                            "P0",
                                            "N5 G1 X5*97",
                                            "N5 G1 X5*12",
                                            "S900",
                                            "X5 Y3",
                                            "PRINT_START EXTRUDER=200",
                                            "@pause",
                                            "M1002 gcode_claim_action : 2",
                                            "G1 X5\tY3",
                                            "G1\tX5",
                                            "G99999999999 X1",
                                            "G4294967296 X1",
                                            "M104 S200 T0",
                                            "G1 F",
                                            "G1 X-",
                                            "G1 X+",
                                            "G1 X.",
                                            "G1 X5 ;",
                                            std::string("G1 X5\0Y3", 8),
                                            "G1 X5 Y3 *",
                                            "G92 E0",
                                            "G1 E-.8 F2100",
                                            "G1 X" + std::string(400, '9'),
                                            "; " + std::string(1000, 'A')};
    for (const std::string& line : lines)
        EXPECT_EQ(shortcut_difference(line), "") << "\"" << line << "\"";
}

TEST(LexerShortcut, ReadsRandomLinesAsTheGrammarDoes) {
    // Pieces lines are made of, and pieces that break them, joined at random.
    const std::array<std::string_view, 34> pieces = {
        "G1",  "G0",  "M117", "M486", "T0",   "G29.1", "N12", "g1",
        " ",   " ",   "\t",   "\r",   "X",    "Y",     "E",   "e",
        "F",   "A",   "5",    "12.5", "-0.8", ".5",    "+3",  "99999999999999999999",
        "nan", "inf", ";",    "; c",  "*",    "*71",   "(",   ")",
        "\"",  "=",
    };
    std::mt19937 random(20261122);
    for (int trial = 0; trial < 200000; ++trial) {
        std::string text;
        const int count = static_cast<int>(random() % 9);
        for (int i = 0; i < count; ++i)
            text += pieces[random() % pieces.size()];
        ASSERT_EQ(shortcut_difference(text), "") << "\"" << text << "\"";
    }
}

TEST(LexerShortcut, ReadsTheBundledFilesAsTheGrammarDoes) {
    std::size_t lines = 0;
    for (const auto& entry : std::filesystem::directory_iterator(STRATA_TEST_DATA_DIR)) {
        if (entry.path().extension() != ".gcode") continue;
        std::ifstream in(entry.path(), std::ios::binary);
        std::string text;
        for (std::size_t number = 1; std::getline(in, text); ++number, ++lines) {
            ASSERT_EQ(shortcut_difference(text), "")
                << entry.path().filename().string() << ":" << number;
        }
    }
    EXPECT_GT(lines, 10000u);
}

}  // namespace
}  // namespace strata::parser
