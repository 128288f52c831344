// The terminal's command history per user (command_history.hpp): one row per command, trimmed
// to the newest `kept_per_user` as each is added.
#include "strata/server/command_history.hpp"

namespace strata::server {

Status CommandHistory::add(std::int64_t user_id, std::string_view command, double at_s) {
    Statement insert =
        db_.prepare("INSERT INTO command_history (user_id, command, at_s) VALUES (?, ?, ?)");
    if (Status added = insert.bind(1, user_id).bind(2, command).bind(3, at_s).run(); !added)
        return added;
    Statement trim = db_.prepare(
        "DELETE FROM command_history WHERE user_id = ? AND id NOT IN "
        "(SELECT id FROM command_history WHERE user_id = ? ORDER BY id DESC LIMIT ?)");
    return trim.bind(1, user_id)
        .bind(2, user_id)
        .bind(3, static_cast<std::int64_t>(kept_per_user))
        .run();
}

std::vector<std::string> CommandHistory::of(std::int64_t user_id) {
    std::vector<std::string> commands;
    Statement select =
        db_.prepare("SELECT command FROM command_history WHERE user_id = ? ORDER BY id");
    if (!select.valid()) return commands;
    select.bind(1, user_id);
    while (select.step() == Statement::Step::row)
        commands.push_back(select.text(0));
    return commands;
}

}  // namespace strata::server
