// The protocol tests' fixture: a Protocol fed scripted firmware replies, with a recorder of
// what it acknowledged and helpers for the lines it sends (protocol_tests.cpp,
// protocol_probe_tests.cpp).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "strata/streamer/protocol.hpp"

namespace strata::streamer::protocol_testing {

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
inline std::vector<std::string> lines_of(const std::string& wire) {
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

}  // namespace strata::streamer::protocol_testing
