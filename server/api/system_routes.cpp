// The rest of what OctoPrint clients call, each answered as OctoPrint answers it: the system
// commands (strata runs no shell commands: `core` offers `restart` only where a service manager
// starts strata again, and nothing else; an unknown command is OctoPrint's 404), the language
// packs (none), the access control lists (strata's three roles as OctoPrint's groups), the
// printer's SD card (strata prints from its own storage: never ready) and `/online.txt`.
#include "routes.hpp"
#include "shapes.hpp"
#include "strata/common/log.hpp"

namespace strata::server::api {
namespace {

// werkzeug's text for a 404, which OctoPrint's API answers with when it aborts without one.
constexpr std::string_view not_found_text =
    "The requested URL was not found on the server. If you entered the URL manually please "
    "check your spelling and try again.";

bool known_source(std::string_view source) {
    return source == "core" || source == "plugin" || source == "custom";
}

// OctoPrint's client view of a command: source, action, name, confirm, and where to POST it.
void write_core_commands(JsonWriter& json, const Services& services, const Call& call) {
    json.begin_array();
    if (services.config.restart) {
        json.begin_object().field("action", "restart").field("name", "Restart strata");
        json.field("confirm",
                   "<strong>You are about to restart the strata server.</strong></p><p>It is "
                   "refused while a job prints or is paused, and the printer has to be connected "
                   "again once strata is back.");
        json.field("source", "core");
        json.field("resource", call.origin() + "/api/system/commands/core/restart");
        json.end_object();
    }
    json.end_array();
}

bool job_running(streamer::PrinterState state) {
    using streamer::PrinterState;
    return state == PrinterState::printing || state == PrinterState::pausing ||
           state == PrinterState::paused || state == PrinterState::cancelling;
}

struct Group {
    const char* key;
    const char* name;
    const char* description;
    Role role;
};

constexpr Group groups[] = {
    {"admins", "Admins", "strata's admin role: everything, settings and users included",
     Role::admin},
    {"users", "Operators", "strata's operator role: print, upload, control the printer",
     Role::operator_},
    {"readonly", "Read-only Access", "strata's viewer role: status, files, timelapses",
     Role::viewer},
};

}  // namespace

http::Response get_system_commands(Services& services, const Call& call) {
    return json_reply(200, [&](JsonWriter& json) {
        json.begin_object().key("core");
        write_core_commands(json, services, call);
        for (const char* source : {"plugin", "custom"})
            json.key(source).begin_array().end_array();
        json.end_object();
    });
}

http::Response get_system_commands_of(Services& services, const Call& call) {
    const std::string& source = call.captures.at(0);
    if (!known_source(source)) return http::Response::error(404, not_found_text);
    if (source != "core") return http::Response::json(200, "[]");
    return json_reply(200, [&](JsonWriter& json) { write_core_commands(json, services, call); });
}

http::Response post_system_command(Services& services, const Call& call) {
    const std::string& source = call.captures.at(0);
    const std::string& command = call.captures.at(1);
    if (command == "divider") return http::Response::error(400, "Dividers cannot be executed");
    if (source != "core" || command != "restart" || !services.config.restart)
        return http::Response::error(404, not_found_text);
    // OctoPrint restarts whatever runs; strata keeps a print alive rather than cut it off.
    if (job_running(services.printer.status().state)) {
        return http::Response::error(
            409, "A job is printing or paused: cancel it or let it finish before a restart");
    }
    log_message(LogLevel::notice, "strata serve: restart asked through the API by %s",
                call.principal ? call.principal->user.name.c_str() : "?");
    services.config.restart();
    return http::Response::empty(204);
}

http::Response get_languages(Services& /*services*/, const Call& /*call*/) {
    return http::Response::json(200, R"({"language_packs":{"_core":[]}})");
}

http::Response get_access_permissions(Services& /*services*/, const Call& /*call*/) {
    return json_reply(200, [](JsonWriter& json) {
        json.begin_object().key("permissions");
        write_permissions(json);
        json.end_object();
    });
}

http::Response get_access_groups(Services& /*services*/, const Call& /*call*/) {
    return json_reply(200, [](JsonWriter& json) {
        json.begin_object().key("groups").begin_array();
        for (const Group& group : groups) {
            json.begin_object().field("key", group.key).field("name", group.name);
            json.field("description", group.description);
            json.key("permissions");
            write_role_permission_keys(json, group.role);
            json.key("subgroups").begin_array().end_array();
            json.key("needs").begin_object().key("role").begin_array();
            json.value(to_string(group.role)).end_array().end_object();
            json.field("default", group.role == Role::viewer);
            json.field("removable", false).field("changeable", false).field("toggleable", false);
            json.end_object();
        }
        json.end_array().end_object();
    });
}

http::Response get_access_users(Services& services, const Call& /*call*/) {
    const std::vector<User> users =
        services.store.with([](Database& db) { return Accounts(db).users(); });
    return json_reply(200, [&](JsonWriter& json) {
        json.begin_object().key("users").begin_array();
        for (const User& user : users) {
            json.begin_object();
            write_user(json, user, true);
            json.end_object();
        }
        json.end_array().end_object();
    });
}

http::Response get_printer_sd(Services& /*services*/, const Call& /*call*/) {
    return http::Response::json(200, R"({"ready":false})");
}

http::Response post_printer_sd(Services& /*services*/, const Call& /*call*/) {
    return http::Response::error(
        409, "strata prints from its own storage: the printer's SD card is not used");
}

http::Response get_online_txt(Services& /*services*/, const Call& /*call*/) {
    http::Response answer;
    answer.content_type = "text/plain; charset=utf-8";
    answer.body = "online\n";
    answer.add_header("Cache-Control", "no-store");
    return answer;
}

}  // namespace strata::server::api
