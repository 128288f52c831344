// The terminal's ring: lines in order with their direction, temperature lines marked for the
// filter, a reader that fell behind told how many it lost, and a bounded backlog.
#include <gtest/gtest.h>

#include "strata/streamer/terminal_log.hpp"

namespace strata::streamer {
namespace {

TEST(TerminalLog, LinesComeInOrderWithTheirDirectionAndTemperatureMark) {
    TerminalLog log(16);
    log.add(true, "N5 G1 X10*33\nN6 M105*38\n");
    log.add(false, "ok\nok T:210.0 /210.0 B:60.0 /60.0 @:0 B@:0\n T:209.9 /210.0\r\n\necho:busy");
    std::uint64_t first_kept = 0;
    const std::vector<TerminalLine> lines = log.since(0, 100, first_kept);
    ASSERT_EQ(lines.size(), 6U);
    EXPECT_EQ(first_kept, 1U);
    EXPECT_EQ(lines[0].text, "N5 G1 X10*33");
    EXPECT_TRUE(lines[0].sent);
    EXPECT_FALSE(lines[0].temperature);
    EXPECT_TRUE(lines[1].temperature);  // The poll, sent.
    EXPECT_FALSE(lines[2].sent);
    EXPECT_FALSE(lines[2].temperature);
    EXPECT_TRUE(lines[3].temperature);
    EXPECT_EQ(lines[4].text, " T:209.9 /210.0");  // Autoreport, its \r gone.
    EXPECT_TRUE(lines[4].temperature);
    EXPECT_EQ(lines[5].text, "echo:busy");
    EXPECT_EQ(lines[5].seq, 6U);
    EXPECT_GT(lines[5].at_s, 1.7e9);  // Unix time.
    EXPECT_TRUE(log.since(6, 100, first_kept).empty());
    EXPECT_EQ(log.since(4, 100, first_kept).front().seq, 5U);
}

TEST(TerminalLog, AReaderThatFellBehindLearnsWhatItLost) {
    TerminalLog log(16);
    for (int i = 1; i <= 40; ++i)
        log.add(false, "line " + std::to_string(i));
    EXPECT_EQ(log.last_seq(), 40U);
    std::uint64_t first_kept = 0;
    const std::vector<TerminalLine> lines = log.since(3, 100, first_kept);
    EXPECT_EQ(first_kept, 25U);  // 16 kept: 25..40; the reader asked from 4.
    ASSERT_EQ(lines.size(), 16U);
    EXPECT_EQ(lines.front().text, "line 25");
    EXPECT_EQ(lines.back().text, "line 40");
    const std::vector<TerminalLine> newest = log.since(0, 5, first_kept);
    ASSERT_EQ(newest.size(), 5U);  // A limit keeps the newest.
    EXPECT_EQ(newest.front().seq, 36U);
}

}  // namespace
}  // namespace strata::streamer
