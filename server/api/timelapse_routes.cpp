// /api/timelapse (the rendered videos, OctoPrint's list shape), one video (a redirect to its
// download, as OctoPrint does), deleting one, and /downloads/timelapse with Range (browsers
// seek in a video by asking for slices). A name is only ever looked up in the store, so a
// request cannot reach a file the store does not list.
#include "routes.hpp"
#include "shapes.hpp"

namespace strata::server::api {
namespace {

std::optional<TimelapseVideo> video_named(Services& services, std::string_view name) {
    for (TimelapseVideo& video : services.recordings.ready_videos())
        if (std::filesystem::path(video.path).filename() == name) return std::move(video);
    return std::nullopt;
}

http::Response timelapse_list(Services& services, bool unrendered) {
    const std::vector<TimelapseVideo> videos = services.recordings.ready_videos();
    const bool enabled = !services.config.printer.cameras.empty();
    return json_reply(200, [&](JsonWriter& json) {
        json.begin_object();
        json.key("config");
        write_timelapse_config(json, services.config);
        json.field("enabled", enabled);
        json.key("files").begin_array();
        for (const TimelapseVideo& video : videos) {
            const std::string name = std::filesystem::path(video.path).filename().string();
            json.begin_object();
            json.field("name", name);
            json.field("size", human_size(video.size_bytes));
            json.field("bytes", video.size_bytes);
            json.field("date", date_text(video.created_s));
            json.field("timestamp", video.created_s);
            json.field("url", "/downloads/timelapse/" + url_path(name));
            if (!video.thumbnail_path.empty() && std::filesystem::exists(video.thumbnail_path))
                json.field(
                    "thumbnail",
                    "/downloads/timelapse/" +
                        url_path(std::filesystem::path(video.thumbnail_path).filename().string()));
            json.end_object();
        }
        json.end_array();
        if (unrendered) write_unrendered(json, services);
        json.end_object();
    });
}

std::string video_type(const std::filesystem::path& path) {
    const std::string extension = path.extension().string();
    if (extension == ".webm") return "video/webm";
    if (extension == ".gif") return "image/gif";
    if (extension == ".jpg") return "image/jpeg";
    return "video/mp4";
}

}  // namespace

// strata takes a snapshot at each layer change, which is OctoPrint's "zchange" timelapse.
void write_timelapse_config(JsonWriter& json, const ServerConfig& config) {
    const bool enabled = !config.printer.cameras.empty();
    json.begin_object().field("type", enabled ? "zchange" : "off").end_object();
}

http::Response get_timelapses(Services& services, const Call& call) {
    return timelapse_list(services, call.query_flag("unrendered"));
}

http::Response get_timelapse(Services& services, const Call& call) {
    const std::string& name = call.captures[0];
    if (!video_named(services, name)) return http::Response::error(404, "no timelapse " + name);
    http::Response response = http::Response::empty(302);
    response.add_header("Location", "/downloads/timelapse/" + url_path(name));
    return response;
}

http::Response delete_timelapse(Services& services, const Call& call) {
    const std::optional<TimelapseVideo> video = video_named(services, call.captures[0]);
    if (!video) return http::Response::error(404, "no timelapse " + call.captures[0]);
    std::error_code ignored;
    std::filesystem::remove(video->path, ignored);
    if (!video->thumbnail_path.empty()) std::filesystem::remove(video->thumbnail_path, ignored);
    services.store.with([&video](Database& db) {
        std::string unused;
        Statement remove = db.prepare("DELETE FROM timelapses WHERE id = ?", unused);
        return remove.valid() && remove.bind(1, video->id).run(unused);
    });
    return timelapse_list(services, false);
}

http::Response download_timelapse(Services& services, const Call& call) {
    const std::string& name = call.captures[0];
    for (const TimelapseVideo& video : services.recordings.ready_videos()) {
        const std::filesystem::path path(video.path);
        const std::filesystem::path thumbnail(video.thumbnail_path);
        if (path.filename() == name) return file_answer(call, path, video_type(path));
        if (!video.thumbnail_path.empty() && thumbnail.filename() == name)
            return file_answer(call, thumbnail, "image/jpeg");
    }
    return http::Response::error(404, "no timelapse " + name);
}

}  // namespace strata::server::api
