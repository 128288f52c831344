// The printable area a snapshot plan keeps inside, and where it comes from. In order: the
// timelapse profile's safety area, the bed the file declares, the printer's bed (its printer
// profile), and last the rectangle the file's own moves reach: a file that names no bed (Cura,
// Creality Print, Simplify3D...) still prepares, parking only where this very print has taken
// the head already. `prep` and `verify` choose the same area for the same file.
#pragma once

#include <optional>
#include <string>

#include "strata/parser/analysis.hpp"
#include "strata/planner/snapshot_plan.hpp"
#include "strata/planner/timelapse_profile.hpp"

namespace strata::planner {

struct AreaChoice {
    PrintableArea area;
    std::string source;       ///< "profile", "slicer bed", "printer profile", "the file's moves".
    bool from_moves = false;  ///< The last resort: worth a warning to the user.
};

/// The area for planning or checking a job made from `path`, as the header says. The file is
/// read a second time only when it comes to its moves. Fails as `analyze_file` does when the
/// file cannot be read or is not G-code, and as `unsupported` when no area is known at all.
[[nodiscard]] Result<AreaChoice> choose_printable_area(
    const std::string& path, const SafetySettings& safety,
    const std::optional<PrintableArea>& printer_bed);

/// The rectangle every XY position the file's own moves reach up to its last extrusion lies in
/// (bed coordinates, the start G-code included, arcs by their extremes). An axis counts from
/// its first absolute move after a home, never from the place a home is assumed to leave it.
/// Fails as `analyze_file` does, and as `unsupported` when no move gives a position on both
/// axes.
[[nodiscard]] Result<AreaChoice> area_of_moves(const std::string& path);

}  // namespace strata::planner
