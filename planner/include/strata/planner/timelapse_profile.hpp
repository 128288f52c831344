// The timelapse profile: everything a user chooses about snapshots — when they are triggered,
// where in the layer they are placed, where the head is parked for the camera, how it gets there
// and back, and the safety margins. Immutable once loaded; the snapshot planner reads it and
// never writes it. The JSON form and its defaults are documented in docs/TIMELAPSE_PROFILE.md.
// Values left unset (std::nullopt) come from the slicer settings found in the G-code file.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/common/result.hpp"
#include "strata/parser/features.hpp"

namespace strata::planner {

/// When snapshots happen. Every enabled trigger fires on its own; a layer that several
/// triggers pick gets one snapshot.
struct TriggerSettings {
    std::uint32_t every_n_layers = 1;  ///< 0: no layer trigger.
    double every_height_mm = 0.0;      ///< 0: no height trigger.
    double every_time_s = 0.0;         ///< 0: no time trigger (estimated print time).
    /// Lines that ask for a snapshot where they stand (matched case-insensitively, whole line
    /// without its comment). An empty list turns marker triggers off.
    std::vector<std::string> markers = {"@OCTOLAPSE TAKE-SNAPSHOT", "TIMELAPSE_TAKE_FRAME"};
    bool first_layer = false;  ///< Allow snapshots while the first layer prints.
};

/// Where within a layer a layer or height snapshot is placed (Octolapse's smart modes).
enum class PositionMode : std::uint8_t {
    layer_change,   ///< At the first move of the new layer.
    fast,           ///< The candidate closest to the stabilization point, any kind.
    compatibility,  ///< Preferred features first, then the quality order of move kinds.
    high_quality,   ///< Only where the extruder is already retracted or travelling.
    snap_to_print,  ///< No travel: the print position closest to the stabilization point.
};

enum class RestrictionKind : std::uint8_t { required, forbidden };
enum class RestrictionShape : std::uint8_t { rectangle, circle };

/// An area of the bed snapshots must be taken in (required) or must avoid (forbidden).
struct PositionRestriction {
    RestrictionKind kind = RestrictionKind::forbidden;
    RestrictionShape shape = RestrictionShape::rectangle;
    std::array<double, 2> min_mm = {0.0, 0.0};  ///< Rectangle corner; circle centre.
    std::array<double, 2> max_mm = {0.0, 0.0};  ///< Opposite rectangle corner.
    double radius_mm = 0.0;                     ///< Circles only.
};

struct PositionSettings {
    PositionMode mode = PositionMode::compatibility;
    /// Compatibility and high quality modes try these features first, in this order.
    std::vector<parser::FeatureType> feature_order = {
        parser::FeatureType::prime_tower,    parser::FeatureType::infill,
        parser::FeatureType::ooze_shield,    parser::FeatureType::solid_infill,
        parser::FeatureType::gap_fill,       parser::FeatureType::skirt,
        parser::FeatureType::inner_perimeter};
    std::vector<PositionRestriction> restrictions;
};

/// How one axis of the parking point is chosen.
enum class StabilizationKind : std::uint8_t {
    disabled,      ///< The axis stays where the head is.
    fixed_mm,      ///< An absolute coordinate.
    bed_percent,   ///< A fraction of the printable area (0 = min edge, 100 = max edge).
    path_mm,       ///< Absolute coordinates, one per snapshot.
    path_percent,  ///< Percentages, one per snapshot.
};
/// What a path does after its last point.
enum class PathEnd : std::uint8_t { loop, ping_pong, hold };

struct AxisStabilization {
    StabilizationKind kind = StabilizationKind::bed_percent;
    double value = 50.0;       ///< mm for fixed_mm, % for bed_percent.
    std::vector<double> path;  ///< mm or % for the path kinds.
    PathEnd path_end = PathEnd::loop;
};

struct StabilizationSettings {
    AxisStabilization x;
    AxisStabilization y;
};

enum class FirmwareRetraction : std::uint8_t {
    automatic,  ///< G10/G11 when the file retracts that way, G1 E otherwise.
    always,
    never,
};

/// The moves of a snapshot block. Unset values come from the file's slicer settings.
struct SnapshotMotionSettings {
    bool retract = true;
    std::optional<double> retract_length_mm;
    std::optional<double> retract_speed_mm_s;
    std::optional<double> deretract_speed_mm_s;
    FirmwareRetraction firmware_retraction = FirmwareRetraction::automatic;
    bool lift = true;
    std::optional<double> lift_mm;
    std::optional<double> lift_speed_mm_s;
    std::optional<double> travel_speed_mm_s;
    double dwell_ms = 0.0;       ///< A pause after arriving, for cameras that need it.
    bool wait_for_moves = true;  ///< M400 before the capture.
};

/// What to do in vase (spiral) mode, where any stop leaves a mark on the wall.
enum class VaseModePolicy : std::uint8_t {
    in_place,   ///< No stop: the camera fires while the head keeps moving.
    skip,       ///< No snapshots at all.
    stabilize,  ///< Stop and park as usual (the user accepts the mark).
};

struct SafetySettings {
    /// The printable area; unset: the bed from the file, else the printer profile.
    std::optional<std::array<double, 2>> area_min_mm;
    std::optional<std::array<double, 2>> area_max_mm;
    std::optional<double> max_z_mm;  ///< The lift is clamped below this.
    VaseModePolicy vase_mode = VaseModePolicy::in_place;
};

struct TimelapseProfile {
    TriggerSettings triggers;
    PositionSettings position;
    StabilizationSettings stabilization;
    SnapshotMotionSettings motion;
    SafetySettings safety;
};

/// Reads a profile from JSON text, or says why there is none (`invalid`: the field's dotted
/// path, or the byte offset of a JSON syntax error; `not_found`/`io` for a file). Missing fields
/// keep their defaults; unknown fields are an error (a misspelt key must not be silently ignored).
/// `overrides` are `dotted.key=value` settings applied on top, as `strata prep --set` passes them;
/// a value that is not valid JSON is taken as a string.
[[nodiscard]] Result<TimelapseProfile> load_timelapse_profile(
    std::string_view json_text, const std::vector<std::string>& overrides = {});
[[nodiscard]] Result<TimelapseProfile> load_timelapse_profile_file(
    const std::filesystem::path& path, const std::vector<std::string>& overrides = {});

/// The profile as JSON, every field present (the defaults, for `TimelapseProfile{}`).
std::string to_json(const TimelapseProfile& profile);

std::string_view to_string(PositionMode mode);
std::string_view to_string(StabilizationKind kind);

}  // namespace strata::planner
