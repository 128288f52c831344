// The `jobs` table, the record of every print: its only owner. The printer service opens a
// record when a job starts, keeps its progress (so a job the server lost can be resumed from
// its last layer) and closes it with the result; the history route lists them. Like Accounts
// and Sessions it works on a Database the caller holds through Store::with.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/common/result.hpp"
#include "strata/server/store.hpp"

namespace strata::server {

/// A job as it starts.
struct NewJobRecord {
    std::int64_t file_id = 0;
    std::string file_name;
    double started_s = 0.0;
    std::string job_path;  ///< The job whose lines the progress counts (for a resume).
    std::int64_t line_offset = 0;
    std::int64_t resumed_from = 0;  ///< 0: not a resume.
};

/// Where a running job stands.
struct JobRecordProgress {
    double percent = 0.0;
    std::uint64_t line = 0;  ///< Of the streamed file; the record adds its line offset.
    std::int64_t layer = -1;
    double z_mm = 0.0;
    double elapsed_s = 0.0;
};

/// One row, as the history lists it.
struct JobRecord {
    std::int64_t id = 0;
    std::int64_t file_id = 0;
    std::string file_name;
    std::string state;  ///< printing, paused, finished, failed, cancelled, interrupted
    double started_s = 0.0;
    double ended_s = 0.0;  ///< 0 while it runs.
    double progress_percent = 0.0;
    std::int64_t last_line = 0;
    std::int64_t layer = -1;
    double z_mm = 0.0;
    double elapsed_s = 0.0;
    std::string result;
    std::int64_t resumed_from = 0;
    std::string job_path;
};

class JobRecords {
  public:
    explicit JobRecords(Database& db) : db_(db) {}

    /// A new record in state `printing`; its id.
    [[nodiscard]] Result<std::int64_t> open(const NewJobRecord& job);
    /// The progress of a job still printing or paused, and which of the two it is.
    [[nodiscard]] Status progress(std::int64_t id, std::string_view state,
                                  const JobRecordProgress& progress);
    /// Closes a record: `state` finished, failed or cancelled, `result` the reason (may be empty).
    [[nodiscard]] Status end(std::int64_t id, std::string_view state, std::string_view result,
                             double ended_s);
    /// After a restart: jobs left printing or paused become `interrupted`, to be resumed.
    [[nodiscard]] Status interrupt_unfinished();
    /// An interrupted job, or nothing.
    [[nodiscard]] Result<std::optional<JobRecord>> find_interrupted(std::int64_t id);
    /// The newest `limit` records, newest first.
    [[nodiscard]] Result<std::vector<JobRecord>> newest(std::int64_t limit);

  private:
    Database& db_;
};

}  // namespace strata::server
