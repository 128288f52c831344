// SettingsTable (see strata/server/settings_table.hpp): every statement on the `settings` table.
#include "strata/server/settings_table.hpp"

namespace strata::server {

Result<std::optional<std::string>> SettingsTable::value_json(std::string_view key) {
    Statement select = db_.prepare("SELECT value_json FROM settings WHERE key = ?");
    switch (select.bind(1, key).step()) {
        case Statement::Step::row: return std::optional<std::string>(select.text(0));
        case Statement::Step::done: return std::optional<std::string>();
        case Statement::Step::error: break;
    }
    return select.status().take_error();
}

Status SettingsTable::put(std::string_view key, std::string_view value_json) {
    Statement upsert = db_.prepare(
        "INSERT INTO settings (key, value_json) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
        "value_json = excluded.value_json");
    return upsert.bind(1, key).bind(2, value_json).run();
}

}  // namespace strata::server
