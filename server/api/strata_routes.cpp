// strata's own API under /api/strata: a file's analysis and prepared job (layers, snapshot plan,
// time samples), the job history (with each job's timelapse videos) with interrupted jobs and
// their resume, and webhooks; plus
// /api/openapi.json.
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "json_body.hpp"
#include "routes.hpp"
#include "shapes.hpp"
#include "strata/server/job_records.hpp"
#include "strata/server/videos.hpp"
#include "strata/server/webhooks.hpp"

namespace strata::server::api {
namespace {

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
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

namespace {

void write_job_record(JsonWriter& json, const JobRecord& job,
                      const std::map<std::int64_t, std::vector<std::string>>& videos) {
    json.begin_object();
    json.field("id", job.id).field("file", job.file_name);
    json.field("state", job.state).field("started", job.started_s);
    if (job.ended_s > 0.0)
        json.field("ended", job.ended_s);
    else
        json.key("ended").null();
    json.field("completion", job.progress_percent).field("last_line", job.last_line);
    json.field("layer", job.layer + 1).field("z", job.z_mm);
    json.field("print_time", job.elapsed_s).field("result", job.result);
    if (job.resumed_from != 0)
        json.field("resumed_from", job.resumed_from);
    else
        json.key("resumed_from").null();
    json.key("timelapses").begin_array();
    if (const auto found = videos.find(job.id); found != videos.end()) {
        for (const std::string& name : found->second) {
            json.begin_object().field("name", name);
            json.field("url", "/downloads/timelapse/" + url_path(name)).end_object();
        }
    }
    json.end_array();
    json.end_object();
}

}  // namespace

http::Response get_strata_jobs(Services& services, const Call& call) {
    const auto limit = static_cast<std::int64_t>(
        std::strtol(std::string(call.query_value("limit").value_or("100")).c_str(), nullptr, 10));
    Result<std::vector<JobRecord>> jobs = fail(ErrorCode::internal, "not read");
    Result<std::map<std::int64_t, std::vector<std::string>>> videos = jobs.error();
    services.store.with([&](Database& db) {
        jobs = JobRecords(db).newest(limit < 1 ? 100 : limit);
        videos = Videos(db).ready_by_job();
    });
    if (!jobs) return http::Response::error(500, jobs.error().message);
    if (!videos) return http::Response::error(500, videos.error().message);
    return json_reply(200, [&](JsonWriter& json) {
        json.begin_object().key("jobs").begin_array();
        for (const JobRecord& job : *jobs)
            write_job_record(json, job, *videos);
        json.end_array().end_object();
    });
}

http::Response post_strata_job_resume(Services& services, const Call& call) {
    char* end = nullptr;
    const std::int64_t id = std::strtoll(call.captures[0].c_str(), &end, 10);
    if (end == call.captures[0].c_str() || *end != '\0' || id <= 0)
        return http::Response::error(400, "job id must be a positive number");
    const Status resumed = services.printer.resume_interrupted(id);
    if (!resumed && resumed.error().code == ErrorCode::not_found)
        return http::Response::error(404, resumed.error().message);
    if (!resumed) return refused(resumed.error().message);
    return http::Response::empty(204);
}

http::Response get_webhooks(Services& services, const Call&) {
    const Result<std::vector<Webhook>> webhooks =
        services.store.with([](Database& db) { return WebhookQueue(db).webhooks(); });
    if (!webhooks) return http::Response::error(500, webhooks.error().message);
    return json_reply(200, [&](JsonWriter& json) {
        json.begin_object().key("webhooks").begin_array();
        for (const Webhook& webhook : *webhooks) {
            json.begin_object().field("id", webhook.id).field("url", webhook.url);
            json.field("events", webhook.event_types).field("enabled", webhook.enabled);
            json.end_object();
        }
        json.end_array().end_object();
    });
}

http::Response post_webhook(Services& services, const Call& call) {
    JsonBody body;
    if (std::optional<http::Response> refused = read_body(call, body)) return *refused;
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
    const Result<std::int64_t> added = services.store.with([&](Database& db) {
        return WebhookQueue(db).add_webhook(*url, secret, events, unix_now_s());
    });
    if (!added)
        return http::Response::error(added.error().code == ErrorCode::invalid ? 400 : 500,
                                     added.error().message);
    const std::int64_t id = *added;
    http::Response answer = json_reply(201, [&](JsonWriter& json) {
        json.begin_object().field("id", id).field("url", *url).field("events", events);
        json.field("secret", secret).end_object();
    });
    answer.add_header("Cache-Control", "no-store");  // It carries the signing secret.
    return answer;
}

http::Response delete_webhook(Services& services, const Call& call) {
    const std::int64_t id = std::strtoll(call.captures[0].c_str(), nullptr, 10);
    const Result<bool> removed =
        services.store.with([id](Database& db) { return WebhookQueue(db).remove_webhook(id); });
    if (!removed) return http::Response::error(500, removed.error().message);
    if (!*removed) return http::Response::error(404, "no webhook " + call.captures[0]);
    return http::Response::empty(204);
}

http::Response get_openapi(Services& services, const Call&) {
    return http::Response::json(200, openapi_json(services.config.version));
}

}  // namespace strata::server::api
