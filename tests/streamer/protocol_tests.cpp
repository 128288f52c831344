// The protocol engine against scripted firmware conversations: numbering and checksums, each
// send strategy's window, resend requests and error episodes (with the duplicated requests and
// the lost oks that made OctoPrint loop or stall), ADVANCED_OK resynchronisation. Timeouts,
// probes and copied oks are in protocol_probe_tests.cpp.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol_fixture.hpp"

namespace {

using namespace strata::streamer;

using ProtocolTest = strata::streamer::protocol_testing::ProtocolTest;
using strata::streamer::protocol_testing::lines_of;

TEST(Wire, NumberAndChecksumAsMarlinComputesThem) {
    std::string out;
    append_numbered(out, 1, "G28");
    append_numbered(out, 2, "G1 X10 Y10");
    EXPECT_EQ(out, "N1 G28*18\nN2 G1 X10 Y10*43\n");
}

TEST(Wire, LongRunningCommands) {
    EXPECT_TRUE(is_long_running("G28"));
    EXPECT_TRUE(is_long_running("M109 S210"));
    EXPECT_TRUE(is_long_running("m400"));
    EXPECT_FALSE(is_long_running("G1 X1"));
    EXPECT_FALSE(is_long_running("M1090"));
}

TEST_F(ProtocolTest, PingPongKeepsOneLineInFlight) {
    start(SendStrategy::ping_pong);
    enqueue(3);
    EXPECT_EQ(send(), std::vector<std::string>{"N1 G1 X1*96"});
    EXPECT_TRUE(send().empty());
    receive("ok");
    EXPECT_EQ(send().size(), 1u);
    // A plain ok frees the window, but could be a copy: line 1 is done only once an M105's own
    // ok, which names no line but comes after everything before it ran, says so.
    EXPECT_TRUE(recorder_.acknowledged.empty());
    receive("ok");
    EXPECT_EQ(send().size(), 1u);
    receive("ok");
    confirm();
    EXPECT_EQ(recorder_.acknowledged, (std::vector<std::uint64_t>{1, 2, 3}));
    EXPECT_TRUE(protocol_->idle());
    EXPECT_EQ(protocol_->counters().fences, 1u);
}

TEST_F(ProtocolTest, ADuplicatedOkNeverMakesALineThatHasNotRunLookDone) {
    start(SendStrategy::counted_window, 3);
    enqueue(3);
    ASSERT_EQ(send().size(), 3u);
    receive("ok");  // Line 1.
    receive("ok");  // Line 1's, again: a firmware fault.
    receive("ok");  // Line 2.
    // The window counts three answers, but nothing is taken as done on a plain ok's word.
    EXPECT_TRUE(recorder_.acknowledged.empty());
    const auto sent = send();
    ASSERT_EQ(sent.size(), 1u);  // The confirming M105, behind line 3.
    EXPECT_NE(sent[0].find(" M105*"), std::string::npos);
    receive("ok");  // Line 3.
    EXPECT_TRUE(recorder_.acknowledged.empty());
    receive("ok T:210.0 /210.0 B:60.0 /60.0 @:0 B@:0");  // The M105: 1, 2 and 3 ran.
    EXPECT_EQ(recorder_.acknowledged, (std::vector<std::uint64_t>{1, 2, 3}));
}

TEST_F(ProtocolTest, CountedWindowAndByteCounting) {
    start(SendStrategy::counted_window, 3);
    enqueue(5);
    EXPECT_EQ(send().size(), 3u);
    receive("ok");
    EXPECT_EQ(send().size(), 1u);

    config_.rx_buffer_bytes = 40;
    start(SendStrategy::byte_counting);
    enqueue(5);  // Each `N.. G1 X..*..\n` is 12-14 bytes: three fit in 40.
    EXPECT_EQ(send().size(), 3u);
    receive("ok");
    EXPECT_EQ(send().size(), 1u);
}

TEST_F(ProtocolTest, AutomaticPicksAdvancedOkOrByteCounting) {
    start(SendStrategy::automatic);
    EXPECT_EQ(protocol_->strategy(), SendStrategy::byte_counting);
    config_.strategy = SendStrategy::automatic;
    protocol_ = std::make_unique<Protocol>(config_, recorder_);
    protocol_->reset(0.0);
    send();
    receive("ok N0 P15 B3");
    EXPECT_EQ(protocol_->strategy(), SendStrategy::advanced_ok);
    enqueue(10);
    EXPECT_EQ(send().size(), 4u);  // B3 reads one low: four command slots.
}

TEST_F(ProtocolTest, OneRewindPerErrorEpisodeHoweverOftenItIsAskedFor) {
    start(SendStrategy::counted_window, 5);
    enqueue(5);
    ASSERT_EQ(send().size(), 5u);
    receive("ok");  // Line 1 ran.
    // Line 2 arrived corrupted; 3, 4 and 5 are each rejected in turn with the same request.
    receive("Error:checksum mismatch, Last Line: 1");
    receive("Resend: 2");
    receive("ok");
    // Nothing is resent while the firmware still has old lines to reject: it could flush a
    // line sent now together with them. The marker and the closer go out behind them.
    EXPECT_EQ(send(), episode_lines_for(2));
    for (int follower = 0; follower < 3; ++follower) {
        receive("Error:Line Number is not Last Line Number+1, Last Line: 1");
        receive("Resend: 2");
        receive("ok");
    }
    // Every stale line is answered, but only the closer's ok shows nothing else is on its way.
    // The refusals may have thrown the pair away with the RX buffer, or not: it goes out again
    // only once the link is quiet, so that two pairs never answer at once.
    EXPECT_TRUE(send().empty());
    receive("ok");  // The marker's: a plain ok could be a piece of a cut line's.
    EXPECT_TRUE(send().empty());
    receive(temperatures);  // The closer's: line 2 is the M105 now, the job moves on.
    const auto resent = send();
    ASSERT_EQ(resent.size(), 4u);
    EXPECT_EQ(resent[0].substr(0, 3), "N3 ");
    EXPECT_EQ(resent[3].substr(0, 3), "N6 ");
    for (int i = 0; i < 4; ++i)
        receive("ok");
    confirm();
    EXPECT_EQ(recorder_.acknowledged, (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
    EXPECT_EQ(protocol_->counters().resends, 1u);
    EXPECT_EQ(protocol_->counters().duplicate_resends, 3u);
    EXPECT_EQ(protocol_->counters().markers, 1u);
    EXPECT_EQ(protocol_->counters().flushed_lines, 0u);
    EXPECT_EQ(protocol_->next_line_number(), 8u);  // Five lines, the closer, the last M105.
    EXPECT_TRUE(protocol_->idle());
}

TEST_F(ProtocolTest, FollowersFlushedWithTheRxBufferAreLetGoWhenTheMarkerComesBack) {
    // Marlin on AVR empties its RX buffer when it asks for a resend: 3 and 4 vanish unanswered.
    // However long the link is quiet, only the marker's ok shows they are gone.
    refuse_line_2_of_4(0.002);
    EXPECT_EQ(send(0.002), episode_lines_for(2));
    EXPECT_TRUE(send(0.015).empty());
    receive("ok", 0.016);  // The marker's.
    EXPECT_TRUE(send(0.016).empty());
    receive(temperatures, 0.016);  // The closer: read after everything sent before it.
    const auto resent = send(0.016);
    ASSERT_EQ(resent.size(), 3u);
    EXPECT_EQ(resent[0].substr(0, 3), "N3 ");
    for (int i = 0; i < 3; ++i)
        receive("ok", 0.03);
    confirm(0.03);
    EXPECT_EQ(recorder_.acknowledged, (std::vector<std::uint64_t>{1, 2, 3, 4}));
    EXPECT_EQ(protocol_->counters().flushed_lines, 2u);
    EXPECT_TRUE(protocol_->idle());
}

TEST_F(ProtocolTest, AMarkerThrownAwayIsSentAgainWhenTheLinkGoesQuiet) {
    // 1000 bytes/s: the lines in flight may take a while to cross; a marker flushed by a later
    // rejection is sent again only after the link has been quiet that long.
    config_.resend_settle_s = 0.01;
    config_.wire_bytes_per_s = 1000.0;
    refuse_line_2_of_4(0.1);
    EXPECT_EQ(send(0.1), episode_lines_for(2));
    receive("Resend: 2", 0.105);  // 3 is refused; its flush may have taken marker and closer.
    receive("ok", 0.105);
    const double deadline_s = protocol_->next_deadline_s();
    EXPECT_GT(deadline_s, 0.105 + 0.02);  // The backoff and the wire time of what is in flight.
    std::string wire;
    protocol_->on_tick(wire, deadline_s - 0.001);
    EXPECT_TRUE(wire.empty());
    protocol_->on_tick(wire, deadline_s);
    EXPECT_EQ(lines_of(wire), episode_lines_for(2));
    receive("ok", deadline_s + 0.01);  // One pair came back: 4 was thrown away.
    receive(temperatures, deadline_s + 0.01);
    // The other pair may still answer (or be refused): nothing goes out until it has, or until
    // the link has been quiet long enough to let it go.
    EXPECT_TRUE(send(deadline_s + 0.01).empty());
    const double quiet_s = protocol_->next_deadline_s();
    wire.clear();
    protocol_->on_tick(wire, quiet_s);
    EXPECT_TRUE(wire.empty());
    const auto resent = send(quiet_s);
    ASSERT_EQ(resent.size(), 3u);
    EXPECT_EQ(resent[0].substr(0, 3), "N3 ");
    EXPECT_EQ(protocol_->counters().flushed_lines, 1u);
    EXPECT_EQ(protocol_->counters().markers, 2u);
}

TEST_F(ProtocolTest, APairWaitsBehindACommandTheFirmwareSaysItIsBusyWith) {
    // Line 1 ran; 2-4 are refused and the pair goes out behind them. Then the firmware is busy
    // (a command holds its queue: the host cannot always tell which, and Marlin's keepalive says
    // `busy` every 2 s): the quiet between those is no sign that the pair was thrown away.
    config_.resend_settle_s = 0.01;
    config_.busy_timeout_s = 5.0;
    start(SendStrategy::counted_window, 4);
    enqueue(4);
    ASSERT_EQ(send(0.0).size(), 4u);
    receive("ok", 0.05);
    receive("Error:checksum mismatch, Last Line: 1", 0.06);
    receive("Resend: 2", 0.06);
    receive("ok", 0.06);
    EXPECT_EQ(send(0.06), episode_lines_for(2));
    for (const double at_s : {0.07, 0.08}) {
        receive("Error:Line Number is not Last Line Number+1, Last Line: 1", at_s);
        receive("Resend: 2", at_s);
        receive("ok", at_s);
    }
    receive("echo:busy: processing", 0.09);
    std::string wire;
    for (int busy = 1; busy <= 3; ++busy) {
        const double at_s = 0.09 + 2.0 * busy;  // 2.09, 4.09, 6.09: under the timeout each time.
        protocol_->on_tick(wire, at_s - 0.01);
        receive("echo:busy: processing", at_s);
    }
    EXPECT_TRUE(wire.empty());
    EXPECT_EQ(protocol_->counters().markers, 1u);
    receive("ok", 8.5);          // The marker's.
    receive(temperatures, 8.5);  // The closer's.
    const auto resent = send(8.5);
    ASSERT_EQ(resent.size(), 3u);
    EXPECT_EQ(resent[0].substr(0, 3), "N3 ");
}

TEST_F(ProtocolTest, TheOkOfALineFragmentAcknowledgesNothing) {
    // After a flush, the tail of a line can reach the firmware on its own; Marlin echoes it as
    // an unknown command and answers it with an ok of its own.
    start(SendStrategy::counted_window, 4);
    enqueue(2);
    protocol_->enqueue("M4242", 3);
    ASSERT_EQ(send().size(), 3u);
    receive("echo:Unknown command: \"0 Y40 E0.05 F3000*43\"");
    receive("ok");
    EXPECT_TRUE(recorder_.acknowledged.empty());
    receive("ok");
    receive("ok");
    receive("echo:Unknown command: \"M4242\"");  // One of ours: its ok is its own.
    receive("ok");
    confirm();
    EXPECT_EQ(recorder_.acknowledged, (std::vector<std::uint64_t>{1, 2, 3}));
    EXPECT_EQ(protocol_->counters().fragment_oks, 1u);
}

TEST_F(ProtocolTest, AMarkerThatSetTheFirmwaresCountWrongIsUndoneByTheNext) {
    // Bytes lost inside a marker can still match its checksum, and M110 skips the number
    // check: the firmware's count is then anywhere, and it refuses every line, asking for a
    // number the host never sent. The host rewinds to the episode's line; the next marker sets
    // the count back.
    refuse_line_2_of_4(0.002);
    EXPECT_EQ(send(0.002), episode_lines_for(2));
    receive("ok", 0.01);  // The damaged marker's, taken as N5 M110; the closer is refused.
    receive("Error:Line Number is not Last Line Number+1, Last Line: 5", 0.02);
    receive("Resend: 6", 0.02);
    receive("ok", 0.02);
    EXPECT_TRUE(recorder_.failures.empty());
    EXPECT_EQ(send(0.02), episode_lines_for(2));
    receive("Resend: 6", 0.03);  // 3 and 4, refused in turn.
    receive("ok", 0.03);
    receive("Resend: 6", 0.03);
    receive("ok", 0.03);
    receive("ok", 0.04);  // The new marker: the count is 1 again.
    receive(temperatures, 0.04);
    const auto resent = send(0.04);
    ASSERT_FALSE(resent.empty());
    EXPECT_EQ(resent[0].substr(0, 3), "N3 ");
    EXPECT_EQ(protocol_->counters().resyncs, 3u);
    EXPECT_TRUE(recorder_.failures.empty());
}

TEST_F(ProtocolTest, ARequestForALineNotSentYetIsIgnored) {
    start(SendStrategy::ping_pong);
    enqueue(2);
    send();
    receive("ok");
    receive("Resend: 2");  // Line 2 is queued, not sent: nothing to do.
    EXPECT_EQ(send().size(), 1u);
    EXPECT_EQ(protocol_->counters().resends, 0u);
}

TEST_F(ProtocolTest, AStuckResendLoopFails) {
    start(SendStrategy::ping_pong);
    enqueue(1);
    send();
    for (int i = 0; i < 12 && recorder_.failures.empty(); ++i) {
        receive("Resend: 1");
        receive("ok");
        send();
    }
    ASSERT_EQ(recorder_.failures.size(), 1u);
    EXPECT_NE(recorder_.failures[0].find("line 1 again and again"), std::string::npos);
}

TEST_F(ProtocolTest, AdvancedOkNumbersMakeLostAndDuplicatedOksHarmless) {
    start(SendStrategy::advanced_ok);
    receive("ok N0 P15 B7");
    enqueue(4);
    ASSERT_EQ(send().size(), 4u);
    receive("ok N2 P15 B7");  // The ok of line 1 was lost: 2's number settles both.
    EXPECT_EQ(recorder_.acknowledged, (std::vector<std::uint64_t>{1, 2}));
    receive("ok N2 P15 B7");  // Duplicated: nothing more is acknowledged.
    EXPECT_EQ(recorder_.acknowledged.size(), 2u);
    receive("ok N3 P15 B7");
    receive("ok N4 P15 B7");
    EXPECT_EQ(recorder_.acknowledged, (std::vector<std::uint64_t>{1, 2, 3, 4}));
    EXPECT_EQ(protocol_->counters().resyncs, 1u);
}

TEST_F(ProtocolTest, AResendWithoutItsOkStillEndsWithEveryLineAcknowledgedOnce) {
    // Some firmwares ask for a resend and send no ok with it (OctoPrint's
    // supportResendsWithoutOk). The marker's ok is then taken for the refusal's; marker and
    // closer are sent again when the link goes quiet, and the count never runs ahead of what ran.
    config_.resend_settle_s = 0.02;
    start(SendStrategy::counted_window, 2);
    enqueue(3);
    ASSERT_EQ(send(0.0).size(), 2u);
    receive("ok", 0.01);  // Line 1 ran.
    ASSERT_EQ(send(0.01).size(), 1u);
    receive("Resend: 2", 0.02);  // 2 refused, 3 flushed with the RX buffer; no ok at all.
    EXPECT_EQ(send(0.02), episode_lines_for(2));
    receive("ok", 0.025);          // The marker's, read as the refusal's.
    receive(temperatures, 0.025);  // The closer's.
    std::string wire;
    double now_s = 0.025;
    std::vector<std::string> resent = send(now_s);
    for (int turn = 0; turn < 20 && resent.empty(); ++turn) {
        now_s = std::max(now_s + 0.001, protocol_->next_deadline_s());
        protocol_->on_tick(wire, now_s);
        for (const std::string& line : lines_of(wire))  // Each pair sent again comes back.
            receive(line.find(" M105*") != std::string::npos ? temperatures : "ok", now_s);
        wire.clear();
        resent = send(now_s);
    }
    ASSERT_FALSE(resent.empty());
    EXPECT_EQ(resent[0].substr(0, 3), "N3 ");
    // From here the firmware answers each line once (M105 with its temperatures); the orphan
    // marker takes one ok too many, which only delays the count until a probe settles it.
    for (int turn = 0; turn < 50 && !protocol_->idle(); ++turn) {
        for (const std::string& line : resent)
            receive(line.find("M105") != std::string::npos
                        ? "ok T:210.0 /210.0 B:60.0 /60.0 @:0 B@:0"
                        : "ok",
                    now_s);
        now_s = std::max(now_s + 0.01, protocol_->next_deadline_s());
        protocol_->on_tick(wire, now_s);
        resent = lines_of(wire);
        wire.clear();
        const auto more = send(now_s);
        resent.insert(resent.end(), more.begin(), more.end());
    }
    EXPECT_EQ(recorder_.acknowledged, (std::vector<std::uint64_t>{1, 2, 3}));
    EXPECT_TRUE(protocol_->idle());
}

}  // namespace
