// OctoPrint's timelapse config object, written and read back (see timelapse_settings.hpp).
#include "strata/server/timelapse_settings.hpp"

#include <cmath>

#include "strata/common/json_member.hpp"

namespace strata::server {
namespace {

// `name` as a number within [low, high] into `out` when present.
std::optional<std::string> read_number(const rapidjson::Value& object, const char* name, double low,
                                       double high, double& out) {
    const rapidjson::Value* value = json_member(object, name);
    if (value == nullptr) return std::nullopt;
    if (!value->IsNumber() || !std::isfinite(value->GetDouble()) || value->GetDouble() < low ||
        value->GetDouble() > high)
        return std::string(name);
    out = value->GetDouble();
    return std::nullopt;
}

}  // namespace

std::optional<TimelapseType> parse_timelapse_type(std::string_view text) {
    if (text == "off") return TimelapseType::off;
    if (text == "zchange") return TimelapseType::zchange;
    if (text == "timed") return TimelapseType::timed;
    return std::nullopt;
}

std::string_view to_string(TimelapseType type) {
    switch (type) {
        case TimelapseType::off: return "off";
        case TimelapseType::zchange: return "zchange";
        case TimelapseType::timed: return "timed";
    }
    return "off";
}

std::optional<RenderAfterPrint> parse_render_after_print(std::string_view text) {
    if (text == "always") return RenderAfterPrint::always;
    if (text == "success") return RenderAfterPrint::success;
    if (text == "failure") return RenderAfterPrint::failure;
    if (text == "never" || text == "off") return RenderAfterPrint::never;
    return std::nullopt;
}

std::string_view to_string(RenderAfterPrint when) {
    switch (when) {
        case RenderAfterPrint::always: return "always";
        case RenderAfterPrint::success: return "success";
        case RenderAfterPrint::failure: return "failure";
        case RenderAfterPrint::never: return "never";
    }
    return "always";
}

void write_timelapse_settings(JsonWriter& json, const TimelapseSettings& settings,
                              bool can_capture) {
    json.begin_object();
    const TimelapseType type = can_capture ? settings.type : TimelapseType::off;
    json.field("type", to_string(type));
    if (type != TimelapseType::off) {
        json.field("fps", settings.fps).field("postRoll", settings.post_roll_s);
        json.field("renderAfterPrint", to_string(settings.render_after_print));
    }
    if (type == TimelapseType::zchange) {
        json.field("retractionZHop", settings.retraction_zhop_mm);
        json.field("minDelay", settings.min_delay_s);
    }
    if (type == TimelapseType::timed) json.field("interval", settings.interval_s);
    json.end_object();
}

std::optional<std::string> read_timelapse_settings(const rapidjson::Value& object,
                                                   TimelapseSettings& settings) {
    if (!object.IsObject()) return std::string("the timelapse config must be an object");
    TimelapseSettings read = settings;
    if (const rapidjson::Value* type = json_member(object, "type")) {
        const auto parsed =
            type->IsString() ? parse_timelapse_type(type->GetString()) : std::nullopt;
        if (!parsed) return std::string("type");
        read.type = *parsed;
    }
    if (const rapidjson::Value* when = json_member(object, "renderAfterPrint")) {
        const auto parsed =
            when->IsString() ? parse_render_after_print(when->GetString()) : std::nullopt;
        if (!parsed) return std::string("renderAfterPrint");
        read.render_after_print = *parsed;
    }
    if (auto wrong = read_number(object, "fps", 1.0, 120.0, read.fps)) return wrong;
    if (auto wrong = read_number(object, "postRoll", 0.0, 3600.0, read.post_roll_s)) return wrong;
    if (auto wrong = read_number(object, "interval", 1.0, 86400.0, read.interval_s)) return wrong;
    if (auto wrong = read_number(object, "retractionZHop", 0.0, 100.0, read.retraction_zhop_mm))
        return wrong;
    if (auto wrong = read_number(object, "minDelay", 0.0, 3600.0, read.min_delay_s)) return wrong;
    settings = read;
    return std::nullopt;
}

bool renders_after(RenderAfterPrint when, std::string_view result) {
    switch (when) {
        case RenderAfterPrint::always: return true;
        case RenderAfterPrint::success: return result == "finished";
        case RenderAfterPrint::failure: return result != "finished";
        case RenderAfterPrint::never: return false;
    }
    return true;
}

}  // namespace strata::server
