// A file's analysis in the store, private to the library: prep writes it into the `files` row's
// typed columns and a `file_filament` row per tool; the library reads it back with the row.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "strata/common/result.hpp"
#include "strata/server/library.hpp"
#include "strata/server/store.hpp"

namespace strata::server {

/// The analysis columns of `files`, in the order `analysis_from_row` reads them.
inline constexpr const char* analysis_columns =
    "lines, layers, printed_min_x_mm, printed_min_y_mm, printed_min_z_mm, printed_max_x_mm, "
    "printed_max_y_mm, printed_max_z_mm, slicer, slicer_version, time_added_s, warnings, errors, "
    "plan_s, splice_s";

/// The analysis of a row whose analysis columns start at column `first`; nothing when the file
/// has none (`lines` is null: never prepared, or failed). Filament comes from `read_filament`.
[[nodiscard]] std::optional<FileAnalysis> analysis_from_row(const Statement& row, int first);

/// Fills in the filament per tool of each file that has an analysis.
[[nodiscard]] Status read_filament(Database& db, std::span<StoredFile> files);

/// Replaces file `id`'s analysis (none clears it). The caller holds a transaction around this
/// and the rest of the row's update, so a reader never sees half of it.
[[nodiscard]] Status write_analysis(Database& db, std::int64_t id,
                                    const std::optional<FileAnalysis>& analysis);

}  // namespace strata::server
