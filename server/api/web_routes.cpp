// GET / and every other path the API does not claim: the web app. Its files come from the
// binary (web/, gzip-compressed at build time) or from `--web-root`. Hashed assets are cached
// for good, index.html is revalidated (ETag, 304); paths of the app's own pages (no extension,
// or a file's page under /files/) get index.html, so a reload on /files works. The CSP allows
// scripts and styles from this origin only, none inline.
#include <string>

#include "routes.hpp"
#include "strata/web/assets.hpp"

namespace strata::server::api {
namespace {

constexpr std::string_view content_security_policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

// Whether `Accept-Encoding` allows gzip (listed, and not with q=0).
bool accepts_gzip(const Call& call) {
    std::string_view rest = call.head.header("accept-encoding").value_or("");
    while (!rest.empty()) {
        const std::size_t comma = rest.find(',');
        std::string_view item = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        while (!item.empty() && item.front() == ' ')
            item.remove_prefix(1);
        const std::size_t semicolon = item.find(';');
        std::string_view coding = item.substr(0, semicolon);
        while (!coding.empty() && coding.back() == ' ')
            coding.remove_suffix(1);
        if (coding != "gzip" && coding != "x-gzip") continue;
        if (semicolon == std::string_view::npos) return true;
        const std::string_view parameters = item.substr(semicolon + 1);
        const std::size_t q = parameters.find("q=");
        if (q == std::string_view::npos) return true;
        // `q=0`, `q=0.0`, `q=0.000`: refused; any other weight accepts it.
        std::string_view weight = parameters.substr(q + 2);
        weight = weight.substr(0, weight.find_first_of(" ;"));
        return weight.find_first_not_of("0.") != std::string_view::npos;
    }
    return false;
}

// One of the ETags in `If-None-Match` (or `*`) is the asset's.
bool not_modified(const Call& call, const std::string& etag) {
    const std::string_view header = call.head.header("if-none-match").value_or("");
    if (header.empty()) return false;
    if (header == "*") return true;
    std::size_t from = 0;
    while ((from = header.find(etag, from)) != std::string_view::npos) {
        const bool starts = from == 0 || header[from - 1] == ' ' || header[from - 1] == ',' ||
                            header[from - 1] == '/';  // W/"..." compares weakly, as it should.
        const std::size_t end = from + etag.size();
        if (starts && (end == header.size() || header[end] == ',' || header[end] == ' '))
            return true;
        from = end;
    }
    return false;
}

// The app's own pages have no extension in their last segment; files do. A file's page is
// /files/<its path>, whose name has the file's extension.
bool is_app_page(std::string_view path) {
    if (path.starts_with("files/")) return true;
    const std::size_t slash = path.rfind('/');
    const std::string_view last = slash == std::string_view::npos ? path : path.substr(slash + 1);
    return last.find('.') == std::string_view::npos;
}

bool belongs_to_the_api(std::string_view path) {
    return path == "api" || path.starts_with("api/") || path.starts_with("downloads/") ||
           path.starts_with("sockjs/") || path == "sockjs" || path.starts_with("plugin/");
}

http::Response without_the_app() {
    http::Response response;
    response.content_type = "text/html; charset=utf-8";
    response.body =
        "<!doctype html><meta charset=utf-8><title>strata</title><h1>strata</h1>"
        "<p>This binary was built without the web app (STRATA_WEB_UI=OFF). The API answers "
        "under <code>/api</code>; <code>strata serve --web-root DIR</code> serves a built app "
        "from a folder.</p>";
    response.add_header("Content-Security-Policy", std::string(content_security_policy));
    return response;
}

http::Response asset_response(const Call& call, web::Asset&& asset) {
    std::string etag = asset.etag;
    if (asset.gzipped) etag.insert(etag.size() - 1, "-gzip");  // Another representation.
    http::Response response;
    response.add_header("ETag", etag);
    response.add_header("Cache-Control",
                        asset.immutable ? "public, max-age=31536000, immutable" : "no-cache");
    response.add_header("Vary", "Accept-Encoding");
    response.add_header("X-Content-Type-Options", "nosniff");
    if (asset.content_type.starts_with("text/html")) {
        response.add_header("Content-Security-Policy", std::string(content_security_policy));
        response.add_header("Referrer-Policy", "same-origin");
    }
    if (not_modified(call, etag)) {
        response.status = 304;
        response.content_type.clear();
        return response;
    }
    response.content_type = std::move(asset.content_type);
    if (asset.gzipped) response.add_header("Content-Encoding", "gzip");
    response.body = std::move(asset.body);
    return response;
}

}  // namespace

http::Response get_web_app(Services& services, const Call& call) {
    const std::string path = call.captures.empty() ? std::string() : call.captures.back();
    if (belongs_to_the_api(path)) return http::Response::error(404, "no such resource");
    const web::AssetSource source = services.config.web_root.empty()
                                        ? web::AssetSource()
                                        : web::AssetSource(services.config.web_root);
    if (!source.from_folder() && web::embedded_assets().empty()) {
        if (path.empty() || is_app_page(path)) return without_the_app();
        return http::Response::error(404, "no such file");
    }
    const bool gzip = accepts_gzip(call);
    std::optional<web::Asset> asset;
    if (!path.empty()) asset = source.find(path, gzip);
    if (!asset && (path.empty() || is_app_page(path))) asset = source.find("index.html", gzip);
    if (!asset) return http::Response::error(404, "no such file: /" + path);
    return asset_response(call, std::move(*asset));
}

}  // namespace strata::server::api
