// The snapshot planner (see snapshot_planner.hpp). Per line it builds one candidate and offers
// it to the lanes; a window's decision is made when the next window begins.
#include "snapshot_planner.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace strata::planner::snapshots {
namespace {

using parser::MoveKind;
constexpr double epsilon_mm = 1e-6;
// The longest retraction a file's own habit may give a snapshot block (Bowden extruders retract
// up to about 8 mm).
constexpr double longest_travel_retraction_mm = 15.0;

bool equal_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::toupper(static_cast<unsigned char>(x)) ==
                      std::toupper(static_cast<unsigned char>(y));
           });
}

std::string_view code_part(std::string_view raw) {
    const std::size_t comment = raw.find(';');
    if (comment != std::string_view::npos) raw = raw.substr(0, comment);
    while (!raw.empty() && std::isspace(static_cast<unsigned char>(raw.front())))
        raw.remove_prefix(1);
    while (!raw.empty() && std::isspace(static_cast<unsigned char>(raw.back())))
        raw.remove_suffix(1);
    return raw;
}

bool starts_block(std::string_view comment) {
    while (!comment.empty() && comment.front() == ' ')
        comment.remove_prefix(1);
    return comment.rfind("STRATA SNAPSHOT BEGIN", 0) == 0;
}

bool moved_xy(const parser::LineEvent& event) {
    return event.state.position_mm[0] != event.start_position_mm[0] ||
           event.state.position_mm[1] != event.start_position_mm[1] || event.state.is_arc;
}

}  // namespace

SnapshotPlanner::SnapshotPlanner(const TimelapseProfile& profile,
                                 const PrintTimeEstimator& estimator, AreaChoice area)
    : profile_(profile),
      estimator_(estimator),
      area_choice_(std::move(area)),
      mode_(profile.position.mode),
      comment_lane_(TriggerKind::layer, mode_, profile.position.feature_order),
      geometric_lane_(TriggerKind::layer, mode_, profile.position.feature_order),
      time_lane_(TriggerKind::time, mode_, profile.position.feature_order),
      marker_lane_(TriggerKind::marker, mode_, profile.position.feature_order) {
    for (const std::string& marker : profile.triggers.markers) {
        const std::string_view code = code_part(marker);
        if (code.empty()) continue;
        const auto first = static_cast<unsigned char>(code.front());
        marker_first_byte_[std::toupper(first)] = true;
        marker_first_byte_[std::tolower(first)] = true;
    }
}

void SnapshotPlanner::on_start(const parser::SlicerInfo& slicer,
                               const parser::MachineConfig& /*machine*/) {
    slicer_ = slicer.settings;
    vase_mode_ = slicer_.vase_mode.value_or(false);
    if (vase_mode_) {
        switch (profile_.safety.vase_mode) {
            case VaseModePolicy::skip: skip_all_ = true; break;
            case VaseModePolicy::in_place:
                stop_ = false;
                mode_ = PositionMode::snap_to_print;
                break;
            case VaseModePolicy::stabilize: break;
        }
    }
    const auto& stabilization = profile_.stabilization;
    const bool both_disabled = stabilization.x.kind == StabilizationKind::disabled &&
                               stabilization.y.kind == StabilizationKind::disabled;
    stop_ = stop_ && profile_.motion.wait_for_moves;
    in_place_ = !stop_ || mode_ == PositionMode::snap_to_print || both_disabled;
    const auto& order = profile_.position.feature_order;
    comment_lane_ = Lane(TriggerKind::layer, mode_, order);
    geometric_lane_ = Lane(TriggerKind::layer, mode_, order);
    time_lane_ = Lane(TriggerKind::time, mode_, order);
    marker_lane_ = Lane(TriggerKind::marker, mode_, order);
    for (Lane* lane : {&comment_lane_, &geometric_lane_, &time_lane_, &marker_lane_})
        lane->park = parking_point(stabilization, area_choice_.area, 0);
    motion_ =
        resolve_motion(profile_.motion, profile_.safety, slicer_, habits_, estimator_.limits());
}

void SnapshotPlanner::on_line(const parser::LineEvent& event) {
    const parser::GcodeLine& line = event.line;
    if (line.kind == parser::LineKind::comment && starts_block(line.comment) &&
        !habits_.already_annotated) {
        habits_.already_annotated = true;
        error_ = "the file has been prepared already: a STRATA snapshot block starts at line " +
                 std::to_string(event.number) + "; prepare the original file";
    }
    if (!error_.empty() || skip_all_) return;
    watch_habits(event);
    follow_windows(event);
    if (line.kind != parser::LineKind::comment && is_marker(line)) take_marker(event);
    if (event.simulated) offer_position(event);
}

void SnapshotPlanner::follow_windows(const parser::LineEvent& event) {
    const auto& comment_layers = event.layers.comment_layers();
    if (comment_layers.size() != comment_layers_seen_) {
        close_layer_window(comment_lane_, comment_layers);
        comment_layers_seen_ = comment_layers.size();
        begin_window(comment_lane_, static_cast<std::int64_t>(comment_layers_seen_) - 1,
                     candidate_from(event));
    }
    // Once the slicer's layer comments have begun, the file's layers are theirs: the geometric
    // view's lane has nothing left to decide.
    const auto& geometric_layers = event.layers.geometric_layers();
    if (comment_layers_seen_ == 0 && geometric_layers.size() != geometric_layers_seen_) {
        close_layer_window(geometric_lane_, geometric_layers);
        geometric_layers_seen_ = geometric_layers.size();
        std::optional<Candidate> change = previous();
        if (change) move_before(*change, event);
        begin_window(geometric_lane_, static_cast<std::int64_t>(geometric_layers_seen_) - 1,
                     change);
    }
    if (profile_.triggers.every_time_s > 0.0) {
        const auto window = static_cast<std::int64_t>(
            std::floor(estimator_.timed_elapsed_s() / profile_.triggers.every_time_s));
        if (window != time_lane_.window) {
            close_window(time_lane_, current_layer(), last_printed_z_mm_,
                         time_lane_.window >= 0 ? std::optional(TriggerKind::time) : std::nullopt);
            std::optional<Candidate> change = previous();
            if (change) move_before(*change, event);
            begin_window(time_lane_, window, change);
        }
    }
}

void SnapshotPlanner::take_marker(const parser::LineEvent& event) {
    const Candidate here = candidate_from(event);
    if (const char* problem = unusable(here)) {
        marker_lane_.skipped.push_back(
            {current_layer(), event.number, TriggerKind::marker, problem});
    } else {
        take(marker_lane_, here, current_layer(), last_printed_z_mm_);
    }
}

void SnapshotPlanner::offer_position(const parser::LineEvent& event) {
    const parser::MachineState& state = event.state;
    if (state.move == MoveKind::extrude && moved_xy(event)) {
        highest_printed_z_mm_ = std::max(highest_printed_z_mm_, state.position_mm[2]);
        last_printed_z_mm_ = state.position_mm[2];
        printed_ = true;
    }
    std::optional<CandidateKind> kind;
    if (state.move != MoveKind::none && !motors_off_) {
        const bool lifted = printed_ && state.position_mm[2] > last_printed_z_mm_ + epsilon_mm;
        kind = classify(state, lifted);
    }
    // Most positions are no closer than what the lanes keep: a cheap test first, and the full
    // candidate is built only when a lane wants it or a window change may need it.
    const std::int64_t first_allowed = profile_.triggers.first_layer ? 0 : 1;
    const auto wants = [&](const Lane& lane, bool open) {
        return kind && open && lane.store.wants(*kind, event.feature, distance_sq_mm2(lane, state));
    };
    const bool to_comment = wants(comment_lane_, comment_lane_.window >= first_allowed);
    const bool to_geometric = wants(
        geometric_lane_, comment_layers_seen_ == 0 && geometric_lane_.window >= first_allowed);
    const bool to_time =
        wants(time_lane_, time_lane_.window >= 0 && current_layer() >= first_allowed);
    const bool need_previous = profile_.triggers.every_time_s > 0.0 || comment_layers_seen_ == 0;
    if (!need_previous && !to_comment && !to_geometric && !to_time) return;

    // Built in place in the buffer `previous()` does not use: no copy per line.
    Candidate& candidate = buffers_[1 - previous_index_];
    fill_candidate(event, candidate);
    candidate.kind = kind.value_or(CandidateKind::extrusion);
    if ((to_comment || to_geometric || to_time) && unusable(candidate) == nullptr) {
        if (to_comment) offer(comment_lane_, candidate);
        if (to_geometric) offer(geometric_lane_, candidate);
        if (to_time) offer(time_lane_, candidate);
    }
    previous_index_ = 1 - previous_index_;
    has_previous_ = true;
}

double SnapshotPlanner::distance_sq_mm2(const Lane& lane, const parser::MachineState& state) {
    const double dx = lane.park.x_mm ? *lane.park.x_mm - state.position_mm[0] : 0.0;
    const double dy = lane.park.y_mm ? *lane.park.y_mm - state.position_mm[1] : 0.0;
    return dx * dx + dy * dy;
}

std::int64_t SnapshotPlanner::current_layer() const {
    const std::size_t seen =
        comment_layers_seen_ > 0 ? comment_layers_seen_ : geometric_layers_seen_;
    return static_cast<std::int64_t>(seen) - 1;
}

void SnapshotPlanner::watch_habits(const parser::LineEvent& event) {
    const parser::GcodeLine& line = event.line;
    if (!event.simulated) return;
    const parser::MachineState& state = event.state;
    // M84/M18 alone or with axes switches motors off (the position is lost); with only E or
    // S (an idle timeout), as start scripts write it, it does not.
    constexpr std::uint32_t axes =
        parser::GcodeLine::bit('X') | parser::GcodeLine::bit('Y') | parser::GcodeLine::bit('Z');
    if (line.command_letter == 'M' && (line.command_number == 84 || line.command_number == 18) &&
        ((line.word_mask | line.bare_word_mask) == 0 ||
         ((line.word_mask | line.bare_word_mask) & axes) != 0))
        motors_off_ = true;
    if (line.command_letter == 'G' && line.command_number == 28) motors_off_ = false;
    if (line.command_letter == 'G' && line.command_number == 10 && !line.has('P') && !line.has('L'))
        habits_.uses_firmware_retraction = true;
    switch (state.move) {
        case MoveKind::travel:
            if (moved_xy(event))
                habits_.fastest_travel_mm_s =
                    std::max(habits_.fastest_travel_mm_s, state.feedrate_mm_s);
            break;
        case MoveKind::lift:
            habits_.fastest_lift_mm_s = std::max(habits_.fastest_lift_mm_s, state.feedrate_mm_s);
            break;
        case MoveKind::retract:
            // A longer pull is a filament unload (MMU, end G-code) or an absolute-E mistake,
            // not what the printer does before a travel.
            if (state.retraction_mm > longest_travel_retraction_mm) break;
            if (line.command_letter == 'G' && line.command_number <= 1) {
                habits_.fastest_retract_mm_s =
                    std::max(habits_.fastest_retract_mm_s, state.feedrate_mm_s);
            }
            habits_.longest_retraction_mm =
                std::max(habits_.longest_retraction_mm, state.retraction_mm);
            break;
        default: break;
    }
}

bool SnapshotPlanner::is_marker(const parser::GcodeLine& line) const {
    const auto& markers = profile_.triggers.markers;
    if (markers.empty() || line.kind == parser::LineKind::empty) return false;
    // The per-line test: most lines start with a letter no marker starts with.
    std::size_t first = 0;
    while (first < line.raw.size() && (line.raw[first] == ' ' || line.raw[first] == '\t'))
        ++first;
    if (first == line.raw.size() ||
        !marker_first_byte_[static_cast<unsigned char>(line.raw[first])])
        return false;
    const std::string_view code = code_part(line.raw);
    if (code.empty()) return false;
    return std::any_of(markers.begin(), markers.end(), [&](const std::string& marker) {
        return equal_ignoring_case(code, marker);
    });
}

Candidate SnapshotPlanner::candidate_from(const parser::LineEvent& event) const {
    Candidate candidate;
    fill_candidate(event, candidate);
    return candidate;
}

// Moves the previous simulated line's candidate to just before the line that opened a window:
// the lines between are comments and blanks, so the head and machine state are the same there.
void SnapshotPlanner::move_before(Candidate& candidate, const parser::LineEvent& event) {
    candidate.line = event.number - 1;
    candidate.after_byte = event.start_byte;
}

std::optional<Candidate> SnapshotPlanner::previous() const {
    if (!has_previous_) return std::nullopt;
    return buffers_[previous_index_];
}

void SnapshotPlanner::fill_candidate(const parser::LineEvent& event, Candidate& candidate) const {
    const parser::MachineState& state = event.state;
    candidate.kind = CandidateKind::extrusion;
    candidate.distance_sq_mm2 = 0.0;
    candidate.line = event.number;
    candidate.after_byte = event.end_byte;
    candidate.position_mm = state.position_mm;
    candidate.feature = event.feature;
    BlockEntry& entry = candidate.entry;
    entry.machine = state;
    entry.workspace_offset_mm = event.workspace_offset_mm;
    entry.highest_printed_z_mm = highest_printed_z_mm_;
    for (std::size_t axis = 0; axis < 3; ++axis)
        entry.incoming_delta_mm[axis] = state.position_mm[axis] - event.start_position_mm[axis];
    entry.incoming_delta_mm[3] = state.e_delta_mm;
    entry.incoming_feedrate_mm_s = state.feedrate_mm_s * state.speed_factor_ratio;
}

const char* SnapshotPlanner::unusable(const Candidate& candidate) const {
    const BlockEntry& entry = candidate.entry;
    if (entry.machine.xyz_relative) return "relative positioning (G91) is in force";
    if (entry.machine.inches) return "inch units (G20) are in force";
    if (motors_off_) return "the motors are off";
    const double x_mm = entry.machine.position_mm[0];
    const double y_mm = entry.machine.position_mm[1];
    if (x_mm < area_choice_.area.min_mm[0] - epsilon_mm ||
        x_mm > area_choice_.area.max_mm[0] + epsilon_mm ||
        y_mm < area_choice_.area.min_mm[1] - epsilon_mm ||
        y_mm > area_choice_.area.max_mm[1] + epsilon_mm)
        return "the head is outside the printable area";
    if (printed_ && entry.machine.position_mm[2] < last_printed_z_mm_ - epsilon_mm)
        return "the head is below the top of the print";
    if (!position_allowed(profile_.position.restrictions, x_mm, y_mm))
        return "the position restrictions exclude the head's position";
    if (!in_place_ && motion_.max_z_mm && !travel_z_mm(entry, motion_))
        return "the lift would exceed the maximum height";
    return nullptr;
}

void SnapshotPlanner::begin_window(Lane& lane, std::int64_t window,
                                   const std::optional<Candidate>& change) {
    lane.window = window;
    lane.store.clear();
    lane.change.reset();
    lane.change_problem = "no position is known yet";
    if (!change) return;
    lane.change_problem = unusable(*change);
    if (lane.change_problem == nullptr) lane.change = change;
}

std::optional<TriggerKind> SnapshotPlanner::layer_trigger(Lane& lane, std::int64_t layer,
                                                          double z_mm) const {
    const TriggerSettings& triggers = profile_.triggers;
    if (layer < 0 || (layer == 0 && !triggers.first_layer)) return std::nullopt;
    std::optional<TriggerKind> trigger;
    if (triggers.every_height_mm > 0.0) {
        // Octolapse's rule: a snapshot each time the height enters a new increment.
        const auto step =
            static_cast<std::int64_t>(std::ceil(z_mm / triggers.every_height_mm - 1e-6));
        if (step > lane.height_step) {
            lane.height_step = step;
            trigger = TriggerKind::height;
        }
    }
    const std::uint32_t every = triggers.every_n_layers;
    if (every > 0 && layer % every == 0) trigger = TriggerKind::layer;
    return trigger;
}

void SnapshotPlanner::close_layer_window(Lane& lane, const std::vector<parser::Layer>& layers) {
    if (lane.window < 0 || static_cast<std::size_t>(lane.window) >= layers.size()) return;
    const parser::Layer& layer = layers[static_cast<std::size_t>(lane.window)];
    close_window(lane, lane.window, layer.z_mm, layer_trigger(lane, lane.window, layer.z_mm));
}

void SnapshotPlanner::close_window(Lane& lane, std::int64_t layer, double z_mm,
                                   std::optional<TriggerKind> trigger) {
    if (trigger) {
        const TriggerKind saved = lane.trigger;
        lane.trigger = *trigger;
        std::optional<Candidate> smart;
        if (mode_ != PositionMode::layer_change) smart = lane.store.best();
        std::optional<Candidate> pick = lane.change;
        std::optional<Candidate> alternative;
        if (smart && (in_place_ || !lane.change)) {
            pick = smart;
        } else if (smart) {
            const bool smart_cheaper =
                estimated_cost(*smart, lane.park) <= estimated_cost(*lane.change, lane.park);
            pick = smart_cheaper ? smart : lane.change;
            alternative = smart_cheaper ? lane.change : smart;
        }
        if (pick) {
            take(lane, *pick, layer, z_mm, alternative);
        } else {
            const char* reason = lane.change_problem != nullptr
                                     ? lane.change_problem
                                     : "no usable position in the window";
            lane.skipped.push_back({layer, lane.change ? lane.change->line : 0, *trigger, reason});
        }
        lane.trigger = saved;
    }
    lane.store.clear();
    lane.change.reset();
}

void SnapshotPlanner::offer(Lane& lane, const Candidate& candidate) {
    lane.store.offer(candidate, distance_sq_mm2(lane, candidate.entry.machine));
}

PlannedSnapshot SnapshotPlanner::planned_at(const Lane& lane, const Candidate& candidate,
                                            std::int64_t layer, double z_mm) const {
    PlannedSnapshot snapshot;
    snapshot.after_line = candidate.line;
    snapshot.after_byte = candidate.after_byte;
    snapshot.layer = layer;
    snapshot.layer_z_mm = z_mm;
    snapshot.trigger = lane.trigger;
    snapshot.kind = candidate.kind;
    snapshot.feature = candidate.feature;
    snapshot.entry = candidate.entry;
    snapshot.park_mm = park_for(lane.park, candidate);
    snapshot.stop = stop_;
    return snapshot;
}

void SnapshotPlanner::take(Lane& lane, const Candidate& candidate, std::int64_t layer, double z_mm,
                           const std::optional<Candidate>& alternative) {
    lane.planned.push_back(planned_at(lane, candidate, layer, z_mm));
    lane.alternatives.push_back(alternative);
    lane.park = parking_point(profile_.stabilization, area_choice_.area, lane.planned.size());
}

// The choice made while reading used the block values known then (a speed the file had not yet
// shown may come later); with the final values the cheaper of the two places is kept.
void SnapshotPlanner::settle_alternatives(Lane& lane) const {
    const auto added_s = [&](const PlannedSnapshot& snapshot) {
        return block_cost_s(snapshot.entry, snapshot.park_mm);
    };
    for (std::size_t i = 0; i < lane.planned.size(); ++i) {
        if (!lane.alternatives[i]) continue;
        PlannedSnapshot other = lane.planned[i];
        const Candidate& candidate = *lane.alternatives[i];
        other.after_line = candidate.line;
        other.after_byte = candidate.after_byte;
        other.kind = candidate.kind;
        other.feature = candidate.feature;
        other.entry = candidate.entry;
        other.park_mm =
            park_for(parking_point(profile_.stabilization, area_choice_.area, i), candidate);
        if (added_s(other) < added_s(lane.planned[i])) lane.planned[i] = other;
    }
}

std::optional<std::array<double, 2>> SnapshotPlanner::park_for(const ParkingPoint& park,
                                                               const Candidate& candidate) const {
    if (in_place_) return std::nullopt;
    return std::array<double, 2>{park.x_mm.value_or(candidate.position_mm[0]),
                                 park.y_mm.value_or(candidate.position_mm[1])};
}

double SnapshotPlanner::estimated_cost(const Candidate& candidate, const ParkingPoint& park) const {
    return block_cost_s(candidate.entry, park_for(park, candidate));
}

double SnapshotPlanner::block_cost_s(const BlockEntry& entry,
                                     const std::optional<std::array<double, 2>>& park_mm) const {
    const SnapshotCost cost(estimator_.limits(), estimator_.config());
    return cost.added_s(entry, block_steps(entry, park_mm, stop_, motion_), std::nullopt);
}

SnapshotPlan SnapshotPlanner::finish(const parser::Analysis& analysis,
                                     const PrintTimeEstimate& estimate) {
    SnapshotPlan plan;
    plan.area = area_choice_.area;
    plan.area_source = area_choice_.source;
    plan.area_from_moves = area_choice_.from_moves;
    plan.vase_mode = vase_mode_;
    plan.layers_from_comments = analysis.layers_from_comments;
    if (!error_.empty()) return plan;
    Lane& layers = analysis.layers_from_comments ? comment_lane_ : geometric_lane_;
    close_layer_window(layers, analysis.layers);
    if (time_lane_.window >= 0)
        close_window(time_lane_, current_layer(), last_printed_z_mm_, TriggerKind::time);

    motion_ =
        resolve_motion(profile_.motion, profile_.safety, slicer_, habits_, estimator_.limits());
    plan.motion = motion_;
    settle_alternatives(layers);
    settle_alternatives(time_lane_);
    for (const Lane* lane :
         std::initializer_list<const Lane*>{&layers, &time_lane_, &marker_lane_}) {
        plan.snapshots.insert(plan.snapshots.end(), lane->planned.begin(), lane->planned.end());
        plan.skipped.insert(plan.skipped.end(), lane->skipped.begin(), lane->skipped.end());
    }
    // Several triggers may pick the same line: it gets one snapshot (the first trigger's).
    std::stable_sort(plan.snapshots.begin(), plan.snapshots.end(),
                     [](const PlannedSnapshot& a, const PlannedSnapshot& b) {
                         return a.after_line < b.after_line;
                     });
    plan.snapshots.erase(std::unique(plan.snapshots.begin(), plan.snapshots.end(),
                                     [](const PlannedSnapshot& a, const PlannedSnapshot& b) {
                                         return a.after_line == b.after_line;
                                     }),
                         plan.snapshots.end());
    std::sort(plan.skipped.begin(), plan.skipped.end(),
              [](const SkippedSnapshot& a, const SkippedSnapshot& b) { return a.line < b.line; });
    cost_plan(plan, estimate);
    return plan;
}

void SnapshotPlanner::cost_plan(SnapshotPlan& plan, const PrintTimeEstimate& estimate) const {
    const SnapshotCost cost(estimator_.limits(), estimator_.config());
    std::uint32_t number = 0;
    for (PlannedSnapshot& snapshot : plan.snapshots) {
        snapshot.number = ++number;
        if (snapshot.park_mm) {
            // Paths advance once per snapshot of the merged plan, not per trigger.
            const ParkingPoint park =
                parking_point(profile_.stabilization, area_choice_.area, number - 1);
            snapshot.park_mm = {park.x_mm.value_or(snapshot.entry.machine.position_mm[0]),
                                park.y_mm.value_or(snapshot.entry.machine.position_mm[1])};
        }
        const auto steps = block_steps(snapshot.entry, snapshot.park_mm, snapshot.stop, motion_);
        snapshot.travel_mm = travel_distance_mm(steps);
        snapshot.time_added_s = cost.added_s(snapshot.entry, steps, std::nullopt);
        snapshot.elapsed_s = estimate.elapsed_at(snapshot.after_line);
    }
}

}  // namespace strata::planner::snapshots
