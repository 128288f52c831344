// Reads and writes the typed analysis columns of `files` and the `file_filament` rows (schema
// migration 10). One statement per table: a listing of a thousand files reads its filament in
// one query, not one per file.
#include "file_analysis.hpp"

#include <unordered_map>

namespace strata::server {

std::optional<FileAnalysis> analysis_from_row(const Statement& row, int first) {
    if (row.is_null(first)) return std::nullopt;
    FileAnalysis analysis;
    int column = first;
    const auto count = [&] { return static_cast<std::uint64_t>(row.int64(column++)); };
    analysis.lines = count();
    analysis.layers = count();
    for (double& min_mm : analysis.printed_min_mm)
        min_mm = row.real(column++);
    for (double& max_mm : analysis.printed_max_mm)
        max_mm = row.real(column++);
    analysis.slicer = row.text(column++);
    analysis.slicer_version = row.text(column++);
    analysis.time_added_s = row.real(column++);
    analysis.warnings = count();
    analysis.errors = count();
    analysis.plan_s = row.real(column++);
    analysis.splice_s = row.real(column++);
    return analysis;
}

Status read_filament(Database& db, std::span<StoredFile> files) {
    std::unordered_map<std::int64_t, FileAnalysis*> by_id;
    for (StoredFile& file : files)
        if (file.analysis) by_id.emplace(file.id, &*file.analysis);
    if (by_id.empty()) return {};
    // One file is looked up by its key; a listing reads the whole (small) table once.
    Statement select = db.prepare(
        by_id.size() == 1
            ? "SELECT file_id, tool, length_mm FROM file_filament WHERE file_id = ? ORDER BY tool"
            : "SELECT file_id, tool, length_mm FROM file_filament ORDER BY file_id, tool");
    if (by_id.size() == 1) select.bind(1, by_id.begin()->first);
    while (select.step() == Statement::Step::row) {
        const auto found = by_id.find(select.int64(0));
        const std::int64_t tool = select.int64(1);
        // A gap (tool 2 used, tool 1 not) reads as 0 mm; a tool number no printer has (a
        // damaged row) is skipped rather than sized into a huge list.
        if (found == by_id.end() || tool < 0 || tool > 255) continue;
        std::vector<double>& filament_mm = found->second->filament_mm;
        if (filament_mm.size() <= static_cast<std::size_t>(tool))
            filament_mm.resize(static_cast<std::size_t>(tool) + 1, 0.0);
        filament_mm[static_cast<std::size_t>(tool)] = select.real(2);
    }
    return select.status();
}

namespace {

Status write_columns(Database& db, std::int64_t id, const FileAnalysis& analysis) {
    Statement update = db.prepare(
        "UPDATE files SET lines = ?, layers = ?, printed_min_x_mm = ?, printed_min_y_mm = ?, "
        "printed_min_z_mm = ?, printed_max_x_mm = ?, printed_max_y_mm = ?, printed_max_z_mm = ?, "
        "slicer = ?, slicer_version = ?, time_added_s = ?, warnings = ?, errors = ?, plan_s = ?, "
        "splice_s = ? WHERE id = ?");
    update.bind(1, static_cast<std::int64_t>(analysis.lines))
        .bind(2, static_cast<std::int64_t>(analysis.layers));
    for (int axis = 0; axis < 3; ++axis) {
        update.bind(3 + axis, analysis.printed_min_mm[static_cast<std::size_t>(axis)])
            .bind(6 + axis, analysis.printed_max_mm[static_cast<std::size_t>(axis)]);
    }
    update.bind(9, analysis.slicer)
        .bind(10, analysis.slicer_version)
        .bind(11, analysis.time_added_s)
        .bind(12, static_cast<std::int64_t>(analysis.warnings))
        .bind(13, static_cast<std::int64_t>(analysis.errors))
        .bind(14, analysis.plan_s)
        .bind(15, analysis.splice_s)
        .bind(16, id);
    return update.run();
}

}  // namespace

Status write_analysis(Database& db, std::int64_t id, const std::optional<FileAnalysis>& analysis) {
    Statement clear_filament = db.prepare("DELETE FROM file_filament WHERE file_id = ?");
    if (Status cleared = clear_filament.bind(1, id).run(); !cleared) return cleared;
    if (!analysis) {
        Statement clear = db.prepare("UPDATE files SET lines = NULL WHERE id = ?");
        return clear.bind(1, id).run();
    }
    if (Status written = write_columns(db, id, *analysis); !written) return written;
    Statement insert =
        db.prepare("INSERT INTO file_filament (file_id, tool, length_mm) VALUES (?, ?, ?)");
    for (std::size_t tool = 0; tool < analysis->filament_mm.size(); ++tool) {
        insert.reset();
        if (Status inserted = insert.bind(1, id)
                                  .bind(2, static_cast<std::int64_t>(tool))
                                  .bind(3, analysis->filament_mm[tool])
                                  .run();
            !inserted)
            return inserted;
    }
    return {};
}

}  // namespace strata::server
