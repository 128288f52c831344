// GET /api/events: the event stream (Server-Sent Events). A client first gets the current job
// (`event: current`, not persisted), then every event after its `Last-Event-ID` (header, or the
// `lastEventId` query for clients that cannot set headers) from the store, then live ones, with
// no gap and no repeat between the two; `retry:` tells EventSource to reconnect after 2 s.
// Without an id, `from=now` skips the stored history: the `current` event then carries the
// newest event's id, and whatever the client reads after receiving it is no older than that.
// Keep-alive comments every 15 s come from the hub's heartbeat.
#include <charconv>

#include "routes.hpp"
#include "shapes.hpp"
#include "strata/server/event_log.hpp"

namespace strata::server::api {
namespace {

std::string frame(const Event& event) {
    if (event.id == 0 && event.type.empty()) return ": keep-alive\n\n";
    // A live-only event has no id: EventSource then keeps the last one it saw for resuming.
    std::string text = event.id == 0 ? std::string() : "id: " + std::to_string(event.id) + "\n";
    text += "event: " + event.type + "\n";
    std::string_view data = event.payload_json;
    for (;;) {  // A newline in the data would end the field: each line is its own data field.
        const std::size_t newline = data.find('\n');
        text += "data: ";
        text += data.substr(0, newline);
        text += '\n';
        if (newline == std::string_view::npos) break;
        data.remove_prefix(newline + 1);
    }
    return text + '\n';
}

std::int64_t last_event_id(const Call& call) {
    std::string_view text = call.head.header("last-event-id").value_or("");
    if (text.empty()) text = call.query_value("lastEventId").value_or("");
    std::int64_t id = 0;
    const auto [end, code] = std::from_chars(text.data(), text.data() + text.size(), id);
    return code == std::errc() && end == text.data() + text.size() && id > 0 ? id : 0;
}

}  // namespace

std::unique_ptr<http::Exchange> get_events(Services& services, Call&& call) {
    auto stream = std::make_shared<http::EventStream>();
    std::int64_t last_id = last_event_id(call);
    const bool from_now = last_id == 0 && call.query_value("from").value_or("") == "now";
    EventHub& hub = services.events;
    PrinterService& printer = services.printer;
    std::weak_ptr<http::EventStream> weak = stream;
    Store& store = services.store;
    stream->when_attached([weak, last_id, from_now, &hub, &printer, &store]() mutable {
        const std::shared_ptr<http::EventStream> open = weak.lock();
        if (!open) return;
        // Read before the status: an event published meanwhile is newer, and is sent.
        if (from_now) last_id = store.with([](Database& db) { return EventLog(db).newest_id(); });
        const PrinterStatus status = printer.status();
        std::ostringstream current;
        JsonWriter json(current);
        write_job(json, status);
        const std::string id = from_now ? "id: " + std::to_string(last_id) + "\n" : "";
        open->push("retry: 2000\n" + id + "event: current\ndata: " + current.str() + "\n\n");
        hub.subscribe(last_id, [weak](const Event& event) {
            const std::shared_ptr<http::EventStream> alive = weak.lock();
            return alive && alive->push(frame(event));
        });
    });
    http::Response response;
    response.content_type = "text/event-stream";
    response.stream = std::move(stream);
    return http::answer_now(std::move(response));
}

}  // namespace strata::server::api
