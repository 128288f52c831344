// The handlers, one group per resource (one file each); routes.cpp puts them in the table.
// Internal to server/api.
#pragma once

#include "api.hpp"
#include "strata/common/json_writer.hpp"

namespace strata::server::api {

// auth_routes.cpp
http::Response get_version(Services& services, const Call& call);
http::Response get_server(Services& services, const Call& call);
http::Response post_login(Services& services, const Call& call);
http::Response post_logout(Services& services, const Call& call);
http::Response get_currentuser(Services& services, const Call& call);

// files_routes.cpp, upload_route.cpp
http::Response get_files(Services& services, const Call& call);
http::Response get_file(Services& services, const Call& call);
http::Response post_file_command(Services& services, const Call& call);
http::Response delete_file(Services& services, const Call& call);
http::Response download_file(Services& services, const Call& call);
std::unique_ptr<http::Exchange> post_upload(Services& services, Call&& call);

// job_routes.cpp
http::Response get_job(Services& services, const Call& call);
http::Response post_job(Services& services, const Call& call);

// printer_routes.cpp
http::Response get_printer(Services& services, const Call& call);
http::Response post_printer_command(Services& services, const Call& call);
http::Response get_printer_tool(Services& services, const Call& call);
http::Response post_printer_tool(Services& services, const Call& call);
http::Response get_printer_bed(Services& services, const Call& call);
http::Response post_printer_bed(Services& services, const Call& call);
http::Response post_printhead(Services& services, const Call& call);

// connection_routes.cpp
http::Response get_connection(Services& services, const Call& call);
http::Response post_connection(Services& services, const Call& call);
/// The ports a client may connect to: the configured one, the default printer profile's and the
/// system's serial ports.
std::vector<std::string> offered_ports(Services& services);

// printer_profiles_routes.cpp
http::Response get_printerprofiles(Services& services, const Call& call);
http::Response get_printerprofile(Services& services, const Call& call);
http::Response post_printerprofile(Services& services, const Call& call);
http::Response patch_printerprofile(Services& services, const Call& call);
http::Response delete_printerprofile(Services& services, const Call& call);
/// The id of the profile the server connects with: the default one, else the built-in.
std::string current_printer_profile_id(Services& services);
/// The `printerProfiles` options of GET /api/connection: each profile's id and name.
void write_printer_profile_options(JsonWriter& json, Services& services);

// settings_routes.cpp
http::Response get_settings(Services& services, const Call& call);
http::Response post_settings(Services& services, const Call& call);
http::Response get_custom_controls(Services& services, const Call& call);
http::Response put_custom_controls(Services& services, const Call& call);
/// The port and rate a connect without its own uses: `serial` as stored through the settings,
/// else the configured ones.
streamer::LinkOptions preferred_link(Services& services);

// timelapse_routes.cpp
http::Response get_timelapses(Services& services, const Call& call);
http::Response get_timelapse(Services& services, const Call& call);
http::Response delete_timelapse(Services& services, const Call& call);
http::Response download_timelapse(Services& services, const Call& call);
http::Response post_timelapse_config(Services& services, const Call& call);
/// OctoPrint's timelapse configuration object (`type`: off, zchange, timed).
void write_timelapse_config(JsonWriter& json, PrinterService& printer);

// recordings_routes.cpp
/// OctoPrint's `unrendered` list of GET /api/timelapse?unrendered=true.
void write_unrendered(JsonWriter& json, Services& services);
http::Response post_unrendered(Services& services, const Call& call);
http::Response get_recordings(Services& services, const Call& call);
http::Response get_recording_frames(Services& services, const Call& call);
http::Response get_recording_frame(Services& services, const Call& call);
http::Response post_recording_render(Services& services, const Call& call);
http::Response delete_recording(Services& services, const Call& call);

// events_route.cpp
std::unique_ptr<http::Exchange> get_events(Services& services, Call&& call);

// appkeys_routes.cpp
http::Response get_appkeys_probe(Services& services, const Call& call);
http::Response post_appkeys_request(Services& services, const Call& call);
http::Response get_appkeys_poll(Services& services, const Call& call);
http::Response post_appkeys_decision(Services& services, const Call& call);
http::Response get_plugin_appkeys(Services& services, const Call& call);
http::Response post_plugin_appkeys(Services& services, const Call& call);

// system_routes.cpp
http::Response get_system_commands(Services& services, const Call& call);
http::Response get_system_commands_of(Services& services, const Call& call);
http::Response post_system_command(Services& services, const Call& call);
http::Response get_languages(Services& services, const Call& call);
http::Response get_access_permissions(Services& services, const Call& call);
http::Response get_access_groups(Services& services, const Call& call);
http::Response get_access_users(Services& services, const Call& call);
http::Response get_printer_sd(Services& services, const Call& call);
http::Response post_printer_sd(Services& services, const Call& call);
http::Response get_online_txt(Services& services, const Call& call);

// sockjs_routes.cpp
http::Response get_sockjs_info(Services& services, const Call& call);
http::Response get_sockjs_raw(Services& services, const Call& call);
http::Response get_sockjs_websocket(Services& services, const Call& call);

// profiles_routes.cpp
http::Response get_profiles(Services& services, const Call& call);
http::Response get_profile(Services& services, const Call& call);
http::Response put_profile(Services& services, const Call& call);
http::Response delete_profile(Services& services, const Call& call);

// strata_routes.cpp
http::Response get_strata_file(Services& services, const Call& call);
http::Response get_strata_jobs(Services& services, const Call& call);
http::Response post_strata_job_resume(Services& services, const Call& call);
http::Response get_webhooks(Services& services, const Call& call);
http::Response post_webhook(Services& services, const Call& call);
http::Response delete_webhook(Services& services, const Call& call);
http::Response get_openapi(Services& services, const Call& call);
http::Response get_thumbnail(Services& services, const Call& call);
http::Response get_terminal(Services& services, const Call& call);
http::Response post_terminal(Services& services, const Call& call);
http::Response get_terminal_history(Services& services, const Call& call);
/// The web app: `/` and every path the API does not claim (web_routes.cpp).
http::Response get_web_app(Services& services, const Call& call);

/// A file (or a slice of it, for a Range header) as the answer, with `content_type`.
http::Response file_answer(const Call& call, const std::filesystem::path& path,
                           std::string content_type);

}  // namespace strata::server::api
