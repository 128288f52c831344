// Firmware replies as the protocol reads them: Marlin's lines and the Prusa, Klipper, RRF and
// Repetier variants OctoPrint's comm layer accepts.
#include <gtest/gtest.h>

#include "strata/streamer/reply.hpp"

namespace {

using namespace strata::streamer;

TEST(Reply, OkVariants) {
    EXPECT_EQ(parse_reply("ok").kind, ReplyKind::ok);
    EXPECT_EQ(parse_reply("ok\r").kind, ReplyKind::ok);
    const Reply advanced = parse_reply("ok N1234 P15 B3");
    EXPECT_EQ(advanced.kind, ReplyKind::ok);
    EXPECT_EQ(advanced.line, 1234u);
    EXPECT_EQ(advanced.planner_free, 15);
    EXPECT_EQ(advanced.buffer_free, 3);
    const Reply with_temperatures = parse_reply("ok T:210.5 /215.0 B:60.1 /60.0 @:127 B@:0");
    EXPECT_EQ(with_temperatures.kind, ReplyKind::ok);
    EXPECT_FALSE(with_temperatures.buffer_free);  // `B:60.1` is the bed, not ADVANCED_OK's B.
    ASSERT_EQ(with_temperatures.heater_count, 2);
    EXPECT_EQ(with_temperatures.heaters[0].heater, 'T');
    EXPECT_DOUBLE_EQ(with_temperatures.heaters[0].actual_c, 210.5);
    EXPECT_DOUBLE_EQ(*with_temperatures.heaters[0].target_c, 215.0);
    EXPECT_EQ(with_temperatures.heaters[1].heater, 'B');
    EXPECT_DOUBLE_EQ(*with_temperatures.heaters[1].target_c, 60.0);
    EXPECT_EQ(parse_reply("okay then").kind, ReplyKind::other);
}

TEST(Reply, TemperatureLinesOfSeveralFirmwares) {
    const Reply marlin = parse_reply(" T:22.50 /0.00 B:21.90 /0.00 @:0 B@:0");
    EXPECT_EQ(marlin.kind, ReplyKind::temperature);
    EXPECT_EQ(marlin.heater_count, 2);
    const Reply tools = parse_reply("T0:200.0 /200.0 T1:150.2 /0.0 B:60.0 /60.0 C:35.0 /0.0");
    ASSERT_EQ(tools.heater_count, 4);
    EXPECT_EQ(tools.heaters[1].index, 1);
    EXPECT_EQ(tools.heaters[3].heater, 'C');
    const Reply attached = parse_reply("T:200.0/210.0 B:55/60");  // Repetier-style.
    ASSERT_EQ(attached.heater_count, 2);
    EXPECT_DOUBLE_EQ(*attached.heaters[0].target_c, 210.0);
}

// Found by fuzz/serial_reply_fuzz.cpp: a garbled line's `inf` or `nan` passed as a reading.
TEST(Reply, ReadingsThatAreNotFiniteAreNotReadings) {
    const Reply garbled = parse_reply("T:inf4 /0.0 B:nan /60.0 C:1e999");
    EXPECT_EQ(garbled.heater_count, 0);
    const Reply target = parse_reply("T:200.0 /inf B:60.0 /60.0");
    ASSERT_EQ(target.heater_count, 2);
    EXPECT_FALSE(target.heaters[0].target_c.has_value());
    const Reply position = parse_reply("X:nan Y:1.0 Z:inf E:0.0");
    EXPECT_FALSE(position.position_mm.has_value());
}

TEST(Reply, ResendForms) {
    for (const char* line :
         {"Resend: 42", "Resend:42", "resend: N42", "rs N42", "rs 42", "Resend: N:42"}) {
        const Reply reply = parse_reply(line);
        EXPECT_EQ(reply.kind, ReplyKind::resend) << line;
        EXPECT_EQ(reply.line, 42u) << line;
    }
}

TEST(Reply, ErrorsAreSortedIntoResendRelatedAndFatal) {
    const Reply checksum = parse_reply("Error:checksum mismatch, Last Line: 12");
    EXPECT_EQ(checksum.kind, ReplyKind::error);
    EXPECT_TRUE(checksum.resend_error);
    EXPECT_FALSE(checksum.fatal);
    EXPECT_TRUE(
        parse_reply("Error:Line Number is not Last Line Number+1, Last Line: 5").resend_error);
    EXPECT_TRUE(parse_reply("Error:No Line Number with checksum, Last Line: 5").resend_error);
    const Reply killed = parse_reply("Error:Printer halted. kill() called!");
    EXPECT_TRUE(killed.fatal);
    EXPECT_EQ(killed.value, "Printer halted. kill() called!");
    EXPECT_TRUE(parse_reply("Error:Thermal Runaway, system stopped! Heater_ID: 0").fatal);
    EXPECT_TRUE(parse_reply("!! MINTEMP triggered").fatal);
    EXPECT_TRUE(parse_reply("fatal: something broke").fatal);
    EXPECT_FALSE(parse_reply("Error:Unknown command: \"G999\"").fatal);
}

TEST(Reply, BusyWaitStartFirmwareCapabilitiesActionsPositions) {
    EXPECT_EQ(parse_reply("echo:busy: processing").kind, ReplyKind::busy);
    EXPECT_EQ(parse_reply("busy: paused for user").value, "paused for user");
    EXPECT_EQ(parse_reply("wait").kind, ReplyKind::wait);
    EXPECT_EQ(parse_reply("start").kind, ReplyKind::start);
    const Reply firmware = parse_reply(
        "FIRMWARE_NAME:Marlin 2.1.2.1 (Jun 10 2023) "
        "SOURCE_CODE_URL:github.com/MarlinFirmware/Marlin "
        "PROTOCOL_VERSION:1.0 MACHINE_TYPE:Ender-3 EXTRUDER_COUNT:1");
    EXPECT_EQ(firmware.kind, ReplyKind::firmware);
    EXPECT_EQ(firmware.name, "Marlin 2.1.2.1 (Jun 10 2023)");
    const Reply capability = parse_reply("Cap:AUTOREPORT_TEMP:1");
    EXPECT_EQ(capability.kind, ReplyKind::capability);
    EXPECT_EQ(capability.name, "AUTOREPORT_TEMP");
    EXPECT_EQ(capability.value, "1");
    const Reply action = parse_reply("//action:prompt_begin Filament runout");
    EXPECT_EQ(action.kind, ReplyKind::action);
    EXPECT_EQ(action.name, "prompt_begin");
    EXPECT_EQ(action.value, "Filament runout");
    const Reply position = parse_reply("X:10.00 Y:20.50 Z:0.30 E:4.20 Count X:800 Y:1640 Z:120");
    EXPECT_EQ(position.kind, ReplyKind::position);
    ASSERT_TRUE(position.position_mm);
    EXPECT_DOUBLE_EQ((*position.position_mm)[1], 20.5);
    EXPECT_DOUBLE_EQ((*position.position_mm)[3], 4.2);
    EXPECT_EQ(parse_reply("echo:Unknown command: \"X\"").kind, ReplyKind::echo);
}

}  // namespace
