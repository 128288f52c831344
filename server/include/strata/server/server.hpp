// The server as one object: the store in the data directory, the event hub and webhook sender,
// the file library with its prep worker, the printer service, and the REST API on the HTTP
// adapter. `strata serve` builds one from its options; tests build one on a scratch directory
// and a free port.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "strata/server/http.hpp"
#include "strata/server/printer_service.hpp"

namespace strata::server {

/// Fixed for the server's life.
/// The OctoPrint version and API version strata answers as: clients check them
/// (PrusaSlicer wants `api`; the Cura plugin and the discovery TXT records read both).
inline constexpr const char* octoprint_server_version = "1.11.8";
inline constexpr const char* octoprint_api_version = "0.1";

/// Whether and as what the server is announced on the network (announcer.hpp); the process
/// that runs the server does it, and only when it listens beyond loopback.
struct DiscoverySettings {
    bool announce = true;
    std::string name;  ///< Empty: "strata on HOSTNAME".
};

struct ServerConfig {
    std::filesystem::path data_directory;
    http::ServerOptions http;
    PrinterSettings printer;
    std::string version = "0.1.0";
    /// Shown by `GET /api/settings` as `webcam.streamUrl` / `snapshotUrl` (clients embed it).
    std::string webcam_stream_url;
    std::string webcam_snapshot_url;
    /// Serve even without an admin account (tests of the refusal itself only).
    bool allow_without_admin = false;
    /// How long a login's session lasts (OctoPrint's "remember me" is a week).
    double session_lifetime_s = 7.0 * 24 * 3600;
    /// How often ended sessions are deleted (and event streams sent a keep-alive).
    double session_sweep_interval_s = 15.0;
    /// The largest G-code file an upload may carry (OctoPrint's default maximum: 1 GB). Other
    /// routes take bodies of up to 1 MiB.
    std::uint64_t max_upload_bytes = std::uint64_t{1} << 30U;
    /// Disk space an upload must leave free, beyond twice its size (the file, and the job
    /// prepared from it, which is about as large): checked before its body is read, when its
    /// length is declared, and every 16 MiB as it is written.
    std::uint64_t upload_free_reserve_bytes = std::uint64_t{64} << 20U;
    /// A folder to serve the web app from instead of the copy built into the binary (UI
    /// development: `npm run watch` rebuilds it, a reload shows it).
    std::string web_root;
    DiscoverySettings discovery;
    /// Ends this process so that its service manager starts it again (`POST
    /// /api/system/commands/core/restart`). Set only where something will start it again (the
    /// systemd unit); empty, no restart is offered, as OctoPrint without a restart command.
    std::function<void()> restart;
};

/// One route, as the OpenAPI document and the auth tests see it.
struct RouteDescription {
    std::string method;
    std::string pattern;  ///< `{name}` one segment, `{name*}` the rest of the path.
    std::string role;     ///< anyone, viewer, operator, admin
};
/// Every route the server answers.
[[nodiscard]] std::vector<RouteDescription> describe_routes();

class EventHub;
class FileLibrary;
class PrinterService;
class Store;

class Server {
  public:
    explicit Server(ServerConfig config);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Opens the store, refuses (`invalid`) when no admin exists, starts the workers and
    /// listens.
    [[nodiscard]] Status start();
    void stop();
    [[nodiscard]] std::uint16_t port() const;

    [[nodiscard]] Store& store();
    [[nodiscard]] EventHub& events();
    [[nodiscard]] FileLibrary& library();
    [[nodiscard]] PrinterService& printer();
    /// What the HTTP adapter hands requests to, for in-process callers that skip the socket
    /// (the API's fuzz target).
    [[nodiscard]] http::Application& application();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace strata::server
