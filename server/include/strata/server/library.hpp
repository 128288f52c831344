// The file library: uploaded G-code under <data>/files, one row per file in the store, and the
// prep worker that turns each upload into a ready job (analysis, time estimate, snapshot plan,
// annotated job and index under <data>/jobs) in the background, publishing its progress.
// Names are sanitized component by component and every path is checked to stay inside the
// data directory; an upload is written to <data>/uploads and renamed into place only when whole.
#pragma once

#include <array>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "strata/server/event_hub.hpp"
#include "strata/server/store.hpp"

namespace strata::server {

/// Where an uploaded file is on its way to being printable.
enum class FileState : std::uint8_t {
    stored,     ///< Uploaded, its prep queued.
    analyzing,  ///< Being prepared.
    ready,      ///< Prepared (or printable as it is, with `error` saying why without a timelapse).
    failed,     ///< Unreadable, or its job could not be written: `error` says which.
};

/// As the store and the API write it.
[[nodiscard]] std::string_view to_string(FileState state);
/// From the store; nothing for a word that names no state.
[[nodiscard]] std::optional<FileState> parse_file_state(std::string_view text);

/// What prep found in a ready file (the `files` table's typed columns and `file_filament`).
struct FileAnalysis {
    std::uint64_t lines = 0;
    std::uint64_t layers = 0;
    std::vector<double> filament_mm;         ///< Per tool, tool 0 first.
    std::array<double, 3> printed_min_mm{};  ///< The box the extruding moves fill.
    std::array<double, 3> printed_max_mm{};
    std::string slicer;  ///< As parser::to_string names it.
    std::string slicer_version;
    double time_added_s = 0.0;  ///< What the planned snapshots add to the print.
    std::uint64_t warnings = 0;
    std::uint64_t errors = 0;
    double plan_s = 0.0;  ///< How long prep's two passes took: what explains a slow "analyzing".
    double splice_s = 0.0;
};

struct StoredFile {
    std::int64_t id = 0;
    std::string path;  ///< Relative to the files folder, '/'-separated.
    std::string display_name;
    std::uint64_t size_bytes = 0;
    std::string hash;  ///< XXH3-128 of the content, hex (as `xxhsum -H2` prints it).
    double uploaded_s = 0.0;
    FileState state = FileState::stored;
    std::string error;
    std::optional<FileAnalysis> analysis;  ///< Once ready.
    std::string job_path;                  ///< The annotated job, when ready.
    std::string index_path;                ///< Its index.
    double estimated_s = -1.0;
    std::int64_t snapshots = 0;
    double prep_progress = 0.0;  ///< 0..1 while analyzing (not persisted).
    std::string thumbnail;       ///< The slicer's image under `thumbnails_directory()`, if any.
};

/// A safe relative path from what a client sent (folder and name): components without
/// separators, control characters or leading dots; refused (`invalid`, saying why) when
/// nothing safe is left or a component is `..`.
[[nodiscard]] Result<std::string> sanitize_path(std::string_view folder, std::string_view name);
/// Whether a name has an extension OctoPrint accepts as G-code (gcode, gco, g).
[[nodiscard]] bool is_gcode_name(std::string_view name);

class FileLibrary;

/// An upload in progress: bytes go to a temporary file and into the hash; `commit` installs it.
class Upload {
  public:
    Upload(FileLibrary& library, std::filesystem::path temporary, int fd);
    ~Upload();
    Upload(const Upload&) = delete;
    Upload& operator=(const Upload&) = delete;
    /// More of the file; refused with `no_space` when the disk is full.
    [[nodiscard]] Status write(std::string_view bytes);
    /// Installs the file as `path` (replacing an older one unless `no_overwrite`): the stored
    /// file, or why not — `conflict` (it exists), `no_space`, or another failure to write.
    [[nodiscard]] Result<StoredFile> commit(const std::string& path,
                                            const std::string& display_name, bool no_overwrite);
    /// Removes the temporary file.
    void abandon();
    [[nodiscard]] std::uint64_t bytes() const { return bytes_; }
    /// The first bytes, to tell G-code from anything else before installing it.
    [[nodiscard]] const std::string& head() const { return head_; }

  private:
    [[nodiscard]] Status flush();
    FileLibrary& library_;
    std::filesystem::path temporary_;
    int fd_ = -1;
    std::string buffer_;
    std::string head_;
    std::uint64_t bytes_ = 0;
    struct HashState;
    std::unique_ptr<HashState> hash_;
};

class FileLibrary {
  public:
    FileLibrary(std::filesystem::path data_directory, Store& store, EventHub& events);
    ~FileLibrary();
    FileLibrary(const FileLibrary&) = delete;
    FileLibrary& operator=(const FileLibrary&) = delete;

    /// Creates the folders, marks files whose prep a crash cut short for another prep, and
    /// starts the worker.
    [[nodiscard]] Status start();
    void stop();

    /// A new upload's temporary file.
    [[nodiscard]] Result<std::unique_ptr<Upload>> begin_upload();
    [[nodiscard]] std::vector<StoredFile> list();
    [[nodiscard]] std::optional<StoredFile> find(std::string_view path);
    [[nodiscard]] std::optional<StoredFile> find(std::int64_t id);
    /// Deletes the file's row, then the file and its job; `not_found` when it is not there.
    [[nodiscard]] Status remove(std::string_view path);
    /// Renames a file to `to` (a sanitized path no file has): its bytes on the disk and its
    /// row; its prepared job (kept by id) stays valid.
    [[nodiscard]] Status move(const StoredFile& file, const std::string& to);
    /// Folders. One holding files exists through their paths; one created empty (OctoPrint's
    /// `foldername`) is kept until it is deleted. `path` is sanitized by the caller.
    [[nodiscard]] Status add_folder(const std::string& path);
    /// The folders created empty that still are, and those they were moved or copied to.
    [[nodiscard]] std::vector<std::string> created_folders();
    /// Whether `path` is a folder: created, holding a file, or holding a created folder.
    [[nodiscard]] bool is_folder(std::string_view path);
    /// Forgets the created folders at `path` and below (their files are removed one by one).
    [[nodiscard]] Status remove_folders(std::string_view path);
    /// The created folders at `from` and below, at `to` instead (move) or as well (copy).
    [[nodiscard]] Status move_folders(std::string_view from, std::string_view to);
    [[nodiscard]] Status copy_folders(std::string_view from, std::string_view to);
    /// Queues the file for (another) analysis and prep.
    void prepare(std::int64_t id);
    /// Called on the worker thread when a file becomes ready (a pending print starts then).
    void on_ready(std::function<void(const StoredFile&)> listener);
    /// Blocks until nothing is queued or being prepared (tests, `--demo`).
    void wait_idle();

    [[nodiscard]] std::filesystem::path absolute(const StoredFile& file) const;
    /// Where files' thumbnails are kept (`<id>.png` or `<id>.jpg`).
    [[nodiscard]] std::filesystem::path thumbnails_directory() const {
        return data_ / "thumbnails";
    }
    [[nodiscard]] const std::filesystem::path& data_directory() const { return data_; }
    [[nodiscard]] std::uint64_t free_bytes() const;
    [[nodiscard]] std::uint64_t total_bytes() const;

  private:
    friend class Upload;
    void run_worker();
    void prepare_now(std::int64_t id);
    void keep_thumbnail(const StoredFile& file);
    void sync_job(std::int64_t id, const std::string& job_path, const std::string& index_path);
    [[nodiscard]] Status install(StoredFile& file);

    std::filesystem::path data_;
    Store& store_;
    EventHub& events_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable idle_;
    std::deque<std::int64_t> queue_;
    bool busy_ = false;
    bool stopping_ = false;
    std::int64_t preparing_id_ = 0;
    double preparing_progress_ = 0.0;
    std::function<void(const StoredFile&)> ready_listener_;
    std::thread worker_;
};

}  // namespace strata::server
