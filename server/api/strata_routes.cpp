// strata's own API under /api/strata: a file's analysis and prepared job (layers, snapshot plan,
// time samples), the job history (with each job's timelapse videos) with interrupted jobs and
// their resume, and webhooks; plus
// /api/openapi.json and the plain status page at /.
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "json_body.hpp"
#include "routes.hpp"
#include "shapes.hpp"
#include "strata/server/webhooks.hpp"

namespace strata::server::api {
namespace {

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// Each job's ready timelapse videos (file names), for the history to link to.
std::map<std::int64_t, std::vector<std::string>> videos_by_job(Database& db) {
    std::map<std::int64_t, std::vector<std::string>> videos;
    std::string error;
    Statement select = db.prepare(
        "SELECT job_id, path FROM timelapses WHERE job_id IS NOT NULL AND state = 'ready' "
        "ORDER BY id",
        error);
    while (select.valid() && select.step(error) == Statement::Step::row)
        videos[select.int64(0)].push_back(
            std::filesystem::path(select.text(1)).filename().string());
    return videos;
}

}  // namespace

http::Response get_strata_file(Services& services, const Call& call) {
    const std::optional<StoredFile> file = services.library.find(call.captures[0]);
    if (!file) return http::Response::error(404, "no file " + call.captures[0]);
    const std::string index = file->index_path.empty() ? "" : read_text(file->index_path);
    const std::string origin = call.origin();
    return json_reply(200, [&](JsonWriter& json) {
        json.begin_object();
        json.key("file");
        write_file_item(json, *file, origin);
        if (index.empty())
            json.key("job").null();
        else
            json.key("job").raw(index);
        json.end_object();
    });
}

http::Response get_strata_jobs(Services& services, const Call& call) {
    const auto limit = static_cast<std::int64_t>(
        std::strtol(std::string(call.query_value("limit").value_or("100")).c_str(), nullptr, 10));
    return services.store.with([limit](Database& db) {
        const std::map<std::int64_t, std::vector<std::string>> videos = videos_by_job(db);
        std::string error;
        Statement select = db.prepare(
            "SELECT id, file_name, state, started_s, coalesce(ended_s, 0), progress_percent, "
            "last_line, layer, z_mm, elapsed_s, coalesce(result, ''), "
            "coalesce(resumed_from, 0) FROM jobs ORDER BY id DESC LIMIT ?",
            error);
        if (!select.valid()) return http::Response::error(500, error);
        select.bind(1, limit < 1 ? 100 : limit);
        return json_reply(200, [&](JsonWriter& json) {
            json.begin_object().key("jobs").begin_array();
            while (select.step(error) == Statement::Step::row) {
                json.begin_object();
                json.field("id", select.int64(0)).field("file", select.text(1));
                json.field("state", select.text(2)).field("started", select.real(3));
                if (select.real(4) > 0.0)
                    json.field("ended", select.real(4));
                else
                    json.key("ended").null();
                json.field("completion", select.real(5)).field("last_line", select.int64(6));
                json.field("layer", select.int64(7) + 1).field("z", select.real(8));
                json.field("print_time", select.real(9)).field("result", select.text(10));
                if (select.int64(11) != 0)
                    json.field("resumed_from", select.int64(11));
                else
                    json.key("resumed_from").null();
                json.key("timelapses").begin_array();
                if (const auto found = videos.find(select.int64(0)); found != videos.end()) {
                    for (const std::string& name : found->second) {
                        json.begin_object().field("name", name);
                        json.field("url", "/downloads/timelapse/" + url_path(name)).end_object();
                    }
                }
                json.end_array();
                json.end_object();
            }
            json.end_array().end_object();
        });
    });
}

http::Response post_strata_job_resume(Services& services, const Call& call) {
    char* end = nullptr;
    const std::int64_t id = std::strtoll(call.captures[0].c_str(), &end, 10);
    if (end == call.captures[0].c_str() || *end != '\0' || id <= 0)
        return http::Response::error(400, "job id must be a positive number");
    std::string error;
    const Refusal refusal = services.printer.resume_interrupted(id, error);
    if (refusal == Refusal::no_file) return http::Response::error(404, error);
    if (refusal != Refusal::none) return refused(error);
    return http::Response::empty(204);
}

http::Response get_webhooks(Services& services, const Call&) {
    return services.store.with([](Database& db) {
        std::string error;
        Statement select =
            db.prepare("SELECT id, url, event_types, enabled FROM webhooks ORDER BY id", error);
        if (!select.valid()) return http::Response::error(500, error);
        return json_reply(200, [&](JsonWriter& json) {
            json.begin_object().key("webhooks").begin_array();
            while (select.step(error) == Statement::Step::row) {
                json.begin_object().field("id", select.int64(0)).field("url", select.text(1));
                json.field("events", select.text(2)).field("enabled", select.int64(3) != 0);
                json.end_object();
            }
            json.end_array().end_object();
        });
    });
}

http::Response post_webhook(Services& services, const Call& call) {
    JsonBody body;
    if (std::optional<http::Response> refused = read_body(call, body)) return *refused;
    std::string error;
    const std::optional<std::string> url = body.string("url");
    if (!url || !(url->starts_with("http://") || url->starts_with("https://")))
        return http::Response::error(400, "url: an http:// or https:// address is needed");
    // A list of event names, or "*" (or a comma-separated string of names): anything else is
    // refused, never quietly stored as "*".
    std::string events = "*";
    if (body.has("events")) {
        if (const std::optional<std::string> text = body.string("events")) {
            events = *text;
        } else if (const std::optional<std::vector<std::string>> names = body.strings("events")) {
            events.clear();
            for (const std::string& name : *names) {
                if (name.empty() || name.find_first_of(", ") != std::string::npos)
                    return http::Response::error(400, "events: '" + name + "' is no event name");
                events += (events.empty() ? "" : ",") + name;
            }
        } else {
            return http::Response::error(400, "events: a list of event names or \"*\" is needed");
        }
    }
    if (events.empty()) return http::Response::error(400, "events: a list or * is needed");
    const std::string secret = body.string("secret").value_or(generate_secret(32));
    if (secret.size() < 16) return http::Response::error(400, "secret: at least 16 characters");
    std::int64_t id = 0;
    const bool added = services.store.with([&](Database& db) {
        return WebhookQueue(db).add_webhook(*url, secret, events, unix_now_s(), id, error);
    });
    if (!added) return http::Response::error(400, error);
    http::Response answer = json_reply(201, [&](JsonWriter& json) {
        json.begin_object().field("id", id).field("url", *url).field("events", events);
        json.field("secret", secret).end_object();
    });
    answer.add_header("Cache-Control", "no-store");  // It carries the signing secret.
    return answer;
}

http::Response delete_webhook(Services& services, const Call& call) {
    const std::int64_t id = std::strtoll(call.captures[0].c_str(), nullptr, 10);
    const bool removed = services.store.with([id](Database& db) {
        std::string error;
        Statement remove = db.prepare("DELETE FROM webhooks WHERE id = ?", error);
        if (!remove.valid() || !remove.bind(1, id).run(error)) return false;
        Statement changes = db.prepare("SELECT changes()", error);
        return changes.valid() && changes.step(error) == Statement::Step::row &&
               changes.int64(0) > 0;
    });
    if (!removed) return http::Response::error(404, "no webhook " + call.captures[0]);
    return http::Response::empty(204);
}

http::Response get_openapi(Services& services, const Call&) {
    return http::Response::json(200, openapi_json(services.config.version));
}

}  // namespace strata::server::api
