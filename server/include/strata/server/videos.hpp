// The `timelapses` table, one row per rendered (or failed) video: its only owner. The printer
// service records a print's videos, the recordings worker those it renders again, the routes
// list and delete them through this.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "strata/common/result.hpp"
#include "strata/server/store.hpp"

namespace strata::server {

/// A rendered video the store lists as ready.
struct TimelapseVideo {
    std::int64_t id = 0;
    std::string path;
    std::string thumbnail_path;
    std::int64_t size_bytes = 0;
    double created_s = 0.0;
};

/// A video as it is recorded.
struct NewVideo {
    std::int64_t job_id = 0;  ///< 0: no job (a recording whose job is gone).
    std::string camera;
    std::string path;  ///< Unique: recording a path again replaces its row.
    std::string thumbnail_path;
    std::int64_t size_bytes = 0;
    std::int64_t frames = 0;
    double duration_s = 0.0;  ///< 0: unknown.
    double created_s = 0.0;
    bool ready = true;  ///< false: the render failed, with `error`.
    std::string error;
};

class Videos {
  public:
    explicit Videos(Database& db) : db_(db) {}

    [[nodiscard]] Status record(const NewVideo& video);
    /// The ready videos, newest first.
    [[nodiscard]] Result<std::vector<TimelapseVideo>> ready();
    /// File names of each job's ready videos, by job id.
    [[nodiscard]] Result<std::map<std::int64_t, std::vector<std::string>>> ready_by_job();
    /// The job a recording (`<stem>_<camera>`) came from, from a video it had before in any
    /// format; 0 when none.
    [[nodiscard]] Result<std::int64_t> job_of_recording(std::string_view recording_name);
    [[nodiscard]] Status remove(std::int64_t id);

  private:
    Database& db_;
};

}  // namespace strata::server
