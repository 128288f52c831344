// JobRecords (see strata/server/job_records.hpp): every statement on the `jobs` table.
#include "strata/server/job_records.hpp"

namespace strata::server {
namespace {

constexpr std::string_view job_columns =
    "SELECT id, coalesce(file_id, 0), file_name, state, started_s, coalesce(ended_s, 0), "
    "progress_percent, last_line, layer, z_mm, elapsed_s, coalesce(result, ''), "
    "coalesce(resumed_from, 0), coalesce(job_path, '') FROM jobs ";

JobRecord record_of(const Statement& row) {
    JobRecord record;
    record.id = row.int64(0);
    record.file_id = row.int64(1);
    record.file_name = row.text(2);
    record.state = row.text(3);
    record.started_s = row.real(4);
    record.ended_s = row.real(5);
    record.progress_percent = row.real(6);
    record.last_line = row.int64(7);
    record.layer = row.int64(8);
    record.z_mm = row.real(9);
    record.elapsed_s = row.real(10);
    record.result = row.text(11);
    record.resumed_from = row.int64(12);
    record.job_path = row.text(13);
    return record;
}

}  // namespace

Result<std::int64_t> JobRecords::open(const NewJobRecord& job) {
    Statement insert = db_.prepare(
        "INSERT INTO jobs (file_id, file_name, state, started_s, job_path, line_offset, "
        "resumed_from) VALUES (nullif(?, 0), ?, 'printing', ?, ?, ?, nullif(?, 0))");
    insert.bind(1, job.file_id)
        .bind(2, job.file_name)
        .bind(3, job.started_s)
        .bind(4, job.job_path)
        .bind(5, job.line_offset)
        .bind(6, job.resumed_from);
    if (Status ran = insert.run(); !ran) return ran.take_error();
    return db_.last_insert_id();
}

Status JobRecords::progress(std::int64_t id, std::string_view state,
                            const JobRecordProgress& progress) {
    Statement update = db_.prepare(
        "UPDATE jobs SET state = ?, progress_percent = ?, last_line = ? + line_offset, "
        "layer = ?, z_mm = ?, elapsed_s = ? WHERE id = ? AND state IN ('printing', 'paused')");
    return update.bind(1, state)
        .bind(2, progress.percent)
        .bind(3, static_cast<std::int64_t>(progress.line))
        .bind(4, progress.layer)
        .bind(5, progress.z_mm)
        .bind(6, progress.elapsed_s)
        .bind(7, id)
        .run();
}

Status JobRecords::end(std::int64_t id, std::string_view state, std::string_view result,
                       double ended_s) {
    Statement update =
        db_.prepare("UPDATE jobs SET state = ?, ended_s = ?, result = nullif(?, '') WHERE id = ?");
    return update.bind(1, state).bind(2, ended_s).bind(3, result).bind(4, id).run();
}

Status JobRecords::interrupt_unfinished() {
    return db_.execute(
        "UPDATE jobs SET state = 'interrupted', result = 'the server stopped during the print' "
        "WHERE state IN ('printing', 'paused')");
}

Result<std::optional<JobRecord>> JobRecords::find_interrupted(std::int64_t id) {
    Statement select =
        db_.prepare(std::string(job_columns) + "WHERE id = ? AND state = 'interrupted'");
    select.bind(1, id);
    switch (select.step()) {
        case Statement::Step::row: return std::optional<JobRecord>(record_of(select));
        case Statement::Step::done: return std::optional<JobRecord>();
        case Statement::Step::error: break;
    }
    return select.status().take_error();
}

Result<std::vector<JobRecord>> JobRecords::newest(std::int64_t limit) {
    Statement select = db_.prepare(std::string(job_columns) + "ORDER BY id DESC LIMIT ?");
    select.bind(1, limit);
    std::vector<JobRecord> records;
    while (select.step() == Statement::Step::row)
        records.push_back(record_of(select));
    if (Status status = select.status(); !status) return status.take_error();
    return records;
}

}  // namespace strata::server
