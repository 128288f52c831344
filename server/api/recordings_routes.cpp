// Recordings, the frame sets timelapses are rendered from: strata's /api/strata/recordings (list,
// frames with their metadata, one frame's JPEG, a render with other settings, delete) and
// OctoPrint's unrendered timelapses (listed by GET /api/timelapse?unrendered=true, rendered or
// deleted under /api/timelapse/unrendered/NAME). A recording the running job is still capturing
// can be neither rendered nor deleted.
#include <charconv>

#include "json_body.hpp"
#include "routes.hpp"
#include "shapes.hpp"

namespace strata::server::api {
namespace {

bool being_recorded(Services& services, const Recording& recording) {
    const std::string prefix = services.printer.recording_prefix();
    return !prefix.empty() && recording.name.starts_with(prefix);
}

void write_recording(JsonWriter& json, Services& services, const Recording& recording) {
    json.begin_object();
    json.field("name", recording.name).field("camera", recording.camera);
    json.field("frames", static_cast<std::uint64_t>(recording.frames));
    json.field("bytes", recording.bytes).field("archived", recording.archived);
    json.field("modified", recording.modified_unix_s);
    json.field("recording", being_recorded(services, recording));
    json.field("rendering", services.recordings.rendering(recording.name));
    if (!recording.video.empty()) {
        json.field("video", recording.video);
        json.field("video_url", "/downloads/timelapse/" + url_path(recording.video));
    }
    json.end_object();
}

// The recording a call names, or the answer why not.
std::optional<Recording> named(Services& services, const Call& call,
                               std::optional<http::Response>& refusal) {
    std::optional<Recording> recording = services.recordings.find(call.captures[0]);
    if (!recording) refusal = http::Response::error(404, "no recording " + call.captures[0]);
    return recording;
}

// The settings among a render's that are choices: rotation, flips, the overlay and its corner.
std::optional<http::Response> read_render_choices(const JsonBody& body,
                                                  timelapse::RenderOptions& options) {
    if (body.has("rotate")) {
        const std::optional<double> degrees = body.number("rotate");
        const timelapse::Rotation rotations[] = {
            timelapse::Rotation::none, timelapse::Rotation::cw90, timelapse::Rotation::cw180,
            timelapse::Rotation::cw270};
        if (!degrees || *degrees < 0 || *degrees > 270 || static_cast<int>(*degrees) % 90 != 0)
            return field_error("rotate", "0, 90, 180 or 270 (clockwise)");
        options.transform.rotation = rotations[static_cast<int>(*degrees) / 90];
    }
    for (const auto& [name, target] : {std::pair{"flip_h", &options.transform.flip_horizontal},
                                       std::pair{"flip_v", &options.transform.flip_vertical}}) {
        if (!body.has(name)) continue;
        const std::optional<bool> flag = body.flag(name);
        if (!flag) return field_error(name, "true or false");
        *target = *flag;
    }
    if (body.has("overlay")) {
        const std::optional<std::string> text = body.string("overlay");
        if (!text) return field_error("overlay", "a text template");
        options.overlay.text_template = *text;
    }
    if (const auto corner = body.string("corner")) {
        const char* corners[] = {"tl", "tr", "bl", "br"};
        const auto* found = std::find(std::begin(corners), std::end(corners), *corner);
        if (found == std::end(corners)) return field_error("corner", "one of tl, tr, bl, br");
        options.overlay.corner = static_cast<timelapse::Corner>(found - std::begin(corners));
    }
    return std::nullopt;
}

// The render settings a body may give; unknown fields are refused by name.
std::optional<http::Response> read_render_options(const JsonBody& body,
                                                  timelapse::RenderOptions& options) {
    static const char* const known[] = {
        "format", "fps",    "length_s", "min_fps", "max_fps", "pre_roll_s", "post_roll_s",
        "crf",    "rotate", "flip_h",   "flip_v",  "overlay", "corner",     "command"};
    if (body.root().IsObject()) {
        for (const auto& member : body.root().GetObject()) {
            const std::string name = member.name.GetString();
            if (std::find(std::begin(known), std::end(known), name) == std::end(known))
                return field_error(name, "not a render setting");
        }
    }
    if (const auto format = body.string("format")) {
        if (*format == "mp4")
            options.format = timelapse::VideoFormat::mp4_h264;
        else if (*format == "webm")
            options.format = timelapse::VideoFormat::webm_vp9;
        else if (*format == "gif")
            options.format = timelapse::VideoFormat::gif;
        else
            return field_error("format", "one of mp4, webm, gif");
    }
    const std::pair<const char*, double*> numbers[] = {{"fps", &options.fps},
                                                       {"length_s", &options.run_length_s},
                                                       {"min_fps", &options.min_fps},
                                                       {"max_fps", &options.max_fps},
                                                       {"pre_roll_s", &options.pre_roll_s},
                                                       {"post_roll_s", &options.post_roll_s}};
    for (const auto& [name, target] : numbers) {
        if (!body.has(name)) continue;
        const std::optional<double> value = body.number(name);
        if (!value) return field_error(name, "a number");
        *target = *value;
    }
    if (body.has("crf")) {
        const std::optional<double> crf = body.number("crf");
        if (!crf || *crf != static_cast<int>(*crf)) return field_error("crf", "a whole number");
        options.crf = static_cast<int>(*crf);
    }
    if (auto bad = read_render_choices(body, options)) return bad;
    if (const Status valid = timelapse::validate(options); !valid)
        return field_error("options", valid.error().message);
    return std::nullopt;
}

// Queues the render, or says why not: 404 unknown, 409 still recorded or rendering already.
http::Response queue_render(Services& services, const Recording& recording,
                            const timelapse::RenderOptions& options, int accepted_status) {
    if (being_recorded(services, recording))
        return http::Response::error(409, recording.name + " is still being recorded");
    if (const Status queued = services.recordings.render(recording.name, options); !queued)
        return http::Response::error(409, queued.error().message);
    if (accepted_status == 204) return http::Response::empty(204);
    const std::filesystem::path video =
        services.recordings.video_path(recording.name, options.format);
    return json_reply(accepted_status, [&](JsonWriter& json) {
        json.begin_object().field("name", recording.name);
        json.field("movie", video.filename().string());
        json.field("url", "/downloads/timelapse/" + url_path(video.filename().string()));
        json.end_object();
    });
}

http::Response remove_recording(Services& services, const Recording& recording) {
    if (being_recorded(services, recording))
        return http::Response::error(409, recording.name + " is still being recorded");
    if (const Status removed = services.recordings.remove(recording.name); !removed)
        return http::Response::error(409, removed.error().message);
    return http::Response::empty(204);
}

}  // namespace

void write_unrendered(JsonWriter& json, Services& services) {
    json.key("unrendered").begin_array();
    for (const Recording& recording : services.recordings.list()) {
        if (!recording.video.empty()) continue;
        const bool rendering = services.recordings.rendering(recording.name);
        json.begin_object();
        json.field("name", recording.name);
        json.field("size", human_size(static_cast<std::int64_t>(recording.bytes)));
        json.field("bytes", recording.bytes);
        json.field("date", date_text(recording.modified_unix_s));
        json.field("timestamp", recording.modified_unix_s);
        json.field("recording", being_recorded(services, recording));
        json.field("rendering", rendering).field("processing", rendering);
        json.end_object();
    }
    json.end_array();
}

http::Response get_recordings(Services& services, const Call&) {
    const std::vector<Recording> recordings = services.recordings.list();
    return json_reply(200, [&](JsonWriter& json) {
        json.begin_object().key("recordings").begin_array();
        for (const Recording& recording : recordings)
            write_recording(json, services, recording);
        json.end_array().end_object();
    });
}

http::Response get_recording_frames(Services& services, const Call& call) {
    std::optional<http::Response> refusal;
    const std::optional<Recording> recording = named(services, call, refusal);
    if (!recording) return std::move(*refusal);
    const Result<std::vector<timelapse::Frame>> listed = services.recordings.frames(*recording);
    if (!listed) return http::Response::error(409, listed.error().message);
    const std::vector<timelapse::Frame>& frames = *listed;
    return json_reply(200, [&](JsonWriter& json) {
        json.begin_object().field("name", recording->name).key("frames").begin_array();
        for (std::size_t index = 0; index < frames.size(); ++index) {
            const timelapse::FrameInfo& info = frames[index].info;
            json.begin_object().field("index", static_cast<std::uint64_t>(index));
            json.field("snapshot", info.snapshot).field("layer", info.layer);
            json.field("z_mm", info.z_mm).field("elapsed_s", info.elapsed_s);
            json.field("progress_percent", info.progress_percent);
            json.field("captured", info.captured_unix_s);
            json.field("url", "/api/strata/recordings/" + url_path(recording->name) + "/frames/" +
                                  std::to_string(index));
            json.end_object();
        }
        json.end_array().end_object();
    });
}

http::Response get_recording_frame(Services& services, const Call& call) {
    std::optional<http::Response> refusal;
    const std::optional<Recording> recording = named(services, call, refusal);
    if (!recording) return std::move(*refusal);
    const std::string& text = call.captures[1];
    std::size_t index = 0;
    const auto [end, code] = std::from_chars(text.data(), text.data() + text.size(), index);
    if (code != std::errc() || end != text.data() + text.size())
        return http::Response::error(400, "a frame is named by its index, not '" + text + "'");
    const Result<std::vector<timelapse::Frame>> listed = services.recordings.frames(*recording);
    if (!listed) return http::Response::error(409, listed.error().message);
    const std::vector<timelapse::Frame>& frames = *listed;
    if (index >= frames.size())
        return http::Response::error(
            404, recording->name + " has " + std::to_string(frames.size()) + " frames");
    return file_answer(call, frames[index].path, "image/jpeg");
}

http::Response post_recording_render(Services& services, const Call& call) {
    std::optional<http::Response> refusal;
    const std::optional<Recording> recording = named(services, call, refusal);
    if (!recording) return std::move(*refusal);
    timelapse::RenderOptions options;
    if (!call.body.empty()) {
        JsonBody body;
        if (auto bad = read_body(call, body)) return std::move(*bad);
        if (auto bad = read_render_options(body, options)) return std::move(*bad);
    }
    return queue_render(services, *recording, options, 202);
}

http::Response delete_recording(Services& services, const Call& call) {
    std::optional<http::Response> refusal;
    const std::optional<Recording> recording = named(services, call, refusal);
    if (!recording) return std::move(*refusal);
    return remove_recording(services, *recording);
}

http::Response post_unrendered(Services& services, const Call& call) {
    JsonBody body;
    std::string command;
    if (auto bad = read_command(call, body, command)) return std::move(*bad);
    if (command != "render") return http::Response::error(400, "unknown command " + command);
    std::optional<http::Response> refusal;
    const std::optional<Recording> recording = named(services, call, refusal);
    if (!recording) return std::move(*refusal);
    return queue_render(services, *recording, timelapse::RenderOptions{}, 204);
}

}  // namespace strata::server::api
