// JsonWriter's strings are always valid JSON text: control characters escaped, valid UTF-8
// kept as it is, and any byte that starts no valid UTF-8 sequence written as U+FFFD (a file name
// with a Latin-1 byte once made every file listing unreadable for every client).
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "strata/common/json_writer.hpp"

namespace {

std::string written(std::string_view text) {
    std::ostringstream out;
    strata::JsonWriter(out).value(text);
    return out.str();
}

TEST(JsonWriter, StringsAreValidJsonWhateverTheirBytes) {
    EXPECT_EQ(written("a\"b\\c\n\x01"), R"("a\"b\\c\n\u0001")");
    EXPECT_EQ(written("Würfel → ✓ 🙂"), "\"Würfel → ✓ 🙂\"");
    EXPECT_EQ(written("caf\xe9.gcode"), R"("caf\ufffd.gcode")");              // Latin-1 é.
    EXPECT_EQ(written("\xc3"), R"("\ufffd")");                                // Cut short.
    EXPECT_EQ(written("\xc0\xaf"), R"("\ufffd\ufffd")");                      // Overlong '/'.
    EXPECT_EQ(written("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");            // A surrogate.
    EXPECT_EQ(written("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");  // Past U+10FFFF.
    EXPECT_EQ(written("\x80x"), R"("\ufffdx")");  // A stray continuation.
}

TEST(JsonWriter, TellsValidUtf8) {
    EXPECT_TRUE(strata::JsonWriter::is_utf8("plain.gcode"));
    EXPECT_TRUE(strata::JsonWriter::is_utf8("Würfel 🙂.gcode"));
    EXPECT_FALSE(strata::JsonWriter::is_utf8("caf\xe9.gcode"));
    EXPECT_FALSE(strata::JsonWriter::is_utf8("\xe2\x82"));
}

}  // namespace
