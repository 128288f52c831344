// OctoPrint's push API (its SockJS socket) for the clients that read the printer from it: FDM
// Monster, the phone apps, OctoPrint's own libraries. A client opens a WebSocket, gets
// `connected`, authenticates with `{"auth": "user:session"}` (a session from a passive
// `/api/login`), then gets `history` once, `current` every 0.5 s times its `throttle` (with the
// temperatures, terminal lines and messages since the one before), every event as
// `{"event": {type, payload}}`, and the timelapse configuration. One thread does all the
// sending, so neither the streamer's threads nor the publishers wait on a slow client; what
// reaches it from them is a queued copy.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "strata/server/event_hub.hpp"
#include "strata/server/printer_service.hpp"
#include "strata/server/server.hpp"
#include "strata/server/store.hpp"
#include "strata/server/websocket.hpp"

namespace strata::server::api {

class PushHub {
  public:
    /// How messages are put on the socket: SockJS's frames (`o`, `a["..."]`, `h`, `c[...]`) or
    /// one message per WebSocket message (`/sockjs/websocket`).
    enum class Framing : std::uint8_t { sockjs, raw };

    /// OctoPrint's rate: a `current` at most every half second times the client's throttle.
    static constexpr double current_interval_s = 0.5;
    /// SockJS's heartbeat, which keeps proxies from closing a quiet socket.
    static constexpr double heartbeat_interval_s = 25.0;
    /// How often an authenticated client's session is checked (a logout ends its feed).
    static constexpr double session_check_interval_s = 2.0;
    /// Messages kept for a client between two `current` (the oldest are dropped).
    static constexpr std::size_t max_backlog = 1000;

    PushHub(const ServerConfig& config, Store& store, EventHub& events, PrinterService& printer);
    ~PushHub();
    PushHub(const PushHub&) = delete;
    PushHub& operator=(const PushHub&) = delete;

    /// Subscribes to the event hub and starts the sending thread.
    void start();
    /// Closes every socket (SockJS's "Go away!") and stops the thread.
    void stop();
    /// A socket about to be answered with 101: the hub takes it from its first message on.
    void adopt(const std::shared_ptr<http::WebSocket>& socket, Framing framing);
    /// The timelapse configuration changed: every authenticated client gets it again.
    void timelapse_changed();

    struct Client;

  private:
    struct Queued {
        std::string type;
        std::string payload_json;
    };
    void run();
    void on_text(const std::shared_ptr<Client>& client, std::string&& text);
    void on_message(Client& client, std::string_view message_json);
    void authenticate(Client& client, std::string_view credentials);
    /// One round of the sending thread: events, histories, currents, heartbeats, session checks.
    void send_round(double now_s, std::vector<Queued>&& events, bool timelapse_changed);
    void collect_backlogs(std::vector<std::shared_ptr<Client>>& clients);

    const ServerConfig& config_;
    Store& store_;
    EventHub& events_hub_;
    PrinterService& printer_;
    mutable std::mutex mutex_;  ///< Guards the members below.
    std::condition_variable wake_;
    std::vector<std::shared_ptr<Client>> clients_;
    std::vector<Queued> events_;  ///< Published, not yet sent.
    std::uint64_t subscription_ = 0;
    bool running_ = false;
    bool stopping_ = false;
    bool timelapse_changed_ = false;
    std::thread thread_;
    // Owned by the sending thread.
    double newest_sample_s_ = 0.0;   ///< The newest temperature report handed out.
    std::uint64_t newest_line_ = 0;  ///< The newest terminal line handed out.
    std::string timelapse_json_;     ///< The `timelapse` message's payload.
    std::string last_state_text_;    ///< The printer's state in the last round.
};

}  // namespace strata::server::api
