// Videos (see strata/server/videos.hpp): every statement on the `timelapses` table.
#include "strata/server/videos.hpp"

#include <filesystem>

namespace strata::server {

Status Videos::record(const NewVideo& video) {
    Statement insert = db_.prepare(
        "INSERT OR REPLACE INTO timelapses (job_id, camera, path, thumbnail_path, size_bytes, "
        "frames, duration_s, created_s, state, error) VALUES (nullif(?, 0), ?, ?, ?, ?, ?, "
        "nullif(?, 0.0), ?, ?, nullif(?, ''))");
    return insert.bind(1, video.job_id)
        .bind(2, video.camera)
        .bind(3, video.path)
        .bind(4, video.thumbnail_path)
        .bind(5, video.size_bytes)
        .bind(6, video.frames)
        .bind(7, video.duration_s)
        .bind(8, video.created_s)
        .bind(9, video.ready ? "ready" : "failed")
        .bind(10, video.error)
        .run();
}

Result<std::vector<TimelapseVideo>> Videos::ready() {
    Statement select = db_.prepare(
        "SELECT id, path, coalesce(thumbnail_path, ''), coalesce(size_bytes, 0), created_s "
        "FROM timelapses WHERE state = 'ready' ORDER BY created_s DESC");
    std::vector<TimelapseVideo> videos;
    while (select.step() == Statement::Step::row)
        videos.push_back(
            {select.int64(0), select.text(1), select.text(2), select.int64(3), select.real(4)});
    if (Status status = select.status(); !status) return status.take_error();
    return videos;
}

Result<std::map<std::int64_t, std::vector<std::string>>> Videos::ready_by_job() {
    Statement select = db_.prepare(
        "SELECT job_id, path FROM timelapses WHERE job_id IS NOT NULL AND state = 'ready' "
        "ORDER BY id");
    std::map<std::int64_t, std::vector<std::string>> videos;
    while (select.step() == Statement::Step::row)
        videos[select.int64(0)].push_back(
            std::filesystem::path(select.text(1)).filename().string());
    if (Status status = select.status(); !status) return status.take_error();
    return videos;
}

Result<std::int64_t> Videos::job_of_recording(std::string_view recording_name) {
    Statement select = db_.prepare("SELECT coalesce(job_id, 0), path FROM timelapses");
    std::int64_t job_id = 0;
    while (select.step() == Statement::Step::row)
        if (std::filesystem::path(select.text(1)).stem() == recording_name)
            job_id = select.int64(0);
    if (Status status = select.status(); !status) return status.take_error();
    return job_id;
}

Status Videos::remove(std::int64_t id) {
    Statement remove = db_.prepare("DELETE FROM timelapses WHERE id = ?");
    return remove.bind(1, id).run();
}

}  // namespace strata::server
