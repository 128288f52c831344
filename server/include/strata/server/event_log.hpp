// The event log: every event the server emits, persisted with an id that only grows (never
// reused, even after old events are trimmed), so an SSE client that reconnects with
// `Last-Event-ID` gets exactly what it missed, and webhooks can be retried from it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "strata/server/store.hpp"

namespace strata::server {

struct Event {
    std::int64_t id = 0;
    double at_s = 0.0;
    std::string type;
    std::string payload_json;
};

class EventLog {
  public:
    explicit EventLog(Database& db) : db_(db) {}

    /// Persists an event; its id.
    [[nodiscard]] Result<std::int64_t> append(std::string_view type, std::string_view payload_json,
                                              double at_s);
    /// Events after `last_id`, oldest first, at most `limit`.
    [[nodiscard]] std::vector<Event> after(std::int64_t last_id, std::size_t limit);
    /// The id of the newest event kept (0: none).
    [[nodiscard]] std::int64_t newest_id();
    /// Keeps the newest `keep` events; how many went.
    std::int64_t trim(std::size_t keep);

  private:
    Database& db_;
};

}  // namespace strata::server
