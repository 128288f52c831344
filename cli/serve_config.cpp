// The configuration file's tables and keys, and what each sets in `server::ServerConfig`.
// Each table has a handler that takes its keys one by one; a key no handler knows is an error
// (a misspelt key silently ignored is a setting the user believes in and does not have).
#include "serve_config.hpp"

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "strata/common/json_writer.hpp"

namespace strata::cli {
namespace {

std::string shortest(double number) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", number);
    return text;
}

// One `table.key = value`, with what a message about it needs.
struct Field {
    const std::string& table;
    const std::string& key;
    const ConfigValue& value;

    [[nodiscard]] Error wrong(const std::string& what) const {
        return Error{ErrorCode::invalid,
                     "line " + std::to_string(value.line) + ": " + name() + ": " + what};
    }
    [[nodiscard]] std::string name() const { return table.empty() ? key : table + "." + key; }

    [[nodiscard]] Result<std::string> text() const {
        if (const auto* text = std::get_if<std::string>(&value.data)) return *text;
        return wrong(std::string("wants a string, not ") + type_name(value));
    }
    [[nodiscard]] Result<bool> flag() const {
        if (const auto* flag = std::get_if<bool>(&value.data)) return *flag;
        return wrong(std::string("wants true or false, not ") + type_name(value));
    }
    [[nodiscard]] Result<std::int64_t> integer(std::int64_t min, std::int64_t max) const {
        const auto* number = std::get_if<std::int64_t>(&value.data);
        if (number == nullptr)
            return wrong(std::string("wants an integer, not ") + type_name(value));
        if (*number < min || *number > max)
            return wrong("wants " + std::to_string(min) + " to " + std::to_string(max) + ", not " +
                         std::to_string(*number));
        return *number;
    }
    [[nodiscard]] Result<double> number(double min, double max) const {
        double number = 0.0;
        if (const auto* integer = std::get_if<std::int64_t>(&value.data)) {
            number = static_cast<double>(*integer);
        } else if (const auto* real = std::get_if<double>(&value.data)) {
            number = *real;
        } else {
            return wrong(std::string("wants a number, not ") + type_name(value));
        }
        if (!(number >= min && number <= max))
            return wrong("wants " + shortest(min) + " to " + shortest(max) + ", not " +
                         shortest(number));
        return number;
    }
    [[nodiscard]] Error unknown(const char* known) const {
        return wrong(std::string("unknown key (known here: ") + known + ")");
    }
};

// Stores a field's value when it was read; the field's error when not.
template <class T, class U>
Status store(T& target, Result<U> read) {
    if (!read) return read.take_error();
    target = std::move(read).value();
    return {};
}

Status apply_server_key(const Field& field, server::ServerConfig& config) {
    if (field.key == "listen") {
        Result<std::string> listen = field.text();
        if (!listen) return listen.take_error();
        Status parsed = parse_listen(*listen, config);
        return parsed ? parsed : field.wrong(parsed.error().message);
    }
    if (field.key == "data_directory") {
        Result<std::string> data = field.text();
        if (data && (data->empty() || data->front() != '/'))
            return field.wrong("wants an absolute path");
        return store(config.data_directory, std::move(data));
    }
    if (field.key == "max_upload_mb") {
        Result<std::int64_t> megabytes = field.integer(1, 1'000'000);
        if (!megabytes) return megabytes.take_error();
        config.max_upload_bytes = static_cast<std::uint64_t>(*megabytes) << 20U;
        return {};
    }
    if (field.key == "http_threads") {
        Result<std::int64_t> threads = field.integer(1, 64);
        if (!threads) return threads.take_error();
        config.http.threads = static_cast<unsigned>(*threads);
        return {};
    }
    if (field.key == "web_root") return store(config.web_root, field.text());
    return field.unknown("listen, data_directory, max_upload_mb, http_threads, web_root");
}

Status apply_printer_key(const Field& field, server::ServerConfig& config) {
    server::PrinterSettings& printer = config.printer;
    if (field.key == "port") return store(printer.streamer.link.target, field.text());
    if (field.key == "baud") {
        Result<std::int64_t> baud = field.integer(0, 4'000'000);
        if (!baud) return baud.take_error();
        printer.streamer.link.baud = static_cast<int>(*baud);
        return {};
    }
    if (field.key == "resume_hotend_c")
        return store(printer.resume_hotend_c, field.number(0.0, 500.0));
    if (field.key == "resume_bed_c") return store(printer.resume_bed_c, field.number(0.0, 200.0));
    return field.unknown("port, baud, resume_hotend_c, resume_bed_c");
}

Status apply_webcam_key(const Field& field, server::ServerConfig& config) {
    if (field.key == "stream_url") return store(config.webcam_stream_url, field.text());
    if (field.key == "snapshot_url") return store(config.webcam_snapshot_url, field.text());
    return field.unknown("stream_url, snapshot_url");
}

Status apply_discovery_key(const Field& field, server::ServerConfig& config) {
    if (field.key == "announce") return store(config.discovery.announce, field.flag());
    if (field.key == "name") return store(config.discovery.name, field.text());
    return field.unknown("announce, name");
}

Result<timelapse::CameraKind> camera_kind(const Field& field) {
    Result<std::string> kind = field.text();
    if (!kind) return kind.take_error();
    if (*kind == "snapshot") return timelapse::CameraKind::http_snapshot;
    if (*kind == "mjpeg") return timelapse::CameraKind::mjpeg_stream;
    if (*kind == "script") return timelapse::CameraKind::script;
    return field.wrong("wants \"snapshot\", \"mjpeg\" or \"script\", not \"" + *kind + "\"");
}

Result<timelapse::Rotation> camera_rotation(const Field& field) {
    Result<std::int64_t> degrees = field.integer(0, 270);
    if (!degrees) return degrees.take_error();
    switch (*degrees) {
        case 0: return timelapse::Rotation::none;
        case 90: return timelapse::Rotation::cw90;
        case 180: return timelapse::Rotation::cw180;
        case 270: return timelapse::Rotation::cw270;
        default: return field.wrong("wants 0, 90, 180 or 270 (degrees clockwise)");
    }
}

Status apply_camera_key(const Field& field, timelapse::CameraConfig& camera) {
    const std::string& key = field.key;
    if (key == "name") return store(camera.name, field.text());
    if (key == "kind") return store(camera.kind, camera_kind(field));
    if (key == "enabled") return store(camera.enabled, field.flag());
    if (key == "url") return store(camera.url, field.text());
    if (key == "username") return store(camera.username, field.text());
    if (key == "password") return store(camera.password, field.text());
    if (key == "verify_tls") return store(camera.verify_tls, field.flag());
    if (key == "command") return store(camera.command, field.text());
    if (key == "timeout_s") return store(camera.timeout_s, field.number(0.1, 600.0));
    if (key == "delay_s") return store(camera.delay_s, field.number(0.0, 60.0));
    if (key == "rotate") return store(camera.transform.rotation, camera_rotation(field));
    if (key == "flip_horizontal") return store(camera.transform.flip_horizontal, field.flag());
    if (key == "flip_vertical") return store(camera.transform.flip_vertical, field.flag());
    return field.unknown(
        "name, kind, enabled, url, username, password, verify_tls, command, timeout_s, delay_s, "
        "rotate, flip_horizontal, flip_vertical");
}

// A camera needs what its kind reads, and a name of its own (its frames' folder).
Status check_camera(const ConfigTable& table, const timelapse::CameraConfig& camera,
                    const std::vector<timelapse::CameraConfig>& before) {
    const std::string where = "line " + std::to_string(table.line) + ": [[camera]] ";
    const bool script = camera.kind == timelapse::CameraKind::script;
    if (script ? camera.command.empty() : camera.url.empty())
        return fail(ErrorCode::invalid,
                    where + (script ? "of kind \"script\" wants a command" : "wants a url"));
    if (camera.name.empty() || camera.name.find('/') != std::string::npos || camera.name == "." ||
        camera.name == "..")
        return fail(ErrorCode::invalid, where + "wants a name that can be a folder's");
    for (const timelapse::CameraConfig& other : before) {
        if (other.name == camera.name)
            return fail(ErrorCode::invalid, where + "has the name \"" + camera.name +
                                                "\" of another camera; give each its own");
    }
    return {};
}

Status apply_camera(const ConfigTable& table, std::vector<timelapse::CameraConfig>& cameras) {
    timelapse::CameraConfig camera;
    camera.name = "camera" + std::to_string(cameras.size());
    for (const auto& [key, value] : table.entries)
        if (Status applied = apply_camera_key(Field{table.name, key, value}, camera); !applied)
            return applied;
    if (Status checked = check_camera(table, camera, cameras); !checked) return checked;
    cameras.push_back(std::move(camera));
    return {};
}

using KeyHandler = Status (*)(const Field&, server::ServerConfig&);

KeyHandler handler_of(const ConfigTable& table) {
    if (table.array_element) return nullptr;
    if (table.name == "server") return apply_server_key;
    if (table.name == "printer") return apply_printer_key;
    if (table.name == "webcam") return apply_webcam_key;
    if (table.name == "discovery") return apply_discovery_key;
    return nullptr;
}

Status apply_table(const ConfigTable& table, server::ServerConfig& config) {
    if (table.name == "camera" && table.array_element)
        return apply_camera(table, config.printer.cameras);
    if (table.name.empty()) {
        if (table.entries.empty()) return {};
        const auto& [key, value] = table.entries.front();
        return Field{table.name, key, value}.wrong(
            "belongs in a table ([server], [printer], [webcam], [discovery] or [[camera]])");
    }
    const KeyHandler handler = handler_of(table);
    if (handler == nullptr)
        return fail(ErrorCode::invalid,
                    "line " + std::to_string(table.line) + ": unknown table " +
                        (table.array_element ? "[[" + table.name + "]]" : "[" + table.name + "]") +
                        " (known: [server], [printer], [webcam], [discovery], [[camera]])");
    for (const auto& [key, value] : table.entries)
        if (Status applied = handler(Field{table.name, key, value}, config); !applied)
            return applied;
    return {};
}

std::string quoted(const std::string& text) {
    std::ostringstream out;
    JsonWriter(out).value(text);  // A JSON string is a TOML basic string.
    return out.str();
}

}  // namespace

Status parse_listen(const std::string& value, server::ServerConfig& config) {
    const std::size_t colon = value.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == value.size())
        return fail(ErrorCode::invalid, "wants ADDR:PORT, not '" + value + "'");
    char* end = nullptr;
    const long port = std::strtol(value.c_str() + colon + 1, &end, 10);
    if (*end != '\0' || port < 0 || port > 65535)
        return fail(ErrorCode::invalid, "wants a port from 0 to 65535, not '" + value + "'");
    std::string address = value.substr(0, colon);
    if (address.size() > 2 && address.front() == '[' && address.back() == ']')
        address = address.substr(1, address.size() - 2);
    config.http.address = address;
    config.http.port = static_cast<std::uint16_t>(port);
    return {};
}

Status apply_config(const ConfigDocument& document, server::ServerConfig& config) {
    // The file's cameras replace the defaults' (none) rather than add to the command line's.
    for (const ConfigTable& table : document.tables)
        if (Status applied = apply_table(table, config); !applied) return applied;
    config.printer.timelapse_directory = config.data_directory / "timelapse";
    return {};
}

Status apply_config_file(const std::string& path, server::ServerConfig& config) {
    Result<ConfigDocument> document = read_config_file(path);
    if (!document) return document.take_error();
    if (Status applied = apply_config(*document, config); !applied)
        return fail(applied.error().code, path + ": " + applied.error().message);
    return {};
}

Status check_config(const server::ServerConfig& config) {
    std::error_code error;
    std::filesystem::path existing = config.data_directory;
    // The nearest folder that exists must be one the directory can be made in.
    while (!existing.empty() && !std::filesystem::exists(existing, error))
        existing = existing.parent_path();
    if (!existing.empty() && !std::filesystem::is_directory(existing, error))
        return fail(ErrorCode::invalid, "data directory " + config.data_directory.string() + ": " +
                                            existing.string() + " is not a folder");
    if (!config.web_root.empty() &&
        !std::filesystem::is_regular_file(std::filesystem::path(config.web_root) / "index.html",
                                          error))
        return fail(ErrorCode::invalid, "web_root " + config.web_root + " has no index.html");
    return {};
}

void write_config(const server::ServerConfig& config, std::ostream& out) {
    out << "[server]\n"
        << "listen = " << quoted(config.http.address + ":" + std::to_string(config.http.port))
        << "\ndata_directory = " << quoted(config.data_directory.string())
        << "\nmax_upload_mb = " << (config.max_upload_bytes >> 20U)
        << "\nhttp_threads = " << config.http.threads << '\n';
    if (!config.web_root.empty()) out << "web_root = " << quoted(config.web_root) << '\n';
    const server::PrinterSettings& printer = config.printer;
    out << "\n[printer]\nport = " << quoted(printer.streamer.link.target)
        << "\nbaud = " << printer.streamer.link.baud
        << "\nresume_hotend_c = " << shortest(printer.resume_hotend_c)
        << "\nresume_bed_c = " << shortest(printer.resume_bed_c) << '\n';
    if (!config.webcam_stream_url.empty() || !config.webcam_snapshot_url.empty()) {
        out << "\n[webcam]\nstream_url = " << quoted(config.webcam_stream_url)
            << "\nsnapshot_url = " << quoted(config.webcam_snapshot_url) << '\n';
    }
    out << "\n[discovery]\nannounce = " << (config.discovery.announce ? "true" : "false");
    if (!config.discovery.name.empty()) out << "\nname = " << quoted(config.discovery.name);
    out << '\n';
    constexpr const char* kinds[] = {"snapshot", "mjpeg", "script"};
    constexpr int degrees[] = {0, 90, 180, 270};
    for (const timelapse::CameraConfig& camera : printer.cameras) {
        out << "\n[[camera]]\nname = " << quoted(camera.name)
            << "\nkind = " << quoted(kinds[static_cast<int>(camera.kind)])
            << "\nenabled = " << (camera.enabled ? "true" : "false");
        if (camera.kind == timelapse::CameraKind::script) {
            out << "\ncommand = " << quoted(camera.command);
        } else {
            out << "\nurl = " << quoted(camera.url);
        }
        if (!camera.username.empty()) out << "\nusername = " << quoted(camera.username);
        if (!camera.password.empty()) out << "\n# password set (not shown)";
        out << "\ntimeout_s = " << shortest(camera.timeout_s)
            << "\ndelay_s = " << shortest(camera.delay_s)
            << "\nrotate = " << degrees[static_cast<int>(camera.transform.rotation)]
            << "\nflip_horizontal = " << (camera.transform.flip_horizontal ? "true" : "false")
            << "\nflip_vertical = " << (camera.transform.flip_vertical ? "true" : "false") << '\n';
    }
}

}  // namespace strata::cli
