// CommentSettings: an index of the key/value comment lines of a file's head and tail.
#include "comment_settings.hpp"

#include <cctype>
#include <charconv>

namespace strata::parser::dialects {

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    return text;
}

std::optional<double> leading_number(std::string_view text) {
    text = trim(text);
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    double value = 0.0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end == text.data()) return std::nullopt;
    return value;
}

std::optional<double> duration_dhms(std::string_view text) {
    double total = 0.0;
    bool any = false;
    while (!text.empty()) {
        text = trim(text);
        std::size_t digits = 0;
        while (digits < text.size() &&
               (std::isdigit(static_cast<unsigned char>(text[digits])) != 0 || text[digits] == '.'))
            ++digits;
        if (digits == 0 || digits == text.size()) break;
        const auto value = leading_number(text.substr(0, digits));
        const char unit = text[digits];
        const double scale = unit == 'd'   ? 86400.0
                             : unit == 'h' ? 3600.0
                             : unit == 'm' ? 60.0
                             : unit == 's' ? 1.0
                                           : 0.0;
        if (!value || scale == 0.0) break;
        total += *value * scale;
        any = true;
        text.remove_prefix(digits + 1);
    }
    return any ? std::optional<double>(total) : std::nullopt;
}

CommentSettings::CommentSettings(std::string_view head, std::string_view tail)
    : head_(head), tail_(tail) {
    read(head);
    if (tail.data() != head.data()) read(tail);
}

void CommentSettings::read(std::string_view text) {
    while (!text.empty()) {
        const std::size_t end = text.find('\n');
        std::string_view line = trim(text.substr(0, end));
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        if (line.empty() || line.front() != ';') continue;
        line = trim(line.substr(1));
        comments_.push_back(line);
        const std::size_t separator = line.find_first_of("=:,");
        if (separator == std::string_view::npos || separator == 0) continue;
        entries_.emplace_back(trim(line.substr(0, separator)), trim(line.substr(separator + 1)));
    }
}

std::optional<std::string_view> CommentSettings::text(std::string_view key) const {
    for (const auto& [entry_key, value] : entries_) {
        if (entry_key == key) return value;
    }
    return std::nullopt;
}

std::optional<double> CommentSettings::number(std::string_view key, int index) const {
    auto value = text(key);
    if (!value) return std::nullopt;
    std::string_view rest = *value;
    for (int i = 0; i < index; ++i) {
        const std::size_t comma = rest.find(',');
        if (comma == std::string_view::npos) return std::nullopt;
        rest.remove_prefix(comma + 1);
    }
    return leading_number(rest.substr(0, rest.find(',')));
}

std::optional<std::array<double, 2>> CommentSettings::pair(std::string_view key_x,
                                                           std::string_view key_y) const {
    auto x = number(key_x);
    auto y = number(key_y);
    if (!x || !y) return std::nullopt;
    return std::array<double, 2>{*x, *y};
}

int CommentSettings::count(std::string_view key) const {
    auto value = text(key);
    if (!value || value->empty()) return 0;
    int items = 1;
    for (char c : *value)
        items += c == ',' ? 1 : 0;
    return items;
}

std::optional<bool> CommentSettings::flag(std::string_view key) const {
    auto value = text(key);
    if (!value) return std::nullopt;
    if (*value == "1" || *value == "true" || *value == "True") return true;
    if (*value == "0" || *value == "false" || *value == "False") return false;
    return std::nullopt;
}

bool CommentSettings::mentions(std::string_view needle) const {
    for (std::string_view comment : comments_) {
        if (comment.find(needle) != std::string_view::npos) return true;
    }
    return false;
}

std::optional<std::string_view> CommentSettings::line_after(std::string_view prefix) const {
    for (std::string_view comment : comments_) {
        if (comment.starts_with(prefix)) return trim(comment.substr(prefix.size()));
    }
    return std::nullopt;
}

std::optional<double> CommentSettings::blob_number(std::string_view key) const {
    for (std::string_view text : {head_, tail_}) {
        std::size_t at = 0;
        while ((at = text.find(key, at)) != std::string_view::npos) {
            // The key must start an entry: preceded by an escaped newline (`\n`) in the blob.
            const bool starts_entry = at >= 2 && text[at - 1] == 'n' && text[at - 2] == '\\';
            std::string_view rest = text.substr(at + key.size());
            at += key.size();
            if (!starts_entry) continue;
            rest = trim(rest);
            if (rest.empty() || rest.front() != '=') continue;
            if (auto value = leading_number(rest.substr(1))) return value;
        }
    }
    return std::nullopt;
}

}  // namespace strata::parser::dialects
