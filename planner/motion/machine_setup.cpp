// machine_setup: defaults, slicer limits, profile; see machine_setup.hpp for the rules.
#include "machine_setup.hpp"

#include <algorithm>
#include <cctype>

namespace strata::planner::motion {

namespace {

// PrusaSlicer's machine envelope defaults: first column normal, second stealth.
MotionLimits default_limits(bool stealth) {
    MotionLimits limits;
    if (stealth) {
        limits.max_feedrate_mm_s = {200.0, 200.0, 12.0, 120.0};
        limits.max_acceleration_mm_s2 = {1000.0, 1000.0, 200.0, 5000.0};
        limits.max_jerk_mm_s = {10.0, 10.0, 0.4, 2.5};
        limits.max_print_acceleration_mm_s2 = limits.max_retract_acceleration_mm_s2 = 1250.0;
    }
    return limits;
}

// Cura's machine defaults (fdmprinter.def.json): no feedrate caps, 4000 mm/s² moves, 20 mm/s jerk.
MotionLimits cura_limits() {
    MotionLimits limits;
    limits.max_feedrate_mm_s = {0.0, 0.0, 0.0, 0.0};
    limits.max_acceleration_mm_s2 = {9000.0, 9000.0, 100.0, 10000.0};
    limits.max_jerk_mm_s = {20.0, 20.0, 0.4, 5.0};
    limits.max_print_acceleration_mm_s2 = limits.max_retract_acceleration_mm_s2 = 0.0;
    limits.print_acceleration_mm_s2 = limits.retract_acceleration_mm_s2 = 4000.0;
    limits.travel_acceleration_mm_s2 = 4000.0;
    return limits;
}

void overlay(std::array<double, 4>& target, const parser::AxisLimits& source) {
    const std::array<std::optional<double>, 4> values = {source.x, source.y, source.z, source.e};
    for (std::size_t axis = 0; axis < 4; ++axis) {
        if (values[axis]) target[axis] = *values[axis];
    }
}

// Applies one column of the slicer's limits the way PrusaSlicer's estimator initialises a mode.
void apply_slicer_limits(MotionLimits& limits, const parser::MachineLimits& source,
                         FirmwareKind firmware, const std::string& usage) {
    overlay(limits.max_feedrate_mm_s, source.max_feedrate_mm_s);
    overlay(limits.max_acceleration_mm_s2, source.max_acceleration_mm_s2);
    overlay(limits.max_jerk_mm_s, source.max_jerk_mm_s);
    if (source.print_acceleration_mm_s2)
        limits.max_print_acceleration_mm_s2 = *source.print_acceleration_mm_s2;
    if (source.retract_acceleration_mm_s2)
        limits.max_retract_acceleration_mm_s2 = *source.retract_acceleration_mm_s2;
    // Legacy Marlin and Klipper have no separate travel acceleration, and the slicer only clamps
    // travel acceleration when it emits the limits itself.
    const bool separate_travel =
        (firmware == FirmwareKind::marlin2 || firmware == FirmwareKind::reprapfirmware) &&
        (usage.empty() || usage == "emit_to_gcode");
    limits.max_travel_acceleration_mm_s2 =
        separate_travel ? source.travel_acceleration_mm_s2.value_or(0.0) : 0.0;
    if (firmware != FirmwareKind::reprapfirmware) {
        limits.min_extruding_feedrate_mm_s = source.min_extruding_feedrate_mm_s.value_or(0.0);
        limits.min_travel_feedrate_mm_s = source.min_travel_feedrate_mm_s.value_or(0.0);
    }
    if (source.junction_deviation_mm && *source.junction_deviation_mm > 0.0 &&
        firmware == FirmwareKind::marlin2) {
        limits.junction = JunctionModel::junction_deviation;
        limits.junction_deviation_mm = *source.junction_deviation_mm;
    }
}

// Accelerations in force at the start: the maxima when set, PrusaSlicer's defaults otherwise.
void start_accelerations(MotionLimits& limits) {
    limits.print_acceleration_mm_s2 =
        limits.max_print_acceleration_mm_s2 > 0.0 ? limits.max_print_acceleration_mm_s2 : 1500.0;
    limits.retract_acceleration_mm_s2 = limits.max_retract_acceleration_mm_s2 > 0.0
                                            ? limits.max_retract_acceleration_mm_s2
                                            : 1500.0;
    limits.travel_acceleration_mm_s2 =
        limits.max_travel_acceleration_mm_s2 > 0.0 ? limits.max_travel_acceleration_mm_s2 : 1250.0;
}

std::string lower(std::string_view text) {
    std::string result(text);
    std::transform(result.begin(), result.end(), result.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return result;
}

}  // namespace

FirmwareKind firmware_from(const parser::SlicerInfo& slicer, parser::FirmwareFlavor simulated) {
    const std::string name = lower(slicer.settings.firmware_flavor_name);
    if (name == "marlin2") return FirmwareKind::marlin2;
    if (name == "marlin" || name == "marlinlegacy" || name == "ultigcode" || name == "griffin" ||
        name == "marlin(volumetric)" || name == "reprap (marlin/sprinter)") {
        return FirmwareKind::marlin_legacy;
    }
    if (name.find("klipper") != std::string::npos) return FirmwareKind::klipper;
    if (name == "reprapfirmware" || name.find("rrf") != std::string::npos)
        return FirmwareKind::reprapfirmware;
    // PrusaSlicer's "reprap" is RepRap/Sprinter; Cura's "RepRap" flavour is what PrusaSlicer reads
    // as RepRapFirmware.
    if (name == "reprap")
        return slicer.slicer == parser::Slicer::cura ? FirmwareKind::reprapfirmware
                                                     : FirmwareKind::other;
    if (!name.empty()) return FirmwareKind::other;
    switch (simulated) {
        case parser::FirmwareFlavor::klipper: return FirmwareKind::klipper;
        case parser::FirmwareFlavor::reprapfirmware: return FirmwareKind::reprapfirmware;
        default: return FirmwareKind::marlin2;
    }
}

MachineSetup machine_setup(const parser::SlicerInfo& slicer, parser::FirmwareFlavor simulated,
                           const MotionLimits* profile, bool exact_firmware) {
    MachineSetup setup;
    setup.firmware = firmware_from(slicer, simulated);
    const auto& settings = slicer.settings;
    // Creality Print 4 is CuraEngine underneath; version 5 is OrcaSlicer.
    const bool cura_family =
        slicer.slicer == parser::Slicer::cura ||
        (slicer.slicer == parser::Slicer::crealityprint && slicer.version.rfind('5', 0) != 0);
    setup.normal = cura_family ? cura_limits() : default_limits(false);
    setup.source = cura_family ? "Cura machine defaults" : "firmware defaults";
    const bool firmware_uses_limits = setup.firmware != FirmwareKind::other;
    const bool use_file_limits = firmware_uses_limits &&
                                 settings.machine_limits_usage != "ignore" &&
                                 settings.limits_normal.has_value();
    if (use_file_limits) {
        apply_slicer_limits(setup.normal, *settings.limits_normal, setup.firmware,
                            settings.machine_limits_usage);
        setup.source = "slicer settings";
    } else if (profile != nullptr) {
        setup.normal = *profile;
        setup.source = "printer profile";
    }
    if (!cura_family) start_accelerations(setup.normal);
    // Bambu Studio and OrcaSlicer (and Creality Print 5, built on it) estimate with their own
    // variant of the planner; their files are timed with it unless the firmware is asked for.
    const bool bambu_family = slicer.slicer == parser::Slicer::bambustudio ||
                              slicer.slicer == parser::Slicer::orcaslicer ||
                              (slicer.slicer == parser::Slicer::crealityprint && !cura_family);
    setup.bambu_family = bambu_family;
    if (bambu_family && !exact_firmware) {
        setup.normal.junction = JunctionModel::vector_jerk;
        setup.legacy_planner_passes = true;
    }
    if (exact_firmware && setup.firmware == FirmwareKind::klipper)
        setup.normal.junction = JunctionModel::square_corner;
    if (cura_family && !exact_firmware) setup.normal.junction = JunctionModel::xy_jerk;
    // OrcaSlicer's estimator reads a square corner velocity as the jerk; Creality Print 4 writes
    // its per-feature jerk for the K1 series that way, and its estimator takes it as the jerk.
    setup.normal.square_corner_sets_jerk =
        !exact_firmware && (slicer.slicer == parser::Slicer::orcaslicer ||
                            slicer.slicer == parser::Slicer::crealityprint);
    const bool stealth_firmware =
        setup.firmware == FirmwareKind::marlin_legacy || setup.firmware == FirmwareKind::marlin2;
    if (use_file_limits && stealth_firmware && settings.stealth_mode.value_or(false) &&
        settings.limits_stealth) {
        MotionLimits stealth = default_limits(true);
        apply_slicer_limits(stealth, *settings.limits_stealth, setup.firmware,
                            settings.machine_limits_usage);
        start_accelerations(stealth);
        setup.stealth = stealth;
    }
    return setup;
}

LevellingAllowance levelling_allowance(const parser::SlicerInfo& slicer) {
    constexpr double bambu_default_s = 260.0;
    using At = LevellingAllowance::At;
    const parser::SlicerSettings& settings = slicer.settings;
    const bool bambu_studio = slicer.slicer == parser::Slicer::bambustudio;
    const bool orca = slicer.slicer == parser::Slicer::orcaslicer;
    if (!bambu_studio && !orca) return {};
    const bool bambu_printer = settings.printer_model.rfind("Bambu Lab", 0) == 0;
    if (settings.prepare_compensation_time_s) {
        return {bambu_printer ? At::flagged_g29 : At::any_g29,
                *settings.prepare_compensation_time_s};
    }
    const bool older_estimator = bambu_studio || slicer.version.rfind("1.", 0) == 0;
    if (bambu_printer && older_estimator) return {At::first_g28, bambu_default_s};
    return {};
}

}  // namespace strata::planner::motion

namespace strata::planner {

std::string_view to_string(FirmwareKind kind) {
    switch (kind) {
        case FirmwareKind::marlin_legacy: return "marlin (legacy)";
        case FirmwareKind::marlin2: return "marlin 2";
        case FirmwareKind::klipper: return "klipper";
        case FirmwareKind::reprapfirmware: return "reprapfirmware";
        case FirmwareKind::other: return "other";
    }
    return "other";
}

}  // namespace strata::planner
