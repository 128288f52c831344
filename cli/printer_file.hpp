// `--printer P.json` for `prep` and `verify`: a printer profile in the server's format
// (`bed_x_mm`, `bed_y_mm`, `max_z_mm`, `bed_origin`; the port and rate are accepted and unused
// here), read and checked as the server reads a stored one.
#pragma once

#include <optional>
#include <string>

#include "strata/common/result.hpp"
#include "strata/planner/snapshot_plan.hpp"

namespace strata::cli {

struct PrinterFile {
    planner::PrintableArea bed;
    double max_z_mm = 0.0;
};

/// The printer in `path`; refused, naming the file and the field, when it cannot be read or is
/// not a valid printer profile.
[[nodiscard]] Result<PrinterFile> read_printer_file(const std::string& path);

}  // namespace strata::cli
