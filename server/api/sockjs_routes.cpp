// The push API's endpoints under /sockjs, as OctoPrint's SockJS router serves them:
// `/sockjs/info` (what a sockjs-client asks first), the SockJS WebSocket transport
// `/sockjs/<server>/<session>/websocket`, and the raw WebSocket `/sockjs/websocket` that
// FDM Monster and plain WebSocket clients use. SockJS's HTTP fallbacks (xhr-streaming,
// xhr-polling, eventsource) are not served: `info` says WebSockets work, and every client
// strata knows opens one. Anyone may open a socket; nothing but `connected` reaches it before
// it authenticates (push_hub.hpp).
#include <random>

#include "routes.hpp"
#include "shapes.hpp"

namespace strata::server::api {
namespace {

// SockJS's server and session ids: any characters but a dot (and not empty).
bool valid_sockjs_id(std::string_view id) {
    return !id.empty() && id.size() <= 128 && id.find('.') == std::string_view::npos;
}

http::Response open_socket(Services& services, const Call& call, PushHub::Framing framing) {
    auto socket = std::make_shared<http::WebSocket>();
    http::Response answer = http::accept_websocket(call.head, socket);
    if (answer.status == 101) services.push.adopt(socket, framing);
    return answer;
}

}  // namespace

http::Response get_sockjs_info(Services& /*services*/, const Call& /*call*/) {
    std::random_device random;
    http::Response answer = json_reply(200, [&](JsonWriter& json) {
        json.begin_object().field("websocket", true).field("cookie_needed", false);
        json.key("origins").begin_array().value("*:*").end_array();
        json.field("entropy", static_cast<std::uint64_t>(random())).end_object();
    });
    answer.add_header("Cache-Control",
                      "no-store, no-cache, no-transform, must-revalidate, max-age=0");
    return answer;
}

http::Response get_sockjs_raw(Services& services, const Call& call) {
    return open_socket(services, call, PushHub::Framing::raw);
}

http::Response get_sockjs_websocket(Services& services, const Call& call) {
    if (call.captures.size() < 2 || !valid_sockjs_id(call.captures[0]) ||
        !valid_sockjs_id(call.captures[1]))
        return http::Response::error(404, "not a SockJS server and session id");
    return open_socket(services, call, PushHub::Framing::sockjs);
}

}  // namespace strata::server::api
