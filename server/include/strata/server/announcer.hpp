// The server announced on the local network over mDNS/DNS-SD, as OctoPrint's discovery plugin
// does, so that slicers' "browse" buttons (Cura, PrusaSlicer) and phone apps list it: an
// `_octoprint._tcp` service with OctoPrint's TXT records (path, version, api, uuid, model,
// vendor) and an `_http._tcp` one for browsers. Through the Avahi daemon (libavahi-client, on
// a thread of Avahi's own); a daemon that is not running yet, or restarts, is waited for, and a
// name another host holds is replaced by Avahi's next alternative ("strata #2").
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "strata/common/result.hpp"

namespace strata::server {

struct Announcement {
    std::string name;  ///< The instance name people see ("strata on octopi").
    std::uint16_t port = 0;
    std::string path = "/";
    std::string octoprint_version;  ///< What `/api/version` says as `server`.
    std::string api_version;        ///< ... and as `api`.
    std::string uuid;               ///< This installation's, the same across restarts.
    std::string model = "strata";
    std::string vendor = "strata";
};

/// "Listening on loopback only": nothing to announce there (and the announcement would lie).
[[nodiscard]] bool is_loopback_address(const std::string& address);

class Announcer {
  public:
    Announcer();
    ~Announcer();
    Announcer(const Announcer&) = delete;
    Announcer& operator=(const Announcer&) = delete;

    /// Starts announcing; fails only when Avahi's client cannot be made at all. A daemon that
    /// is not there is waited for (and the wait is logged).
    [[nodiscard]] Status start(const Announcement& announcement);
    void stop();
    /// The name the services are published under now (it changes on a collision); empty
    /// before Avahi has accepted them.
    [[nodiscard]] std::string published_name() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// This installation's id for the announcement: read from `data/instance-id`, made there (a
/// random UUID, written atomically) the first time.
[[nodiscard]] Result<std::string> instance_id(const std::string& data_directory);

}  // namespace strata::server
