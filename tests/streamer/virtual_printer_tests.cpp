// The virtual printer's serial side as Marlin's, spoken to byte by byte over its pty: what it
// does with the pieces of lines a flushed or overflowed RX buffer leaves behind.
#include <poll.h>

#include "../support/result.hpp"
#include "strata/streamer/link.hpp"
#include "strata/streamer/protocol.hpp"
#include "streaming_fixture.hpp"

namespace {

using namespace strata::streamer;
using namespace strata::streamer::testing;

class VirtualPrinterWire : public Streaming {
  protected:
    void open(bool refuse_checksum_without_number = false) {
        VirtualPrinterConfig printer;
        printer.time_scale = 0.0;
        printer.refuse_checksum_without_number = refuse_checksum_without_number;
        start_printer(printer);
        link_ = strata::testing::value_of(open_link({printer_->path(), 115200, 1.0}));
        ASSERT_TRUE(link_);
        EXPECT_NE(read_until("start\n").find("start"), std::string::npos);
    }
    void write(const std::string& bytes) {
        ASSERT_EQ(link_->write(bytes.data(), bytes.size()).bytes, bytes.size());
    }
    // Everything the printer says until `end` has been said (or a second has passed).
    std::string read_until(const std::string& end) {
        std::string got;
        const double until_s = steady_s() + 1.0;
        while (got.find(end) == std::string::npos && steady_s() < until_s) {
            pollfd wait{link_->fd(), POLLIN, 0};
            ::poll(&wait, 1, 20);
            char buffer[512];
            const IoResult result = link_->read(buffer, sizeof buffer);
            if (result.status == IoResult::Status::ok) got.append(buffer, result.bytes);
        }
        return got;
    }
    static std::string numbered(std::uint64_t number, const std::string& command) {
        std::string line;
        append_numbered(line, number, command);
        return line;
    }
    std::unique_ptr<Link> link_;
};

TEST_F(VirtualPrinterWire, ThePtyHasNoWireToCross) {
    open();
    EXPECT_EQ(link_->wire_timing().bytes_per_s, 0.0);
    EXPECT_NE(link_->describe().find("pty"), std::string::npos);
}

// Each ok's write time is kept, after the line it answers arrived: what the server benchmark
// measures the host's reaction time from. Other replies (echo, start) are not oks.
TEST_F(VirtualPrinterWire, EachOkIsTimedWhenWrittenAfterItsLine) {
    open();
    const std::size_t before = printer_->ok_writes_s().size();
    EXPECT_EQ(before, 0u);  // `start` and its echo lines are no oks.
    for (std::uint64_t number = 0; number < 3; ++number) {
        write(numbered(number, number == 0 ? "M110 N0" : "G1 X5 Y5"));
        EXPECT_NE(read_until("ok\n").find("ok"), std::string::npos);
    }
    write("BOGUS\n");
    EXPECT_NE(read_until("ok\n").find("Unknown command"), std::string::npos);
    const std::vector<double> oks = printer_->ok_writes_s();
    const std::vector<double> arrivals = printer_->line_arrivals_s();
    ASSERT_EQ(oks.size(), 4u);
    ASSERT_EQ(arrivals.size(), 4u);
    for (std::size_t i = 0; i < oks.size(); ++i) {
        EXPECT_GE(oks[i], arrivals[i]);
        if (i + 1 < oks.size()) {
            EXPECT_LE(oks[i], arrivals[i + 1]);
        }
    }
}

TEST_F(VirtualPrinterWire, TheTailOfALineIsAnUnknownCommandNotAMove) {
    open();
    write(numbered(0, "M110 N0"));
    EXPECT_NE(read_until("ok\n").find("ok"), std::string::npos);
    // "N1 G1 X40.6 Y40" lost its first two bytes: the stray number must not hide the rest.
    write("1 G1 X40.6 Y40\n");
    const std::string reply = read_until("ok\n");
    EXPECT_NE(reply.find("echo:Unknown command: \"1 G1 X40.6 Y40\""), std::string::npos) << reply;
    write("X40.6 Y40 E0.05\n");
    EXPECT_NE(read_until("ok\n").find("Unknown command"), std::string::npos);
    write(numbered(1, "G1 X5 Y5"));
    EXPECT_NE(read_until("ok\n").find("ok"), std::string::npos);
    EXPECT_EQ(printer_->executed_log(), (std::vector<std::string>{"M110 N0", "G1 X5 Y5"}));
    EXPECT_EQ(printer_->state().unknown_commands, 2u);
}

TEST_F(VirtualPrinterWire, ATailWithItsChecksumButNoNumberIsRefusedByMarlin1) {
    open(true);
    write(numbered(0, "M110 N0"));
    read_until("ok\n");
    // The end of "N7 G1 X1*..": the checksum survived, the number did not.
    const std::string line = numbered(7, "G1 X1 Y2");
    write(line.substr(3));
    const std::string reply = read_until("ok\n");
    EXPECT_NE(reply.find("Error:No Line Number with checksum, Last Line: 0"), std::string::npos)
        << reply;
    EXPECT_NE(reply.find("Resend: 1"), std::string::npos) << reply;
    EXPECT_EQ(printer_->executed_log(), std::vector<std::string>{"M110 N0"});
}

TEST_F(VirtualPrinterWire, ATailWithItsChecksumButNoNumberRunsOnMarlin2) {
    // Marlin 2's get_serial_commands checks only lines that start with N, and its parser drops
    // the `*` and what follows: the tail runs as a command, as Marlin 2 runs it.
    open();
    write(numbered(0, "M110 N0"));
    read_until("ok\n");
    const std::string line = numbered(7, "G1 X1 Y2");
    write(line.substr(3));
    const std::string reply = read_until("ok\n");
    EXPECT_EQ(reply.find("Error"), std::string::npos) << reply;
    EXPECT_EQ(printer_->executed_log(), (std::vector<std::string>{"M110 N0", "G1 X1 Y2"}));
}

}  // namespace
