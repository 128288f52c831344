// A printer unplugged and plugged in again, on a live server: the server connects to it by a
// stable name (a link, as udev's /dev/serial/by-id/...), the virtual printer goes away in the
// middle of a print (its pty closes, the link is removed) and comes back as a new pty under the
// same name. The job is interrupted, not failed, with a message that says what happened and
// how to go on; the server connects again by itself and the job resumes from its layer. A
// printer the user disconnected while it was away stays disconnected.
#include <rapidjson/document.h>

#include <filesystem>

#include "server_fixture.hpp"

namespace strata::server::test {
namespace {

class ReplugTest : public ServerTest {
  protected:
    void configure(ServerConfig& config) override {
        stable_name_ = directory_ / "usb-Virtual_Printer_0001-if00";
        std::filesystem::create_symlink(printer_->path(), stable_name_);
        config.printer.streamer.link.target = stable_name_.string();
    }

    // The printer's USB cable pulled: its device and its stable name disappear.
    void unplug() {
        printer_->stop();
        std::filesystem::remove(stable_name_);
    }
    // Plugged in again: a new device (the kernel may number it anew), the same stable name.
    void plug_in() {
        streamer::VirtualPrinterConfig printer_config;
        printer_config.time_scale = 0.02;
        printer_ = std::make_unique<streamer::VirtualPrinter>(printer_config);
        ASSERT_TRUE(strata::testing::ok(printer_->start()));
        std::filesystem::create_symlink(printer_->path(), stable_name_);
    }

    [[nodiscard]] streamer::PrinterState state() const { return server_->printer().status().state; }

    std::filesystem::path stable_name_;
};

TEST_F(ReplugTest, AnUnpluggedPrinterInterruptsItsJobAndIsConnectedAgainWhenBack) {
    ASSERT_TRUE(connect_printer());
    ASSERT_NO_FATAL_FAILURE(upload_and_print_sample("cube.gcode"));
    ASSERT_TRUE(eventually([&] { return server_->printer().status().progress.line > 300; }));
    unplug();
    ASSERT_TRUE(eventually([&] { return state() == streamer::PrinterState::disconnected; }));
    EXPECT_NE(server_->printer().status().error.find("link"), std::string::npos)
        << server_->printer().status().error;

    httplib::Client http = client(operator_key_);
    const auto jobs = http.Get("/api/strata/jobs");
    ASSERT_TRUE(jobs);
    rapidjson::Document listed;
    listed.Parse(jobs->body.c_str());
    ASSERT_TRUE(listed.IsObject() && listed["jobs"].IsArray() && !listed["jobs"].Empty());
    const rapidjson::Value& job = listed["jobs"][0];
    EXPECT_STREQ(job["state"].GetString(), "interrupted");
    const std::string result = job["result"].GetString();
    EXPECT_NE(result.find("unplugged or powered off"), std::string::npos) << result;
    EXPECT_NE(result.find("resume"), std::string::npos) << result;
    EXPECT_GT(job["last_line"].GetInt64(), 0);

    // Nothing to connect to for a while: the server waits, and does not give up.
    std::this_thread::sleep_for(std::chrono::seconds(2));
    EXPECT_EQ(state(), streamer::PrinterState::disconnected);
    ASSERT_NO_FATAL_FAILURE(plug_in());
    ASSERT_TRUE(eventually([&] { return server_->printer().operational(); }, 30.0));
    EXPECT_EQ(server_->printer().status().port, stable_name_.string());

    const auto resumed =
        http.Post("/api/strata/jobs/" + std::to_string(job["id"].GetInt64()) + "/resume", "",
                  "application/json");
    ASSERT_TRUE(resumed);
    EXPECT_EQ(resumed->status, 204) << resumed->body;
    EXPECT_TRUE(eventually([&] { return state() == streamer::PrinterState::printing; }, 30.0));
}

TEST_F(ReplugTest, APrinterDisconnectedWhileAwayStaysDisconnected) {
    ASSERT_TRUE(connect_printer());
    unplug();
    ASSERT_TRUE(eventually([&] { return state() == streamer::PrinterState::disconnected; }));
    httplib::Client http = client(operator_key_);
    const auto disconnected =
        http.Post("/api/connection", R"({"command":"disconnect"})", "application/json");
    ASSERT_TRUE(disconnected);
    EXPECT_EQ(disconnected->status, 204);
    ASSERT_NO_FATAL_FAILURE(plug_in());
    std::this_thread::sleep_for(std::chrono::seconds(3));
    EXPECT_EQ(state(), streamer::PrinterState::disconnected);
}

}  // namespace
}  // namespace strata::server::test
