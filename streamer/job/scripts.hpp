// The G-code the streamer sends on pause, resume and cancel: the user's templates with {x} {y}
// {z} {e} {f} filled in, or scripts built from ScriptSettings that retract, lift and park, and
// on resume return, lower, de-retract and put the job's modes and feedrate back.
#pragma once

#include <array>
#include <string>

#include "strata/parser/machine_state.hpp"
#include "strata/streamer/streamer.hpp"

namespace strata::streamer {

[[nodiscard]] std::string pause_script(const ScriptSettings& settings,
                                       const parser::MachineState& state);
/// `offset_mm`: G92's offsets, so the return is written in the job's own coordinates.
[[nodiscard]] std::string resume_script(const ScriptSettings& settings,
                                        const parser::MachineState& state,
                                        const std::array<double, 3>& offset_mm);
[[nodiscard]] std::string cancel_script(const ScriptSettings& settings);

}  // namespace strata::streamer
