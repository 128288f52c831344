// The web app's files as the server serves them: built into the binary (gzip-compressed at build
// time by web/embed/embed_assets.cpp), or read from a folder (`strata serve --web-root DIR`, for
// UI development). Each asset knows its type, its ETag and whether its name carries a content
// hash (then it never changes and may be cached for good).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace strata::web {

/// One file built into the binary.
struct EmbeddedAsset {
    std::string_view path;  ///< From the app's root, without a leading slash: `assets/x.js`.
    std::string_view content_type;
    std::string_view etag;  ///< Quoted, as sent.
    std::string_view gzip;  ///< The file, gzip-compressed.
    std::uint64_t size_bytes;
    bool immutable;
};

/// The files built into this binary; empty when it was built without the web UI.
[[nodiscard]] std::span<const EmbeddedAsset> embedded_assets();

/// A file ready to send.
struct Asset {
    std::string body;
    std::string content_type;
    std::string etag;
    bool gzipped = false;    ///< `body` is gzip (send `Content-Encoding: gzip`).
    bool immutable = false;  ///< Its name carries a content hash.
};

/// Where the app's files come from: the binary, or a folder.
class AssetSource {
  public:
    /// The files built into the binary.
    AssetSource() = default;
    /// The files of `folder` (read on each request, so a rebuild shows at once).
    explicit AssetSource(std::string folder) : folder_(std::move(folder)) {}

    /// The file at `path` (no leading slash); nothing when there is none or the path leaves the
    /// root. Gzip-compressed when stored so and the client accepts it, else as it is.
    [[nodiscard]] std::optional<Asset> find(std::string_view path, bool accepts_gzip) const;
    [[nodiscard]] bool from_folder() const { return !folder_.empty(); }

  private:
    [[nodiscard]] std::optional<Asset> find_in_folder(std::string_view path) const;
    std::string folder_;
};

/// The MIME type for a file name, by its extension (`application/octet-stream` when unknown).
[[nodiscard]] std::string_view content_type_of(std::string_view path);

/// Whether a path is safe to look up: relative, no `..`, `.` or empty segment, no NUL or `\`.
[[nodiscard]] bool is_safe_path(std::string_view path);

}  // namespace strata::web
