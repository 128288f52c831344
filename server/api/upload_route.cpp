// POST /api/files/local: the multipart upload, streamed. The `file` part goes through the
// multipart parser straight into an Upload (a temporary file and a running XXH3-128 hash), so
// memory stays bounded whatever the size; the small fields are collected. Only a whole, valid
// upload is installed: an interrupted one, a non-G-code one (415) or an empty one (400) leaves
// nothing. `select`/`print` are downgraded, never refused, when the printer cannot take them, and
// the answer says so (`effectiveSelect`, `effectivePrint`), as OctoPrint does. The file may be
// up to `ServerConfig::max_upload_bytes` (413 beyond), and the disk must hold it and its job
// (507 otherwise): checked from Content-Length before the body, and again as the bytes come.
#include <cerrno>
#include <map>

#include "routes.hpp"
#include "shapes.hpp"

namespace strata::server::api {
namespace {

constexpr std::size_t max_field_bytes = std::size_t{64} * 1024;
// OctoPrint's upload has a handful of small fields (path, filename, select, print, userdata):
// more, or more bytes of them, is no upload but a way to hold the server's memory.
constexpr std::size_t max_fields = 32;
constexpr std::size_t max_all_fields_bytes = std::size_t{256} * 1024;

// Besides the file: the fields, each part's head, the delimiters.
constexpr std::uint64_t max_form_overhead_bytes = max_all_fields_bytes + std::uint64_t{64} * 1024;
// How often a body of unknown length checks the disk as it is written.
constexpr std::uint64_t space_check_bytes = std::uint64_t{16} << 20U;

class UploadExchange final : public http::Exchange {
  public:
    UploadExchange(Services& services, Call&& call) : services_(services), call_(std::move(call)) {
        const auto content_type = call_.head.header("content-type");
        if (!content_type || !parser_.start(*content_type).ok())
            failure_ = "the upload must be multipart/form-data with a boundary";
        else if (call_.head.content_length > 0)
            refuse_declared_length(call_.head.content_length);
    }

    // Answered before the body, so a client that waits for "100 Continue" never sends it.
    [[nodiscard]] bool wants_body() const override { return failure_.empty(); }

    bool on_body(std::string_view bytes) override {
        if (!failure_.empty()) return false;
        http::MultipartParser::Callbacks callbacks;
        callbacks.on_part = [this](const http::PartHead& part) { on_part(part); };
        callbacks.on_data = [this](std::string_view data) { on_data(data); };
        callbacks.on_part_end = [this] { part_ = Part::none; };
        if (!parser_.feed(bytes, callbacks) && failure_.empty())
            failure_ = "malformed multipart body: " + parser_.error();
        return failure_.empty();
    }

    http::Response finish() override;

    void abandon() override {
        if (upload_) upload_->abandon();
    }

  private:
    enum class Part : std::uint8_t { none, file, field, ignored };

    void on_part(const http::PartHead& part) {
        if (part.name == "file" && !part.filename.empty()) {
            if (upload_) {
                failure_ = "more than one file part";
                return;
            }
            Result<std::unique_ptr<Upload>> begun = services_.library.begin_upload();
            if (begun) {
                upload_ = std::move(*begun);
            } else {
                failure_ = begun.error().message;
                failure_status_ = status_of(begun.error());
            }
            part_name_ = part.filename;
            part_ = upload_ ? Part::file : Part::none;
            return;
        }
        if (++field_count_ > max_fields) {
            failure_ = "more than " + std::to_string(max_fields) + " form fields";
            return;
        }
        part_ = Part::field;
        field_ = part.name;
        fields_bytes_ -= fields_[field_].size();
        fields_[field_].clear();
    }

    // A declared length over the limit, or more than the disk can take with the job prepared
    // from it, is refused at once.
    void refuse_declared_length(std::uint64_t body_bytes) {
        const std::uint64_t limit = services_.config.max_upload_bytes;
        if (body_bytes > limit + max_form_overhead_bytes) {
            failure_ = "the upload is " + std::to_string(body_bytes) + " bytes; at most " +
                       std::to_string(limit) + " bytes of G-code are taken";
            failure_status_ = 413;
            return;
        }
        const std::uint64_t needed = 2 * body_bytes + services_.config.upload_free_reserve_bytes;
        if (services_.library.free_bytes() < needed) {
            failure_ = "not enough disk space for " + std::to_string(body_bytes) +
                       " bytes and the job prepared from them (" +
                       std::to_string(services_.library.free_bytes()) + " bytes free)";
            failure_status_ = 507;
        }
    }

    // The file's bytes as they come: the limit holds for a body of unknown length (chunked),
    // and the disk is watched as it fills.
    bool file_bytes_fit(std::size_t more) {
        const std::uint64_t after = upload_->bytes() + more;
        if (after > services_.config.max_upload_bytes) {
            failure_ =
                "the file is over " + std::to_string(services_.config.max_upload_bytes) + " bytes";
            failure_status_ = 413;
            return false;
        }
        if (after < next_space_check_bytes_) return true;
        next_space_check_bytes_ = after + space_check_bytes;
        if (services_.library.free_bytes() < services_.config.upload_free_reserve_bytes) {
            failure_ = "the disk is nearly full (" +
                       std::to_string(services_.library.free_bytes()) + " bytes free)";
            failure_status_ = 507;
            return false;
        }
        return true;
    }

    void on_data(std::string_view data) {
        if (!failure_.empty()) return;
        if (part_ == Part::file) {
            if (!file_bytes_fit(data.size())) return;
            if (const Status written = upload_->write(data); !written) {
                failure_ = written.error().message;
                failure_status_ = status_of(written.error());
            }
        } else if (part_ == Part::field) {
            std::string& value = fields_[field_];
            if (value.size() + data.size() > max_field_bytes) {
                failure_ = "the form field '" + field_ + "' is too long";
            } else if (fields_bytes_ + data.size() > max_all_fields_bytes) {
                failure_ = "the form fields are over " + std::to_string(max_all_fields_bytes) +
                           " bytes in all (at '" + field_ + "')";
            } else {
                value.append(data);
                fields_bytes_ += data.size();
            }
        }
    }

    [[nodiscard]] std::optional<std::string> field(const char* name) const {
        const auto found = fields_.find(name);
        if (found == fields_.end()) return std::nullopt;
        return found->second;
    }

    http::Response add_folder(const std::string& foldername);

    http::Response fail(int status, const std::string& message) {
        abandon();
        return http::Response::error(status, message);
    }

    Services& services_;
    Call call_;
    http::MultipartParser parser_;
    std::unique_ptr<Upload> upload_;
    std::string part_name_;
    Part part_ = Part::none;
    std::string field_;
    std::map<std::string, std::string> fields_;
    std::size_t field_count_ = 0;
    std::size_t fields_bytes_ = 0;  ///< Of every field's value.
    std::string failure_;
    int failure_status_ = 400;  ///< A malformed body unless the disk failed us.
    std::uint64_t next_space_check_bytes_ = 0;
};

// G-code is text: a NUL byte in its first kilobytes means it is something else.
bool looks_like_text(const std::string& head) {
    return head.find('\0') == std::string::npos;
}

http::Response UploadExchange::finish() {
    if (!failure_.empty()) return fail(failure_status_, failure_);
    if (!parser_.finished()) return fail(400, "the multipart body ended early");
    if (!upload_) {
        if (const std::optional<std::string> name = field("foldername")) return add_folder(*name);
        return fail(400,
                    "No file to upload and no folder to create: send the G-code as the "
                    "form field 'file', or a folder's name as 'foldername'");
    }
    const std::string name = field("filename").value_or(part_name_);
    const Result<std::string> path = sanitize_path(field("path").value_or(""), name);
    if (!path) return fail(400, "invalid file name '" + name + "': " + path.error().message);
    if (!is_gcode_name(*path))
        return fail(415, "Could not upload the file \"" + name +
                             "\": only G-code (.gcode, .gco, .g) can be printed");
    if (upload_->bytes() == 0) return fail(400, "the file \"" + name + "\" is empty");
    if (!looks_like_text(upload_->head()))
        return fail(415, "Could not upload the file \"" + name + "\": it is not text G-code");
    if (services_.printer.printing_file(*path))
        return fail(409, "\"" + *path + "\" is being printed and cannot be replaced");
    const bool no_overwrite = truthy(field("noOverwrite").value_or(""));
    const std::string display = std::filesystem::path(*path).filename().string();
    const Result<StoredFile> committed = upload_->commit(*path, display, no_overwrite);
    if (!committed) return fail(status_of(committed.error()), committed.error().message);
    const StoredFile& stored = *committed;
    bool print = truthy(field("print").value_or(""));
    bool select = print || truthy(field("select").value_or(""));
    // Downgraded, never refused: the file is stored either way.
    if (print && !services_.printer.operational()) print = false;
    if (select && !services_.printer.select(stored, print).ok()) select = print = false;
    const std::string origin = call_.origin();
    std::ostringstream payload;
    JsonWriter(payload)
        .begin_object()
        .field("name", display)
        .field("path", stored.path)
        .field("target", "local")
        .field("select", select)
        .field("print", print)
        .end_object();
    services_.events.publish("Upload", payload.str());
    http::Response response = json_reply(201, [&](JsonWriter& json) {
        json.begin_object();
        json.key("files").begin_object().key("local").begin_object();
        json.field("name", display).field("path", stored.path).field("origin", "local");
        json.key("refs").begin_object();
        json.field("resource", origin + "/api/files/local/" + url_path(stored.path));
        json.field("download", origin + "/downloads/files/local/" + url_path(stored.path));
        json.end_object().end_object().end_object();
        json.field("done", true);
        json.field("effectiveSelect", select);
        json.field("effectivePrint", print);
        json.end_object();
    });
    response.add_header("Location", origin + "/api/files/local/" + url_path(stored.path));
    return response;
}

// OctoPrint's folder creation: `foldername` (which may hold a path) under `path`; creating one
// that exists is no error, as in OctoPrint; a name that looks like G-code is refused, so a
// folder cannot pass for a file.
http::Response UploadExchange::add_folder(const std::string& foldername) {
    std::string folder = field("path").value_or("");
    std::string name = foldername;
    while (!name.empty() && name.back() == '/')
        name.pop_back();
    if (const std::size_t slash = name.rfind('/'); slash != std::string::npos) {
        if (folder.empty()) folder = name.substr(0, slash);
        name.erase(0, slash + 1);
    }
    const Result<std::string> path = sanitize_path(folder, name);
    if (!path) return fail(400, "folder name is empty or invalid: " + path.error().message);
    if (is_gcode_name(*path) || services_.library.find(*path))
        return fail(409, "Can't create folder, please try another name");
    if (const Status added = services_.library.add_folder(*path); !added)
        return fail(500, added.error().message);
    const std::string leaf = std::filesystem::path(*path).filename().string();
    std::ostringstream payload;
    JsonWriter(payload)
        .begin_object()
        .field("storage", "local")
        .field("path", *path)
        .field("name", leaf)
        .end_object();
    services_.events.publish("FolderAdded", payload.str());
    const std::string resource = call_.origin() + "/api/files/local/" + url_path(*path);
    http::Response response = json_reply(201, [&](JsonWriter& json) {
        json.begin_object().key("folder").begin_object();
        json.field("name", leaf).field("display", leaf).field("path", *path);
        json.field("origin", "local");
        json.key("refs").begin_object().field("resource", resource).end_object();
        json.end_object().field("done", true).end_object();
    });
    response.add_header("Location", resource);
    return response;
}

}  // namespace

std::unique_ptr<http::Exchange> post_upload(Services& services, Call&& call) {
    if (call.captures.empty() || call.captures[0] != "local")
        return http::answer_now(http::Response::error(
            404, "unknown origin '" + (call.captures.empty() ? "" : call.captures[0]) +
                     "': uploads go to 'local'"));
    return std::make_unique<UploadExchange>(services, std::move(call));
}

}  // namespace strata::server::api
