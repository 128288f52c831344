// One time mode's planner emulation: turns moves (axis deltas and a feedrate) into planner blocks
// the way the firmware does (per-axis feedrate and acceleration limits, minimum feedrates, the
// acceleration for the kind of move, the junction speed by jerk, junction deviation or Klipper's
// square corner velocity), and feeds them to the look-ahead queue.
#pragma once

#include <array>
#include <cstdint>

#include "block_queue.hpp"
#include "strata/planner/motion_limits.hpp"

namespace strata::planner::motion {

/// Which acceleration a move is planned with.
enum class MoveClass : std::uint8_t {
    print,    ///< Extrusion, wipes, and anything not below.
    travel,   ///< No extrusion (or a retraction while moving).
    retract,  ///< Extruder only.
};

struct MoveRequest {
    std::array<double, 4> delta_mm;  ///< X, Y, Z, E.
    double feedrate_mm_s;            ///< Requested, speed factor applied.
    MoveClass move_class;
    std::uint64_t line;
    /// XYZ length when the caller already knows it (the simulator computed it); 0: compute.
    double xyz_length_mm = 0.0;
};

/// An arc planned as one block, as Bambu Studio's estimator plans G2/G3: its XY length along
/// the circle, its radius, and its direction (unit, XY) where it starts and where it ends.
struct ArcShape {
    double length_mm;
    double radius_mm;
    std::array<double, 2> entry_unit;
    std::array<double, 2> exit_unit;
};

class MotionPlanner {
  public:
    MotionPlanner(const MotionLimits& limits, const EstimatorConfig& config, Timeline* timeline);

    void move(const MoveRequest& request);
    /// An arc as one block (`request.delta_mm` from its start to its end). Its cruise is held
    /// to what the print acceleration allows on its radius; its junctions turn from the
    /// previous move's direction to its starting tangent, and the next move's from its ending
    /// tangent.
    void arc(const MoveRequest& request, const ArcShape& shape);
    /// The firmware waits for all moves to finish (M400, G4, tool change), then `extra_s` passes.
    void synchronize(double extra_s) { queue_.synchronize(extra_s); }
    [[nodiscard]] double elapsed_s() const { return queue_.elapsed_s(); }

    /// Limits in force; limit commands (M201...) change them while the file is processed.
    [[nodiscard]] MotionLimits& limits() { return limits_; }
    [[nodiscard]] const MotionLimits& limits() const { return limits_; }
    void set_extrude_factor(double ratio) { extrude_factor_ratio_ = ratio; }

  private:
    // Filled field by field for every move; no default initialisers, so building one per move
    // costs no zeroing (it showed up as a memset in profiles).
    struct AxisSpeeds {
        double feedrate_mm_s;  ///< Requested feedrate of the move.
        double safe_mm_s;      ///< Speed it may start or stop from within the jerk limit.
        std::array<double, 4> axis_mm_s;  ///< Signed, per axis.
        std::array<double, 4> unit;       ///< Direction in XYZE.
        double distance_mm;
        double acceleration_mm_s2;
    };

    /// Fills `current` for the move and returns its cruise speed.
    double speeds_for(const MoveRequest& request, double distance_mm, AxisSpeeds& current) const;
    [[nodiscard]] double junction_speed(const AxisSpeeds& current, double cruise_mm_s) const;
    [[nodiscard]] double acceleration_for(const MoveRequest& request,
                                          double inverse_distance) const;
    [[nodiscard]] double smoothed_acceleration(double acceleration_mm_s2) const;
    [[nodiscard]] double centripetal_limit(const std::array<double, 4>& delta) const;
    [[nodiscard]] double junction_by_vector_jerk(const AxisSpeeds& current,
                                                 double cruise_mm_s) const;
    [[nodiscard]] double junction_by_xy_jerk(const AxisSpeeds& current, double cruise_mm_s) const;
    [[nodiscard]] double safe_speed_by_xy_jerk(const AxisSpeeds& current, double cruise_mm_s) const;
    [[nodiscard]] double arc_speeds(const MoveRequest& request, const ArcShape& shape,
                                    double distance_mm, AxisSpeeds& current) const;
    [[nodiscard]] double arc_junction(const ArcShape& shape, const AxisSpeeds& current,
                                      double cruise_mm_s) const;
    void push(const MoveRequest& request, const AxisSpeeds& current, double cruise_mm_s,
              double junction_mm_s);

    [[nodiscard]] double junction_by_jerk(const AxisSpeeds& current, double cruise_mm_s) const;
    [[nodiscard]] double junction_by_deviation(const AxisSpeeds& current, double cruise_mm_s) const;
    [[nodiscard]] double junction_square_corner(const AxisSpeeds& current,
                                                double cruise_mm_s) const;

    MotionLimits limits_;
    const EstimatorConfig config_;
    BlockQueue queue_;
    AxisSpeeds previous_{};
    bool has_previous_ = false;
    double extrude_factor_ratio_ = 1.0;
};

}  // namespace strata::planner::motion
