// Looking up the app's files: in the binary's table (sent gzip-compressed as built, or
// inflated for the rare client that does not accept gzip), or in a folder for development.
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "strata/web/assets.hpp"

namespace strata::web {
namespace {

std::optional<std::string> gunzip(std::string_view compressed, std::uint64_t size_bytes) {
    std::string out(size_bytes, '\0');
    z_stream stream{};
    if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) return std::nullopt;  // 16: gzip header.
    // zlib's interface is not const-correct; it only reads the input.
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
    stream.avail_in = static_cast<uInt>(compressed.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    const int status = inflate(&stream, Z_FINISH);
    inflateEnd(&stream);
    if (status != Z_STREAM_END || stream.total_out != size_bytes) return std::nullopt;
    return out;
}

}  // namespace

std::optional<Asset> AssetSource::find(std::string_view path, bool accepts_gzip) const {
    if (!is_safe_path(path)) return std::nullopt;
    if (from_folder()) return find_in_folder(path);
    for (const EmbeddedAsset& embedded : embedded_assets()) {
        if (embedded.path != path) continue;
        Asset asset{std::string(embedded.gzip), std::string(embedded.content_type),
                    std::string(embedded.etag), true, embedded.immutable};
        if (accepts_gzip) return asset;
        std::optional<std::string> plain = gunzip(embedded.gzip, embedded.size_bytes);
        if (!plain) return std::nullopt;  // The build wrote what it read; cannot happen.
        asset.body = std::move(*plain);
        asset.gzipped = false;
        return asset;
    }
    return std::nullopt;
}

// A folder under development: no compression, and no caching beyond revalidation (the ETag is
// the file's size and modification time, so a rebuild is seen at the next request).
std::optional<Asset> AssetSource::find_in_folder(std::string_view path) const {
    const std::filesystem::path file = std::filesystem::path(folder_) / std::string(path);
    std::error_code error;
    if (!std::filesystem::is_regular_file(file, error)) return std::nullopt;
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::nullopt;
    Asset asset;
    asset.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    asset.content_type = std::string(content_type_of(path));
    const auto modified = std::filesystem::last_write_time(file, error).time_since_epoch().count();
    char etag[64];
    std::snprintf(etag, sizeof etag, "\"%zx-%llx\"", asset.body.size(),
                  static_cast<unsigned long long>(modified));
    asset.etag = etag;
    return asset;
}

}  // namespace strata::web
