// Private to planner/snapshots: the field-by-field reader and the writer behind the timelapse
// profile's JSON form. The reader checks one object's fields against their types and ranges,
// names the first bad field by its dotted path, and reports keys nobody asked for.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strata/planner/timelapse_profile.hpp"

namespace strata::planner::snapshots {

template <class Enum, std::size_t N>
using NameTable = std::array<std::pair<std::string_view, Enum>, N>;

inline constexpr NameTable<PositionMode, 5> position_mode_names = {{
    {"layer_change", PositionMode::layer_change},
    {"fast", PositionMode::fast},
    {"compatibility", PositionMode::compatibility},
    {"high_quality", PositionMode::high_quality},
    {"snap_to_print", PositionMode::snap_to_print},
}};
inline constexpr NameTable<StabilizationKind, 5> stabilization_kind_names = {{
    {"disabled", StabilizationKind::disabled},
    {"fixed_mm", StabilizationKind::fixed_mm},
    {"bed_percent", StabilizationKind::bed_percent},
    {"path_mm", StabilizationKind::path_mm},
    {"path_percent", StabilizationKind::path_percent},
}};
inline constexpr NameTable<PathEnd, 3> path_end_names = {{
    {"loop", PathEnd::loop},
    {"ping_pong", PathEnd::ping_pong},
    {"hold", PathEnd::hold},
}};
inline constexpr NameTable<RestrictionKind, 2> restriction_kind_names = {{
    {"required", RestrictionKind::required},
    {"forbidden", RestrictionKind::forbidden},
}};
inline constexpr NameTable<RestrictionShape, 2> restriction_shape_names = {{
    {"rectangle", RestrictionShape::rectangle},
    {"circle", RestrictionShape::circle},
}};
inline constexpr NameTable<FirmwareRetraction, 3> firmware_retraction_names = {{
    {"auto", FirmwareRetraction::automatic},
    {"always", FirmwareRetraction::always},
    {"never", FirmwareRetraction::never},
}};
inline constexpr NameTable<VaseModePolicy, 3> vase_mode_names = {{
    {"in_place", VaseModePolicy::in_place},
    {"skip", VaseModePolicy::skip},
    {"stabilize", VaseModePolicy::stabilize},
}};

template <class Enum, std::size_t N>
std::string_view name_of(const NameTable<Enum, N>& names, Enum value) {
    for (const auto& [name, entry] : names) {
        if (entry == value) return name;
    }
    return "?";
}

/// Reads the fields of one JSON object. The first error wins and is written to `error`; later
/// calls do nothing once an error is set, so a reader can be used without checking each call.
class FieldReader {
  public:
    FieldReader(const rapidjson::Value& object, std::string path, std::string& error);

    [[nodiscard]] bool failed() const { return !error_.empty(); }
    void fail(std::string_view key, std::string_view message);

    void number(const char* key, double& out, double min, double max);
    void optional_number(const char* key, std::optional<double>& out, double min, double max);
    void count(const char* key, std::uint32_t& out);
    void boolean(const char* key, bool& out);
    void strings(const char* key, std::vector<std::string>& out);
    void numbers(const char* key, std::vector<double>& out);
    void point(const char* key, std::array<double, 2>& out);
    void optional_point(const char* key, std::optional<std::array<double, 2>>& out);
    void features(const char* key, std::vector<parser::FeatureType>& out);
    void object(const char* key, const std::function<void(FieldReader&)>& read);

    template <class Enum, std::size_t N>
    void choice(const char* key, Enum& out, const NameTable<Enum, N>& names) {
        const rapidjson::Value* value = find(key);
        if (value == nullptr) return;
        if (value->IsString()) {
            const std::string_view text(value->GetString(), value->GetStringLength());
            for (const auto& [name, entry] : names) {
                if (name == text) {
                    out = entry;
                    return;
                }
            }
        }
        std::string expected = "expected one of";
        for (const auto& [name, entry] : names) {
            expected += ' ';
            expected += name;
        }
        fail(key, expected);
    }

    template <class T>
    void objects(const char* key, std::vector<T>& out, void (*read)(FieldReader&, T&)) {
        const rapidjson::Value* value = find(key);
        if (value == nullptr) return;
        if (!value->IsArray()) return fail(key, "expected an array of objects");
        out.clear();
        for (rapidjson::SizeType index = 0; index < value->Size() && !failed(); ++index) {
            const std::string item_path = field(key) + "[" + std::to_string(index) + "]";
            if (!(*value)[index].IsObject()) {
                error_ = "field '" + item_path + "': expected an object";
                return;
            }
            FieldReader item((*value)[index], item_path, error_);
            read(item, out.emplace_back());
            item.finish();
        }
    }

    /// Reports the first key of the object that no read asked for.
    void finish();

  private:
    const rapidjson::Value* find(const char* key);
    bool check_number(const char* key, const rapidjson::Value& value, double min, double max,
                      double& out);
    bool check_point(const char* key, const rapidjson::Value& value, std::array<double, 2>& out);
    bool check_strings(const char* key, const rapidjson::Value& value,
                       std::vector<std::string>& out);
    [[nodiscard]] std::string field(std::string_view key) const;

    const rapidjson::Value& object_;
    std::string path_;
    std::string& error_;
    std::vector<std::string> seen_;
};

void write_profile(rapidjson::PrettyWriter<rapidjson::StringBuffer>& writer,
                   const TimelapseProfile& profile);

}  // namespace strata::planner::snapshots
