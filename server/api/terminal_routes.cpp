// The terminal: GET /api/strata/terminal (the lines sent and received, from a sequence number
// on, for a page that starts or has reconnected; live ones come on the event stream as
// `terminal`), POST /api/strata/terminal (a command typed by the user: sent between job lines
// and kept in the user's history) and GET /api/strata/terminal/history (that history).
#include <charconv>

#include "json_body.hpp"
#include "routes.hpp"
#include "shapes.hpp"
#include "strata/server/command_history.hpp"
#include "strata/streamer/terminal_log.hpp"

namespace strata::server::api {
namespace {

constexpr std::size_t max_lines = 2000;

// A non-negative integer query value, or `fallback` when absent; nothing when malformed.
std::optional<std::uint64_t> count_query(const Call& call, std::string_view name,
                                         std::uint64_t fallback) {
    const std::optional<std::string_view> text = call.query_value(name);
    if (!text) return fallback;
    std::uint64_t value = 0;
    const auto [end, code] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (code != std::errc() || end != text->data() + text->size()) return std::nullopt;
    return value;
}

}  // namespace

http::Response get_terminal(Services& services, const Call& call) {
    const std::optional<std::uint64_t> after = count_query(call, "after", 0);
    const std::optional<std::uint64_t> limit = count_query(call, "limit", 500);
    if (!after) return http::Response::error(400, "after: a line number (0 or more)");
    if (!limit || *limit == 0 || *limit > max_lines)
        return http::Response::error(400, "limit: 1 to " + std::to_string(max_lines));
    std::uint64_t first_kept = 0;
    const std::vector<streamer::TerminalLine> lines =
        services.printer.terminal().since(*after, *limit, first_kept);
    return json_reply(200, [&](JsonWriter& json) {
        json.begin_object().field("log", services.printer.terminal().log_id());
        json.field("first_kept", first_kept);
        json.field("last", services.printer.terminal().last_seq());
        json.key("lines");
        write_terminal_lines(json, lines);
        json.end_object();
    });
}

http::Response post_terminal(Services& services, const Call& call) {
    JsonBody body;
    if (std::optional<http::Response> refused_body = read_body(call, body)) return *refused_body;
    const std::optional<std::string> command = body.string("command");
    if (!command || command->empty() || command->size() > 256 ||
        command->find_first_of("\r\n") != std::string::npos)
        return http::Response::error(400, "command: one line of G-code, up to 256 characters");
    const std::int64_t user_id = call.principal->user.id;
    const Status kept = services.store.with(
        [&](Database& db) { return CommandHistory(db).add(user_id, *command, unix_now_s()); });
    if (!kept) return http::Response::error(500, kept.error().message);
    if (!services.printer.operational()) return refused("Printer is not operational");
    if (const Status sent = services.printer.send_commands({*command}); !sent)
        return refused(sent.error().message);
    return http::Response::empty(204);
}

http::Response get_terminal_history(Services& services, const Call& call) {
    const std::int64_t user_id = call.principal->user.id;
    const std::vector<std::string> commands =
        services.store.with([&](Database& db) { return CommandHistory(db).of(user_id); });
    return json_reply(200, [&](JsonWriter& json) {
        json.begin_object().key("commands").begin_array();
        for (const std::string& command : commands)
            json.value(command);
        json.end_array().end_object();
    });
}

}  // namespace strata::server::api
