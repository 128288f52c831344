// A live server for API tests: a scratch data directory with an admin, an operator and a viewer
// (their API keys kept), the virtual printer on a real pty (fast: 2 % of real time), and the
// server on a free loopback port. Clients are cpp-httplib over real HTTP.
#pragma once

#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "../support/result.hpp"
#include "../support/test_directory.hpp"
#include "strata/server/accounts.hpp"
#include "strata/server/server.hpp"
#include "strata/server/store.hpp"
#include "strata/streamer/virtual_printer.hpp"

namespace strata::server::test {

inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

inline const std::filesystem::path sample_gcode =
    std::filesystem::path(STRATA_TEST_DATA_DIR) / "ps281_mini_cube_m486.gcode";

class ServerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        directory_ = testing::test_directory("server_api");
        std::filesystem::remove_all(directory_);
        std::filesystem::create_directories(directory_);
        {
            Database db;
            const Status opened = db.open(directory_ / "strata.db");
            ASSERT_TRUE(opened) << opened.error().message;
            Accounts accounts(db);
            const Result<NewUser> admin = accounts.add_user("ada", Role::admin, std::nullopt);
            ASSERT_TRUE(admin) << admin.error().message;
            admin_key_ = admin->api_key;
            admin_password_ = admin->password;
            const Result<NewUser> operator_user =
                accounts.add_user("otto", Role::operator_, std::nullopt);
            ASSERT_TRUE(operator_user) << operator_user.error().message;
            operator_key_ = operator_user->api_key;
            const Result<NewUser> viewer = accounts.add_user("vera", Role::viewer, std::nullopt);
            ASSERT_TRUE(viewer) << viewer.error().message;
            viewer_key_ = viewer->api_key;
        }
        streamer::VirtualPrinterConfig printer_config;
        printer_config.time_scale = 0.02;
        printer_ = std::make_unique<streamer::VirtualPrinter>(printer_config);
        std::string error;
        ASSERT_TRUE(strata::testing::ok(printer_->start()));
        ServerConfig config;
        config.data_directory = directory_;
        config.http.port = 0;
        config.printer.streamer.link.target = printer_->path();
        config.printer.timelapse_directory = directory_ / "timelapse";
        configure(config);
        config_ = config;
        server_ = std::make_unique<Server>(config);
        ASSERT_TRUE(strata::testing::ok(server_->start()));
    }

    /// Stops the server and starts a new one on the same data directory and printer.
    void restart_server() {
        server_.reset();
        server_ = std::make_unique<Server>(config_);
        std::string error;
        ASSERT_TRUE(strata::testing::ok(server_->start()));
    }

    void TearDown() override {
        server_.reset();
        printer_.reset();
        std::filesystem::remove_all(directory_);
    }

    /// Tests change the configuration here before the server starts.
    virtual void configure(ServerConfig&) {}

    [[nodiscard]] httplib::Client client(const std::string& key = "") const {
        httplib::Client http("127.0.0.1", server_->port());
        if (!key.empty()) http.set_default_headers({{"X-Api-Key", key}});
        http.set_read_timeout(10, 0);
        return http;
    }

    /// Waits up to `timeout_s` for `done`, polling.
    template <typename Condition>
    static bool eventually(Condition done, double timeout_s = 20.0) {
        const auto deadline = std::chrono::steady_clock::now() +
                              std::chrono::milliseconds(static_cast<int>(timeout_s * 1000));
        while (std::chrono::steady_clock::now() < deadline) {
            if (done()) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return done();
    }

    /// Uploads `content` as `name` (multipart, as slicers send it).
    httplib::Result upload(const std::string& key, const std::string& name,
                           const std::string& content, httplib::MultipartFormDataItems extra = {}) {
        httplib::Client http = client(key);
        extra.push_back({"file", content, name, "application/octet-stream"});
        return http.Post("/api/files/local", extra);
    }

    /// Connects the printer and waits until it is operational.
    bool connect_printer() {
        httplib::Client http = client(operator_key_);
        const auto result =
            http.Post("/api/connection", R"({"command":"connect"})", "application/json");
        if (!result || result->status != 204) return false;
        return eventually([&] { return server_->printer().operational(); });
    }

    /// Uploads the sample as `name` with print=true, as a slicer's "upload and print" does, on
    /// a printer already connected; wrap it in ASSERT_NO_FATAL_FAILURE.
    void upload_and_print_sample(const std::string& name) {
        const auto uploaded =
            upload(operator_key_, name, read_file(sample_gcode), {{"print", "true", "", ""}});
        ASSERT_TRUE(uploaded);
        ASSERT_EQ(uploaded->status, 201) << uploaded->body;
    }

    std::filesystem::path directory_;
    ServerConfig config_;
    std::string admin_key_;
    std::string admin_password_;
    std::string operator_key_;
    std::string viewer_key_;
    std::unique_ptr<streamer::VirtualPrinter> printer_;
    std::unique_ptr<Server> server_;
};

}  // namespace strata::server::test
