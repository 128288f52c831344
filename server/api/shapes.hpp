// OctoPrint's object shapes, written once and shared by the handlers: file and folder items, the
// job, the printer's state and flags, temperatures. Field names and state strings are the ones
// clients read (../shared/reference/octoprint.md §1.2, §2).
#pragma once

#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "api.hpp"
#include "strata/common/json_writer.hpp"

namespace strata::server::api {

/// `path` percent-encoded for a URL (slashes kept).
[[nodiscard]] std::string url_path(std::string_view path);
/// `bytes` as OctoPrint shows sizes: "12.3MB".
[[nodiscard]] std::string human_size(std::int64_t bytes);
/// A Unix time as OctoPrint shows dates: "2026-11-21 22:03" (local time).
[[nodiscard]] std::string date_text(double unix_s);

void write_file_item(JsonWriter& json, const StoredFile& file, const std::string& origin);
/// The files as OctoPrint's tree: folders (from the paths, and the folders created empty) with
/// `children` when `recursive`, else the entries directly under `folder`.
void write_file_tree(JsonWriter& json, const std::vector<StoredFile>& files,
                     const std::vector<std::string>& created_folders, std::string_view folder,
                     bool recursive, const std::string& origin);
/// `GET /api/job`'s answer: the members below, the state text and the error.
void write_job(JsonWriter& json, const PrinterStatus& status);
/// The members `job`, `progress` and strata's `strata` (layer, snapshots), into an open object.
void write_job_members(JsonWriter& json, const PrinterStatus& status);
/// One temperature report as OctoPrint's history and push API give it: `time` and each heater's
/// `actual` and `target`.
void write_temperature_sample(JsonWriter& json, const TemperatureSample& sample);
void write_state(JsonWriter& json, const PrinterStatus& status);
/// The tools' and/or the bed's readings, and with `history` (non-null) OctoPrint's `history`
/// array of earlier reports.
void write_temperatures(JsonWriter& json, const PrinterStatus& status, bool tools, bool bed,
                        const std::vector<TemperatureSample>* history = nullptr);
/// Every permission as OctoPrint lists them (key, name, dangerous, default_groups, needs), with
/// the strata role that grants it; an array.
void write_permissions(JsonWriter& json);
/// The keys of the permissions a role has, as an array.
void write_role_permission_keys(JsonWriter& json, Role role);
/// The user record `POST /api/login` and `GET /api/currentuser` answer with.
void write_user(JsonWriter& json, const User& user, bool full);

}  // namespace strata::server::api

namespace strata::server::api {

/// A JSON answer written by `write` into a JsonWriter.
template <typename Write>
http::Response json_reply(int status, Write&& write) {
    std::ostringstream out;
    JsonWriter json(out);
    write(json);
    return http::Response::json(status, out.str());
}

/// The answer to a printer command the printer's state refused: OctoPrint's 409 (whatever the
/// reason: not operational, busy, nothing printing, nothing selected).
[[nodiscard]] http::Response refused(const std::string& error);

/// The HTTP status for a domain error: 400 invalid, 404 not found, 409 conflict or busy, 507 no
/// space, 503 unavailable, 500 for the rest (the server's own files and store).
[[nodiscard]] int status_of(const Error& error);

/// 400 for a bad request field or query parameter: `{"error": "FIELD: MESSAGE", "field": FIELD}`.
[[nodiscard]] http::Response field_error(const std::string& field, const std::string& message);

}  // namespace strata::server::api
