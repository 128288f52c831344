// FieldReader (typed, range-checked reads of one JSON object with dotted-path errors) and the
// profile writer, for the timelapse profile's JSON form.
#include "profile_fields.hpp"
#include "strata/common/json_member.hpp"

#include <algorithm>
#include <cmath>

namespace strata::planner::snapshots {
namespace {

std::string format_number(double value) {
    std::string text = std::to_string(value);
    text.erase(text.find_last_not_of('0') + 1);
    if (!text.empty() && text.back() == '.') text.pop_back();
    return text;
}

bool is_finite_number(const rapidjson::Value& value) {
    return value.IsNumber() && std::isfinite(value.GetDouble());
}

}  // namespace

FieldReader::FieldReader(const rapidjson::Value& object, std::string path, std::string& error)
    : object_(object), path_(std::move(path)), error_(error) {}

std::string FieldReader::field(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void FieldReader::fail(std::string_view key, std::string_view message) {
    if (failed()) return;
    error_ = "field '" + field(key) + "': " + std::string(message);
}

const rapidjson::Value* FieldReader::find(const char* key) {
    if (failed()) return nullptr;
    seen_.emplace_back(key);
    return json_member(object_, key);
}

// The checks below take a value already found, so a field that may also be null (optional) or
// feeds another reader (features) is looked up once.
bool FieldReader::check_number(const char* key, const rapidjson::Value& value, double min,
                               double max, double& out) {
    if (!is_finite_number(value)) {
        fail(key, "expected a number");
        return false;
    }
    const double number = value.GetDouble();
    if (number < min || number > max) {
        fail(key, "must be within " + format_number(min) + ".." + format_number(max) + ", got " +
                      format_number(number));
        return false;
    }
    out = number;
    return true;
}

bool FieldReader::check_point(const char* key, const rapidjson::Value& value,
                              std::array<double, 2>& out) {
    if (!value.IsArray() || value.Size() != 2 || !is_finite_number(value[0]) ||
        !is_finite_number(value[1])) {
        fail(key, "expected [x, y] in mm");
        return false;
    }
    out = {value[0].GetDouble(), value[1].GetDouble()};
    return true;
}

bool FieldReader::check_strings(const char* key, const rapidjson::Value& value,
                                std::vector<std::string>& out) {
    if (!value.IsArray()) {
        fail(key, "expected an array of strings");
        return false;
    }
    std::vector<std::string> read;
    for (const auto& item : value.GetArray()) {
        if (!item.IsString() || item.GetStringLength() == 0) {
            fail(key, "expected an array of non-empty strings");
            return false;
        }
        read.emplace_back(item.GetString(), item.GetStringLength());
    }
    out = std::move(read);
    return true;
}

void FieldReader::number(const char* key, double& out, double min, double max) {
    const rapidjson::Value* value = find(key);
    if (value != nullptr) check_number(key, *value, min, max, out);
}

void FieldReader::optional_number(const char* key, std::optional<double>& out, double min,
                                  double max) {
    const rapidjson::Value* value = find(key);
    if (value == nullptr) return;
    double number = 0.0;
    if (value->IsNull()) {
        out.reset();
    } else if (check_number(key, *value, min, max, number)) {
        out = number;
    }
}

void FieldReader::count(const char* key, std::uint32_t& out) {
    const rapidjson::Value* value = find(key);
    if (value == nullptr) return;
    if (!value->IsUint()) return fail(key, "expected a whole number >= 0");
    out = value->GetUint();
}

void FieldReader::boolean(const char* key, bool& out) {
    const rapidjson::Value* value = find(key);
    if (value == nullptr) return;
    if (!value->IsBool()) return fail(key, "expected true or false");
    out = value->GetBool();
}

void FieldReader::strings(const char* key, std::vector<std::string>& out) {
    const rapidjson::Value* value = find(key);
    if (value != nullptr) check_strings(key, *value, out);
}

void FieldReader::numbers(const char* key, std::vector<double>& out) {
    const rapidjson::Value* value = find(key);
    if (value == nullptr) return;
    if (!value->IsArray()) return fail(key, "expected an array of numbers");
    std::vector<double> read;
    for (const auto& item : value->GetArray()) {
        if (!is_finite_number(item)) return fail(key, "expected an array of numbers");
        read.push_back(item.GetDouble());
    }
    out = std::move(read);
}

void FieldReader::point(const char* key, std::array<double, 2>& out) {
    const rapidjson::Value* value = find(key);
    if (value != nullptr) check_point(key, *value, out);
}

void FieldReader::optional_point(const char* key, std::optional<std::array<double, 2>>& out) {
    const rapidjson::Value* value = find(key);
    if (value == nullptr) return;
    std::array<double, 2> point{};
    if (value->IsNull()) {
        out.reset();
    } else if (check_point(key, *value, point)) {
        out = point;
    }
}

void FieldReader::features(const char* key, std::vector<parser::FeatureType>& out) {
    const rapidjson::Value* value = find(key);
    std::vector<std::string> names;
    if (value == nullptr || !check_strings(key, *value, names)) return;
    std::vector<parser::FeatureType> read;
    for (const std::string& name : names) {
        const auto type = parser::feature_type_from_string(name);
        if (!type) return fail(key, "unknown feature type '" + name + "'");
        read.push_back(*type);
    }
    out = std::move(read);
}

void FieldReader::object(const char* key, const std::function<void(FieldReader&)>& read) {
    const rapidjson::Value* value = find(key);
    if (value == nullptr) return;
    if (!value->IsObject()) return fail(key, "expected an object");
    FieldReader inner(*value, field(key), error_);
    read(inner);
    inner.finish();
}

void FieldReader::finish() {
    if (failed()) return;
    for (const auto& member : object_.GetObject()) {
        const std::string_view name(member.name.GetString(), member.name.GetStringLength());
        if (std::find(seen_.begin(), seen_.end(), name) == seen_.end()) {
            error_ = "field '" + field(name) + "': unknown setting";
            return;
        }
    }
}

// ---- writing -------------------------------------------------------------------------------

namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void write_optional(Writer& writer, const char* key, const std::optional<double>& value) {
    writer.Key(key);
    value ? writer.Double(*value) : writer.Null();
}

void write_point(Writer& writer, const char* key,
                 const std::optional<std::array<double, 2>>& point) {
    writer.Key(key);
    if (!point) {
        writer.Null();
        return;
    }
    writer.StartArray();
    writer.Double((*point)[0]);
    writer.Double((*point)[1]);
    writer.EndArray();
}

void write_string(Writer& writer, const char* key, std::string_view text) {
    writer.Key(key);
    writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

void write_triggers(Writer& writer, const TriggerSettings& triggers) {
    writer.Key("triggers");
    writer.StartObject();
    writer.Key("every_n_layers");
    writer.Uint(triggers.every_n_layers);
    writer.Key("every_height_mm");
    writer.Double(triggers.every_height_mm);
    writer.Key("every_time_s");
    writer.Double(triggers.every_time_s);
    writer.Key("markers");
    writer.StartArray();
    for (const std::string& marker : triggers.markers)
        writer.String(marker.c_str(), static_cast<rapidjson::SizeType>(marker.size()));
    writer.EndArray();
    writer.Key("first_layer");
    writer.Bool(triggers.first_layer);
    writer.EndObject();
}

void write_position(Writer& writer, const PositionSettings& position) {
    writer.Key("position");
    writer.StartObject();
    write_string(writer, "mode", name_of(position_mode_names, position.mode));
    writer.Key("feature_order");
    writer.StartArray();
    for (const parser::FeatureType type : position.feature_order) {
        const std::string_view name = parser::to_string(type);
        writer.String(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    }
    writer.EndArray();
    writer.Key("restrictions");
    writer.StartArray();
    for (const PositionRestriction& restriction : position.restrictions) {
        writer.StartObject();
        write_string(writer, "kind", name_of(restriction_kind_names, restriction.kind));
        write_string(writer, "shape", name_of(restriction_shape_names, restriction.shape));
        write_point(writer, "min_mm", restriction.min_mm);
        write_point(writer, "max_mm", restriction.max_mm);
        writer.Key("radius_mm");
        writer.Double(restriction.radius_mm);
        writer.EndObject();
    }
    writer.EndArray();
    writer.EndObject();
}

void write_axis(Writer& writer, const char* key, const AxisStabilization& axis) {
    writer.Key(key);
    writer.StartObject();
    write_string(writer, "type", name_of(stabilization_kind_names, axis.kind));
    writer.Key("value");
    writer.Double(axis.value);
    writer.Key("path");
    writer.StartArray();
    for (const double point : axis.path)
        writer.Double(point);
    writer.EndArray();
    write_string(writer, "path_end", name_of(path_end_names, axis.path_end));
    writer.EndObject();
}

void write_motion(Writer& writer, const SnapshotMotionSettings& motion) {
    writer.Key("motion");
    writer.StartObject();
    writer.Key("retract");
    writer.Bool(motion.retract);
    write_optional(writer, "retract_length_mm", motion.retract_length_mm);
    write_optional(writer, "retract_speed_mm_s", motion.retract_speed_mm_s);
    write_optional(writer, "deretract_speed_mm_s", motion.deretract_speed_mm_s);
    write_string(writer, "firmware_retraction",
                 name_of(firmware_retraction_names, motion.firmware_retraction));
    writer.Key("lift");
    writer.Bool(motion.lift);
    write_optional(writer, "lift_mm", motion.lift_mm);
    write_optional(writer, "lift_speed_mm_s", motion.lift_speed_mm_s);
    write_optional(writer, "travel_speed_mm_s", motion.travel_speed_mm_s);
    writer.Key("dwell_ms");
    writer.Double(motion.dwell_ms);
    writer.Key("wait_for_moves");
    writer.Bool(motion.wait_for_moves);
    writer.EndObject();
}

void write_safety(Writer& writer, const SafetySettings& safety) {
    writer.Key("safety");
    writer.StartObject();
    write_point(writer, "area_min_mm", safety.area_min_mm);
    write_point(writer, "area_max_mm", safety.area_max_mm);
    write_optional(writer, "max_z_mm", safety.max_z_mm);
    write_string(writer, "vase_mode", name_of(vase_mode_names, safety.vase_mode));
    writer.EndObject();
}

}  // namespace

void write_profile(Writer& writer, const TimelapseProfile& profile) {
    writer.StartObject();
    write_triggers(writer, profile.triggers);
    write_position(writer, profile.position);
    writer.Key("stabilization");
    writer.StartObject();
    write_axis(writer, "x", profile.stabilization.x);
    write_axis(writer, "y", profile.stabilization.y);
    writer.EndObject();
    write_motion(writer, profile.motion);
    write_safety(writer, profile.safety);
    writer.EndObject();
}

}  // namespace strata::planner::snapshots
