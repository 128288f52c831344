// Files in the library: sanitized names, uploads hashed (XXH3-128) as they stream to a temporary
// file and renamed into place when whole, rows in the store, deletion of a file with its job.
#include <fcntl.h>
#include <sodium.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "file_analysis.hpp"
#include "strata/common/json_writer.hpp"
#include "strata/server/clock.hpp"
#include "strata/server/library.hpp"

namespace strata::server {

std::string_view to_string(FileState state) {
    switch (state) {
        case FileState::stored: return "stored";
        case FileState::analyzing: return "analyzing";
        case FileState::ready: return "ready";
        case FileState::failed: return "failed";
    }
    return "failed";
}

std::optional<FileState> parse_file_state(std::string_view text) {
    for (const FileState state :
         {FileState::stored, FileState::analyzing, FileState::ready, FileState::failed})
        if (to_string(state) == text) return state;
    return std::nullopt;
}
namespace {

constexpr std::size_t write_buffer_bytes = std::size_t{1} << 20;
constexpr std::size_t head_bytes = 4096;
constexpr int first_analysis_column = 13;

// A SELECT of files' columns (the analysis's last, from column 13: see file_analysis.hpp) with
// `rest` (WHERE, ORDER BY).
std::string select_files(std::string_view rest) {
    return std::string(
               "SELECT id, path, display_name, size_bytes, hash, uploaded_s, state, "
               "coalesce(error, ''), coalesce(job_path, ''), coalesce(index_path, ''), "
               "coalesce(estimated_s, -1), coalesce(snapshots, 0), "
               "coalesce(thumbnail, ''), ") +
           analysis_columns + " FROM files " + std::string(rest);
}

StoredFile file_from_row(const Statement& row) {
    StoredFile file;
    file.id = row.int64(0);
    file.path = row.text(1);
    file.display_name = row.text(2);
    file.size_bytes = static_cast<std::uint64_t>(row.int64(3));
    file.hash = row.text(4);
    file.uploaded_s = row.real(5);
    // The schema allows no other word; a row that has one anyway is not printable.
    file.state = parse_file_state(row.text(6)).value_or(FileState::failed);
    file.error = row.text(7);
    file.job_path = row.text(8);
    file.index_path = row.text(9);
    file.estimated_s = row.real(10);
    file.snapshots = row.int64(11);
    file.thumbnail = row.text(12);
    file.analysis = analysis_from_row(row, first_analysis_column);
    return file;
}

// One path component made safe, or empty when nothing is left of it.
std::string sanitize_component(std::string_view component) {
    std::string out;
    for (const char c : component) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f || std::strchr("/\\:*?\"<>|", c) != nullptr) continue;
        out += c;
    }
    const std::size_t first = out.find_first_not_of(" .");  // No hidden files, no "..".
    if (first == std::string::npos) return {};
    out.erase(0, first);
    while (!out.empty() && out.back() == ' ')
        out.pop_back();
    if (out.size() > 200) out.resize(200);
    return out;
}

std::optional<StoredFile> select_one(Store& store, std::string_view where, auto bind) {
    return store.with([&](Database& db) -> std::optional<StoredFile> {
        Statement select = db.prepare(select_files("WHERE " + std::string(where)));
        if (!select.valid()) return std::nullopt;
        bind(select);
        if (select.step() != Statement::Step::row) return std::nullopt;
        StoredFile file = file_from_row(select);
        // Without its filament the file would read as using none: better not found.
        if (!read_filament(db, std::span(&file, 1))) return std::nullopt;
        return file;
    });
}

// A name no other upload has, from the CSPRNG.
std::string unique_upload_name() {
    std::array<unsigned char, 16> random{};
    randombytes_buf(random.data(), random.size());
    std::array<char, 33> hex{};
    sodium_bin2hex(hex.data(), hex.size(), random.data(), random.size());
    return hex.data();
}

}  // namespace

Result<std::string> sanitize_path(std::string_view folder, std::string_view name) {
    // Names go into every file listing's JSON, which is UTF-8.
    if (!JsonWriter::is_utf8(name) || !JsonWriter::is_utf8(folder))
        return fail(ErrorCode::invalid, "the file name is not valid UTF-8");
    std::string path;
    std::string_view rest = folder;
    while (!rest.empty()) {
        const std::size_t slash = rest.find_first_of("/\\");
        const std::string_view component = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
        if (component.empty() || component == ".") continue;
        if (component == "..") return fail(ErrorCode::invalid, "the folder may not contain '..'");
        const std::string safe = sanitize_component(component);
        if (safe.empty()) continue;
        path += safe + "/";
    }
    if (name == ".." || name.find("../") != std::string_view::npos ||
        name.find("..\\") != std::string_view::npos)
        return fail(ErrorCode::invalid, "the file name may not contain '..'");
    // A name that carries a folder keeps only its last component, as browsers send it.
    const std::size_t slash = name.find_last_of("/\\");
    if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
    const std::string safe = sanitize_component(name);
    if (safe.empty())
        return fail(ErrorCode::invalid,
                    "the file name is empty once unsafe characters are removed");
    return path + safe;
}

bool is_gcode_name(std::string_view name) {
    const std::size_t dot = name.rfind('.');
    if (dot == std::string_view::npos) return false;
    std::string extension(name.substr(dot + 1));
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return extension == "gcode" || extension == "gco" || extension == "g";
}

// The content hash names what was uploaded (the file item's `hash`); nothing trusts it against
// an attacker, who could as well upload any G-code. So it is XXH3-128, not a cryptographic hash:
// BLAKE2b, on a thread of its own, was a third of the server's CPU samples during a 495 MB upload
// on this VM; XXH3, on the writer's own thread, is 7 %.
struct Upload::HashState {
    HashState() : state(XXH3_createState()) { XXH3_128bits_reset(state); }
    ~HashState() { XXH3_freeState(state); }
    HashState(const HashState&) = delete;
    HashState& operator=(const HashState&) = delete;

    void add(std::string_view block) { XXH3_128bits_update(state, block.data(), block.size()); }
    // The digest in hex, in xxHash's canonical (big-endian) byte order, as `xxhsum -H2` prints it.
    [[nodiscard]] std::string hex() const {
        XXH128_canonical_t canonical{};
        XXH128_canonicalFromHash(&canonical, XXH3_128bits_digest(state));
        std::array<char, sizeof canonical.digest * 2 + 1> text{};
        sodium_bin2hex(text.data(), text.size(), canonical.digest, sizeof canonical.digest);
        return text.data();
    }

    XXH3_state_t* state;
};

Upload::Upload(FileLibrary& library, std::filesystem::path temporary, int fd)
    : library_(library),
      temporary_(std::move(temporary)),
      fd_(fd),
      hash_(std::make_unique<HashState>()) {
    buffer_.reserve(write_buffer_bytes);
}

Upload::~Upload() {
    abandon();
}

Status Upload::write(std::string_view bytes) {
    if (fd_ < 0) return fail(ErrorCode::internal, "the upload was already closed");
    if (head_.size() < head_bytes)
        head_.append(bytes.substr(0, std::min(bytes.size(), head_bytes - head_.size())));
    bytes_ += bytes.size();
    buffer_.append(bytes);
    if (buffer_.size() < write_buffer_bytes) return {};
    return flush();
}

Status Upload::flush() {
    std::size_t written = 0;
    while (written < buffer_.size()) {
        const ssize_t got = ::write(fd_, buffer_.data() + written, buffer_.size() - written);
        if (got < 0) {
            if (errno == EINTR) continue;
            return errno_error("cannot write the upload", errno);
        }
        written += static_cast<std::size_t>(got);
    }
    // Writeback starts now rather than all at the final fsync.
    ::sync_file_range(fd_, static_cast<off_t>(bytes_ - buffer_.size()),
                      static_cast<off_t>(buffer_.size()), SYNC_FILE_RANGE_WRITE);
    hash_->add(buffer_);  // Still in cache from the copy into the buffer.
    buffer_.clear();
    return {};
}

Result<StoredFile> Upload::commit(const std::string& path, const std::string& display_name,
                                  bool no_overwrite) {
    if (Status flushed = flush(); !flushed) return flushed.take_error();
    if (::fsync(fd_) != 0) return errno_error("cannot sync the upload", errno);
    ::close(fd_);
    fd_ = -1;
    StoredFile stored;
    stored.path = path;
    stored.display_name = display_name;
    stored.size_bytes = bytes_;
    stored.hash = hash_->hex();
    stored.uploaded_s = unix_now_s();
    stored.state = FileState::stored;
    if (no_overwrite && library_.find(path)) {
        abandon();
        return fail(ErrorCode::conflict,
                    "a file named '" + path + "' exists and noOverwrite was set");
    }
    const std::filesystem::path target = library_.data_ / "files" / path;
    std::error_code failure;
    std::filesystem::create_directories(target.parent_path(), failure);
    std::filesystem::rename(temporary_, target, failure);
    if (failure) {
        abandon();
        return Error{error_code_of_errno(failure.value()),
                     "cannot install the upload as " + path + ": " + failure.message()};
    }
    temporary_.clear();
    if (Status installed = library_.install(stored); !installed) return installed.take_error();
    return stored;
}

void Upload::abandon() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    if (!temporary_.empty()) {
        std::error_code ignored;
        std::filesystem::remove(temporary_, ignored);
        temporary_.clear();
    }
}

Result<std::unique_ptr<Upload>> FileLibrary::begin_upload() {
    const std::filesystem::path temporary = data_ / "uploads" / (unique_upload_name() + ".partial");
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return errno_error("cannot create an upload file", errno);
    return std::make_unique<Upload>(*this, temporary, fd);
}

Status FileLibrary::install(StoredFile& file) {
    // A replaced file's old row and prepared job go; the job history keeps its name.
    if (const std::optional<StoredFile> old = find(file.path)) {
        std::error_code ignored;
        if (!old->job_path.empty() && old->job_path != absolute(*old).string())
            std::filesystem::remove(old->job_path, ignored);
        if (!old->index_path.empty()) std::filesystem::remove(old->index_path, ignored);
        if (!old->thumbnail.empty())
            std::filesystem::remove(thumbnails_directory() / old->thumbnail, ignored);
    }
    const Status installed = store_.with([&](Database& db) -> Status {
        Statement remove = db.prepare("DELETE FROM files WHERE path = ?");
        if (Status removed = remove.bind(1, file.path).run(); !removed) return removed;
        Statement insert = db.prepare(
            "INSERT INTO files (path, display_name, size_bytes, hash, uploaded_s, state) "
            "VALUES (?, ?, ?, ?, ?, 'stored')");
        if (Status inserted = insert.bind(1, file.path)
                                  .bind(2, file.display_name)
                                  .bind(3, static_cast<std::int64_t>(file.size_bytes))
                                  .bind(4, file.hash)
                                  .bind(5, file.uploaded_s)
                                  .run();
            !inserted)
            return inserted;
        file.id = db.last_insert_id();
        return {};
    });
    if (!installed)
        return Error{installed.error().code,
                     "cannot list the upload: " + installed.error().message};
    prepare(file.id);
    return {};
}

std::vector<StoredFile> FileLibrary::list() {
    std::vector<StoredFile> files = store_.with([](Database& db) {
        std::vector<StoredFile> rows;
        Statement select = db.prepare(select_files("ORDER BY path"));
        if (!select.valid()) return rows;
        while (select.step() == Statement::Step::row)
            rows.push_back(file_from_row(select));
        if (!read_filament(db, rows)) rows.clear();
        return rows;
    });
    const std::lock_guard lock(mutex_);
    for (StoredFile& file : files)
        if (file.id == preparing_id_) file.prep_progress = preparing_progress_;
    return files;
}

std::optional<StoredFile> FileLibrary::find(std::string_view path) {
    return select_one(store_, "path = ?", [path](Statement& s) { s.bind(1, path); });
}

std::optional<StoredFile> FileLibrary::find(std::int64_t id) {
    return select_one(store_, "id = ?", [id](Statement& s) { s.bind(1, id); });
}

Status FileLibrary::remove(std::string_view path) {
    const std::optional<StoredFile> file = find(path);
    if (!file) return fail(ErrorCode::not_found, "no file " + std::string(path));
    // The row first: a file the store no longer lists is gone for every client, and what a
    // failed remove below leaves is only disk space.
    Status removed = store_.with([&](Database& db) {
        Statement remove = db.prepare("DELETE FROM files WHERE id = ?");
        return remove.bind(1, file->id).run();
    });
    if (!removed) return removed;
    std::error_code left_behind;
    std::filesystem::remove(absolute(*file), left_behind);
    if (!file->job_path.empty() && file->job_path != absolute(*file).string())
        std::filesystem::remove(file->job_path, left_behind);
    if (!file->index_path.empty()) std::filesystem::remove(file->index_path, left_behind);
    if (!file->thumbnail.empty())
        std::filesystem::remove(thumbnails_directory() / file->thumbnail, left_behind);
    return {};
}

Status FileLibrary::move(const StoredFile& file, const std::string& to) {
    const std::filesystem::path target = data_ / "files" / to;
    std::error_code failure;
    std::filesystem::create_directories(target.parent_path(), failure);
    if (failure)
        return Error{error_code_of_errno(failure.value()),
                     "cannot move " + file.path + " to " + to + ": " + failure.message()};
    if (::rename(absolute(file).c_str(), target.c_str()) != 0)
        return errno_error("cannot move " + file.path + " to " + to, errno);
    const Status moved = store_.with([&](Database& db) {
        Statement update = db.prepare("UPDATE files SET path = ?, display_name = ? WHERE id = ?");
        return update.bind(1, std::string_view(to))
            .bind(2, std::filesystem::path(to).filename().string())
            .bind(3, file.id)
            .run();
    });
    if (moved) return {};
    // As it was: the row still names the old path. Should this fail too, the next start finds
    // the file missing where the row says, and the failure below says where it went.
    (void)::rename(target.c_str(), absolute(file).c_str());
    return Error{moved.error().code,
                 "cannot move " + file.path + " to " + to + ": " + moved.error().message};
}

std::filesystem::path FileLibrary::absolute(const StoredFile& file) const {
    return data_ / "files" / file.path;
}

std::uint64_t FileLibrary::free_bytes() const {
    struct statvfs stats {};
    if (::statvfs(data_.c_str(), &stats) != 0) return 0;
    return static_cast<std::uint64_t>(stats.f_bavail) * stats.f_frsize;
}

std::uint64_t FileLibrary::total_bytes() const {
    struct statvfs stats {};
    if (::statvfs(data_.c_str(), &stats) != 0) return 0;
    return static_cast<std::uint64_t>(stats.f_blocks) * stats.f_frsize;
}

}  // namespace strata::server
