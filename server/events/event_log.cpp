// EventLog over the `events` table (AUTOINCREMENT: ids are never handed out twice).
#include "strata/server/event_log.hpp"

namespace strata::server {

Result<std::int64_t> EventLog::append(std::string_view type, std::string_view payload_json,
                                      double at_s) {
    Statement insert =
        db_.prepare("INSERT INTO events (at_s, type, payload_json) VALUES (?, ?, ?)");
    if (Status stored = insert.bind(1, at_s).bind(2, type).bind(3, payload_json).run(); !stored)
        return stored.take_error();
    return db_.last_insert_id();
}

std::vector<Event> EventLog::after(std::int64_t last_id, std::size_t limit) {
    std::vector<Event> events;
    Statement select = db_.prepare(
        "SELECT id, at_s, type, payload_json FROM events WHERE id > ? ORDER BY id LIMIT ?");
    if (!select.valid()) return events;
    select.bind(1, last_id).bind(2, static_cast<std::int64_t>(limit));
    while (select.step() == Statement::Step::row)
        events.push_back({select.int64(0), select.real(1), select.text(2), select.text(3)});
    return events;
}

std::int64_t EventLog::newest_id() {
    Statement select = db_.prepare("SELECT coalesce(max(id), 0) FROM events");
    if (!select.valid() || select.step() != Statement::Step::row) return 0;
    return select.int64(0);
}

std::int64_t EventLog::trim(std::size_t keep) {
    Statement remove =
        db_.prepare("DELETE FROM events WHERE id <= (SELECT coalesce(max(id), 0) FROM events) - ?");
    if (!remove.bind(1, static_cast<std::int64_t>(keep)).run()) return 0;
    return db_.changes();
}

}  // namespace strata::server
