// The protocol engine against scripted firmware conversations: numbering and checksums, each
// send strategy's window, resend requests (with the duplicated requests and the lost oks that
// made OctoPrint loop or stall), ADVANCED_OK resynchronisation, timeouts and their probe.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "strata/streamer/protocol.hpp"

namespace {

using namespace strata::streamer;

class Recorder : public ProtocolListener {
  public:
    void on_acknowledged(std::uint64_t tag) override {
        if (tag < Protocol::fence_tag) acknowledged.push_back(tag);
    }
    void on_reply(const Reply& reply) override { kinds.push_back(reply.kind); }
    void on_failure(const std::string& reason) override { failures.push_back(reason); }

    std::vector<std::uint64_t> acknowledged;
    std::vector<ReplyKind> kinds;
    std::vector<std::string> failures;
};

// Lines of `wire`, each without its end-of-line.
std::vector<std::string> lines_of(const std::string& wire) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    for (std::size_t end = wire.find('\n'); end != std::string::npos;
         start = end + 1, end = wire.find('\n', start))
        lines.push_back(wire.substr(start, end - start));
    return lines;
}

class ProtocolTest : public ::testing::Test {
  protected:
    void start(SendStrategy strategy, std::size_t window = 4) {
        config_.strategy = strategy;
        config_.window_lines = window;
        config_.ok_timeout_s = 1.0;
        protocol_ = std::make_unique<Protocol>(config_, recorder_);
        protocol_->reset(0.0);
        EXPECT_EQ(send(), std::vector<std::string>{"N0 M110 N0*125"});
        receive("ok");
    }
    std::vector<std::string> send(double now_s = 0.0) {
        std::string wire;
        protocol_->fill(wire, now_s);
        return lines_of(wire);
    }
    void receive(const std::string& line, double now_s = 0.0) {
        protocol_->on_received(line, now_s);
    }
    // Four lines in flight under a 4-line window; line 1 runs, line 2 is refused at `at_s`.
    void refuse_line_2_of_4(double at_s) {
        start(SendStrategy::counted_window, 4);
        enqueue(4);
        ASSERT_EQ(send(0.0).size(), 4u);
        receive("ok", 0.0);
        receive("Resend: 2", at_s);
        receive("ok", at_s);
    }
    // Answers the M105 the protocol sends to confirm lines answered by plain oks (and sends
    // whatever else is due with it, unanswered).
    void confirm(double now_s = 0.0) {
        for (const std::string& line : send(now_s))
            if (line.find(" M105*") != std::string::npos)
                receive("ok T:210.0 /210.0 B:60.0 /60.0 @:0 B@:0", now_s);
    }
    // The error episode's marker and closer for a request for line `number`.
    static std::vector<std::string> episode_lines_for(std::uint64_t number) {
        std::string wire;
        append_numbered(wire, number - 1, "M110");
        append_numbered(wire, number, "M105");
        return lines_of(wire);
    }
    static constexpr const char* temperatures = "ok T:210.0 /210.0 B:60.0 /60.0 @:0 B@:0";
    static constexpr const char* position = "X:10.00 Y:20.00 Z:0.30 E:0.00 Count X:0 Y:0 Z:0";
    // `command` numbered `number`, as on the wire.
    static std::string numbered(std::uint64_t number, const char* command) {
        std::string wire;
        append_numbered(wire, number, command);
        return wire;
    }
    void enqueue(int count) {
        for (int i = 0; i < count; ++i)
            protocol_->enqueue("G1 X" + std::to_string(next_tag_), next_tag_), ++next_tag_;
    }

    ProtocolConfig config_;
    Recorder recorder_;
    std::unique_ptr<Protocol> protocol_;
    std::uint64_t next_tag_ = 1;
};

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

TEST_F(ProtocolTest, ACopiedM105OkIsNotTakenForTheNextM105s) {
    start(SendStrategy::counted_window, 4);
    protocol_->enqueue("G1 X1", 1);
    protocol_->enqueue("M105", 2);
    ASSERT_EQ(send().size(), 2u);
    receive("ok");
    receive(temperatures);
    EXPECT_EQ(recorder_.acknowledged, (std::vector<std::uint64_t>{1, 2}));
    protocol_->enqueue("G1 X3", 3);
    protocol_->enqueue("M105", 4);
    ASSERT_EQ(send().size(), 2u);
    // Line 2's ok again (a firmware or wire fault), before line 3 has run: were it taken for
    // line 4's, line 3 would look done.
    receive(temperatures);
    EXPECT_EQ(recorder_.acknowledged, (std::vector<std::uint64_t>{1, 2}));
    EXPECT_EQ(protocol_->counters().repeated_m105_oks, 1u);
    receive("ok");
    receive(temperatures);
    EXPECT_EQ(recorder_.acknowledged, (std::vector<std::uint64_t>{1, 2, 3, 4}));
    EXPECT_TRUE(protocol_->idle());
}

TEST_F(ProtocolTest, AnM105OkDoubtedAsACopyHoldsUpOneProbeAtMost) {
    start(SendStrategy::counted_window, 4);
    protocol_->enqueue("M105", 1);
    protocol_->enqueue("G1 X2", 2);
    protocol_->enqueue("M105", 3);
    ASSERT_EQ(send(0.0).size(), 3u);
    receive(temperatures, 0.1);
    // Line 2's ok is lost: line 3's, right behind line 1's, looks like a copy of it.
    receive(temperatures, 0.1);
    EXPECT_EQ(recorder_.acknowledged, (std::vector<std::uint64_t>{1}));
    // Silence: the probes find what ran. The first answer after a doubted one is believed.
    double now_s = 0.1;
    for (int turn = 0; turn < 10 && !protocol_->idle(); ++turn) {
        now_s += 1.1;
        std::string wire;
        protocol_->on_tick(wire, now_s);
        for (const std::string& line : lines_of(wire))
            receive(line.find(" M114*") != std::string::npos ? position : temperatures, now_s);
        if (wire.find(" M114*") != std::string::npos) receive("ok", now_s);
    }
    EXPECT_EQ(recorder_.acknowledged, (std::vector<std::uint64_t>{1, 2, 3}));
    EXPECT_TRUE(protocol_->idle());
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
    for (double at_s = 2.09; at_s < 8.0; at_s += 2.0) {
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

TEST_F(ProtocolTest, ATimeoutProbesWithM114AndItsAnswerSettlesLostOks) {
    start(SendStrategy::counted_window, 2);
    enqueue(3);
    ASSERT_EQ(send(0.0).size(), 2u);
    receive("ok", 0.1);  // Line 2's ok is lost; line 3 waits for a window slot forever.
    std::string wire;
    protocol_->on_tick(wire, 0.5);
    EXPECT_TRUE(wire.empty());
    // Autoreported temperatures are not an answer to anything: they do not hold off the probe.
    receive(" T:210.0 /210.0 B:60.0 /60.0 @:0 B@:0", 0.9);
    protocol_->on_tick(wire, 1.2);
    EXPECT_EQ(wire, numbered(3, "M114"));  // Numbered in sequence: the firmware checks the gap.
    receive(position, 1.3);
    EXPECT_EQ(recorder_.acknowledged, (std::vector<std::uint64_t>{1, 2}));
    receive("ok", 1.3);  // M114's own: it answers no line.
    const auto next = send(1.3);
    ASSERT_EQ(next.size(), 1u);
    EXPECT_EQ(next[0].substr(0, 3), "N4 ");  // Line 3 moved up one number behind the probe.
    receive("ok", 1.4);
    confirm(1.4);
    EXPECT_EQ(recorder_.acknowledged, (std::vector<std::uint64_t>{1, 2, 3}));
    EXPECT_TRUE(protocol_->idle());
    EXPECT_EQ(protocol_->counters().timeouts, 1u);
}

// Under a long move the probes wait in the firmware's queue and are all answered later. At most
// one M114 and one M105 are counted, and no more go out while both wait (they would only fill
// the RX buffer): their answers are told apart, so none is taken for another's.
TEST_F(ProtocolTest, ProbesUnderALongMoveAreAnsweredLateAndNoneIsMistakenForAnother) {
    start(SendStrategy::counted_window, 2);
    enqueue(3);
    ASSERT_EQ(send(0.0).size(), 2u);
    std::string wire;
    protocol_->on_tick(wire, 1.1);
    protocol_->on_tick(wire, 2.2);
    protocol_->on_tick(wire, 3.3);
    protocol_->on_tick(wire, 4.4);
    EXPECT_EQ(lines_of(wire), (std::vector<std::string>{"N3 M114*36", "N4 M105*35"}));
    EXPECT_TRUE(recorder_.failures.empty());
    // The move ends: lines 1 and 2, then each probe in turn.
    receive("ok", 4.5);
    receive("ok", 4.5);
    receive(position, 4.5);
    receive("ok", 4.5);  // M114's own.
    EXPECT_EQ(recorder_.acknowledged, (std::vector<std::uint64_t>{1, 2}));
    receive(temperatures, 4.5);
    EXPECT_EQ(protocol_->in_flight(), 0u);
    const auto next = send(4.6);
    ASSERT_EQ(next.size(), 1u);
    EXPECT_EQ(next[0].substr(0, 3), "N5 ");
    receive("ok", 4.7);
    confirm(4.7);
    EXPECT_EQ(recorder_.acknowledged, (std::vector<std::uint64_t>{1, 2, 3}));
    EXPECT_TRUE(protocol_->idle());
}

// A probe whose answer was lost is found by the other kind's answer: answers come in order.
TEST_F(ProtocolTest, AProbeWhoseAnswerWasLostIsFoundByTheNextProbe) {
    start(SendStrategy::counted_window, 2);
    enqueue(3);
    ASSERT_EQ(send(0.0).size(), 2u);
    std::string wire;
    protocol_->on_tick(wire, 1.1);  // M114: its position line and ok are lost.
    protocol_->on_tick(wire, 2.2);  // M105.
    EXPECT_EQ(lines_of(wire), (std::vector<std::string>{"N3 M114*36", "N4 M105*35"}));
    receive("ok", 2.3);
    receive("ok", 2.3);
    receive(temperatures, 2.3);
    EXPECT_EQ(protocol_->in_flight(), 0u);
    EXPECT_EQ(recorder_.acknowledged, (std::vector<std::uint64_t>{1, 2}));
    // Now the other way round: the M105's ok is lost, the M114 after it answers.
    ASSERT_EQ(send(2.4).size(), 1u);
    wire.clear();
    protocol_->on_tick(wire, 3.5);  // M114.
    protocol_->on_tick(wire, 4.6);  // M105, whose ok will be lost.
    receive("ok", 4.7);             // Line 3's.
    receive(position, 4.7);         // The first M114's.
    receive("ok", 4.7);
    EXPECT_EQ(recorder_.acknowledged, (std::vector<std::uint64_t>{1, 2, 3}));
    EXPECT_EQ(protocol_->in_flight(), 1u);  // The M105.
    protocol_->on_tick(wire, 5.8);          // An M114 behind it.
    EXPECT_EQ(lines_of(wire), (std::vector<std::string>{"N6 M114*33", "N7 M105*32", "N8 M114*47"}));
    receive(position, 5.9);
    receive("ok", 5.9);
    EXPECT_EQ(protocol_->in_flight(), 0u);
    EXPECT_TRUE(protocol_->idle());
}

TEST_F(ProtocolTest, ALineLostBeforeTheProbeIsAskedForNotTakenAsDone) {
    start(SendStrategy::counted_window, 2);
    enqueue(3);
    ASSERT_EQ(send(0.0).size(), 2u);
    receive("ok", 0.1);  // Line 1 ran; line 2 never arrived: no ok will come for it.
    std::string wire;
    protocol_->on_tick(wire, 1.2);
    ASSERT_EQ(wire, numbered(3, "M114"));
    // The firmware expects line 2 and says so when the probe arrives.
    receive("Error:Line Number is not Last Line Number+1, Last Line: 1", 1.21);
    receive("Resend: 2", 1.21);
    receive("ok", 1.21);
    EXPECT_TRUE(recorder_.acknowledged.empty());  // Line 1's plain ok proves nothing alone.
    // Both 2 and the probe were stale, the probe is answered: 2 may still be on its way.
    EXPECT_EQ(send(1.21), episode_lines_for(2));
    receive("ok", 1.22);          // The marker.
    receive(temperatures, 1.22);  // The closer: 2 is gone.
    // From here the firmware answers every line once, M105s with their temperatures.
    double now_s = 1.22;
    std::vector<std::string> sent = send(now_s);
    ASSERT_FALSE(sent.empty());
    for (int turn = 0; turn < 20 && !protocol_->idle(); ++turn) {
        for (const std::string& line : sent) {
            EXPECT_EQ(line.find("M110"), std::string::npos);  // No new episode.
            receive(line.find(" M105*") != std::string::npos
                        ? "ok T:210.0 /210.0 B:60.0 /60.0 @:0 B@:0"
                        : "ok",
                    now_s);
        }
        now_s += 0.05;
        sent = send(now_s);
    }
    EXPECT_EQ(recorder_.acknowledged, (std::vector<std::uint64_t>{1, 2, 3}));
    EXPECT_TRUE(protocol_->idle());
    EXPECT_EQ(protocol_->counters().resends, 1u);
}

TEST_F(ProtocolTest, SilenceUnderALongCommandIsProbedButFailsOnlyPastTheLongLimit) {
    config_.long_command_timeout_s = 100.0;
    config_.max_timeouts = 2;
    start(SendStrategy::ping_pong);
    protocol_->enqueue("M109 S215", 1);
    send(0.0);
    std::string wire;
    // A lost ok under M109 is found by the probe within the ok timeout, not the long one.
    protocol_->on_tick(wire, 1.5);
    EXPECT_EQ(wire, numbered(2, "M114"));
    for (int tick = 2; tick < 40; ++tick)
        protocol_->on_tick(wire, 1.5 * tick);
    EXPECT_TRUE(recorder_.failures.empty());  // Still under the long limit.
    for (int tick = 1; tick < 10 && recorder_.failures.empty(); ++tick)
        protocol_->on_tick(wire, 60.0 + 101.0 * tick);
    ASSERT_EQ(recorder_.failures.size(), 1u);
    EXPECT_NE(recorder_.failures[0].find("no answer from the printer"), std::string::npos);
}

TEST_F(ProtocolTest, BusyHoldsTheTimeoutOff) {
    start(SendStrategy::ping_pong);
    enqueue(1);
    send(0.0);
    std::string wire;
    for (int tick = 1; tick < 20; ++tick) {
        const double now = 0.5 * tick;
        receive("echo:busy: processing", now);
        protocol_->on_tick(wire, now + 0.4);
    }
    EXPECT_TRUE(wire.empty());
    EXPECT_EQ(protocol_->counters().timeouts, 0u);
}

}  // namespace

namespace {

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
