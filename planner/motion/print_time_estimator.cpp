// PrintTimeEstimator: drives one MotionPlanner per time mode from the parser's line events.
// Moves become planner blocks (arcs cut into segments first); limit commands change the limits;
// dwell, tool changes and M400 empty the queue (Bambu's M400 S/P and levelling also wait);
// M109/M190 wait for a simple heater model. The normal mode's elapsed time is sampled as blocks
// complete, for per-line and per-layer times.
#include <algorithm>
#include <cmath>
#include <vector>

#include "arc_segments.hpp"
#include "limit_commands.hpp"
#include "machine_setup.hpp"
#include "motion_pipeline.hpp"
#include "strata/planner/print_time.hpp"
#include "tool_changes.hpp"

namespace strata::planner {

namespace {

// A heater that moves toward its target at a fixed rate; waits are the time left to reach it.
struct Heater {
    double temperature_c = 25.0;
    double target_c = 25.0;
    double updated_at_s = 0.0;
    double rate_c_s = 1.0;
    double ambient_c = 25.0;

    void advance(double now_s) {
        const double step = rate_c_s * std::max(0.0, now_s - updated_at_s);
        temperature_c = temperature_c < target_c ? std::min(target_c, temperature_c + step)
                                                 : std::max(target_c, temperature_c - step);
        updated_at_s = now_s;
    }
    void set_target(double now_s, double target) {
        advance(now_s);
        target_c = target;
    }
    /// Another heater like this one, at ambient temperature and without a target.
    [[nodiscard]] Heater idle_copy() const {
        return Heater{ambient_c, ambient_c, updated_at_s, rate_c_s, ambient_c};
    }
    /// Seconds to wait at `now_s` for `target`; `wait_for_cooling` as M109 R / M190 R.
    double wait(double now_s, double target, bool wait_for_cooling) {
        set_target(now_s, target);
        const double gap = target_c - temperature_c;
        if (gap <= 0.0 && !wait_for_cooling) return 0.0;
        temperature_c = target_c;
        return std::fabs(gap) / rate_c_s;
    }
};

}  // namespace

class PrintTimeEstimator::Impl {
  public:
    explicit Impl(const PrintTimeOptions& options)
        : options_(options), planners_(options.plan_on_worker_thread) {}

    void on_start(const parser::SlicerInfo& slicer, const parser::MachineConfig& machine) {
        const motion::MachineSetup setup = motion::machine_setup(
            slicer, machine.flavor, options_.profile_limits, options_.estimator.exact_firmware);
        firmware_ = setup.firmware;
        limits_source_ = setup.source;
        EstimatorConfig config = options_.estimator;
        config.firmware = firmware_;
        config.legacy_planner_passes = setup.legacy_planner_passes;
        config.timed_m400 = setup.bambu_family;
        whole_arcs_ = setup.normal.junction == JunctionModel::vector_jerk;
        config_ = config;
        levelling_allowance_ = motion::levelling_allowance(slicer);
        tool_changes_ = motion::ToolChanges(motion::tool_change_times(slicer));
        add_mode("normal", setup.normal, true);
        if (setup.stealth && options_.time_stealth_mode) add_mode("stealth", *setup.stealth, false);
        hotends_.assign(1, Heater{config.ambient_temperature_c, config.ambient_temperature_c, 0.0,
                                  config.hotend_heating_rate_c_s, config.ambient_temperature_c});
        bed_ = Heater{config.ambient_temperature_c, config.ambient_temperature_c, 0.0,
                      config.bed_heating_rate_c_s, config.ambient_temperature_c};
    }

    void on_line(const parser::LineEvent& event) {
        if (modes_.empty()) on_start(parser::SlicerInfo{}, parser::MachineConfig{});
        const parser::GcodeLine& line = event.line;
        if (line.kind == parser::LineKind::comment) return on_comment(line.comment);
        if (line.kind == parser::LineKind::macro) return apply_limits(line, false);
        if (!event.simulated || line.kind != parser::LineKind::command) return;
        if (line.command_letter == 'G') return on_g_code(event);
        if (line.command_letter == 'M') return on_m_code(event);
        if (line.command_letter == 'T') return on_tool_change(line);
    }

    PrintTimeEstimate finish() {
        synchronize(0.0);
        PrintTimeEstimate estimate;
        for (std::size_t mode = 0; mode < modes_.size(); ++mode) {
            const double total_s = planners_.elapsed_s(mode);
            estimate.modes.push_back({modes_[mode].name, total_s - heating_s_ - dwell_s_, total_s});
        }
        estimate.heating_s = heating_s_;
        estimate.dwell_s = dwell_s_;
        estimate.firmware = firmware_;
        estimate.junction =
            modes_.empty() ? JunctionModel::classic_jerk : planners_.limits(0).junction;
        estimate.limits_source = limits_source_;
        // The worker is idle after elapsed_s(): the timeline is this thread's again.
        if (!modes_.empty()) timeline_.record(last_line_, planners_.elapsed_s(0), true);
        estimate.samples = timeline_.release();
        return estimate;
    }

    [[nodiscard]] double timed_elapsed_s() { return modes_.empty() ? 0.0 : planners_.elapsed_s(0); }
    [[nodiscard]] const MotionLimits& limits() const {
        return modes_.empty() ? default_limits_ : planners_.limits(0);
    }
    [[nodiscard]] const EstimatorConfig& config() const { return config_; }

  private:
    struct Mode {
        std::string name;
        bool normal;
    };

    void add_mode(const std::string& name, const MotionLimits& limits, bool normal) {
        Timeline* timeline = normal ? &timeline_ : nullptr;
        planners_.add_mode(limits, config_, timeline);
        modes_.push_back({name, normal});
    }

    void on_comment(std::string_view comment) {
        // PrusaSlicer-family wipes move at print acceleration, not travel acceleration.
        if (comment.rfind("WIPE_START", 0) == 0) wiping_ = true;
        if (comment.rfind("WIPE_END", 0) == 0) wiping_ = false;
    }

    void apply_limits(const parser::GcodeLine& line, bool inches) {
        for (std::size_t mode = 0; mode < modes_.size(); ++mode) {
            // Like PrusaSlicer, limit commands reach the stealth mode only once printing started:
            // the start G-code's limits are the normal mode's.
            if (!modes_[mode].normal && !printing_started_ && line.command_number != 566) continue;
            motion::apply_limit_command(line, firmware_, inches, planners_.limits(mode));
            planners_.commit_limits(mode);
        }
    }

    void synchronize(double extra_s) { planners_.synchronize(extra_s); }

    // What the heaters are timed against. It waits for the planner thread, so only the commands
    // that need it ask (not every M-code: PrusaSlicer writes an M204 at every feature change).
    double now_s() { return planners_.elapsed_s(0); }

    void on_g_code(const parser::LineEvent& event) {
        const parser::GcodeLine& line = event.line;
        switch (line.command_number) {
            case 0:
            case 1:
            case 2:
            case 3: return on_move(event);
            case 28: return on_g28(event);
            case 4: return on_dwell(line);
            case 29: return on_g29(line);
            case 92:
                if (!line.has('E')) {
                    tool_changes_.on_synchronization();
                    synchronize(0.0);
                }
                return;
            default: return;
        }
    }

    void on_m_code(const parser::LineEvent& event) {
        const parser::GcodeLine& line = event.line;
        switch (line.command_number) {
            case 0: synchronize(0.0); return;
            case 1:
                tool_changes_.on_synchronization();
                synchronize(0.0);
                return;
            case 400:
                if (config_.timed_m400 && (line.has('S') || line.has('P')))
                    return timed_wait(line.value('S') + line.value('P') / 1000.0);
                synchronize(0.0);
                return;
            // Bambu's start G-code levels the bed only when the printer's flag says so:
            // `M622 J1` ... `M623`.
            case 622: levelling_ = line.value('J') == 1.0; return;
            case 623: levelling_ = false; return;
            case 104:
                // M104.1 (Prusa's preheat ahead of a tool change) starts heating now as well.
                if (line.has('S')) hotend_for(line).set_target(now_s(), line.value('S'));
                return;
            case 140:
                if (line.has('S')) bed_.set_target(now_s(), line.value('S'));
                return;
            case 109: return wait_for(hotend_for(line), line);
            case 190: return wait_for(bed_, line);
            case 221:
                if (line.has('S') && !line.has('T'))
                    planners_.set_extrude_factor(line.value('S') / 100.0);
                return;
            case 702:
                if (line.has('C')) {
                    tool_changes_.unload_all();
                    synchronize(0.0);
                }
                return;
            default:
                if (motion::is_limit_command(line)) apply_limits(line, event.state.inches);
                return;
        }
    }

    // A toolchanger's tools heat and cool each on their own: `T` names the tool, else the
    // active one. Idle tools kept warm (PrusaSlicer's idle temperature, Bambu's H2D) are then
    // hot again by the time they are picked, as on the printer.
    Heater& hotend_for(const parser::GcodeLine& line) {
        const double tool = line.has('T') ? line.value('T') : tool_changes_.active_tool();
        const auto index = tool >= 0.0 && tool < 64.0 ? static_cast<std::size_t>(tool) : 0;
        if (hotends_.size() <= index) hotends_.resize(index + 1, hotends_.front().idle_copy());
        return hotends_[index];
    }

    void wait_for(Heater& heater, const parser::GcodeLine& line) {
        if (!line.has('S') && !line.has('R')) return;
        const double target = line.has('R') ? line.value('R') : line.value('S');
        const double wait_s = heater.wait(now_s(), target, line.has('R'));
        heating_s_ += wait_s;
        synchronize(wait_s);
    }

    void on_dwell(const parser::GcodeLine& line) {
        timed_wait(line.has('P') ? line.value('P') / 1000.0 : line.value('S'));
    }

    void on_g28(const parser::LineEvent& event) {
        on_move(event);
        if (levelling_allowance_.at != motion::LevellingAllowance::At::first_g28) return;
        levelling_allowance_.at = motion::LevellingAllowance::At::nowhere;
        timed_wait(levelling_allowance_.seconds);
    }

    void on_g29(const parser::GcodeLine& line) {
        using At = motion::LevellingAllowance::At;
        if (line.subcode >= 0) return;  // G29.1, G29.2: Bambu's Z trim and ABL switch.
        const At at = levelling_allowance_.at;
        if (at == At::any_g29 || (at == At::flagged_g29 && levelling_))
            timed_wait(levelling_allowance_.seconds);
    }

    // A wait of fixed length (dwell, M400 S, the levelling allowance): not motion.
    void timed_wait(double wait_s) {
        if (wait_s <= 0.0) return synchronize(0.0);
        dwell_s_ += wait_s;
        synchronize(wait_s);
    }

    void on_tool_change(const parser::GcodeLine& line) {
        if (line.command_number >= 64) return;
        synchronize(tool_changes_.change_to(line.command_number));
    }

    void on_move(const parser::LineEvent& event);
    void plan_whole_arc(const parser::LineEvent& event, double feedrate_mm_s);
    void plan_segment(const std::array<double, 4>& delta_mm, double feedrate_mm_s,
                      std::uint64_t line, double xyz_length_mm = 0.0);

    PrintTimeOptions options_;
    EstimatorConfig config_;
    MotionLimits default_limits_;
    FirmwareKind firmware_ = FirmwareKind::marlin2;
    std::string limits_source_;
    std::vector<Mode> modes_;
    Timeline timeline_{options_.sample_every_lines, options_.sample_every_s};
    std::vector<Heater> hotends_;  ///< Per tool.
    Heater bed_;
    double heating_s_ = 0.0;
    double dwell_s_ = 0.0;
    std::uint64_t last_line_ = 0;
    motion::ToolChanges tool_changes_;
    motion::LevellingAllowance levelling_allowance_;
    bool whole_arcs_ = false;  ///< Arcs as one block each (the Bambu family's estimate).
    bool levelling_ = false;   ///< Between Bambu's `M622 J1` and `M623`.
    bool wiping_ = false;
    bool printing_started_ = false;
    // Last, so it is destroyed (and its thread stopped) before the timeline its planners write.
    motion::MotionPipeline planners_;
};

void PrintTimeEstimator::Impl::plan_segment(const std::array<double, 4>& delta_mm,
                                            double feedrate_mm_s, std::uint64_t line,
                                            double xyz_length_mm) {
    const bool moved_xyz = delta_mm[0] != 0.0 || delta_mm[1] != 0.0 || delta_mm[2] != 0.0;
    motion::MoveClass move_class = motion::MoveClass::travel;
    if (!moved_xyz) {
        move_class = motion::MoveClass::retract;
    } else if (wiping_ || (delta_mm[3] > 0.0 && (delta_mm[0] != 0.0 || delta_mm[1] != 0.0))) {
        move_class = motion::MoveClass::print;
    }
    planners_.move(motion::MoveRequest{delta_mm, feedrate_mm_s, move_class, line, xyz_length_mm});
    if (moved_xyz || delta_mm[3] != 0.0) tool_changes_.on_move();
    printing_started_ = true;
    last_line_ = line;
}

void PrintTimeEstimator::Impl::on_move(const parser::LineEvent& event) {
    const parser::MachineState& state = event.state;
    const auto& start = event.start_position_mm;
    const double feedrate_mm_s = state.feedrate_mm_s * state.speed_factor_ratio;
    if (!state.is_arc) {
        plan_segment({state.position_mm[0] - start[0], state.position_mm[1] - start[1],
                      state.position_mm[2] - start[2], state.e_delta_mm},
                     feedrate_mm_s, event.number, state.move_length_mm);
        return;
    }
    const parser::ArcGeometry& arc = event.arc;
    if (whole_arcs_) return plan_whole_arc(event, feedrate_mm_s);
    // The firmware cuts the arc into chords; each is an ordinary planner move.
    const std::size_t segments =
        motion::arc_segment_count(firmware_, arc.radius_mm, arc.sweep_rad, feedrate_mm_s);
    std::array<double, 4> previous = {start[0], start[1], start[2], 0.0};
    for (std::size_t i = 1; i <= segments; ++i) {
        const double t = static_cast<double>(i) / static_cast<double>(segments);
        std::array<double, 4> point{};
        if (i == segments) {
            point = {state.position_mm[0], state.position_mm[1], state.position_mm[2],
                     state.e_delta_mm};
        } else {
            const double angle = arc.start_angle_rad + arc.sweep_rad * t;
            point = {arc.center_mm[0] + arc.radius_mm * std::cos(angle),
                     arc.center_mm[1] + arc.radius_mm * std::sin(angle),
                     start[2] + (state.position_mm[2] - start[2]) * t, state.e_delta_mm * t};
        }
        plan_segment({point[0] - previous[0], point[1] - previous[1], point[2] - previous[2],
                      point[3] - previous[3]},
                     feedrate_mm_s, event.number);
        previous = point;
    }
}

void PrintTimeEstimator::Impl::plan_whole_arc(const parser::LineEvent& event,
                                              double feedrate_mm_s) {
    const parser::MachineState& state = event.state;
    const auto& start = event.start_position_mm;
    const parser::ArcGeometry& arc = event.arc;
    // The direction of travel along the circle: counter-clockwise for a positive sweep.
    const double turn = arc.sweep_rad >= 0.0 ? 1.0 : -1.0;
    const auto tangent = [turn](double angle_rad) {
        return std::array<double, 2>{-turn * std::sin(angle_rad), turn * std::cos(angle_rad)};
    };
    const motion::ArcShape shape{std::fabs(arc.radius_mm * arc.sweep_rad), arc.radius_mm,
                                 tangent(arc.start_angle_rad),
                                 tangent(arc.start_angle_rad + arc.sweep_rad)};
    const std::array<double, 4> delta_mm = {state.position_mm[0] - start[0],
                                            state.position_mm[1] - start[1],
                                            state.position_mm[2] - start[2], state.e_delta_mm};
    const motion::MoveClass move_class =
        delta_mm[3] > 0.0 || wiping_ ? motion::MoveClass::print : motion::MoveClass::travel;
    planners_.arc(motion::MoveRequest{delta_mm, feedrate_mm_s, move_class, event.number}, shape);
    tool_changes_.on_move();
    printing_started_ = true;
    last_line_ = event.number;
}

PrintTimeEstimator::PrintTimeEstimator(const PrintTimeOptions& options)
    : impl_(std::make_unique<Impl>(options)) {}
PrintTimeEstimator::~PrintTimeEstimator() = default;

void PrintTimeEstimator::on_start(const parser::SlicerInfo& slicer,
                                  const parser::MachineConfig& machine) {
    impl_->on_start(slicer, machine);
}
void PrintTimeEstimator::on_line(const parser::LineEvent& event) {
    impl_->on_line(event);
}
double PrintTimeEstimator::timed_elapsed_s() const {
    return impl_->timed_elapsed_s();
}

const MotionLimits& PrintTimeEstimator::limits() const {
    return impl_->limits();
}

const EstimatorConfig& PrintTimeEstimator::config() const {
    return impl_->config();
}

PrintTimeEstimate PrintTimeEstimator::finish() {
    return impl_->finish();
}

void attach(PrintTimeEstimator& estimator, parser::AnalysisOptions& options) {
    options.on_start = [&estimator](const parser::SlicerInfo& slicer,
                                    const parser::MachineConfig& machine) {
        estimator.on_start(slicer, machine);
    };
    options.on_line = [&estimator](const parser::LineEvent& event) { estimator.on_line(event); };
}

double PrintTimeEstimate::elapsed_at(std::uint64_t line) const {
    if (samples.empty()) return 0.0;
    auto after = std::lower_bound(
        samples.begin(), samples.end(), line,
        [](const TimeSample& sample, std::uint64_t value) { return sample.line < value; });
    if (after == samples.end()) return samples.back().elapsed_s;
    if (after->line == line) return after->elapsed_s;
    // Before the first sample, time grows from zero at line 0.
    const TimeSample before = after == samples.begin() ? TimeSample{0, 0.0} : *(after - 1);
    const double fraction =
        static_cast<double>(line - before.line) / static_cast<double>(after->line - before.line);
    return before.elapsed_s + fraction * (after->elapsed_s - before.elapsed_s);
}

}  // namespace strata::planner
