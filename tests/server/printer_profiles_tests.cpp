// /api/printerprofiles as OctoPrint answers it, over strata's printer profiles: the built-in
// `_default` when nothing is stored, add (400 when the id exists), get one, patch (merged, the
// default kept), delete (409 for the default), and the volume read back as the bed strata keeps
// jogs inside. /api/connection names the current profile.
#include <rapidjson/document.h>

#include "../support/json_at.hpp"
#include "server_fixture.hpp"

namespace strata::server::test {
namespace {

using testing::at;
using testing::parse_json;
using PrinterProfilesTest = ServerTest;

TEST_F(PrinterProfilesTest, TheBuiltInDefaultIsCurrentUntilAProfileIsStored) {
    httplib::Client viewer = client(viewer_key_);
    const auto listed = viewer.Get("/api/printerprofiles");
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->status, 200);
    const rapidjson::Document profiles = parse_json(listed->body);
    ASSERT_EQ(at(profiles, "profiles").MemberCount(), 1U);
    const rapidjson::Value& built_in = at(profiles, "profiles._default");
    EXPECT_EQ(std::string(at(built_in, "id").GetString()), "_default");
    EXPECT_TRUE(at(built_in, "default").GetBool());
    EXPECT_TRUE(at(built_in, "current").GetBool());
    EXPECT_EQ(at(built_in, "volume.width").GetDouble(), 220.0);
    EXPECT_EQ(std::string(at(built_in, "volume.formFactor").GetString()), "rectangular");
    EXPECT_EQ(at(built_in, "extruder.count").GetInt(), 1);
    EXPECT_NE(
        std::string(at(built_in, "resource").GetString()).find("/api/printerprofiles/_default"),
        std::string::npos);

    const auto one = viewer.Get("/api/printerprofiles/_default");
    ASSERT_TRUE(one);
    ASSERT_EQ(one->status, 200);
    EXPECT_EQ(std::string(at(parse_json(one->body), "name").GetString()), "Default");
    EXPECT_EQ(viewer.Get("/api/printerprofiles/nowhere")->status, 404);
    // Changing profiles is an admin's, as OctoPrint's SETTINGS permission.
    EXPECT_EQ(client(operator_key_)
                  .Post("/api/printerprofiles", R"({"profile":{"id":"a","name":"A"}})",
                        "application/json")
                  ->status,
              403);
}

TEST_F(PrinterProfilesTest, AddGetPatchAndDeleteMapToStrataProfiles) {
    httplib::Client admin = client(admin_key_);
    const auto added = admin.Post("/api/printerprofiles",
                                  R"({"profile":{"id":"mk4","name":"Prusa MK4","model":"MK4",
            "volume":{"width":250,"depth":210,"height":220},"axes":{"x":{"speed":1}}}})",
                                  "application/json");
    ASSERT_TRUE(added);
    ASSERT_EQ(added->status, 200) << added->body;
    const rapidjson::Document created = parse_json(added->body);
    EXPECT_EQ(std::string(at(created, "profile.name").GetString()), "Prusa MK4");
    EXPECT_EQ(at(created, "profile.volume.depth").GetDouble(), 210.0);
    EXPECT_FALSE(at(created, "profile.default").GetBool());
    // The same id again is refused, as OctoPrint refuses to overwrite; so is a missing name.
    const auto again = admin.Post("/api/printerprofiles", R"({"profile":{"id":"mk4","name":"x"}})",
                                  "application/json");
    EXPECT_EQ(again->status, 400);
    EXPECT_EQ(
        admin.Post("/api/printerprofiles", R"({"profile":{"id":"b"}})", "application/json")->status,
        400);
    const auto too_big = admin.Post(
        "/api/printerprofiles", R"({"profile":{"id":"big","name":"Big","volume":{"width":9000}}})",
        "application/json");
    EXPECT_EQ(too_big->status, 400);
    EXPECT_NE(too_big->body.find("profile.volume.width"), std::string::npos) << too_big->body;

    // Stored as strata's own printer profile: the bed in millimetres.
    const rapidjson::Document stored =
        parse_json(admin.Get("/api/strata/profiles/printer/mk4")->body);
    EXPECT_EQ(at(stored, "settings.bed_x_mm").GetDouble(), 250.0);
    EXPECT_EQ(std::string(at(stored, "settings.model").GetString()), "MK4");

    // A patch merges: the name changes, the volume stays; `default: true` makes it current.
    const auto patched =
        admin.Patch("/api/printerprofiles/mk4", R"({"profile":{"name":"MK4S","default":true}})",
                    "application/json");
    ASSERT_TRUE(patched);
    ASSERT_EQ(patched->status, 200) << patched->body;
    const rapidjson::Document merged = parse_json(patched->body);
    EXPECT_EQ(std::string(at(merged, "profile.name").GetString()), "MK4S");
    EXPECT_EQ(at(merged, "profile.volume.width").GetDouble(), 250.0);
    EXPECT_TRUE(at(merged, "profile.current").GetBool());
    // The built-in one is no longer listed once another is the default.
    const rapidjson::Document listed = parse_json(admin.Get("/api/printerprofiles")->body);
    EXPECT_EQ(at(listed, "profiles").MemberCount(), 1U);
    EXPECT_TRUE(at(listed, "profiles.mk4.default").GetBool());
    // `_default` names the default, as clients that never list profiles send it.
    EXPECT_EQ(
        std::string(
            at(parse_json(admin.Get("/api/printerprofiles/_default")->body), "id").GetString()),
        "mk4");
    const rapidjson::Document connection = parse_json(admin.Get("/api/connection")->body);
    EXPECT_EQ(std::string(at(connection, "current.printerProfile").GetString()), "mk4");
    EXPECT_EQ(std::string(at(at(connection, "options.printerProfiles"), "0.name").GetString()),
              "MK4S");

    // A second patch of the default keeps it the default.
    ASSERT_EQ(admin
                  .Patch("/api/printerprofiles/mk4", R"({"profile":{"model":"MK4S"}})",
                         "application/json")
                  ->status,
              200);
    EXPECT_TRUE(at(parse_json(admin.Get("/api/printerprofiles/mk4")->body), "default").GetBool());
    const auto refused = admin.Delete("/api/printerprofiles/mk4");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 409);

    ASSERT_EQ(admin
                  .Post("/api/printerprofiles", R"({"profile":{"id":"spare","name":"Spare"}})",
                        "application/json")
                  ->status,
              200);
    EXPECT_EQ(admin.Delete("/api/printerprofiles/spare")->status, 204);
    EXPECT_EQ(admin.Get("/api/printerprofiles/spare")->status, 404);
    EXPECT_EQ(admin.Delete("/api/printerprofiles/spare")->status, 404);
}

TEST_F(PrinterProfilesTest, PatchingTheBuiltInStoresItAsTheDefault) {
    httplib::Client admin = client(admin_key_);
    const auto patched =
        admin.Patch("/api/printerprofiles/_default",
                    R"({"profile":{"volume":{"width":300,"depth":300}}})", "application/json");
    ASSERT_TRUE(patched);
    ASSERT_EQ(patched->status, 200) << patched->body;
    const rapidjson::Document stored =
        parse_json(admin.Get("/api/strata/profiles/printer/_default")->body);
    EXPECT_TRUE(at(stored, "default").GetBool());
    EXPECT_EQ(at(stored, "settings.bed_y_mm").GetDouble(), 300.0);
    EXPECT_EQ(admin.Delete("/api/printerprofiles/_default")->status, 409);
    EXPECT_EQ(admin.Patch("/api/printerprofiles/_default", R"({"volume":{}})", "application/json")
                  ->status,
              400);  // No `profile`.
    EXPECT_EQ(admin
                  .Patch("/api/printerprofiles/_default",
                         R"({"profile":{"volume":{"height":"tall"}}})", "application/json")
                  ->status,
              400);
}

}  // namespace
}  // namespace strata::server::test
