// Snapshot block text (see block_writer.hpp).
#include "block_writer.hpp"

#include <cmath>

#include "strata/common/gcode_number.hpp"

namespace strata::planner::splice {
namespace {

using snapshots::BlockStep;
using snapshots::StepKind;

// F is in mm/min; a whole number reads best and any rounding here is harmless (the block's
// own moves), except for the restore, which is written exactly.
void append_feedrate(std::string& out, double feedrate_mm_s) {
    out += " F";
    append_gcode_fixed(out, std::round(feedrate_mm_s * 60.0), 0);
}

// File coordinate of a bed position on one axis.
double file_mm(const PlannedSnapshot& snapshot, double bed_mm, std::size_t axis) {
    return bed_mm - snapshot.entry.workspace_offset_mm[axis];
}

}  // namespace

WrittenBlock append_block(std::string& out, const PlannedSnapshot& snapshot,
                          const std::vector<BlockStep>& steps, const BlockMotion& motion) {
    WrittenBlock written;
    const auto line = [&] {
        out += '\n';
        ++written.lines;
    };
    out += "; STRATA SNAPSHOT BEGIN n=";
    out += std::to_string(snapshot.number);
    out += " layer=";
    out += std::to_string(snapshot.layer);
    out += " z=";
    append_gcode_fixed(out, snapshot.layer_z_mm, 3);
    out += " lift=";
    append_gcode_fixed(out, motion.lift_mm, 3);
    line();
    const BlockEntry& entry = snapshot.entry;
    std::string retract_text;  // Relative E: the de-retraction repeats the retraction's digits.
    // The E word of a retraction (E-) or of its undoing, in the file's E mode.
    const auto append_e = [&](const BlockStep& step, bool retracting) {
        out += " E";
        if (!entry.machine.e_relative) return append_gcode_number(out, step.target[3]);
        if (retracting) {
            retract_text.clear();
            append_gcode_number(retract_text, -step.delta_mm[3]);
            out += '-';
        }
        out += retract_text;
    };
    for (const BlockStep& step : steps) {
        switch (step.kind) {
            case StepKind::retract:
            case StepKind::deretract:
                out += "G1";
                append_e(step, step.kind == StepKind::retract);
                append_feedrate(out, step.feedrate_mm_s);
                break;
            case StepKind::firmware_retract: out += "G10"; break;
            case StepKind::firmware_deretract: out += "G11"; break;
            case StepKind::lift:
            case StepKind::lower:
                out += "G1 Z";
                append_gcode_number(out, file_mm(snapshot, step.target[2], 2));
                if (step.delta_mm[3] != 0.0) append_e(step, step.kind == StepKind::lift);
                append_feedrate(out, step.feedrate_mm_s);
                break;
            case StepKind::travel:
            case StepKind::travel_back:
                out += "G1 X";
                append_gcode_number(out, file_mm(snapshot, step.target[0], 0));
                out += " Y";
                append_gcode_number(out, file_mm(snapshot, step.target[1], 1));
                append_feedrate(out, step.feedrate_mm_s);
                break;
            case StepKind::dwell:
                out += "G4 P";
                append_gcode_fixed(out, step.dwell_s * 1000.0, 0);
                break;
            case StepKind::wait: out += "M400"; break;
            case StepKind::capture:
                written.capture_offset = written.lines;
                out += "@STRATA SNAPSHOT n=";
                out += std::to_string(snapshot.number);
                break;
            case StepKind::restore_feedrate:
                out += "G1 F";
                append_gcode_number(out, entry.machine.feedrate_mm_s * 60.0);
                break;
        }
        line();
    }
    out += "; STRATA SNAPSHOT END n=";
    out += std::to_string(snapshot.number);
    line();
    return written;
}

}  // namespace strata::planner::splice
