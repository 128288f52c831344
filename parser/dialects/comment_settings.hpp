// Reading `key = value` style settings out of the comment lines slicers write. Every slicer has
// its own separator (`; key = value`, `;key: value`, `;   key,value`), so the reader splits on
// the first of them and keeps views into the header and tail text: nothing is copied.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace strata::parser::dialects {

class CommentSettings {
  public:
    CommentSettings(std::string_view head, std::string_view tail);

    /// The raw value of the first line whose key equals `key` (case-sensitive), if any.
    [[nodiscard]] std::optional<std::string_view> text(std::string_view key) const;
    /// The `index`-th comma-separated number of the value (PrusaSlicer writes `9000,1000` for
    /// normal and stealth modes, and one value per extruder).
    [[nodiscard]] std::optional<double> number(std::string_view key, int index = 0) const;
    /// Two numbers from two keys (bed width and depth, ...), when both are there.
    [[nodiscard]] std::optional<std::array<double, 2>> pair(std::string_view key_x,
                                                            std::string_view key_y) const;
    /// Number of comma-separated items in the value.
    [[nodiscard]] int count(std::string_view key) const;
    [[nodiscard]] std::optional<bool> flag(std::string_view key) const;
    /// True when some comment line contains `needle`.
    [[nodiscard]] bool mentions(std::string_view needle) const;
    /// The rest of the first comment line that starts with `prefix` (after the `;` and blanks).
    [[nodiscard]] std::optional<std::string_view> line_after(std::string_view prefix) const;
    /// Searches the raw text (Cura's escaped SETTING_3 blob) for `key = number`.
    [[nodiscard]] std::optional<double> blob_number(std::string_view key) const;

  private:
    void read(std::string_view text);

    std::vector<std::pair<std::string_view, std::string_view>> entries_;
    std::vector<std::string_view> comments_;
    std::string_view head_;
    std::string_view tail_;
};

/// `text` without leading blanks and trailing blanks or CR.
std::string_view trim(std::string_view text);

/// Parses the leading number of `text` (after blanks); nullopt when there is none.
std::optional<double> leading_number(std::string_view text);

/// "1h 16m 1s", "2d 3h 4m 5s", "33m 15s" -> seconds.
std::optional<double> duration_dhms(std::string_view text);

}  // namespace strata::parser::dialects
