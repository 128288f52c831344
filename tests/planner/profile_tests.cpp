// The timelapse profile's JSON form: defaults, a full round trip, --set overrides, and a clear
// error naming the field for every kind of bad input.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>

#include "../support/result.hpp"
#include "strata/planner/timelapse_profile.hpp"

namespace strata::planner {
namespace {

using parser::FeatureType;
using strata::testing::message_of;

TEST(TimelapseProfile, EmptyTextGivesTheDefaults) {
    const Result<TimelapseProfile> load = load_timelapse_profile("");
    ASSERT_TRUE(load.ok()) << message_of(load);
    EXPECT_EQ(load->triggers.every_n_layers, 1u);
    EXPECT_EQ(load->position.mode, PositionMode::compatibility);
    EXPECT_EQ(load->stabilization.x.kind, StabilizationKind::bed_percent);
    EXPECT_EQ(load->stabilization.x.value, 50.0);
    EXPECT_FALSE(load->motion.lift_mm.has_value());
    EXPECT_EQ(load->safety.vase_mode, VaseModePolicy::in_place);
    EXPECT_EQ(load->position.feature_order.front(), FeatureType::prime_tower);
    EXPECT_EQ(to_json(*load), to_json(TimelapseProfile{}));
}

TEST(TimelapseProfile, EveryFieldSurvivesARoundTrip) {
    TimelapseProfile profile;
    profile.triggers = {.every_n_layers = 3,
                        .every_height_mm = 0.5,
                        .every_time_s = 45.0,
                        .markers = {"SNAP"},
                        .first_layer = true};
    profile.position.mode = PositionMode::snap_to_print;
    profile.position.feature_order = {FeatureType::infill, FeatureType::support};
    profile.position.restrictions = {
        {RestrictionKind::required, RestrictionShape::circle, {100, 100}, {0, 0}, 30.0},
        {RestrictionKind::forbidden, RestrictionShape::rectangle, {0, 0}, {20, 20}, 0.0}};
    profile.stabilization.x = {
        StabilizationKind::path_percent, 0.0, {45, 50, 55}, PathEnd::ping_pong};
    profile.stabilization.y = {StabilizationKind::fixed_mm, 200.0, {}, PathEnd::hold};
    profile.motion = {.retract = false,
                      .retract_length_mm = 0.8,
                      .retract_speed_mm_s = 35.0,
                      .deretract_speed_mm_s = 20.0,
                      .firmware_retraction = FirmwareRetraction::never,
                      .lift = true,
                      .lift_mm = 0.4,
                      .lift_speed_mm_s = 10.0,
                      .travel_speed_mm_s = 150.0,
                      .dwell_ms = 125.0,
                      .wait_for_moves = false};
    profile.safety = {.area_min_mm = std::array<double, 2>{0, -4},
                      .area_max_mm = std::array<double, 2>{250, 210},
                      .max_z_mm = 210.0,
                      .vase_mode = VaseModePolicy::skip};
    const std::string json = to_json(profile);
    const Result<TimelapseProfile> load = load_timelapse_profile(json);
    ASSERT_TRUE(load.ok()) << message_of(load);
    EXPECT_EQ(to_json(*load), json);
    EXPECT_EQ(load->stabilization.x.path, (std::vector<double>{45, 50, 55}));
    EXPECT_EQ(load->position.restrictions[0].radius_mm, 30.0);
    EXPECT_EQ(load->motion.lift_mm, 0.4);
    EXPECT_EQ(load->safety.vase_mode, VaseModePolicy::skip);
}

TEST(TimelapseProfile, CommentsAndTrailingCommasAreAccepted) {
    const Result<TimelapseProfile> load =
        load_timelapse_profile("{ // hand-edited\n \"triggers\": {\"every_n_layers\": 2,},\n}");
    ASSERT_TRUE(load.ok()) << message_of(load);
    EXPECT_EQ(load->triggers.every_n_layers, 2u);
}

struct BadProfile {
    const char* json;
    const char* expected_error;
};

// How a case is shown in test names: the error it expects, in letters, digits and '_' (ctest
// lists the value; its default, the struct's bytes, changed with every build).
std::ostream& operator<<(std::ostream& out, const BadProfile& bad) {
    for (const char* c = bad.expected_error; *c != '\0'; ++c)
        out << (std::isalnum(static_cast<unsigned char>(*c)) != 0 ? *c : '_');
    return out;
}

class TimelapseProfileErrors : public ::testing::TestWithParam<BadProfile> {};

TEST_P(TimelapseProfileErrors, NameTheField) {
    const Result<TimelapseProfile> load = load_timelapse_profile(GetParam().json);
    ASSERT_FALSE(load.ok());
    EXPECT_NE(message_of(load).find(GetParam().expected_error), std::string::npos)
        << message_of(load);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, TimelapseProfileErrors,
    ::testing::Values(
        BadProfile{R"({"triggers": {"every_n_layer": 2}})",
                   "field 'triggers.every_n_layer': unknown setting"},
        BadProfile{R"({"trigers": {}})", "field 'trigers': unknown setting"},
        BadProfile{R"({"position": {"mode": "smart"}})",
                   "field 'position.mode': expected one of layer_change fast compatibility"},
        BadProfile{R"({"motion": {"lift_mm": -1}})",
                   "field 'motion.lift_mm': must be within 0..100, got -1"},
        BadProfile{R"({"motion": {"retract": "yes"}})",
                   "field 'motion.retract': expected true or false"},
        BadProfile{R"({"triggers": {"every_n_layers": -2}})",
                   "field 'triggers.every_n_layers': expected a whole number >= 0"},
        BadProfile{R"({"stabilization": {"x": {"value": 150}}})",
                   "field 'stabilization.x.value': a bed percentage must be within 0..100"},
        BadProfile{R"({"stabilization": {"y": {"type": "path_mm"}}})",
                   "field 'stabilization.y.path': a path needs at least one point"},
        BadProfile{R"({"position": {"restrictions": [{"shape": "circle"}]}})",
                   "field 'position.restrictions[0].radius_mm': a circle needs a radius"},
        BadProfile{R"({"position": {"restrictions": [{"kind": "required", "x": 1}]}})",
                   "field 'position.restrictions[0].x': unknown setting"},
        BadProfile{R"({"position": {"feature_order": ["infill", "walls"]}})",
                   "unknown feature type 'walls'"},
        BadProfile{R"({"safety": {"area_min_mm": [10, 10], "area_max_mm": [5, 200]}})",
                   "field 'safety.area_max_mm': must be above area_min_mm"},
        BadProfile{R"({"safety": {"area_min_mm": [10]}})",
                   "field 'safety.area_min_mm': expected [x, y] in mm"},
        BadProfile{R"({"triggers": {"markers": [""]}})", "non-empty strings"},
        BadProfile{R"({"triggers": {"every_time_s": 1e400}})", "JSON syntax error at byte"},
        BadProfile{"{\"triggers\": {\"every_n_layers\": 2}", "JSON syntax error at byte 34"},
        BadProfile{"[1, 2]", "the profile must be a JSON object"}));

// `strata prep --profile` on 150 KB of `[` once overflowed RapidJSON's recursive parser.
TEST(TimelapseProfile, DeepNestingIsRefusedNotParsed) {
    const Result<TimelapseProfile> deep = load_timelapse_profile(std::string(150'000, '['));
    EXPECT_FALSE(deep.ok());
    EXPECT_EQ(message_of(deep), "JSON nested deeper than 64 levels at byte 64");
    const Result<TimelapseProfile> set =
        load_timelapse_profile("", {"motion.lift_mm=" + std::string(100, '[')});
    EXPECT_NE(message_of(set).find("nested deeper than 64 levels"), std::string::npos)
        << message_of(set);
}

TEST(TimelapseProfile, OverridesApplyOnTopOfTheFile) {
    const Result<TimelapseProfile> load = load_timelapse_profile(
        R"({"position": {"mode": "fast"}})",
        {"position.mode=snap_to_print", "triggers.every_n_layers=5", "stabilization.x.type=path_mm",
         "stabilization.x.path=[10, 20]", "motion.lift_mm=null", "safety.max_z_mm=180"});
    ASSERT_TRUE(load.ok()) << message_of(load);
    EXPECT_EQ(load->position.mode, PositionMode::snap_to_print);
    EXPECT_EQ(load->triggers.every_n_layers, 5u);
    EXPECT_EQ(load->stabilization.x.kind, StabilizationKind::path_mm);
    EXPECT_EQ(load->stabilization.x.path, (std::vector<double>{10, 20}));
    EXPECT_FALSE(load->motion.lift_mm.has_value());
    EXPECT_EQ(load->safety.max_z_mm, 180.0);
}

TEST(TimelapseProfile, BadOverridesAreNamed) {
    EXPECT_NE(message_of(load_timelapse_profile("", {"motion.lift_mm"})).find("expected key=value"),
              std::string::npos);
    EXPECT_NE(message_of(load_timelapse_profile("", {"motion..lift_mm=1"})).find("empty key part"),
              std::string::npos);
    EXPECT_NE(message_of(load_timelapse_profile("", {"motion.lift=1"})).find("'motion.lift'"),
              std::string::npos);
    EXPECT_NE(message_of(load_timelapse_profile("", {"motion.lift_m=1"})).find("unknown setting"),
              std::string::npos);
    EXPECT_NE(message_of(load_timelapse_profile("", {"motion.lift_mm=1", "motion.lift_mm.x=2"}))
                  .find("'motion.lift_mm' is not an object"),
              std::string::npos);
}

TEST(TimelapseProfile, FilesAreReadAndMissingOnesNamed) {
    const std::filesystem::path path =
        std::filesystem::temp_directory_path() / "strata_profile_test.json";
    std::ofstream(path) << R"({"triggers": {"every_height_mm": 0.6}})";
    const Result<TimelapseProfile> load = load_timelapse_profile_file(path);
    ASSERT_TRUE(load.ok()) << message_of(load);
    EXPECT_EQ(load->triggers.every_height_mm, 0.6);
    std::filesystem::remove(path);

    const Result<TimelapseProfile> missing = load_timelapse_profile_file(path);
    EXPECT_NE(message_of(missing).find("cannot read the profile"), std::string::npos);
    EXPECT_NE(message_of(missing).find(path.string()), std::string::npos);
}

}  // namespace
}  // namespace strata::planner
