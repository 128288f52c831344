// /api/files (list, one file or folder, select/print, analyse, copy, move, delete) and
// /downloads/files
// (the bytes, with Range). Only the `local` origin exists: strata prints from its own storage,
// so `sdcard` is answered 404 as OctoPrint does when SD support is off.
#include "routes.hpp"

#include <sys/stat.h>

#include <fstream>

#include "json_body.hpp"
#include "shapes.hpp"

namespace strata::server::api {
namespace {

bool is_local(const Call& call) {
    return !call.captures.empty() && call.captures[0] == "local";
}

http::Response no_origin(const Call& call) {
    return http::Response::error(404, "unknown origin '" +
                                          (call.captures.empty() ? "" : call.captures[0]) +
                                          "': only 'local' is available");
}

std::vector<StoredFile> files_under(Services& services, const std::string& folder) {
    std::vector<StoredFile> inside;
    for (StoredFile& file : services.library.list())
        if (file.path.starts_with(folder + "/")) inside.push_back(std::move(file));
    return inside;
}

// A copy of a stored file at `to`: its bytes through a new upload, so the copy is hashed,
// checked and prepared like any other file.
Status copy_file(Services& services, const StoredFile& file, const std::string& to) {
    Result<std::unique_ptr<Upload>> begun = services.library.begin_upload();
    if (!begun) return begun.take_error();
    Upload& upload = **begun;
    std::ifstream in(services.library.absolute(file), std::ios::binary);
    std::string chunk(std::size_t{1} << 20U, '\0');
    while (in) {
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        const std::size_t got = static_cast<std::size_t>(in.gcount());
        if (got > 0)
            if (Status written = upload.write(std::string_view(chunk.data(), got)); !written)
                return written;
    }
    if (in.bad()) return fail(ErrorCode::io, "cannot read " + file.path);
    const Result<StoredFile> copied =
        upload.commit(to, std::filesystem::path(to).filename().string(), true);
    if (!copied) return copied.error();
    return {};
}

// OctoPrint's copy and move: `destination` is a folder (the item keeps its name there) or the
// item's new path; nothing is overwritten (409), and what is being printed is not moved (409).
// A folder is copied or moved with everything in it.
http::Response copy_or_move(Services& services, const Call& call, const JsonBody& body,
                            const std::string& command) {
    const std::string& path = call.captures[1];
    const std::optional<StoredFile> file = services.library.find(path);
    const std::vector<StoredFile> inside =
        file ? std::vector<StoredFile>{} : files_under(services, path);
    if (!file && !services.library.is_folder(path))
        return http::Response::error(404, "no file or folder " + path);
    const std::optional<std::string> destination = body.string("destination");
    if (!destination || destination->empty()) return field_error("destination", "is missing");
    const std::string name = std::filesystem::path(path).filename().string();
    // An existing folder takes the item under its own name.
    std::string wanted = *destination;
    while (!wanted.empty() && wanted.front() == '/')
        wanted.erase(0, 1);
    const bool into_folder =
        wanted.empty() || wanted.back() == '/' || services.library.is_folder(wanted);
    while (!wanted.empty() && wanted.back() == '/')
        wanted.pop_back();
    const std::string folder =
        into_folder ? wanted : std::filesystem::path(wanted).parent_path().string();
    const std::string leaf = into_folder ? name : std::filesystem::path(wanted).filename().string();
    const Result<std::string> target = sanitize_path(folder, leaf);
    if (!target) return field_error("destination", target.error().message);
    if (services.library.find(*target) || services.library.is_folder(*target))
        return refused("File or folder does already exist");
    if (file && !is_gcode_name(*target))
        return http::Response::error(
            415, "Could not " + command + " " + path + " to " + *destination + ", invalid type");
    const std::vector<StoredFile> items = file ? std::vector<StoredFile>{*file} : inside;
    if (command == "move")
        for (const StoredFile& item : items)
            if (services.printer.printing_file(item.path))
                return refused("Trying to move a file or folder that is currently in use");
    for (const StoredFile& item : items) {
        const std::string to = file ? *target : *target + item.path.substr(path.size());
        const Status done =
            command == "move" ? services.library.move(item, to) : copy_file(services, item, to);
        if (!done) return http::Response::error(status_of(done.error()), done.error().message);
    }
    if (!file) {
        const Status done = command == "move" ? services.library.move_folders(path, *target)
                                              : services.library.copy_folders(path, *target);
        if (!done) return http::Response::error(status_of(done.error()), done.error().message);
    }
    services.events.publish("UpdatedFiles", R"({"type":"printables"})");
    const std::string location = call.origin() + "/api/files/local/" + url_path(*target);
    http::Response answer = json_reply(201, [&](JsonWriter& json) {
        json.begin_object().field("name", std::filesystem::path(*target).filename().string());
        json.field("path", *target).field("origin", "local").field("done", true);
        json.key("refs").begin_object().field("resource", location);
        if (file)
            json.field("download", call.origin() + "/downloads/files/local/" + url_path(*target));
        json.end_object().end_object();
    });
    answer.add_header("Location", location);
    return answer;
}

}  // namespace

http::Response get_files(Services& services, const Call& call) {
    if (!call.captures.empty() && !is_local(call)) return no_origin(call);
    const std::vector<StoredFile> files = services.library.list();
    const std::string origin = call.origin();
    return json_reply(200, [&](JsonWriter& json) {
        json.begin_object();
        json.key("files");
        write_file_tree(json, files, services.library.created_folders(), "",
                        call.query_flag("recursive"), origin);
        json.field("free", services.library.free_bytes());
        json.field("total", services.library.total_bytes());
        json.end_object();
    });
}

http::Response get_file(Services& services, const Call& call) {
    if (!is_local(call)) return no_origin(call);
    const std::string& path = call.captures[1];
    const std::string origin = call.origin();
    if (const std::optional<StoredFile> file = services.library.find(path))
        return json_reply(200, [&](JsonWriter& json) { write_file_item(json, *file, origin); });
    const std::vector<StoredFile> inside = files_under(services, path);
    if (!services.library.is_folder(path))
        return http::Response::error(404, "no file or folder " + path);
    std::vector<std::string> folders;  // The created ones in this folder.
    for (std::string& created : services.library.created_folders())
        if (created == path || created.starts_with(path + "/"))
            folders.push_back(std::move(created));
    // A folder: its entry as the parent's listing has it, with its children.
    const std::size_t slash = path.rfind('/');
    const std::string parent = slash == std::string::npos ? "" : path.substr(0, slash);
    const bool recursive = call.query_value("recursive") ? call.query_flag("recursive") : true;
    return json_reply(200, [&](JsonWriter& json) {
        std::ostringstream listing;
        JsonWriter inner(listing);
        write_file_tree(inner, inside, folders, parent, recursive, origin);
        // The listing is an array holding just this folder; answer with the folder itself.
        const std::string text = listing.str();
        json.raw(std::string_view(text).substr(1, text.size() - 2));
    });
}

http::Response post_file_command(Services& services, const Call& call) {
    if (!is_local(call)) return no_origin(call);
    JsonBody body;
    std::string command;
    if (std::optional<http::Response> refused = read_command(call, body, command)) return *refused;
    std::string error;
    const std::string& path = call.captures[1];
    if (command == "copy" || command == "move") return copy_or_move(services, call, body, command);
    const std::optional<StoredFile> file = services.library.find(path);
    if (!file) return http::Response::error(404, "no file " + path);
    if (command == "select") {
        const bool print = body.flag("print").value_or(false);
        if (print && !services.printer.operational())
            return refused("the printer is not operational");
        if (const Status selected = services.printer.select(*file, print); !selected)
            return refused(selected.error().message);
        return http::Response::empty(204);
    }
    if (command == "unselect") {
        services.printer.unselect();
        return http::Response::empty(204);
    }
    if (command == "analyse") {
        if (services.printer.printing_file(path)) return refused("the file is being printed");
        services.library.prepare(file->id);
        return http::Response::empty(204);
    }
    return http::Response::error(400, "command is invalid: " + command);
}

http::Response delete_file(Services& services, const Call& call) {
    if (!is_local(call)) return no_origin(call);
    const std::string& path = call.captures[1];
    std::vector<StoredFile> doomed;
    if (std::optional<StoredFile> file = services.library.find(path))
        doomed.push_back(std::move(*file));
    else
        doomed = files_under(services, path);
    const bool folder = doomed.empty() || doomed.front().path != path;
    if (doomed.empty() && !services.library.is_folder(path))
        return http::Response::error(404, "no file or folder " + path);
    for (const StoredFile& file : doomed)
        if (services.printer.printing_file(file.path))
            return refused("'" + file.path + "' is being printed");
    for (const StoredFile& file : doomed) {
        if (const Status removed = services.library.remove(file.path); !removed)
            return http::Response::error(500, removed.error().message);
        std::ostringstream payload;
        JsonWriter(payload)
            .begin_object()
            .field("storage", "local")
            .field("path", file.path)
            .field("name", file.display_name)
            .field("type", "machinecode")
            .end_object();
        services.events.publish("FileRemoved", payload.str());
    }
    if (folder) {
        if (const Status removed = services.library.remove_folders(path); !removed)
            return http::Response::error(500, removed.error().message);
        std::ostringstream payload;
        JsonWriter(payload)
            .begin_object()
            .field("storage", "local")
            .field("path", path)
            .field("name", std::filesystem::path(path).filename().string())
            .end_object();
        services.events.publish("FolderRemoved", payload.str());
    }
    return http::Response::empty(204);
}

http::Response download_file(Services& services, const Call& call) {
    if (!is_local(call)) return no_origin(call);
    const std::optional<StoredFile> file = services.library.find(call.captures[1]);
    if (!file) return http::Response::error(404, "no file " + call.captures[1]);
    http::Response response =
        file_answer(call, services.library.absolute(*file), "text/x-gcode; charset=utf-8");
    response.add_header("Content-Disposition",
                        "attachment; filename*=UTF-8''" + url_path(file->display_name));
    return response;
}

// GET /api/strata/thumbnails/<id>.png|jpg: a file's slicer thumbnail. Only names the library
// writes are looked up; the URL carries the content hash, so it may be cached for good.
http::Response get_thumbnail(Services& services, const Call& call) {
    const std::string& name = call.captures[0];
    const std::size_t dot = name.find('.');
    const std::string_view stem = std::string_view(name).substr(0, dot);
    const std::string_view extension =
        dot == std::string::npos ? std::string_view() : std::string_view(name).substr(dot + 1);
    const bool digits = !stem.empty() && stem.find_first_not_of("0123456789") == std::string::npos;
    if (!digits || (extension != "png" && extension != "jpg"))
        return http::Response::error(404, "no thumbnail " + name);
    http::Response response = file_answer(call, services.library.thumbnails_directory() / name,
                                          extension == "png" ? "image/png" : "image/jpeg");
    if (response.status == 200)
        response.add_header("Cache-Control", "private, max-age=31536000, immutable");
    return response;
}

http::Response file_answer(const Call& call, const std::filesystem::path& path,
                           std::string content_type) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode))
        return http::Response::error(404, "the file is gone");
    const auto size = static_cast<std::uint64_t>(info.st_size);
    http::ByteRange range{0, size};
    const auto header = call.head.header("range");
    const http::RangeResult result =
        header ? http::parse_range(*header, size, range) : http::RangeResult::whole;
    if (result == http::RangeResult::unsatisfiable) {
        http::Response response = http::Response::error(416, "the range is outside the file");
        response.add_header("Content-Range", "bytes */" + std::to_string(size));
        return response;
    }
    http::Response response;
    response.content_type = std::move(content_type);
    response.add_header("Accept-Ranges", "bytes");
    if (result == http::RangeResult::slice) {
        response.status = 206;
        response.add_header("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                                 std::to_string(range.first + range.length - 1) +
                                                 "/" + std::to_string(size));
    }
    response.file = http::FileBody{path.string(), range.first, range.length};
    return response;
}

}  // namespace strata::server::api
