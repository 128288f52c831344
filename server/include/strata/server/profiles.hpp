// Profiles in the store: printer (its port and rate, the bed), timelapse (the planner's snapshot
// profile: triggers, positions, stabilization) and camera (one camera's kind, address, delay,
// timeout and transform). Each body is validated before it is stored, and a problem names the
// field at fault. The default timelapse profile prepares uploads; enabled camera profiles are
// captured at every snapshot; the default printer profile gives the port to connect to and the
// bed for files that declare none.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/common/result.hpp"
#include "strata/planner/snapshot_plan.hpp"
#include "strata/server/store.hpp"
#include "strata/timelapse/camera.hpp"

namespace strata::server {

enum class ProfileKind : std::uint8_t { printer, timelapse, camera };
[[nodiscard]] std::optional<ProfileKind> parse_profile_kind(std::string_view text);
[[nodiscard]] std::string_view to_string(ProfileKind kind);

/// What is wrong with a profile: the field (dotted, "" for the whole body) and why.
struct ProfileProblem {
    std::string field;
    std::string message;
};

/// Nothing when `body_json` is a valid profile of `kind`.
[[nodiscard]] std::optional<ProfileProblem> validate_profile(ProfileKind kind,
                                                             std::string_view body_json);

struct PrinterProfile {
    std::string display_name;  ///< What clients show; the profile's name when empty.
    std::string model;
    std::string port;
    int baudrate = 0;  ///< 0: detect.
    double bed_x_mm = 220.0;
    double bed_y_mm = 220.0;
    double max_z_mm = 250.0;
    /// Where X0 Y0 is: the bed's front left corner, or its centre (deltas, some CoreXY).
    bool origin_at_center = false;
};

/// The bed a printer profile describes, as the planner's printable area.
[[nodiscard]] planner::PrintableArea bed_area_of(const PrinterProfile& profile);

/// The settings of a valid profile body (validated first: a problem leaves `out` as it was).
std::optional<ProfileProblem> read_printer_profile(std::string_view body_json, PrinterProfile& out);
/// A printer profile as the body `read_printer_profile` reads back (empty texts and a 0 rate left
/// out).
[[nodiscard]] std::string printer_profile_json(const PrinterProfile& profile);
std::optional<ProfileProblem> read_camera_profile(std::string_view name, std::string_view body_json,
                                                  timelapse::CameraConfig& out);

/// `body_json` as the API shows it: each secret (a camera's `password`) replaced by
/// `<name>_set`, true when one is stored.
[[nodiscard]] std::string without_secrets(ProfileKind kind, std::string_view body_json);
/// `body_json` to store over `stored_json`: a secret it leaves out is kept from the stored body,
/// and the `<name>_set` flags the API showed are dropped.
[[nodiscard]] std::string with_stored_secrets(ProfileKind kind, std::string_view body_json,
                                              std::string_view stored_json);

struct StoredProfile {
    std::string name;
    bool is_default = false;
    double updated_s = 0.0;
    std::string body_json;
};

class Profiles {
  public:
    explicit Profiles(Database& db) : db_(db) {}
    [[nodiscard]] std::vector<StoredProfile> list(ProfileKind kind);
    [[nodiscard]] std::optional<StoredProfile> find(ProfileKind kind, std::string_view name);
    /// The default profile of `kind`, if one is marked.
    [[nodiscard]] std::optional<StoredProfile> default_of(ProfileKind kind);
    /// Stores a validated body (creating or replacing); `is_default` unmarks the others.
    [[nodiscard]] Status put(ProfileKind kind, std::string_view name, std::string_view body_json,
                             bool is_default, double now_s);
    /// Whether there was such a profile.
    [[nodiscard]] Result<bool> remove(ProfileKind kind, std::string_view name);

  private:
    Database& db_;
};

}  // namespace strata::server
