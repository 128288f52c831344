// The commands each user typed in the terminal, newest last, the last 100 kept per user, so the
// up and down keys recall them on any device the user logs in from.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "strata/server/store.hpp"

namespace strata::server {

class CommandHistory {
  public:
    static constexpr std::size_t kept_per_user = 100;

    explicit CommandHistory(Database& db) : db_(db) {}

    [[nodiscard]] Status add(std::int64_t user_id, std::string_view command, double at_s);
    /// The user's commands, oldest first.
    [[nodiscard]] std::vector<std::string> of(std::int64_t user_id);

  private:
    Database& db_;
};

}  // namespace strata::server
