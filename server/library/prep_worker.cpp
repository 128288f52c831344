// The prep worker: one background thread takes uploaded files in order and runs the planner's
// prep on each (analysis, time estimate, snapshot plan, annotated job, verification), with
// progress events at most twice a second. A file the planner cannot plan a timelapse for (no
// printable area, already prepared) is still ready: it prints as it is, without snapshots.
// A job is announced ready, then flushed to the disk; a crash before the flush means a new prep.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "file_analysis.hpp"
#include "strata/common/json_writer.hpp"
#include "strata/common/log.hpp"
#include "strata/planner/prep.hpp"
#include "strata/server/library.hpp"
#include "strata/server/profiles.hpp"
#include "strata/server/thumbnails.hpp"

namespace strata::server {
namespace {

// What the store keeps of prep's analysis (the API writes OctoPrint's `gcodeAnalysis` from it).
FileAnalysis analysis_of(const planner::PrepResult& result) {
    const parser::Analysis& analysis = result.analysis;
    FileAnalysis stored;
    stored.lines = analysis.lines;
    stored.layers = analysis.layers.size();
    stored.filament_mm.assign(analysis.filament_mm.begin(), analysis.filament_mm.end());
    for (std::size_t axis = 0; axis < 3; ++axis) {
        stored.printed_min_mm[axis] = analysis.printed_bbox.min_mm[axis];
        stored.printed_max_mm[axis] = analysis.printed_bbox.max_mm[axis];
    }
    stored.slicer = parser::to_string(analysis.slicer.slicer);
    stored.slicer_version = analysis.slicer.version;
    stored.time_added_s = result.time_added_s;
    stored.warnings = analysis.diagnostics.warning_count();
    stored.errors = analysis.diagnostics.error_count();
    stored.plan_s = result.plan_seconds;
    stored.splice_s = result.splice_seconds;
    return stored;
}

// What prep makes of a file: its job (and index) beside the data, with the default timelapse
// profile when there is one (stored only once valid), and the default printer profile's bed and
// height for a file that declares no bed (without one, the file's own moves bound the area).
planner::PrepOptions prep_options(Store& store, const std::string& input_path,
                                  const std::filesystem::path& job_path) {
    planner::PrepOptions options;
    const auto [timelapse, printer] = store.with([](Database& db) {
        Profiles profiles(db);
        return std::pair(profiles.default_of(ProfileKind::timelapse),
                         profiles.default_of(ProfileKind::printer));
    });
    if (timelapse) {
        // Validated when it was stored; one this strata no longer reads (a field since removed)
        // is said and the defaults are used rather than half of it.
        Result<planner::TimelapseProfile> profile =
            planner::load_timelapse_profile(timelapse->body_json);
        if (profile)
            options.profile = std::move(*profile);
        else
            log_message(LogLevel::warning,
                        "strata serve: timelapse profile '%s' unreadable, defaults used: %s\n",
                        timelapse->name.c_str(), profile.error().message.c_str());
    }
    PrinterProfile printer_settings;
    if (printer && !read_printer_profile(printer->body_json, printer_settings)) {
        options.printer_bed = bed_area_of(printer_settings);
        if (!options.profile.safety.max_z_mm)
            options.profile.safety.max_z_mm = printer_settings.max_z_mm;
    }
    options.input_path = input_path;
    options.output_path = job_path.string();
    options.index_path = options.output_path + ".index.json";
    options.durable = false;  // Flushed after the file is announced ready: see sync_job().
    // The job is what prints; the original, synced when its upload was installed, is read again
    // only by a download or another prep. Its cached pages make room for the job's.
    options.release_original_cache = true;
    return options;
}

// The file's row after its prep. A file the planner cannot plan a timelapse for prints as it is.
struct PrepOutcome {
    FileState state = FileState::ready;
    std::string error;
    std::string job_path;
    std::string index_path;  ///< Empty when no job was written (nothing to flush).
};

PrepOutcome outcome_of(const planner::PrepResult& result, const planner::PrepOptions& options) {
    PrepOutcome outcome{FileState::ready, "", options.output_path, options.index_path};
    if (result.status) return outcome;
    const Error& error = result.status.error();
    // No plan, or a job the verifier refused: the original is fine and prints as it is.
    if (error.code == ErrorCode::unsupported || error.code == ErrorCode::internal) {
        outcome = PrepOutcome{FileState::ready, "prints without a timelapse: " + error.message,
                              options.input_path, ""};
    } else {
        outcome = PrepOutcome{FileState::failed, error.message, "", ""};
    }
    return outcome;
}

Status record_outcome(Store& store, std::int64_t id, const PrepOutcome& outcome,
                      const planner::PrepResult& result) {
    const std::optional<FileAnalysis> analysis =
        outcome.state == FileState::ready ? std::optional(analysis_of(result)) : std::nullopt;
    return store.with([&](Database& db) -> Status {
        if (Status begun = db.execute("BEGIN IMMEDIATE"); !begun) return begun;
        Statement update = db.prepare(
            "UPDATE files SET state = ?, error = nullif(?, ''), job_path = nullif(?, ''), "
            "index_path = nullif(?, ''), estimated_s = ?, snapshots = ?, job_synced = ? "
            "WHERE id = ?");
        Status recorded =
            update.bind(1, to_string(outcome.state))
                .bind(2, outcome.error)
                .bind(3, outcome.job_path)
                .bind(4, outcome.index_path)
                .bind(5, result.estimate.total_s())
                .bind(6, static_cast<std::int64_t>(result.plan.snapshots.size()))
                .bind(7, static_cast<std::int64_t>(outcome.index_path.empty() ? 1 : 0))
                .bind(8, id)
                .run();
        if (recorded) recorded = write_analysis(db, id, analysis);
        if (recorded) return db.execute("COMMIT");
        // The failure is what the caller needs to know; the rollback only tidies up after it.
        (void)db.execute("ROLLBACK");
        return recorded;
    });
}

// fsync() of a file or a folder, opened only for it.
bool flush_to_disk(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool flushed = ::fsync(fd) == 0;
    return ::close(fd) == 0 && flushed;
}

std::string progress_json(const StoredFile& file, double fraction) {
    std::ostringstream out;
    JsonWriter(out)
        .begin_object()
        .field("path", file.path)
        .field("progress", fraction)
        .end_object();
    return out.str();
}

}  // namespace

FileLibrary::FileLibrary(std::filesystem::path data_directory, Store& store, EventHub& events)
    : data_(std::move(data_directory)), store_(store), events_(events) {}

FileLibrary::~FileLibrary() {
    stop();
}

Status FileLibrary::start() {
    std::error_code failure;
    for (const char* folder : {"files", "jobs", "uploads"}) {
        std::filesystem::create_directories(data_ / folder, failure);
        if (failure)
            return Error{error_code_of_errno(failure.value()),
                         "cannot create " + (data_ / folder).string() + ": " + failure.message()};
    }
    // Uploads a crash cut short are incomplete: nothing refers to them.
    for (const auto& entry : std::filesystem::directory_iterator(data_ / "uploads", failure))
        std::filesystem::remove(entry.path(), failure);
    // Files whose prep a crash cut short are prepared again, and so are those whose job was not
    // yet flushed to the disk when the crash came: it may be cut short or empty. Until then
    // they are not ready, so nothing prints them.
    std::vector<std::int64_t> unfinished;
    const Status listed = store_.with([&unfinished](Database& db) -> Status {
        if (Status unsynced = db.execute(
                "UPDATE files SET state = 'stored' WHERE state = 'ready' AND job_synced = 0");
            !unsynced)
            return unsynced;
        Statement select =
            db.prepare("SELECT id FROM files WHERE state IN ('stored', 'analyzing')");
        while (select.step() == Statement::Step::row)
            unfinished.push_back(select.int64(0));
        return select.status();
    });
    // A job that may be cut short must never print: without this the library does not start.
    if (!listed)
        return Error{listed.error().code,
                     "cannot check the prepared jobs: " + listed.error().message};
    {
        const std::lock_guard lock(mutex_);
        stopping_ = false;
        queue_.insert(queue_.end(), unfinished.begin(), unfinished.end());
    }
    worker_ = std::thread([this] { run_worker(); });
    return {};
}

void FileLibrary::stop() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (worker_.joinable()) worker_.join();
}

void FileLibrary::prepare(std::int64_t id) {
    {
        const std::lock_guard lock(mutex_);
        queue_.push_back(id);
    }
    wake_.notify_one();
}

void FileLibrary::wait_idle() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return stopping_ || (queue_.empty() && !busy_); });
}

void FileLibrary::run_worker() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (stopping_) break;
        const std::int64_t id = queue_.front();
        queue_.pop_front();
        busy_ = true;
        preparing_id_ = id;
        preparing_progress_ = 0.0;
        lock.unlock();
        prepare_now(id);
        lock.lock();
        busy_ = false;
        preparing_id_ = 0;
        if (queue_.empty()) idle_.notify_all();
    }
    idle_.notify_all();
}

void FileLibrary::prepare_now(std::int64_t id) {
    const std::optional<StoredFile> found = find(id);
    if (!found) return;  // Deleted while queued.
    const StoredFile& file = *found;
    // Only what the listing shows while the prep runs: the prep itself goes on without it.
    const Status marked = store_.with([id](Database& db) {
        Statement update = db.prepare("UPDATE files SET state = 'analyzing' WHERE id = ?");
        return update.bind(1, id).run();
    });
    if (!marked)
        log_message(LogLevel::warning, "strata serve: file %lld: %s\n", static_cast<long long>(id),
                    marked.error().message.c_str());
    events_.publish("MetadataAnalysisStarted", progress_json(file, 0.0));
    keep_thumbnail(file);
    planner::PrepOptions options = prep_options(store_, absolute(file).string(),
                                                data_ / "jobs" / (std::to_string(id) + ".gcode"));
    auto last_event = std::chrono::steady_clock::now();
    options.on_progress = [&](std::uint64_t done, std::uint64_t total) {
        const double fraction = total == 0 ? 0.0 : static_cast<double>(done) / total;
        {
            const std::lock_guard lock(mutex_);
            preparing_progress_ = fraction;
        }
        const auto now = std::chrono::steady_clock::now();
        if (now - last_event < std::chrono::milliseconds(500)) return;
        last_event = now;
        events_.publish("FilePrepProgress", progress_json(file, fraction));
    };
    const planner::PrepResult result = planner::prep_file(options);
    const PrepOutcome outcome = outcome_of(result, options);
    const Status recorded = record_outcome(store_, id, outcome, result);
    if (!recorded)
        log_message(LogLevel::warning, "strata serve: prep of file %lld not recorded: %s\n",
                    static_cast<long long>(id), recorded.error().message.c_str());
    if (!recorded || !find(id)) {
        // Deleted (or replaced) while it was being prepared, or not recorded: it stays
        // `analyzing`, and is prepared again at the next start.
        std::error_code ignored;
        std::filesystem::remove(options.output_path, ignored);
        std::filesystem::remove(options.index_path, ignored);
        return;
    }
    std::ostringstream out;
    JsonWriter json(out);
    json.begin_object().field("path", file.path).field("state", to_string(outcome.state));
    if (!outcome.error.empty()) json.field("error", outcome.error);
    json.end_object();
    const bool ready = outcome.state == FileState::ready;
    events_.publish(ready ? "MetadataAnalysisFinished" : "FilePrepFailed", out.str());
    std::function<void(const StoredFile&)> listener;
    {
        const std::lock_guard lock(mutex_);
        listener = ready_listener_;
    }
    if (ready && listener) {
        if (const std::optional<StoredFile> now_ready = find(id)) listener(*now_ready);
    }
    if (!outcome.index_path.empty()) sync_job(id, outcome.job_path, outcome.index_path);
}

// The slicer's thumbnail, written beside the others (a temporary file renamed, so a reader
// never sees half of one) and named in the file's row. A file without one keeps none.
void FileLibrary::keep_thumbnail(const StoredFile& file) {
    const std::optional<Thumbnail> thumbnail = extract_thumbnail(absolute(file));
    if (!thumbnail) return;
    const std::string name = std::to_string(file.id) + "." + thumbnail->extension;
    const std::filesystem::path directory = thumbnails_directory();
    std::error_code error;
    std::filesystem::create_directories(directory, error);
    const std::filesystem::path temporary = directory / (name + ".tmp");
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out.write(thumbnail->bytes.data(), static_cast<std::streamsize>(thumbnail->bytes.size()));
        if (!out.flush()) return;
    }
    std::filesystem::rename(temporary, directory / name, error);
    if (error) return;
    const Status listed = store_.with([&](Database& db) {
        Statement update = db.prepare("UPDATE files SET thumbnail = ? WHERE id = ?");
        return update.bind(1, name).bind(2, file.id).run();
    });
    if (!listed)
        log_message(LogLevel::warning, "strata serve: thumbnail of %s not listed: %s\n",
                    file.path.c_str(), listed.error().message.c_str());
}

void FileLibrary::sync_job(std::int64_t id, const std::string& job_path,
                           const std::string& index_path) {
    // The renames are made durable by flushing the folder; a failure leaves job_synced at 0, so
    // the job is prepared again at the next start.
    if (!flush_to_disk(job_path) || !flush_to_disk(index_path) ||
        !flush_to_disk((data_ / "jobs").string()))
        return;
    const Status synced = store_.with([&](Database& db) {
        Statement update =
            db.prepare("UPDATE files SET job_synced = 1 WHERE id = ? AND job_path = ?");
        return update.bind(1, id).bind(2, job_path).run();
    });
    if (!synced)
        log_message(LogLevel::warning,
                    "strata serve: job of file %lld: %s (prepared again at the next start)\n",
                    static_cast<long long>(id), synced.error().message.c_str());
}

void FileLibrary::on_ready(std::function<void(const StoredFile&)> listener) {
    const std::lock_guard lock(mutex_);
    ready_listener_ = std::move(listener);
}

}  // namespace strata::server
