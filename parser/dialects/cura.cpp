// Cura (CuraEngine), and legacy Cura (2013-era Skeinforge-based): ";FLAVOR:Marlin",
// ";Generated with Cura_SteamEngine 5.0.0", ";TIME:1751", and settings changed from the profile
// in the escaped ";SETTING_3 {...}" blob at the end.
#include <charconv>

#include "dialects.hpp"

namespace strata::parser::dialects {

bool identify_cura(const CommentSettings& settings, std::string& version) {
    if (auto rest = settings.line_after("Generated with Cura_SteamEngine")) {
        version = std::string(*rest);
        return true;
    }
    if (settings.line_after("Sliced ") && settings.text("Print time")) {
        version = "legacy";
        return true;
    }
    return false;
}

namespace {

// Cura's machine settings, present in the blob only when the profile changed them.
std::optional<MachineLimits> read_cura_limits(const CommentSettings& settings) {
    MachineLimits limits;
    auto axes = [&settings](std::string_view prefix) {
        const std::string key(prefix);
        return AxisLimits{settings.blob_number(key + "x"), settings.blob_number(key + "y"),
                          settings.blob_number(key + "z"), settings.blob_number(key + "e")};
    };
    limits.max_feedrate_mm_s = axes("machine_max_feedrate_");
    limits.max_acceleration_mm_s2 = axes("machine_max_acceleration_");
    const auto jerk_xy = settings.blob_number("machine_max_jerk_xy");
    limits.max_jerk_mm_s = AxisLimits{jerk_xy, jerk_xy, settings.blob_number("machine_max_jerk_z"),
                                      settings.blob_number("machine_max_jerk_e")};
    limits.print_acceleration_mm_s2 = settings.blob_number("machine_acceleration");
    const bool any = limits.max_feedrate_mm_s.x || limits.max_acceleration_mm_s2.x || jerk_xy ||
                     limits.print_acceleration_mm_s2;
    return any ? std::optional<MachineLimits>(limits) : std::nullopt;
}

// Until CuraEngine 2.7 (2017) the flavour "RepRap (Marlin/Sprinter)" was written as
// ";FLAVOR:RepRap": RepRapFirmware got a flavour of its own only then, and took the name. Cura
// 14.x and 15.x numbered the engine by date.
bool reprap_meant_marlin(const CommentSettings& settings) {
    auto version = settings.line_after("Generated with Cura_SteamEngine");
    if (!version) return false;
    *version = trim(*version);
    int major = 0;
    int minor = 0;
    const char* end = version->data() + version->size();
    const auto [after_major, major_error] = std::from_chars(version->data(), end, major);
    if (major_error != std::errc()) return false;  // "master": a build of today's engine.
    if (after_major != end && *after_major == '.' &&
        std::from_chars(after_major + 1, end, minor).ec != std::errc())
        minor = 0;
    return major >= 14 || major < 2 || (major == 2 && minor < 7);
}

}  // namespace

void read_cura(const CommentSettings& settings, SlicerSettings& out) {
    out.limits_normal = read_cura_limits(settings);
    if (auto flavor = settings.text("FLAVOR")) {
        out.firmware_flavor_name = std::string(*flavor);
        if (out.firmware_flavor_name == "RepRap" && reprap_meant_marlin(settings))
            out.firmware_flavor_name = "RepRap (Marlin/Sprinter)";
        out.firmware_flavor = flavor_from_name(out.firmware_flavor_name);
    }
    if (auto time = settings.number("TIME")) out.estimate_s = time;
    if (auto legacy = settings.text("Print time"); legacy && !out.estimate_s) {
        // Legacy Cura writes hours:minutes.
        const std::size_t colon = legacy->find(':');
        auto hours = leading_number(legacy->substr(0, colon));
        auto minutes = colon == std::string_view::npos ? std::nullopt
                                                       : leading_number(legacy->substr(colon + 1));
        if (hours && minutes) out.estimate_s = *hours * 3600.0 + *minutes * 60.0;
    }
    out.layer_height_mm = settings.number("Layer height");
    if (!out.layer_height_mm) out.layer_height_mm = settings.blob_number("layer_height");
    out.first_layer_height_mm = settings.blob_number("layer_height_0");
    out.retract_length_mm = settings.blob_number("retraction_amount");
    out.retract_speed_mm_s = settings.blob_number("retraction_retract_speed");
    if (!out.retract_speed_mm_s) out.retract_speed_mm_s = settings.blob_number("retraction_speed");
    out.deretract_speed_mm_s = settings.blob_number("retraction_prime_speed");
    out.z_hop_mm = settings.blob_number("retraction_hop");
    out.travel_speed_mm_s = settings.blob_number("speed_travel");
    if (auto spiral = settings.blob_number("magic_spiralize")) out.vase_mode = *spiral != 0.0;
    auto width = settings.blob_number("machine_width");
    auto depth = settings.blob_number("machine_depth");
    if (width && depth) out.bed_size_mm = std::array<double, 2>{*width, *depth};
    if (auto count = settings.blob_number("machine_extruder_count"))
        out.extruder_count = static_cast<int>(*count);
}

}  // namespace strata::parser::dialects
