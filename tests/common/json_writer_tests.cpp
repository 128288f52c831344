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
    const std::string r = "\xef\xbf\xbd";  // U+FFFD, the replacement character
    EXPECT_EQ(written("caf\xe9.gcode"), "\"caf" + r + ".gcode\"");        // Latin-1 é.
    EXPECT_EQ(written("\xc3"), "\"" + r + "\"");                          // Cut short.
    EXPECT_EQ(written("\xc0\xaf"), "\"" + r + r + "\"");                  // Overlong '/'.
    EXPECT_EQ(written("\xed\xa0\x80"), "\"" + r + r + r + "\"");          // A surrogate.
    EXPECT_EQ(written("\xf4\x90\x80\x80"), "\"" + r + r + r + r + "\"");  // Past U+10FFFF.
    EXPECT_EQ(written("\x80x"), "\"" + r + "x\"");                        // A stray continuation.
}

// What is written once is written the same the second time: the replacement is the character
// itself, so a document read back and written again (the job index, a stored profile) is the
// same text (the profiles fuzzer found "\ufffd" reading back as U+FFFD and writing differently).
TEST(JsonWriter, AReplacedByteWritesTheSameTextTwice) {
    const std::string once = written("inf\xe9ll");
    const std::string twice = written(once.substr(1, once.size() - 2));
    EXPECT_EQ(once, twice);
    EXPECT_TRUE(strata::JsonWriter::is_utf8(once));
}

TEST(JsonWriter, TellsValidUtf8) {
    EXPECT_TRUE(strata::JsonWriter::is_utf8("plain.gcode"));
    EXPECT_TRUE(strata::JsonWriter::is_utf8("Würfel 🙂.gcode"));
    EXPECT_FALSE(strata::JsonWriter::is_utf8("caf\xe9.gcode"));
    EXPECT_FALSE(strata::JsonWriter::is_utf8("\xe2\x82"));
}

}  // namespace
