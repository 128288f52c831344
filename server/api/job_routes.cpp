// /api/job: the current job (polled by every client, so it is answered from the printer
// service's status snapshot without touching the printer or the store) and its commands:
// start, cancel, pause with action pause/resume/toggle (no action: toggle, which is what Cura
// sends for both pause and resume). OctoPrint's `restart` (of a paused job) is not offered: none
// of the clients studied sends it, and cancel + start does the same with the cancel script.
#include "json_body.hpp"
#include "routes.hpp"
#include "shapes.hpp"

namespace strata::server::api {

http::Response get_job(Services& services, const Call&) {
    const PrinterStatus status = services.printer.status();
    return json_reply(200, [&](JsonWriter& json) { write_job(json, status); });
}

http::Response post_job(Services& services, const Call& call) {
    JsonBody body;
    std::string command;
    if (std::optional<http::Response> refused = read_command(call, body, command)) return *refused;
    if (command != "start" && command != "cancel" && command != "pause" && command != "restart")
        return http::Response::error(400, "command is invalid: " + command);
    // OctoPrint checks this before anything else.
    if (!services.printer.operational()) return refused("Printer is not operational");
    Status done;
    if (command == "start") {
        done = services.printer.start();
    } else if (command == "restart") {
        done = services.printer.restart();
    } else if (command == "cancel") {
        done = services.printer.cancel();
    } else {
        const std::string action = body.string("action").value_or("toggle");
        if (action != "pause" && action != "resume" && action != "toggle")
            return http::Response::error(400, "action is invalid: " + action);
        done = services.printer.pause(action);
    }
    // OctoPrint answers every refusal of a job command with 409.
    if (!done) return refused(done.error().message);
    return http::Response::empty(204);
}

}  // namespace strata::server::api
