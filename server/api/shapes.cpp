// OctoPrint's shapes. Where OctoPrint's docs and code disagree, the code wins: `free`/`total`
// are integers, `date` is epoch seconds, `completion` is a percentage (0..100).
#include "shapes.hpp"

#include <cmath>
#include <ctime>
#include <map>
#include <span>

namespace strata::server::api {
namespace {

std::string_view basename(std::string_view path) {
    const std::size_t slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// OctoPrint's `filament` object: `tool<n>` with the length and volume of 1.75 mm filament.
void write_filament(JsonWriter& json, const FileAnalysis& analysis) {
    constexpr double filament_area_mm2 = 3.14159265358979 * 1.75 * 1.75 / 4.0;
    json.begin_object();
    for (std::size_t tool = 0; tool < analysis.filament_mm.size(); ++tool) {
        json.key("tool" + std::to_string(tool)).begin_object();
        json.field("length", analysis.filament_mm[tool]);
        json.field("volume", analysis.filament_mm[tool] * filament_area_mm2 / 1000.0);
        json.end_object();
    }
    json.end_object();
}

// OctoPrint's `gcodeAnalysis` of a ready file, with strata's own counts under `strata`.
void write_gcode_analysis(JsonWriter& json, const StoredFile& file, const FileAnalysis& analysis) {
    json.begin_object();
    json.field("estimatedPrintTime", file.estimated_s);
    json.key("filament");
    write_filament(json, analysis);
    const auto& min_mm = analysis.printed_min_mm;
    const auto& max_mm = analysis.printed_max_mm;
    json.key("dimensions").begin_object();
    json.field("width", max_mm[0] - min_mm[0]);
    json.field("depth", max_mm[1] - min_mm[1]);
    json.field("height", max_mm[2] - min_mm[2]);
    json.end_object();
    json.key("printingArea").begin_object();
    const char* axes[] = {"X", "Y", "Z"};
    for (std::size_t axis = 0; axis < 3; ++axis) {
        json.field(std::string("min") + axes[axis], min_mm[axis]);
        json.field(std::string("max") + axes[axis], max_mm[axis]);
    }
    json.end_object();
    json.key("strata").begin_object();
    json.field("lines", analysis.lines);
    json.field("layers", analysis.layers);
    json.field("slicer", analysis.slicer);
    json.field("slicer_version", analysis.slicer_version);
    json.field("snapshots", file.snapshots);
    json.field("time_added_s", analysis.time_added_s);
    json.field("warnings", analysis.warnings);
    json.field("errors", analysis.errors);
    json.field("plan_s", analysis.plan_s);
    json.field("splice_s", analysis.splice_s);
    json.end_object();
    json.end_object();
}

// strata's own progress beside OctoPrint's: the layer (1-based, null before the first) of the
// file's layers, its height, and the snapshots taken of those planned.
void write_layer_progress(JsonWriter& json, const streamer::JobProgress& progress,
                          std::int64_t layers, std::int64_t planned, bool running) {
    json.key("strata").begin_object();
    if (running && progress.layer >= 0)
        json.field("layer", progress.layer + 1).field("z_mm", progress.z_mm);
    else
        json.key("layer").null().key("z_mm").null();
    if (layers >= 0)
        json.field("layers", layers);
    else
        json.key("layers").null();
    json.field("snapshots_taken", running ? progress.snapshots_taken : 0U);
    json.field("snapshots_planned",
               running ? static_cast<std::int64_t>(progress.snapshots_total) : planned);
    json.end_object();
}

const char* const viewer_permissions[] = {"STATUS",         "FILES_LIST",         "FILES_DOWNLOAD",
                                          "TIMELAPSE_LIST", "TIMELAPSE_DOWNLOAD", "SETTINGS_READ",
                                          "WEBCAM"};
const char* const operator_permissions[] = {"CONNECTION",      "CONTROL",      "FILES_UPLOAD",
                                            "FILES_DELETE",    "FILES_SELECT", "PRINT",
                                            "TIMELAPSE_DELETE"};
const char* const admin_permissions[] = {"SETTINGS", "ADMIN", "TIMELAPSE_ADMIN"};

}  // namespace

http::Response refused(const std::string& error) {
    return http::Response::error(409, error);
}

int status_of(const Error& error) {
    switch (error.code) {
        case ErrorCode::invalid: return 400;
        case ErrorCode::unsupported: return 422;
        case ErrorCode::not_found: return 404;
        case ErrorCode::conflict:
        case ErrorCode::busy:
        case ErrorCode::cancelled: return 409;
        case ErrorCode::no_space: return 507;
        case ErrorCode::unavailable: return 503;
        case ErrorCode::permission:
        case ErrorCode::io:
        case ErrorCode::internal: return 500;
    }
    return 500;
}

std::string human_size(std::int64_t bytes) {
    const char* units[] = {"B", "KB", "MB", "GB", "TB"};
    auto value = static_cast<double>(bytes);
    int unit = 0;
    while (value >= 1024.0 && unit < 4) {
        value /= 1024.0;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, "%.1f%s", value, units[unit]);
    return text;
}

std::string date_text(double unix_s) {
    const auto seconds = static_cast<std::time_t>(unix_s);
    std::tm local{};
    localtime_r(&seconds, &local);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M", &local);
    return text;
}

std::string url_path(std::string_view path) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : path) {
        const auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte) != 0 ||
            std::string_view("/-._~").find(c) != std::string_view::npos) {
            out += c;
        } else {
            out += '%';
            out += hex[byte >> 4U];
            out += hex[byte & 15U];
        }
    }
    return out;
}

void write_file_item(JsonWriter& json, const StoredFile& file, const std::string& origin) {
    json.begin_object();
    json.field("name", basename(file.path));
    json.field("display", file.display_name);
    json.field("path", file.path);
    json.field("type", "machinecode");
    json.key("typePath").begin_array().value("machinecode").value("gcode").end_array();
    json.field("origin", "local");
    json.key("refs").begin_object();
    json.field("resource", origin + "/api/files/local/" + url_path(file.path));
    json.field("download", origin + "/downloads/files/local/" + url_path(file.path));
    json.end_object();
    json.field("hash", file.hash);
    json.field("size", file.size_bytes);
    json.field("date", static_cast<std::int64_t>(std::floor(file.uploaded_s)));
    if (file.analysis) {
        json.key("gcodeAnalysis");
        write_gcode_analysis(json, file, *file.analysis);
    } else if (file.state == FileState::analyzing || file.state == FileState::stored) {
        json.key("gcodeAnalysis").begin_object().field("progress", file.prep_progress).end_object();
    }
    if (!file.thumbnail.empty()) {
        // Relative, as OctoPrint 2 and its thumbnail plugins give it; the hash makes a new
        // upload's image a new URL, so the old one may be cached for good.
        json.field("thumbnail",
                   "api/strata/thumbnails/" + file.thumbnail + "?" + file.hash.substr(0, 8));
        json.field("thumbnail_src", "strata");
    }
    json.key("strata").begin_object();
    json.field("id", file.id);
    json.field("state", to_string(file.state));
    if (!file.error.empty()) json.field("error", file.error);
    json.field("snapshots", file.snapshots);
    json.end_object();
    json.end_object();
}

void write_file_tree(JsonWriter& json, const std::vector<StoredFile>& files,
                     const std::vector<std::string>& created_folders, std::string_view folder,
                     bool recursive, const std::string& origin) {
    const std::string prefix = folder.empty() ? std::string() : std::string(folder) + "/";
    std::map<std::string, std::vector<StoredFile>> subfolders;
    for (const std::string& created : created_folders) {
        if (!created.starts_with(prefix) || created.size() == prefix.size()) continue;
        const std::string_view rest = std::string_view(created).substr(prefix.size());
        subfolders[std::string(rest.substr(0, rest.find('/')))];  // Empty ones are listed too.
    }
    json.begin_array();
    for (const StoredFile& file : files) {
        if (!file.path.starts_with(prefix)) continue;
        const std::string_view rest = std::string_view(file.path).substr(prefix.size());
        const std::size_t slash = rest.find('/');
        if (slash == std::string_view::npos)
            write_file_item(json, file, origin);
        else
            subfolders[std::string(rest.substr(0, slash))].push_back(file);
    }
    for (const auto& [name, contents] : subfolders) {
        const std::string path = prefix + name;
        std::uint64_t size = 0;
        for (const StoredFile& file : contents)
            size += file.size_bytes;
        json.begin_object();
        json.field("name", name).field("display", name).field("path", path);
        json.field("type", "folder");
        json.key("typePath").begin_array().value("folder").end_array();
        json.field("origin", "local").field("size", size);
        json.key("refs").begin_object();
        json.field("resource", origin + "/api/files/local/" + url_path(path));
        json.end_object();
        if (recursive) {
            json.key("children");
            write_file_tree(json, contents, created_folders, path, true, origin);
        }
        json.end_object();
    }
    json.end_array();
}

void write_job_members(JsonWriter& json, const PrinterStatus& status) {
    const std::optional<StoredFile>& file = status.selected;
    json.key("job").begin_object();
    json.key("file").begin_object();
    if (file) {
        json.field("name", basename(file->path)).field("path", file->path);
        json.field("display", file->display_name).field("origin", "local");
        json.field("size", file->size_bytes);
        json.field("date", static_cast<std::int64_t>(std::floor(file->uploaded_s)));
    } else {
        for (const char* name : {"name", "path", "display", "origin", "size", "date"})
            json.key(name).null();
    }
    json.end_object();
    if (file && file->estimated_s > 0.0)
        json.field("estimatedPrintTime", file->estimated_s);
    else
        json.key("estimatedPrintTime").null();
    json.key("averagePrintTime").null();
    if (status.last_print_s >= 0.0)
        json.field("lastPrintTime", status.last_print_s);
    else
        json.key("lastPrintTime").null();
    json.key("filament");
    if (file && file->analysis)
        write_filament(json, *file->analysis);
    else
        json.null();
    json.key("user").null();
    json.end_object();
    const streamer::JobProgress& progress = status.progress;
    const bool running = file && (status.job_id != 0 || progress.line > 0);
    json.key("progress").begin_object();
    if (running) {
        json.field("completion", progress.percent);
        json.field("filepos", static_cast<std::uint64_t>(progress.percent / 100.0 *
                                                         static_cast<double>(file->size_bytes)));
        json.field("printTime", static_cast<std::int64_t>(progress.elapsed_s));
        if (progress.remaining_s >= 0.0)
            json.field("printTimeLeft", static_cast<std::int64_t>(progress.remaining_s));
        else
            json.key("printTimeLeft").null();
        json.field("printTimeLeftOrigin", "estimate");
    } else {
        for (const char* name :
             {"completion", "filepos", "printTime", "printTimeLeft", "printTimeLeftOrigin"})
            json.key(name).null();
    }
    json.end_object();
    const std::int64_t layers =
        file && file->analysis ? static_cast<std::int64_t>(file->analysis->layers) : -1;
    write_layer_progress(json, progress, layers, file ? file->snapshots : 0, running);
}

void write_job(JsonWriter& json, const PrinterStatus& status) {
    json.begin_object();
    write_job_members(json, status);
    json.field("state", octoprint_state_text(status));
    if (!status.error.empty()) json.field("error", status.error);
    json.end_object();
}

void write_state(JsonWriter& json, const PrinterStatus& status) {
    using State = streamer::PrinterState;
    const State state = status.state;
    const bool operational = state == State::operational || state == State::printing ||
                             state == State::pausing || state == State::paused ||
                             state == State::cancelling;
    const bool busy = operational && state != State::operational;
    json.begin_object();
    json.field("text", octoprint_state_text(status));
    json.key("flags").begin_object();
    json.field("operational", operational);
    json.field("printing", state == State::printing);
    json.field("cancelling", state == State::cancelling);
    json.field("pausing", state == State::pausing);
    json.field("resuming", false);
    json.field("finishing", state == State::printing && status.progress.finishing);
    json.field("closedOrError", state == State::disconnected || state == State::error);
    json.field("error", state == State::error);
    json.field("paused", state == State::paused);
    json.field("ready", operational && !busy && !status.print_pending);
    json.field("sdReady", false);
    json.end_object();
    json.field("error", status.error);
    json.end_object();
}

namespace {

// OctoPrint's key for a heater; empty when the reading is not asked for.
std::string heater_key(const streamer::HeaterReading& heater, bool tools, bool bed) {
    if (heater.heater == 'T' && tools)
        return "tool" + std::to_string(heater.index < 0 ? 0 : heater.index);
    if (heater.heater == 'B' && bed) return "bed";
    if (heater.heater == 'C' && tools && bed) return "chamber";
    return {};
}

double offset_of(const streamer::HeaterReading& heater,
                 const streamer::TemperatureOffsets& offsets) {
    if (heater.heater == 'B') return offsets.bed_c;
    const std::size_t tool = heater.index < 0 ? 0 : static_cast<std::size_t>(heater.index);
    if (heater.heater == 'T' && tool < offsets.tool_c.size()) return offsets.tool_c[tool];
    return 0.0;
}

// `offsets`: with each reading's offset (the current state), or without (history entries).
void write_readings(JsonWriter& json, const streamer::HeaterReading* heaters, std::uint8_t count,
                    bool tools, bool bed, const streamer::TemperatureOffsets* offsets) {
    for (std::uint8_t i = 0; i < count; ++i) {
        const std::string key = heater_key(heaters[i], tools, bed);
        if (key.empty()) continue;
        json.key(key).begin_object();
        json.field("actual", heaters[i].actual_c);
        json.field("target", heaters[i].target_c.value_or(0.0));
        if (offsets != nullptr) json.field("offset", offset_of(heaters[i], *offsets));
        json.end_object();
    }
}

}  // namespace

void write_temperature_sample(JsonWriter& json, const TemperatureSample& sample) {
    json.begin_object().field("time", static_cast<std::int64_t>(sample.time_unix_s));
    write_readings(json, sample.heaters.data(), sample.heater_count, true, true, nullptr);
    json.end_object();
}

void write_temperatures(JsonWriter& json, const PrinterStatus& status, bool tools, bool bed,
                        const std::vector<TemperatureSample>* history) {
    json.begin_object();
    write_readings(json, status.heaters.data(), status.heater_count, tools, bed,
                   &status.temperature_offsets);
    if (history != nullptr) {
        json.key("history").begin_array();
        for (const TemperatureSample& sample : *history) {
            json.begin_object().field("time", static_cast<std::int64_t>(sample.time_unix_s));
            write_readings(json, sample.heaters.data(), sample.heater_count, tools, bed, nullptr);
            json.end_object();
        }
        json.end_array();
    }
    json.end_object();
}

http::Response field_error(const std::string& field, const std::string& message) {
    return json_reply(400, [&](JsonWriter& json) {
        json.begin_object().field("error", field + ": " + message).field("field", field);
        json.end_object();
    });
}

namespace {

// "FILES_LIST" -> "Files list": OctoPrint's names are words; its keys are these upper-case forms.
std::string permission_name(std::string_view key) {
    std::string name(key);
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (name[i] == '_')
            name[i] = ' ';
        else if (i > 0)
            name[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
    }
    return name;
}

// `role`: the least strata role that has the permissions.
void write_permission_group(JsonWriter& json, std::span<const char* const> keys, Role role) {
    const bool dangerous = role != Role::viewer;
    for (const char* key : keys) {
        json.begin_object().field("key", key).field("name", permission_name(key));
        json.field("dangerous", dangerous);
        json.key("default_groups").begin_array();
        json.value(role == Role::admin ? "admins" : "users").end_array();
        json.field("description", "granted to strata's " + std::string(to_string(role)) +
                                      " role and those above it");
        std::string need = permission_name(key);
        std::transform(need.begin(), need.end(), need.begin(),
                       [](char c) { return c == ' ' ? '_' : static_cast<char>(std::tolower(c)); });
        json.key("needs").begin_object().key("role").begin_array().value(need).end_array();
        json.end_object();
        json.end_object();
    }
}

}  // namespace

void write_permissions(JsonWriter& json) {
    json.begin_array();
    write_permission_group(json, viewer_permissions, Role::viewer);
    write_permission_group(json, operator_permissions, Role::operator_);
    write_permission_group(json, admin_permissions, Role::admin);
    json.end_array();
}

void write_role_permission_keys(JsonWriter& json, Role role) {
    json.begin_array();
    for (const char* permission : viewer_permissions)
        json.value(permission);
    if (role >= Role::operator_)
        for (const char* permission : operator_permissions)
            json.value(permission);
    if (role == Role::admin)
        for (const char* permission : admin_permissions)
            json.value(permission);
    json.end_array();
}

namespace {

// OctoPrint's groups for strata's roles: admins (who are users too), users, read-only access.
void write_groups(JsonWriter& json, Role role) {
    json.begin_array();
    if (role == Role::admin) json.value("admins");
    json.value(role == Role::viewer ? "readonly" : "users");
    json.end_array();
}

}  // namespace

void write_user(JsonWriter& json, const User& user, bool full) {
    json.field("name", user.name);
    json.key("permissions");
    write_role_permission_keys(json, user.role);
    json.key("groups");
    write_groups(json, user.role);
    if (!full) return;
    json.field("active", user.active);
    json.field("admin", user.role == Role::admin);
    json.field("user", true);
    json.key("roles").begin_array().value("user");
    if (user.role == Role::admin) json.value("admin");
    json.end_array();
    json.key("needs").begin_object();
    json.key("role").begin_array().value("user");
    if (user.role == Role::admin) json.value("admin");
    json.end_array();
    json.key("group");
    write_groups(json, user.role);
    json.end_object();
    json.key("settings").begin_object().end_object();
    json.field("strata_role", to_string(user.role));
}

}  // namespace strata::server::api
