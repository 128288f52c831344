// Temperature presets and custom command buttons over the API: the ready-made ones until an
// admin stores others, which then survive a restart; every bad field refused by name with
// nothing stored; only an admin may change them.
#include <rapidjson/document.h>

#include "../support/json_at.hpp"
#include "server_fixture.hpp"

namespace strata::server::test {
namespace {

using SettingsApiTest = ServerTest;

using testing::parse_json;

std::vector<std::string> profile_names(httplib::Client& http) {
    const auto answer = http.Get("/api/settings");
    std::vector<std::string> names;
    if (!answer || answer->status != 200) return names;
    const rapidjson::Document settings = parse_json(answer->body);
    for (const auto& profile : testing::at(settings, "temperature.profiles").GetArray())
        names.emplace_back(testing::at(profile, "name").GetString());
    return names;
}

TEST_F(SettingsApiTest, ReadyMadePresetsAndFilamentButtonsUntilAnAdminStoresOthers) {
    httplib::Client viewer = client(viewer_key_);
    EXPECT_EQ(profile_names(viewer), (std::vector<std::string>{"PLA", "PETG", "ABS"}));
    const auto controls = viewer.Get("/api/printer/command/custom");
    ASSERT_TRUE(controls);
    ASSERT_EQ(controls->status, 200);
    const rapidjson::Document ready = parse_json(controls->body);
    ASSERT_EQ(testing::at(ready, "controls").Size(), 2U);
    EXPECT_STREQ(testing::at(ready, "controls.0.name").GetString(), "Load filament");
    EXPECT_STREQ(testing::at(ready, "controls.1.name").GetString(), "Unload filament");

    httplib::Client admin = client(admin_key_);
    const auto stored =
        admin.Post("/api/settings",
                   R"({"temperature":{"profiles":[{"name":"TPU","extruder":225,"bed":50},)"
                   R"({"name":"ASA","extruder":255,"bed":105,"chamber":45}]}})",
                   "application/json");
    ASSERT_TRUE(stored);
    ASSERT_EQ(stored->status, 200) << stored->body;
    const auto buttons =
        admin.Put("/api/strata/controls",
                  R"({"controls":[{"name":"Lights","command":"M355 S1"},)"
                  R"({"name":"Purge","commands":["G92 E0","G1 E20 F200"],"confirm":"Hot?"}]})",
                  "application/json");
    ASSERT_TRUE(buttons);
    ASSERT_EQ(buttons->status, 200) << buttons->body;

    restart_server();
    httplib::Client again = client(viewer_key_);
    EXPECT_EQ(profile_names(again), (std::vector<std::string>{"TPU", "ASA"}));
    const rapidjson::Document settings = parse_json(again.Get("/api/settings")->body);
    EXPECT_TRUE(testing::at(settings, "temperature.profiles.0.chamber").IsNull());
    EXPECT_EQ(testing::at(settings, "temperature.profiles.1.chamber").GetDouble(), 45.0);
    const rapidjson::Document kept = parse_json(again.Get("/api/printer/command/custom")->body);
    ASSERT_EQ(testing::at(kept, "controls").Size(), 2U);
    ASSERT_EQ(testing::at(kept, "controls.0.commands").Size(), 1U);
    EXPECT_STREQ(testing::at(kept, "controls.0.commands.0").GetString(), "M355 S1");
    EXPECT_STREQ(testing::at(kept, "controls.1.confirm").GetString(), "Hot?");
    EXPECT_STREQ(testing::at(kept, "controls.1.commands.1").GetString(), "G1 E20 F200");
}

TEST_F(SettingsApiTest, BadFieldsAreRefusedByNameAndNothingIsStored) {
    httplib::Client admin = client(admin_key_);
    const std::vector<std::pair<std::string, std::string>> settings = {
        {R"({"temperature":{"profiles":[{"name":"PLA","extruder":999,"bed":60}]}})",
         "temperature.profiles[0]"},
        {R"({"temperature":{"profiles":[{"extruder":200,"bed":60}]}})", "temperature.profiles[0]"},
        {R"({"temperature":{"profiles":[{"name":"A","extruder":200,"bed":60},)"
         R"({"name":"A","extruder":210,"bed":60}]}})",
         "temperature.profiles[1]"},
        {R"({"temperature":{"profiles":{"name":"A"}}})", "temperature.profiles"},
        {R"({"serial":{"port":"/dev/sda"}})", "serial.port"},
        {R"({"serial":{"baudrate":12345}})", "serial.baudrate"},
        {R"({"temperature":5})", "temperature"},
        {R"({"appearance":{"name":7}})", "appearance.name"},
        {R"({"appearance":{"name":")" + std::string(101, 'x') + R"("}})", "appearance.name"},
        {R"({"webcam":{"streamUrl":"file:///etc/passwd"}})", "webcam.streamUrl"},
        // A bad field anywhere stores nothing, not even the good ones before it.
        {R"({"appearance":{"name":"Workshop"},"webcam":{"snapshotUrl":5}})", "webcam.snapshotUrl"},
    };
    for (const auto& [body, field] : settings) {
        const auto answer = admin.Post("/api/settings", body, "application/json");
        ASSERT_TRUE(answer);
        EXPECT_EQ(answer->status, 400) << body;
        EXPECT_EQ(testing::at(parse_json(answer->body), "field").GetString(), field)
            << answer->body;
    }
    const std::vector<std::pair<std::string, std::string>> controls = {
        {R"({"controls":[{"name":"X","commands":["G28\nM112"]}]})", "controls[0]"},
        {R"({"controls":[{"name":"X","commands":[]}]})", "controls[0]"},
        {R"({"controls":[{"name":"X"}]})", "controls[0]"},
        {R"({"controls":[{"name":"X","command":"G28"},{"name":"","command":"G28"}]})",
         "controls[1]"},
        {R"({"controls":"G28"})", "controls"},
        {R"({})", "controls"},
    };
    for (const auto& [body, field] : controls) {
        const auto answer = admin.Put("/api/strata/controls", body, "application/json");
        ASSERT_TRUE(answer);
        EXPECT_EQ(answer->status, 400) << body;
        EXPECT_EQ(testing::at(parse_json(answer->body), "field").GetString(), field)
            << answer->body;
    }
    EXPECT_EQ(profile_names(admin), (std::vector<std::string>{"PLA", "PETG", "ABS"}));
    EXPECT_EQ(
        testing::at(parse_json(admin.Get("/api/printer/command/custom")->body), "controls").Size(),
        2U);
    EXPECT_EQ(
        std::string(testing::at(parse_json(admin.Get("/api/settings")->body), "appearance.name")
                        .GetString()),
        "strata");
}

// FDM Monster syncs the printer's name; OctoPrint's own page sends the whole tree back. What
// strata keeps is stored and survives a restart; keys it does not keep are ignored, as OctoPrint
// ignores those it does not know.
TEST_F(SettingsApiTest, NameWebcamAndSerialDefaultsAreKeptAndOtherKeysIgnored) {
    httplib::Client admin = client(admin_key_);
    const std::string port =
        testing::at(parse_json(admin.Get("/api/connection")->body), "options.ports.0").GetString();
    const std::string body =
        R"({"appearance":{"name":"Workshop Mk3","color":"red"},)"
        R"("webcam":{"streamUrl":"/webcam/?action=stream","snapshotUrl":"http://cam.local/snap",)"
        R"("timelapseEnabled":false},"serial":{"port":")" +
        port +
        R"(","baudrate":250000,"timeout":{"detection":1}},)"
        R"("plugins":{"octolapse":{"x":1}},"feature":{"sdSupport":true},"temperature":{"cutoff":5}})";
    const auto changed = admin.Post("/api/settings", body, "application/json");
    ASSERT_TRUE(changed);
    ASSERT_EQ(changed->status, 200) << changed->body;
    restart_server();
    const rapidjson::Document settings = parse_json(client(admin_key_).Get("/api/settings")->body);
    EXPECT_EQ(std::string(testing::at(settings, "appearance.name").GetString()), "Workshop Mk3");
    EXPECT_EQ(std::string(testing::at(settings, "webcam.streamUrl").GetString()),
              "/webcam/?action=stream");
    EXPECT_EQ(std::string(testing::at(settings, "webcam.snapshotUrl").GetString()),
              "http://cam.local/snap");
    EXPECT_EQ(std::string(testing::at(settings, "serial.port").GetString()), port);
    EXPECT_EQ(testing::at(settings, "serial.baudrate").GetInt(), 250000);
    EXPECT_FALSE(testing::at(settings, "feature.sdSupport").GetBool());  // Not strata's to change.
    // The serial defaults are the connection's preferences.
    const rapidjson::Document connection =
        parse_json(client(admin_key_).Get("/api/connection")->body);
    EXPECT_EQ(std::string(testing::at(connection, "options.portPreference").GetString()), port);
    EXPECT_EQ(testing::at(connection, "options.baudratePreference").GetInt(), 250000);
    // A viewer reads the name but not the port.
    const rapidjson::Document as_viewer =
        parse_json(client(viewer_key_).Get("/api/settings")->body);
    EXPECT_EQ(std::string(testing::at(as_viewer, "appearance.name").GetString()), "Workshop Mk3");
    EXPECT_FALSE(testing::at(as_viewer, "serial").HasMember("port"));
}

TEST_F(SettingsApiTest, OnlyAnAdminChangesThem) {
    httplib::Client as_operator = client(operator_key_);
    const auto presets =
        as_operator.Post("/api/settings", R"({"temperature":{"profiles":[]}})", "application/json");
    ASSERT_TRUE(presets);
    EXPECT_EQ(presets->status, 403);
    const auto buttons =
        as_operator.Put("/api/strata/controls", R"({"controls":[]})", "application/json");
    ASSERT_TRUE(buttons);
    EXPECT_EQ(buttons->status, 403);
    EXPECT_EQ(profile_names(as_operator).size(), 3U);
}

}  // namespace
}  // namespace strata::server::test
