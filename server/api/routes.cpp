// Every route the server answers, in one table: method, path pattern, the least role, the
// handler, and a summary for the OpenAPI document. Nothing is reachable that is not listed here;
// a test walks this table to check each route refuses a caller without credentials.
#include "routes.hpp"

#include "shapes.hpp"

namespace strata::server::api {
namespace {

using enum Access;

constexpr Route table[] = {
    // OctoPrint-compatible.
    {"GET", "/api/version", viewer, get_version, nullptr, "API and server version"},
    {"GET", "/api/server", viewer, get_server, nullptr, "Server version and safe mode"},
    {"POST", "/api/login", anyone, post_login, nullptr, "Log in (user/pass) or report (passive)"},
    {"POST", "/api/logout", anyone, post_logout, nullptr, "End the session"},
    {"GET", "/api/currentuser", viewer, get_currentuser, nullptr, "The caller"},
    {"GET", "/api/settings", viewer, get_settings, nullptr, "Settings clients read"},
    {"POST", "/api/settings", admin, post_settings, nullptr,
     "Change settings (temperature.profiles)"},
    {"GET", "/api/printerprofiles", viewer, get_printerprofiles, nullptr, "Printer profiles"},
    {"POST", "/api/printerprofiles", admin, post_printerprofile, nullptr,
     "Add a printer profile (profile: id, name, model, volume; basedOn)"},
    {"GET", "/api/printerprofiles/{id}", viewer, get_printerprofile, nullptr, "A printer profile"},
    {"PATCH", "/api/printerprofiles/{id}", admin, patch_printerprofile, nullptr,
     "Change a printer profile (profile: name, model, volume, default)"},
    {"DELETE", "/api/printerprofiles/{id}", admin, delete_printerprofile, nullptr,
     "Delete a printer profile (not the default)"},
    {"GET", "/api/files", viewer, get_files, nullptr, "All files"},
    {"GET", "/api/files/{origin}", viewer, get_files, nullptr, "Files of an origin"},
    {"POST", "/api/files/{origin}", operator_, nullptr, post_upload,
     "Upload (multipart: file, path, select, print)"},
    {"GET", "/api/files/{origin}/{path*}", viewer, get_file, nullptr, "A file or folder"},
    {"POST", "/api/files/{origin}/{path*}", operator_, post_file_command, nullptr,
     "File command: select (print), unselect, analyse"},
    {"DELETE", "/api/files/{origin}/{path*}", operator_, delete_file, nullptr,
     "Delete a file or folder"},
    {"GET", "/downloads/files/{origin}/{path*}", viewer, download_file, nullptr,
     "A file's bytes (Range)"},
    {"GET", "/api/job", viewer, get_job, nullptr, "The current job and its progress"},
    {"POST", "/api/job", operator_, post_job, nullptr,
     "Job command: start, restart (when paused), cancel, pause"},
    {"GET", "/api/printer", viewer, get_printer, nullptr,
     "Printer state and temperatures (history=true&limit=N: recent reports)"},
    {"POST", "/api/printer/command", operator_, post_printer_command, nullptr,
     "Send G-code commands"},
    {"GET", "/api/printer/command/custom", viewer, get_custom_controls, nullptr,
     "Custom command buttons"},
    {"GET", "/api/printer/tool", viewer, get_printer_tool, nullptr,
     "Tool temperatures (history=true&limit=N)"},
    {"POST", "/api/printer/tool", operator_, post_printer_tool, nullptr,
     "Tool command: target, select, extrude, flowrate"},
    {"GET", "/api/printer/bed", viewer, get_printer_bed, nullptr,
     "Bed temperature (history=true&limit=N)"},
    {"POST", "/api/printer/bed", operator_, post_printer_bed, nullptr, "Bed command: target"},
    {"POST", "/api/printer/printhead", operator_, post_printhead, nullptr,
     "Printhead command: jog, home, feedrate"},
    {"GET", "/api/connection", viewer, get_connection, nullptr, "Connection state and options"},
    {"POST", "/api/connection", operator_, post_connection, nullptr,
     "Connection command: connect, disconnect"},
    {"GET", "/api/timelapse", viewer, get_timelapses, nullptr, "Rendered timelapses"},
    {"POST", "/api/timelapse", admin, post_timelapse_config, nullptr,
     "Timelapse configuration: type (off, zchange, timed), fps, postRoll, interval, "
     "renderAfterPrint, save"},
    {"GET", "/api/timelapse/{name}", viewer, get_timelapse, nullptr,
     "A timelapse (redirect to its download)"},
    {"DELETE", "/api/timelapse/{name}", operator_, delete_timelapse, nullptr, "Delete a timelapse"},
    {"GET", "/downloads/timelapse/{name}", viewer, download_timelapse, nullptr,
     "A timelapse's bytes (Range)"},
    {"POST", "/api/timelapse/unrendered/{name}", operator_, post_unrendered, nullptr,
     "Render an unrendered timelapse (command: render)"},
    {"DELETE", "/api/timelapse/unrendered/{name}", operator_, delete_recording, nullptr,
     "Delete an unrendered timelapse's frames"},
    {"GET", "/api/system/commands", admin, get_system_commands, nullptr,
     "System commands by source (none: strata runs no shell commands)"},
    {"GET", "/api/system/commands/{source}", admin, get_system_commands_of, nullptr,
     "System commands of a source: core, plugin, custom"},
    {"POST", "/api/system/commands/{source}/{command}", admin, post_system_command, nullptr,
     "Run a system command (none is available: 404, as OctoPrint for an unknown one)"},
    {"GET", "/api/languages", viewer, get_languages, nullptr, "Installed language packs (none)"},
    {"GET", "/api/access/permissions", viewer, get_access_permissions, nullptr,
     "Every permission, with the strata role that grants it"},
    {"GET", "/api/access/groups", admin, get_access_groups, nullptr,
     "strata's roles as OctoPrint's groups"},
    {"GET", "/api/access/users", admin, get_access_users, nullptr, "The users"},
    {"GET", "/api/printer/sd", viewer, get_printer_sd, nullptr,
     "The printer's SD card: never ready (strata prints from its own storage)"},
    {"POST", "/api/printer/sd", operator_, post_printer_sd, nullptr,
     "SD card commands: refused (409)"},
    {"GET", "/online.txt", anyone, get_online_txt, nullptr, "OctoPrint's liveness probe"},
    {"GET", "/plugin/appkeys/probe", anyone, get_appkeys_probe, nullptr,
     "App keys: whether the workflow is there (204)"},
    {"POST", "/plugin/appkeys/request", anyone, post_appkeys_request, nullptr,
     "App keys: an app asks for a key (app, user); 201 with its poll URL"},
    {"GET", "/plugin/appkeys/request/{token}", anyone, get_appkeys_poll, nullptr,
     "App keys: the app's poll: 202 pending, 200 with the key once, 404 denied or expired"},
    {"POST", "/plugin/appkeys/decision/{token}", viewer, post_appkeys_decision, nullptr,
     "App keys: the user's decision on a request (decision: true/false)"},
    {"GET", "/api/plugin/appkeys", viewer, get_plugin_appkeys, nullptr,
     "App keys: the caller's app keys and the requests waiting for it"},
    {"POST", "/api/plugin/appkeys", viewer, post_plugin_appkeys, nullptr,
     "App keys: generate or revoke the caller's key for an app"},
    {"GET", "/sockjs/info", anyone, get_sockjs_info, nullptr, "Push API: SockJS's info"},
    {"GET", "/sockjs/websocket", anyone, get_sockjs_raw, nullptr,
     "Push API on a plain WebSocket (authenticate with {\"auth\": \"user:session\"})"},
    {"GET", "/sockjs/{server}/{session}/websocket", anyone, get_sockjs_websocket, nullptr,
     "Push API on SockJS's WebSocket transport"},
    // strata's own.
    {"GET", "/api/events", viewer, nullptr, get_events,
     "Server-Sent Events, resumable with Last-Event-ID"},
    {"GET", "/api/strata/files/{path*}", viewer, get_strata_file, nullptr,
     "A file's analysis and prepared job (layers, snapshots, times)"},
    {"GET", "/api/strata/jobs", viewer, get_strata_jobs, nullptr, "Job history"},
    {"POST", "/api/strata/jobs/{id}/resume", operator_, post_strata_job_resume, nullptr,
     "Resume an interrupted job from the start of its layer"},
    {"GET", "/api/strata/recordings", viewer, get_recordings, nullptr,
     "Timelapse recordings: the frame sets videos are rendered from"},
    {"GET", "/api/strata/recordings/{name}/frames", viewer, get_recording_frames, nullptr,
     "A recording's frames with their layer, height and time"},
    {"GET", "/api/strata/recordings/{name}/frames/{index}", viewer, get_recording_frame, nullptr,
     "One frame (JPEG)"},
    {"POST", "/api/strata/recordings/{name}/render", operator_, post_recording_render, nullptr,
     "Render a recording again (format, fps, length_s, rolls, crf, rotate, flips, overlay)"},
    {"DELETE", "/api/strata/recordings/{name}", operator_, delete_recording, nullptr,
     "Delete a recording's frames"},
    {"GET", "/api/strata/profiles/{kind}", viewer, get_profiles, nullptr,
     "Profiles of a kind: printer, timelapse, camera"},
    {"GET", "/api/strata/profiles/{kind}/{name}", viewer, get_profile, nullptr, "A profile"},
    {"PUT", "/api/strata/profiles/{kind}/{name}", admin, put_profile, nullptr,
     "Create or replace a profile (validated; ?default=true)"},
    {"DELETE", "/api/strata/profiles/{kind}/{name}", admin, delete_profile, nullptr,
     "Delete a profile"},
    {"GET", "/api/strata/thumbnails/{name}", viewer, get_thumbnail, nullptr,
     "A file's slicer thumbnail (its `thumbnail` in the file list)"},
    {"GET", "/api/strata/terminal", viewer, get_terminal, nullptr,
     "The terminal's lines sent and received (after=N, limit=M); live ones on the event stream"},
    {"POST", "/api/strata/terminal", operator_, post_terminal, nullptr,
     "Send a command typed in the terminal (kept in the user's history)"},
    {"GET", "/api/strata/terminal/history", viewer, get_terminal_history, nullptr,
     "The caller's terminal command history, oldest first"},
    {"PUT", "/api/strata/controls", admin, put_custom_controls, nullptr,
     "Replace the custom command buttons"},
    {"GET", "/api/strata/webhooks", admin, get_webhooks, nullptr, "Webhooks"},
    {"POST", "/api/strata/webhooks", admin, post_webhook, nullptr,
     "Add a webhook (url, events, secret)"},
    {"DELETE", "/api/strata/webhooks/{id}", admin, delete_webhook, nullptr, "Delete a webhook"},
    {"GET", "/api/openapi.json", viewer, get_openapi, nullptr, "This API as OpenAPI 3"},
    // The web app, last: the API's paths above match first.
    {"GET", "/", anyone, get_web_app, nullptr, "The web app"},
    {"GET", "/{path*}", anyone, get_web_app, nullptr,
     "The web app's files; its pages' paths answer with index.html"},
};

}  // namespace

std::span<const Route> routes() {
    return table;
}

std::string_view role_name(Access access) {
    switch (access) {
        case anyone: return "anyone";
        case viewer: return "viewer";
        case operator_: return "operator";
        case admin: return "admin";
    }
    return "admin";
}

}  // namespace strata::server::api

namespace strata::server {

std::vector<RouteDescription> describe_routes() {
    std::vector<RouteDescription> described;
    for (const api::Route& route : api::routes())
        described.push_back({std::string(route.method), std::string(route.pattern),
                             std::string(api::role_name(route.access))});
    return described;
}

}  // namespace strata::server

namespace strata::server::api {

std::string openapi_json(std::string_view version) {
    std::ostringstream out;
    JsonWriter json(out);
    json.begin_object();
    json.field("openapi", "3.0.3");
    json.key("info").begin_object();
    json.field("title", "strata").field("version", version);
    json.end_object();
    json.key("components").begin_object().key("securitySchemes").begin_object();
    json.key("apiKey").begin_object().field("type", "apiKey").field("in", "header");
    json.field("name", "X-Api-Key").end_object();
    json.key("session").begin_object().field("type", "apiKey").field("in", "cookie");
    json.field("name", "strata_session").end_object();
    json.end_object().end_object();
    // Paths group the methods of one pattern; the table keeps a pattern's methods together.
    json.key("paths").begin_object();
    std::vector<std::string> written;
    for (const Route& first : table) {
        std::string path(first.pattern);
        if (std::find(written.begin(), written.end(), path) != written.end()) continue;
        written.push_back(path);
        std::string openapi_path = path;
        const std::size_t star = openapi_path.find("*}");
        if (star != std::string::npos) openapi_path.erase(star, 1);
        json.key(openapi_path).begin_object();
        for (const Route& route : table) {
            if (route.pattern != first.pattern) continue;
            std::string method(route.method);
            std::transform(method.begin(), method.end(), method.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            json.key(method).begin_object();
            json.field("summary", route.summary);
            json.field("x-strata-role", role_name(route.access));
            if (route.access == anyone) json.key("security").begin_array().end_array();
            json.key("parameters").begin_array();
            for (std::size_t open = path.find('{'); open != std::string::npos;
                 open = path.find('{', open + 1)) {
                std::string name = path.substr(open + 1, path.find('}', open) - open - 1);
                if (name.ends_with('*')) name.pop_back();
                json.begin_object().field("name", name).field("in", "path");
                json.field("required", true);
                json.key("schema").begin_object().field("type", "string").end_object();
                json.end_object();
            }
            json.end_array();
            json.key("responses").begin_object();
            json.key("default").begin_object().field("description", "see the summary");
            json.end_object().end_object();
            json.end_object();
        }
        json.end_object();
    }
    json.end_object();
    json.end_object();
    return out.str();
}

}  // namespace strata::server::api
