// The REST application the HTTP adapter hands requests to: route matching, authentication, the
// role and CSRF checks, then the route's handler. Internal to server/api.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api.hpp"

namespace strata::server::api {

class ApiApplication final : public http::Application {
  public:
    explicit ApiApplication(Services& services);
    std::unique_ptr<http::Exchange> begin(http::RequestHead head, const http::Peer& peer) override;

  private:
    struct CompiledRoute {
        const Route* route;
        std::vector<std::string> segments;
        bool rest;  ///< The last segment takes the rest of the path.
    };
    const Route* match(std::string_view method, std::string_view path,
                       std::vector<std::string>& captures, bool& path_known) const;
    std::optional<Principal> authenticate(const Call& call, std::string& refusal);

    Services& services_;
    std::vector<CompiledRoute> compiled_;
};

}  // namespace strata::server::api
