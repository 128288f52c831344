// /api/timelapse (the rendered videos, OctoPrint's list shape, and its configuration, which a
// POST changes), one video (a redirect to its
// download, as OctoPrint does), deleting one, and /downloads/timelapse with Range (browsers
// seek in a video by asking for slices). A name is only ever looked up in the store, so a
// request cannot reach a file the store does not list.
#include <tuple>

#include "json_body.hpp"
#include "routes.hpp"
#include "shapes.hpp"

namespace strata::server::api {
namespace {

// The ready video of that file name; nothing when there is none.
Result<std::optional<TimelapseVideo>> video_named(Services& services, std::string_view name) {
    Result<std::vector<TimelapseVideo>> videos = services.recordings.ready_videos();
    if (!videos) return videos.take_error();
    for (TimelapseVideo& video : *videos)
        if (std::filesystem::path(video.path).filename() == name)
            return std::optional<TimelapseVideo>(std::move(video));
    return std::optional<TimelapseVideo>();
}

http::Response timelapse_list(Services& services, bool unrendered) {
    const Result<std::vector<TimelapseVideo>> ready = services.recordings.ready_videos();
    if (!ready) return http::Response::error(500, ready.error().message);
    const std::vector<TimelapseVideo>& videos = *ready;
    const bool enabled = services.printer.can_capture();
    return json_reply(200, [&](JsonWriter& json) {
        json.begin_object();
        json.key("config");
        write_timelapse_config(json, services.printer);
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
void write_timelapse_config(JsonWriter& json, PrinterService& printer) {
    write_timelapse_settings(json, printer.timelapse_settings(), printer.can_capture());
}

namespace {

// `name` from the body into `out` when present: a number above `low` (or at it, with
// `low_allowed`) and at most `high`; OctoPrint's "<name> is invalid" otherwise.
std::optional<http::Response> config_number(const JsonBody& body, const char* name, double low,
                                            bool low_allowed, double high, double& out) {
    if (!body.has(name)) return std::nullopt;
    const std::optional<double> value = body.number(name);
    if (!value || *value < low || (*value == low && !low_allowed) || *value > high)
        return http::Response::error(400, std::string(name) + " is invalid");
    out = *value;
    return std::nullopt;
}

}  // namespace

// As OctoPrint: a body with `type` replaces the whole configuration (what it leaves out gets
// OctoPrint's defaults); `save` keeps it across restarts. Applies from the next job on.
http::Response post_timelapse_config(Services& services, const Call& call) {
    JsonBody body;
    if (std::optional<http::Response> refused = read_body(call, body)) return *refused;
    if (!body.has("type")) return timelapse_list(services, false);
    const std::optional<std::string> type_text = body.string("type");
    const std::optional<TimelapseType> type =
        type_text ? parse_timelapse_type(*type_text) : std::nullopt;
    if (!type) return http::Response::error(400, "type is invalid: off, zchange or timed");
    TimelapseSettings settings;
    settings.type = *type;
    settings.fps = 25.0;
    using Field = std::tuple<const char*, double, bool, double, double*>;
    for (const auto& [name, low, low_allowed, high, out] :
         {Field{"postRoll", 0.0, true, 3600.0, &settings.post_roll_s},
          Field{"fps", 0.0, false, 120.0, &settings.fps},
          Field{"interval", 0.0, false, 86400.0, &settings.interval_s},
          Field{"retractionZHop", 0.0, true, 100.0, &settings.retraction_zhop_mm},
          Field{"minDelay", 0.0, false, 3600.0, &settings.min_delay_s}})
        if (auto refused = config_number(body, name, low, low_allowed, high, *out)) return *refused;
    if (body.has("renderAfterPrint")) {
        const std::optional<std::string> text = body.string("renderAfterPrint");
        const std::optional<RenderAfterPrint> when =
            text ? parse_render_after_print(*text) : std::nullopt;
        if (!when) return http::Response::error(400, "renderAfterPrint is invalid");
        settings.render_after_print = *when;
    }
    const bool save = body.flag("save").value_or(false);
    if (const Status kept = services.printer.configure_timelapse(settings, save); !kept)
        return http::Response::error(
            500, "the timelapse configuration was not saved: " + kept.error().message);
    services.push.timelapse_changed();
    return timelapse_list(services, false);
}

http::Response get_timelapses(Services& services, const Call& call) {
    return timelapse_list(services, call.query_flag("unrendered"));
}

http::Response get_timelapse(Services& services, const Call& call) {
    const std::string& name = call.captures[0];
    const Result<std::optional<TimelapseVideo>> video = video_named(services, name);
    if (!video) return http::Response::error(500, video.error().message);
    if (!*video) return http::Response::error(404, "no timelapse " + name);
    http::Response response = http::Response::empty(302);
    response.add_header("Location", "/downloads/timelapse/" + url_path(name));
    return response;
}

http::Response delete_timelapse(Services& services, const Call& call) {
    const Result<std::optional<TimelapseVideo>> found = video_named(services, call.captures[0]);
    if (!found) return http::Response::error(500, found.error().message);
    if (!*found) return http::Response::error(404, "no timelapse " + call.captures[0]);
    const TimelapseVideo& video = **found;
    // The row first: a video the store no longer lists is gone for every client, and a file
    // left behind by a failed remove is only disk space.
    const Status removed =
        services.store.with([&video](Database& db) { return Videos(db).remove(video.id); });
    if (!removed) return http::Response::error(500, removed.error().message);
    std::error_code left_behind;
    std::filesystem::remove(video.path, left_behind);
    if (!video.thumbnail_path.empty()) std::filesystem::remove(video.thumbnail_path, left_behind);
    return timelapse_list(services, false);
}

http::Response download_timelapse(Services& services, const Call& call) {
    const std::string& name = call.captures[0];
    const Result<std::vector<TimelapseVideo>> videos = services.recordings.ready_videos();
    if (!videos) return http::Response::error(500, videos.error().message);
    for (const TimelapseVideo& video : *videos) {
        const std::filesystem::path path(video.path);
        const std::filesystem::path thumbnail(video.thumbnail_path);
        if (path.filename() == name) return file_answer(call, path, video_type(path));
        if (!video.thumbnail_path.empty() && thumbnail.filename() == name)
            return file_answer(call, thumbnail, "image/jpeg");
    }
    return http::Response::error(404, "no timelapse " + name);
}

}  // namespace strata::server::api
