// The `settings` table: one JSON value per key (the appearance, webcam and serial preferences
// of POST /api/settings, the saved timelapse configuration, the terminal's controls). Its only
// owner; the settings routes and the printer service read and write through it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "strata/common/result.hpp"
#include "strata/server/store.hpp"

namespace strata::server {

class SettingsTable {
  public:
    explicit SettingsTable(Database& db) : db_(db) {}

    /// The JSON stored under `key`, or nothing when none is.
    [[nodiscard]] Result<std::optional<std::string>> value_json(std::string_view key);
    /// Stores `value_json` under `key`, replacing what was there.
    [[nodiscard]] Status put(std::string_view key, std::string_view value_json);

  private:
    Database& db_;
};

}  // namespace strata::server
