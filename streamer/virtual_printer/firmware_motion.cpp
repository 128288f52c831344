// The firmware's planner queue and stepper: each move is timed by strata's motion planner with
// the firmware's look-ahead (planner::MoveTimer); a block starts when the one before it ends and
// keeps the time it had when it started, as Marlin's busy block does. When the queue runs dry the
// blocks still held for look-ahead are timed as they stand (decelerating to a stop).
#include <algorithm>
#include <cmath>

#include "firmware.hpp"

namespace strata::streamer::virtual_printer {
namespace {

// Marlin holds the first block of an idle planner back a moment, so look-ahead has something to
// look at (BLOCK_DELAY_FOR_1ST_MOVE).
constexpr double first_move_delay_s = 0.05;

}  // namespace

void Firmware::queue_move(const parser::MachineState& before, const parser::MachineState& after,
                          double now_s) {
    const std::array<double, 4> from = {before.position_mm[0], before.position_mm[1],
                                        before.position_mm[2], before.e_mm};
    const std::array<double, 4> to = {after.position_mm[0], after.position_mm[1],
                                      after.position_mm[2], after.e_mm};
    const double feedrate_mm_s = after.feedrate_mm_s * after.speed_factor_ratio;
    if (!after.is_arc) {
        queue_segment(from, to, after.e_delta_mm, feedrate_mm_s, now_s);
        return;
    }
    // Marlin cuts an arc into 1 mm chords (MM_PER_ARC_SEGMENT): timed and drawn as such. All
    // are queued at once, so an arc may hold the planner over its size for a moment.
    const parser::ArcGeometry& arc = simulator_.last_arc();
    const double length_mm = std::fabs(arc.sweep_rad) * arc.radius_mm;
    const auto segments = static_cast<int>(std::clamp(std::ceil(length_mm), 1.0, 1000.0));
    std::array<double, 4> previous = from;
    for (int i = 1; i <= segments; ++i) {
        const double t = static_cast<double>(i) / segments;
        const double angle_rad = arc.start_angle_rad + arc.sweep_rad * t;
        std::array<double, 4> point = to;
        if (i < segments) {
            point = {arc.center_mm[0] + arc.radius_mm * std::cos(angle_rad),
                     arc.center_mm[1] + arc.radius_mm * std::sin(angle_rad),
                     from[2] + (to[2] - from[2]) * t, from[3] + (to[3] - from[3]) * t};
        }
        queue_segment(previous, point, after.e_delta_mm / segments, feedrate_mm_s, now_s);
        previous = point;
    }
}

void Firmware::queue_segment(std::array<double, 4> from_mm, std::array<double, 4> to_mm,
                             double e_delta_mm, double feedrate_mm_s, double now_s) {
    // Both ends are clamped: the simulator keeps a target as written, Marlin its clamped one,
    // which the next move then starts from.
    for (std::size_t axis = 0; axis < 3; ++axis) {
        from_mm[axis] =
            std::clamp(from_mm[axis], config_.min_position_mm[axis], config_.max_position_mm[axis]);
        to_mm[axis] =
            std::clamp(to_mm[axis], config_.min_position_mm[axis], config_.max_position_mm[axis]);
    }
    const std::array<double, 4> delta_mm = {to_mm[0] - from_mm[0], to_mm[1] - from_mm[1],
                                            to_mm[2] - from_mm[2], e_delta_mm};
    if (delta_mm == std::array<double, 4>{}) return;
    const bool idle = planner_.empty() && now_s >= stepper_free_s_;
    Block block{next_block_id_++,
                from_mm,
                to_mm,
                delta_mm[3] > 0.0 && (delta_mm[0] != 0.0 || delta_mm[1] != 0.0),
                idle ? now_s + first_move_delay_s : now_s,
                std::nullopt};
    timer_.move(delta_mm, feedrate_mm_s, block.id);
    planner_.push_back(block);
    collect_timed();
}

void Firmware::collect_timed() {
    planner::TimedMove timed{};
    while (timer_.next_timed(timed)) {
        const auto block = std::find_if(planner_.begin(), planner_.end(),
                                        [&](const Block& b) { return b.id == timed.id; });
        if (block != planner_.end()) block->duration_s = std::max(0.0, timed.end_s - timer_end_s_);
        timer_end_s_ = timed.end_s;
    }
}

bool Firmware::finish_blocks(double now_s) {
    bool progress = false;
    while (!planner_.empty()) {
        Block& block = planner_.front();
        if (!block.started) {
            const double start_s = std::max(stepper_free_s_, block.ready_s);
            if (now_s < start_s) break;
            if (!block.duration_s) {
                // A move waiting for the slot the last block freed comes first: it lets the
                // look-ahead time this block. Otherwise the queue ran dry: plan it to a stop.
                if (move_waiting_ && planner_.size() < config_.planner_blocks) break;
                ++counted_.planner_underruns;
                timer_.flush();
                collect_timed();
            }
            block.started = true;
            block.end_s = start_s + block.duration_s.value_or(0.0);
        }
        if (now_s < block.end_s) break;
        position_mm_ = block.to_mm;
        if (block.extruding) {
            printed_.push_back(
                {{static_cast<float>(block.from_mm[0]), static_cast<float>(block.from_mm[1]),
                  static_cast<float>(block.from_mm[2])},
                 {static_cast<float>(block.to_mm[0]), static_cast<float>(block.to_mm[1]),
                  static_cast<float>(block.to_mm[2])}});
        }
        stepper_free_s_ = block.end_s;
        planner_.pop_front();
        progress = true;
    }
    return progress;
}

}  // namespace strata::streamer::virtual_printer
