// /api/connection: state, ports, connect in the background, disconnect. A connect may name only
// a port the server offers, and only the current (default) printer profile.
#include <algorithm>

#include "json_body.hpp"
#include "routes.hpp"
#include "shapes.hpp"
#include "strata/server/profiles.hpp"

namespace strata::server::api {
namespace {

std::string_view connection_state(const PrinterStatus& status) {
    if (status.state == streamer::PrinterState::connecting) return "Connecting";
    return octoprint_state_text(status);
}

}  // namespace

// The ports a client may connect to: the configured one, the default printer profile's (both
// set by an admin) and the serial ports the system has. As OctoPrint does, a connect naming
// any other is refused: a body could otherwise have the server open any file as a port.
std::vector<std::string> offered_ports(Services& services) {
    std::vector<std::string> ports;
    const auto offer = [&ports](const std::string& port) {
        if (!port.empty() && std::find(ports.begin(), ports.end(), port) == ports.end())
            ports.push_back(port);
    };
    offer(services.config.printer.streamer.link.target);
    const std::optional<StoredProfile> profile = services.store.with(
        [](Database& db) { return Profiles(db).default_of(ProfileKind::printer); });
    PrinterProfile printer;
    if (profile && !read_printer_profile(profile->body_json, printer)) offer(printer.port);
    for (const streamer::PortInfo& port : streamer::list_ports())
        offer(port.path);
    return ports;
}

http::Response get_connection(Services& services, const Call&) {
    const PrinterStatus status = services.printer.status();
    const std::vector<std::string> ports = offered_ports(services);
    const streamer::LinkOptions preferred = preferred_link(services);
    return json_reply(200, [&](JsonWriter& json) {
        json.begin_object();
        json.key("current").begin_object();
        json.field("state", connection_state(status));
        if (status.state == streamer::PrinterState::disconnected) {
            json.key("port").null().key("baudrate").null();
        } else {
            json.field("port", status.port).field("baudrate", status.baud);
        }
        json.field("printerProfile", current_printer_profile_id(services));
        json.end_object();
        json.key("options").begin_object();
        json.key("ports").begin_array();
        for (const std::string& port : ports)
            json.value(port);
        json.end_array();
        json.key("baudrates").begin_array();
        for (const int rate : streamer::candidate_baud_rates())
            json.value(rate);
        json.end_array();
        json.key("printerProfiles");
        write_printer_profile_options(json, services);
        json.field("portPreference", preferred.target);
        json.field("baudratePreference", preferred.baud);
        json.field("printerProfilePreference", current_printer_profile_id(services));
        json.end_object();
        json.end_object();
    });
}

http::Response post_connection(Services& services, const Call& call) {
    JsonBody body;
    std::string command;
    if (std::optional<http::Response> refused = read_command(call, body, command)) return *refused;
    if (command == "disconnect") {
        services.printer.disconnect();
        return http::Response::empty(204);
    }
    if (command != "connect") return http::Response::error(400, "command is invalid: " + command);
    streamer::LinkOptions link = preferred_link(services);
    if (const std::optional<std::string> port = body.string("port")) {
        if (port->empty()) return http::Response::error(400, "port is empty");
        if (*port != "AUTO") {
            const std::vector<std::string> offered = offered_ports(services);
            if (std::find(offered.begin(), offered.end(), *port) == offered.end())
                return http::Response::error(
                    400, "port: not one of the ports offered (GET /api/connection)");
            link.target = *port;
        }
    }
    if (body.has("baudrate")) {
        const std::optional<double> rate = body.number("baudrate");
        if (!rate || *rate < 0.0 || *rate > 4'000'000.0)
            return http::Response::error(400, "baudrate must be a rate in bits per second");
        link.baud = static_cast<int>(*rate);
    }
    const std::optional<std::string> profile = body.string("printerProfile");
    // strata connects with the default profile (its port, its bed for jogs); `_default` names it.
    if (profile && *profile != "_default" && *profile != current_printer_profile_id(services))
        return http::Response::error(400, "printerProfile '" + *profile +
                                              "' is not the default printer profile: make it the "
                                              "default first (PATCH with default: true)");
    if (link.target.empty()) return http::Response::error(400, "no port given and none configured");
    services.printer.connect_in_background(link);
    return http::Response::empty(204);
}

}  // namespace strata::server::api
