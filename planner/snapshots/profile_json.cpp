// The timelapse profile's JSON form: reading it (with --set overrides applied to the document
// first), checking every field's type and range, and writing it back. RapidJSON stays in this
// translation unit. Values are compared only through getters: RapidJSON 1.1's operator== on a
// Value and a plain value recurses forever under C++20's rewritten comparisons.
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <fstream>
#include <sstream>

#include "profile_fields.hpp"
#include "strata/common/json_limits.hpp"
#include "strata/common/json_member.hpp"
#include "strata/planner/timelapse_profile.hpp"

namespace strata::planner {
namespace {

using snapshots::FieldReader;

constexpr unsigned parse_flags =
    rapidjson::kParseCommentsFlag | rapidjson::kParseTrailingCommasFlag;

void read_triggers(FieldReader& reader, TriggerSettings& triggers) {
    reader.count("every_n_layers", triggers.every_n_layers);
    reader.number("every_height_mm", triggers.every_height_mm, 0.0, 1000.0);
    reader.number("every_time_s", triggers.every_time_s, 0.0, 1.0e6);
    reader.strings("markers", triggers.markers);
    reader.boolean("first_layer", triggers.first_layer);
}

void read_restriction(FieldReader& reader, PositionRestriction& restriction) {
    reader.choice("kind", restriction.kind, snapshots::restriction_kind_names);
    reader.choice("shape", restriction.shape, snapshots::restriction_shape_names);
    reader.point("min_mm", restriction.min_mm);
    reader.point("max_mm", restriction.max_mm);
    reader.number("radius_mm", restriction.radius_mm, 0.0, 1.0e4);
    if (!reader.failed() && restriction.shape == RestrictionShape::circle &&
        restriction.radius_mm <= 0.0) {
        reader.fail("radius_mm", "a circle needs a radius above 0");
    }
}

void read_position(FieldReader& reader, PositionSettings& position) {
    reader.choice("mode", position.mode, snapshots::position_mode_names);
    reader.features("feature_order", position.feature_order);
    reader.objects("restrictions", position.restrictions, read_restriction);
}

void read_axis(FieldReader& reader, AxisStabilization& axis) {
    reader.choice("type", axis.kind, snapshots::stabilization_kind_names);
    reader.number("value", axis.value, -1.0e4, 1.0e4);
    reader.numbers("path", axis.path);
    reader.choice("path_end", axis.path_end, snapshots::path_end_names);
    if (reader.failed()) return;
    const bool is_path =
        axis.kind == StabilizationKind::path_mm || axis.kind == StabilizationKind::path_percent;
    if (is_path && axis.path.empty()) reader.fail("path", "a path needs at least one point");
    if (axis.kind == StabilizationKind::bed_percent && (axis.value < 0.0 || axis.value > 100.0))
        reader.fail("value", "a bed percentage must be within 0..100");
}

void read_motion(FieldReader& reader, SnapshotMotionSettings& motion) {
    reader.boolean("retract", motion.retract);
    reader.optional_number("retract_length_mm", motion.retract_length_mm, 0.0, 100.0);
    reader.optional_number("retract_speed_mm_s", motion.retract_speed_mm_s, 0.1, 1000.0);
    reader.optional_number("deretract_speed_mm_s", motion.deretract_speed_mm_s, 0.1, 1000.0);
    reader.choice("firmware_retraction", motion.firmware_retraction,
                  snapshots::firmware_retraction_names);
    reader.boolean("lift", motion.lift);
    reader.optional_number("lift_mm", motion.lift_mm, 0.0, 100.0);
    reader.optional_number("lift_speed_mm_s", motion.lift_speed_mm_s, 0.1, 1000.0);
    reader.optional_number("travel_speed_mm_s", motion.travel_speed_mm_s, 0.1, 5000.0);
    reader.number("dwell_ms", motion.dwell_ms, 0.0, 60000.0);
    reader.boolean("wait_for_moves", motion.wait_for_moves);
}

void read_safety(FieldReader& reader, SafetySettings& safety) {
    reader.optional_point("area_min_mm", safety.area_min_mm);
    reader.optional_point("area_max_mm", safety.area_max_mm);
    reader.optional_number("max_z_mm", safety.max_z_mm, 0.0, 1.0e4);
    reader.choice("vase_mode", safety.vase_mode, snapshots::vase_mode_names);
    if (!reader.failed() && safety.area_min_mm && safety.area_max_mm &&
        ((*safety.area_min_mm)[0] >= (*safety.area_max_mm)[0] ||
         (*safety.area_min_mm)[1] >= (*safety.area_max_mm)[1])) {
        reader.fail("area_max_mm", "must be above area_min_mm on both axes");
    }
}

void read_profile(FieldReader& reader, TimelapseProfile& profile) {
    reader.object("triggers", [&](FieldReader& inner) { read_triggers(inner, profile.triggers); });
    reader.object("position", [&](FieldReader& inner) { read_position(inner, profile.position); });
    reader.object("stabilization", [&](FieldReader& inner) {
        inner.object("x", [&](FieldReader& axis) { read_axis(axis, profile.stabilization.x); });
        inner.object("y", [&](FieldReader& axis) { read_axis(axis, profile.stabilization.y); });
    });
    reader.object("motion", [&](FieldReader& inner) { read_motion(inner, profile.motion); });
    reader.object("safety", [&](FieldReader& inner) { read_safety(inner, profile.safety); });
}

// `a.b.c=value` written into the document, creating objects on the way.
std::string apply_override(rapidjson::Document& document, const std::string& setting) {
    const std::size_t equals = setting.find('=');
    if (equals == std::string::npos || equals == 0)
        return "setting '" + setting + "': expected key=value";
    const std::string key = setting.substr(0, equals);
    const std::string text = setting.substr(equals + 1);
    auto& allocator = document.GetAllocator();
    rapidjson::Value* node = &document;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = key.find('.', start);
        const std::string part = key.substr(start, dot == std::string::npos ? dot : dot - start);
        if (part.empty()) return "setting '" + setting + "': empty key part";
        if (!node->IsObject())
            return "setting '" + setting + "': '" + key.substr(0, start - 1) + "' is not an object";
        rapidjson::Value* child = json_member(*node, part);
        if (child == nullptr) {
            node->AddMember(rapidjson::Value(part.c_str(), allocator),
                            rapidjson::Value(rapidjson::kObjectType), allocator);
            child = &(node->MemberEnd() - 1)->value;  // The member just added.
        }
        node = child;
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    if (json_too_deep_at(text))
        return "setting '" + setting + "': nested deeper than " + std::to_string(max_json_depth) +
               " levels";
    rapidjson::Document value(&allocator);
    value.Parse<parse_flags>(text.c_str(), text.size());
    if (value.HasParseError()) {
        node->SetString(text.c_str(), static_cast<rapidjson::SizeType>(text.size()), allocator);
    } else {
        node->CopyFrom(value, allocator);
    }
    return {};
}

}  // namespace

Result<TimelapseProfile> load_timelapse_profile(std::string_view json_text,
                                                const std::vector<std::string>& overrides) {
    rapidjson::Document document;
    if (json_text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        document.SetObject();
    } else {
        if (const auto deep = json_too_deep_at(json_text))
            return fail(ErrorCode::invalid, "JSON nested deeper than " +
                                                std::to_string(max_json_depth) +
                                                " levels at byte " + std::to_string(*deep));
        if (const auto nul = json_nul_at(json_text))
            return fail(ErrorCode::invalid,
                        "JSON syntax error at byte " + std::to_string(*nul) + ": a NUL byte");
        document.Parse<parse_flags>(json_text.data(), json_text.size());
        if (document.HasParseError())
            return fail(ErrorCode::invalid,
                        std::string("JSON syntax error at byte ") +
                            std::to_string(document.GetErrorOffset()) + ": " +
                            rapidjson::GetParseError_En(document.GetParseError()));
    }
    if (!document.IsObject()) return fail(ErrorCode::invalid, "the profile must be a JSON object");
    for (const std::string& setting : overrides)
        if (std::string problem = apply_override(document, setting); !problem.empty())
            return fail(ErrorCode::invalid, std::move(problem));
    std::string problem;
    TimelapseProfile profile;
    FieldReader reader(document, "", problem);
    read_profile(reader, profile);
    reader.finish();
    if (!problem.empty()) return fail(ErrorCode::invalid, std::move(problem));
    return profile;
}

Result<TimelapseProfile> load_timelapse_profile_file(const std::filesystem::path& path,
                                                     const std::vector<std::string>& overrides) {
    std::ifstream file(path, std::ios::binary);
    if (!file) return errno_error("cannot read the profile " + path.string(), errno);
    std::ostringstream text;
    text << file.rdbuf();
    Result<TimelapseProfile> profile = load_timelapse_profile(text.str(), overrides);
    if (!profile)
        return Error{profile.error().code, path.string() + ": " + profile.error().message};
    return profile;
}

std::string_view to_string(PositionMode mode) {
    return snapshots::name_of(snapshots::position_mode_names, mode);
}

std::string_view to_string(StabilizationKind kind) {
    return snapshots::name_of(snapshots::stabilization_kind_names, kind);
}

std::string to_json(const TimelapseProfile& profile) {
    rapidjson::StringBuffer buffer;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
    writer.SetIndent(' ', 2);
    snapshots::write_profile(writer, profile);
    return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace strata::planner
