// The protocol's clock against scripted firmware conversations: silence probed with M114 and
// M105 (under long moves, with lost answers, past the long-command limit, while busy), and
// M105 oks that are copies of the one before, which must never mark a line done.
#include "protocol_fixture.hpp"

namespace {

using namespace strata::streamer;
using ProtocolTest = protocol_testing::ProtocolTest;
using protocol_testing::lines_of;

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

namespace {}  // namespace
