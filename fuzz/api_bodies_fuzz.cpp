// Fuzz target: every API route that reads a request body (JSON, or the urlencoded form OctoPrint
// also takes), through the real application in-process: routing, authentication (an admin's
// API key), the JSON body reader and each handler's own field checks, on a real store in a
// scratch folder. The first byte picks the route, the second the Content-Type (and the profile
// kind); the rest is the body. Whatever the body, the answer is a client error or success,
// never a server error, and a JSON answer is valid JSON in valid UTF-8.
// Left out: the upload route (multipart_fuzz reads its bodies) and `POST /api/connection`,
// which would open this machine's real serial ports.
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include "../tests/support/route_paths.hpp"
#include "fuzz_support.hpp"
#include "strata/server/accounts.hpp"
#include "strata/server/server.hpp"
#include "strata/server/store.hpp"

namespace {

using strata::fuzz::require;
namespace server = strata::server;
namespace http = strata::server::http;

struct Harness {
    std::filesystem::path directory;
    std::unique_ptr<server::Server> server;
    std::string admin_key;
    std::vector<server::RouteDescription> routes;

    ~Harness() {
        server.reset();
        std::error_code ignored;
        std::filesystem::remove_all(directory, ignored);
    }
};

Harness* harness = nullptr;  // NOLINT: libFuzzer's entry points share state only this way.

void start_harness() {
    harness = new Harness();  // NOLINT: lives for the process, as libFuzzer runs until killed.
    harness->directory =
        std::filesystem::temp_directory_path() / ("strata-fuzz-api-" + std::to_string(::getpid()));
    std::filesystem::remove_all(harness->directory);
    std::filesystem::create_directories(harness->directory);
    {
        server::Database db;
        require(db.open(harness->directory / "strata.db").ok(), "the scratch store cannot be made");
        const strata::Result<server::NewUser> created =
            server::Accounts(db).add_user("fuzz", server::Role::admin, std::nullopt);
        require(created.ok(), "the scratch store cannot be made");
        harness->admin_key = created ? created->api_key : std::string();
    }
    server::ServerConfig config;
    config.data_directory = harness->directory;
    config.http.port = 0;
    config.printer.timelapse_directory = harness->directory / "timelapse";
    harness->server = std::make_unique<server::Server>(config);
    require(harness->server->start().ok(), "the server does not start");
    for (const server::RouteDescription& route : server::describe_routes()) {
        const bool has_body =
            route.method == "POST" || route.method == "PUT" || route.method == "PATCH";
        if (has_body && route.pattern != "/api/files/{origin}" &&
            route.pattern != "/api/connection")
            harness->routes.push_back(route);
    }
}

void check_answer(const http::Response& answer, const std::string& route) {
    if (answer.later) return;  // A login, answered from the password checker's thread.
    if (answer.status >= 500)
        std::fprintf(stderr, "%s answered %d: %s\n", route.c_str(), answer.status,
                     answer.body.c_str());
    require(answer.status >= 200 && answer.status < 500, "a server error for a request body");
    if (answer.content_type != "application/json" || answer.body.empty()) return;
    rapidjson::Document document;
    document.Parse<rapidjson::kParseValidateEncodingFlag>(answer.body.c_str(), answer.body.size());
    if (document.HasParseError())
        std::fprintf(stderr, "%s answered invalid JSON (%s): %s\n", route.c_str(),
                     rapidjson::GetParseError_En(document.GetParseError()), answer.body.c_str());
    require(!document.HasParseError(), "an answer that is not valid JSON");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    start_harness();
    std::atexit([] { delete harness; });  // The scratch folder goes when the run ends.
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const server::RouteDescription& route = harness->routes[data[0] % harness->routes.size()];
    static constexpr const char* types[] = {"application/json", "application/x-www-form-urlencoded",
                                            "text/plain", nullptr};
    const char* content_type = types[data[1] & 3U];
    const std::string body(reinterpret_cast<const char*>(data) + 2, size - 2);
    http::RequestHead head;
    head.method = route.method;
    static constexpr const char* kinds[] = {"printer", "timelapse", "camera", "nonsense"};
    head.path =
        strata::testing::concrete_path(route.pattern, kinds[(data[1] >> 2U) & 3U], "fuzz.gcode");
    head.target = head.path;
    head.content_length = body.size();
    head.headers.emplace_back("host", "127.0.0.1");
    head.headers.emplace_back("x-api-key", harness->admin_key);
    if (content_type != nullptr) head.headers.emplace_back("content-type", content_type);
    const std::unique_ptr<http::Exchange> exchange =
        harness->server->application().begin(std::move(head), http::Peer{"127.0.0.1"});
    if (!body.empty()) (void)exchange->on_body(body);
    check_answer(exchange->finish(), route.method + " " + route.pattern);
    return 0;
}
