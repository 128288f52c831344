// Recordings (see recordings.hpp): the frame folders found on disk, matched with the ready videos
// the store lists, and the render worker. A name from a request is only ever compared with the
// names found, never joined to a path, so it cannot reach outside the frames folder.
#include "strata/server/recordings.hpp"
#include "strata/common/log.hpp"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include "strata/common/json_writer.hpp"
#include "strata/server/clock.hpp"

namespace strata::server {
namespace {

double modified_s(const std::filesystem::path& path) {
    struct stat status {};
    if (::stat(path.c_str(), &status) != 0) return 0.0;
    return static_cast<double>(status.st_mtim.tv_sec) +
           static_cast<double>(status.st_mtim.tv_nsec) / 1e9;
}

std::uint64_t bytes_under(const std::filesystem::path& path) {
    std::error_code failure;
    if (std::filesystem::is_regular_file(path, failure))
        return std::filesystem::file_size(path, failure);
    std::uint64_t bytes = 0;
    for (const auto& entry : std::filesystem::directory_iterator(path, failure)) {
        if (entry.is_regular_file(failure)) bytes += entry.file_size(failure);
    }
    return bytes;
}

std::string extension_of(timelapse::VideoFormat format) {
    switch (format) {
        case timelapse::VideoFormat::webm_vp9: return ".webm";
        case timelapse::VideoFormat::gif: return ".gif";
        case timelapse::VideoFormat::mp4_h264: break;
    }
    return ".mp4";
}

// A render reads an archived recording from a scratch folder beside it, removed afterwards.
class Unpacked {
  public:
    explicit Unpacked(const Recording& recording) {
        if (!recording.archived) {
            directory_ = recording.location;
            return;
        }
        scratch_ = recording.location.parent_path() / ("." + recording.camera + ".render");
        std::error_code ignored;
        std::filesystem::remove_all(scratch_, ignored);
        status_ = timelapse::extract_frame_archive(recording.location, scratch_);
        if (status_) directory_ = scratch_;
    }
    ~Unpacked() {
        std::error_code ignored;
        if (!scratch_.empty()) std::filesystem::remove_all(scratch_, ignored);
    }
    Unpacked(const Unpacked&) = delete;
    Unpacked& operator=(const Unpacked&) = delete;
    [[nodiscard]] const std::filesystem::path& directory() const { return directory_; }
    /// Why there is no directory (an archive that would not extract).
    [[nodiscard]] const Status& status() const { return status_; }

  private:
    Status status_;
    std::filesystem::path directory_;
    std::filesystem::path scratch_;
};

}  // namespace

Recordings::Recordings(std::filesystem::path timelapse_directory, Store& store, EventHub& events)
    : directory_(std::move(timelapse_directory)), store_(store), events_(events) {}

Recordings::~Recordings() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cancel_render_ = true;
    wake_.notify_all();
    if (worker_.joinable()) worker_.join();
}

Result<std::vector<TimelapseVideo>> Recordings::ready_videos() {
    return store_.with([](Database& db) { return Videos(db).ready(); });
}

std::vector<Recording> Recordings::scan(std::string_view only) {
    // Ready videos by their stem (`<stem>_<camera>`, a recording's name), as file names.
    std::map<std::string, std::string, std::less<>> videos;
    // Without the store's list every recording shows as unrendered, which only offers a render.
    const Result<std::vector<TimelapseVideo>> ready = ready_videos();
    for (const TimelapseVideo& video : ready ? *ready : std::vector<TimelapseVideo>{}) {
        const std::filesystem::path path(video.path);
        videos[path.stem().string()] = path.filename().string();
    }
    std::vector<Recording> found;
    std::error_code failure;
    for (const auto& print : std::filesystem::directory_iterator(directory_ / "frames", failure)) {
        if (!print.is_directory(failure)) continue;
        for (const auto& entry : std::filesystem::directory_iterator(print.path(), failure)) {
            const std::filesystem::path& path = entry.path();
            const bool archived = entry.is_regular_file(failure) && path.extension() == ".tar";
            // Scratch folders of renders in progress start with a dot.
            if ((!archived && !entry.is_directory(failure)) ||
                path.filename().string().starts_with("."))
                continue;
            Recording recording;
            recording.camera = archived ? path.stem().string() : path.filename().string();
            recording.name = print.path().filename().string() + "_" + recording.camera;
            if (!only.empty() && recording.name != only) continue;
            recording.location = path;
            recording.archived = archived;
            recording.bytes = bytes_under(path);
            recording.modified_unix_s = modified_s(path);
            // An archive's frames, or a directory whose index cannot be read, count as unknown
            // (0); rendering it says why.
            if (!archived)
                if (const auto frames = timelapse::load_frames(path))
                    recording.frames = frames->size();
            if (const auto video = videos.find(recording.name); video != videos.end())
                recording.video = video->second;
            found.push_back(std::move(recording));
        }
    }
    std::sort(found.begin(), found.end(), [](const Recording& a, const Recording& b) {
        return a.modified_unix_s > b.modified_unix_s;
    });
    return found;
}

std::vector<Recording> Recordings::list() {
    return scan({});
}

std::optional<Recording> Recordings::find(std::string_view name) {
    if (name.empty()) return std::nullopt;
    std::vector<Recording> found = scan(name);
    if (found.empty()) return std::nullopt;
    return std::move(found.front());
}

Result<std::vector<timelapse::Frame>> Recordings::frames(const Recording& recording) const {
    if (recording.archived)
        return fail(ErrorCode::conflict,
                    "the frames of " + recording.name +
                        " are archived; rendering it unpacks them for the render only");
    return timelapse::load_frames(recording.location);
}

std::filesystem::path Recordings::video_path(const std::string& name,
                                             timelapse::VideoFormat format) const {
    return directory_ / (name + extension_of(format));
}

Status Recordings::render(const std::string& name, const timelapse::RenderOptions& options) {
    if (!find(name)) return fail(ErrorCode::not_found, "no recording " + name);
    const std::lock_guard lock(mutex_);
    const bool queued =
        std::any_of(queue_.begin(), queue_.end(), [&](const Job& job) { return job.name == name; });
    if (queued || rendering_ == name)
        return fail(ErrorCode::busy, name + " is being rendered already");
    queue_.push_back({name, options});
    if (!worker_.joinable()) worker_ = std::thread([this] { work(); });
    wake_.notify_all();
    return {};
}

bool Recordings::rendering(std::string_view name) {
    const std::lock_guard lock(mutex_);
    return rendering_ == name || std::any_of(queue_.begin(), queue_.end(),
                                             [&](const Job& job) { return job.name == name; });
}

Status Recordings::remove(const std::string& name) {
    const std::optional<Recording> recording = find(name);
    if (!recording) return fail(ErrorCode::not_found, "no recording " + name);
    if (rendering(name)) return fail(ErrorCode::busy, name + " is being rendered");
    std::error_code failure;
    std::filesystem::remove_all(recording->location, failure);
    if (failure)
        return Error{error_code_of_errno(failure.value()),
                     "cannot delete " + recording->location.string() + ": " + failure.message()};
    // The print's folder goes with its last recording.
    const std::filesystem::path print = recording->location.parent_path();
    if (std::filesystem::is_empty(print, failure)) std::filesystem::remove(print, failure);
    return {};
}

void Recordings::work() {
    // Like the live render: a re-render yields the CPU to a print's streaming and to requests.
    (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        const Job job = std::move(queue_.front());
        queue_.pop_front();
        rendering_ = job.name;
        lock.unlock();
        render_now(job);
        lock.lock();
        rendering_.clear();  // Also when render_now returned early.
    }
}

void Recordings::render_now(const Job& job) {
    const std::filesystem::path video = video_path(job.name, job.options.format);
    const auto publish = [&](const char* type, const std::string& error) {
        std::ostringstream payload;
        JsonWriter json(payload);
        json.begin_object()
            .field("name", job.name)
            .field("movie", video.string())
            .field("movie_basename", video.filename().string());
        if (!error.empty()) json.field("error", error);
        json.end_object();
        events_.publish(type, payload.str());
    };
    timelapse::RenderResult result;
    const std::optional<Recording> recording = find(job.name);
    if (!recording) {
        publish("MovieFailed", "the recording was deleted before its render");
        return;
    }
    publish("MovieRendering", "");
    const Unpacked unpacked(*recording);
    Result<std::vector<timelapse::Frame>> frames =
        unpacked.status() ? timelapse::load_frames(unpacked.directory())
                          : Result<std::vector<timelapse::Frame>>(unpacked.status().error());
    if (!frames) {
        result.status = frames.error();
    } else if (frames->empty()) {
        result.status = fail(ErrorCode::not_found, "no frames");
    } else {
        timelapse::RenderOptions options = job.options;
        options.thumbnail = std::filesystem::path(video).replace_extension(".thumb.jpg");
        result = timelapse::render_frames(*frames, video, options, &cancel_render_);
    }
    {
        // Done before the video is listed: a client that sees it listed (or hears MovieDone)
        // may ask for another render of it at once, and must not be told one is running.
        const std::lock_guard lock(mutex_);
        rendering_.clear();
    }
    record_video(*recording, video, result);
    publish(result.status ? "MovieDone" : "MovieFailed",
            result.status ? "" : result.status.error().message);
}

void Recordings::record_video(const Recording& recording, const std::filesystem::path& video,
                              const timelapse::RenderResult& result) {
    if (!result.status) return;  // A failed render leaves the previous video, if any, as it was.
    std::error_code unknown_size;
    const auto size = std::filesystem::file_size(video, unknown_size);
    const Status recorded = store_.with([&](Database& db) -> Status {
        Videos videos(db);
        const Result<std::int64_t> job_id = videos.job_of_recording(recording.name);
        if (!job_id) return job_id.error();
        NewVideo row;
        row.job_id = *job_id;
        row.camera = recording.camera;
        row.path = video.string();
        row.thumbnail_path = std::filesystem::path(video).replace_extension(".thumb.jpg").string();
        row.size_bytes = unknown_size ? 0 : static_cast<std::int64_t>(size);
        row.frames = static_cast<std::int64_t>(result.frames_read);
        row.duration_s = result.duration_s;
        row.created_s = unix_now_s();
        return videos.record(row);
    });
    if (!recorded)
        log_message(LogLevel::warning, "strata serve: video %s not listed: %s\n", video.c_str(),
                    recorded.error().message.c_str());
}

}  // namespace strata::server
