// The TOML subset of config_file.hpp: a recursive-descent reader over the whole text (arrays
// may span lines), counting lines as it goes so that every error names one.
#include "config_file.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace strata::cli {
namespace {

bool is_bare_key_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

void append_utf8(std::string& out, std::uint32_t code_point) {
    if (code_point < 0x80) {
        out += static_cast<char>(code_point);
    } else if (code_point < 0x800) {
        out += static_cast<char>(0xC0 | (code_point >> 6));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    } else if (code_point < 0x10000) {
        out += static_cast<char>(0xE0 | (code_point >> 12));
        out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (code_point >> 18));
        out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    }
}

class ConfigParser {
  public:
    explicit ConfigParser(std::string_view text) : text_(text) {}

    Result<ConfigDocument> parse() {
        ConfigDocument document;
        document.tables.push_back(ConfigTable{"", false, 1, {}});
        while (true) {
            skip_blank_lines();
            if (at_end()) return document;
            Status read =
                peek() == '[' ? read_header(document) : read_entry(document.tables.back());
            if (!read) return read.take_error();
            skip_spaces();
            if (!at_end() && peek() != '\n') return error("expected the end of the line");
        }
    }

  private:
    [[nodiscard]] bool at_end() const { return position_ >= text_.size(); }
    [[nodiscard]] char peek(std::size_t ahead = 0) const {
        return position_ + ahead < text_.size() ? text_[position_ + ahead] : '\0';
    }
    [[nodiscard]] Error error(const std::string& what) const {
        return Error{ErrorCode::invalid, "line " + std::to_string(line_) + ": " + what};
    }

    // Spaces, tabs and a comment up to (not over) the end of the line.
    void skip_spaces() {
        while (peek() == ' ' || peek() == '\t' || peek() == '\r')
            ++position_;
        if (peek() == '#')
            while (!at_end() && peek() != '\n')
                ++position_;
    }
    void skip_blank_lines() {
        for (skip_spaces(); peek() == '\n'; skip_spaces()) {
            ++position_;
            ++line_;
        }
    }

    Result<std::string> read_name(const char* what) {
        const std::size_t start = position_;
        while (is_bare_key_char(peek()))
            ++position_;
        if (position_ == start) {
            if (peek() == '"' || peek() == '\'')
                return error(std::string("quoted ") + what + "s are not used");
            return error(std::string("expected a ") + what);
        }
        if (peek() == '.') return error(std::string("dotted ") + what + "s are not used");
        return std::string(text_.substr(start, position_ - start));
    }

    Status read_header(ConfigDocument& document) {
        const std::uint32_t line = line_;
        ++position_;
        const bool array = peek() == '[';
        if (array) ++position_;
        skip_spaces();
        Result<std::string> name = read_name("table name");
        if (!name) return name.take_error();
        skip_spaces();
        if (peek() != ']' || (array && peek(1) != ']'))
            return error(array ? "expected ]] after the table name"
                               : "expected ] after the table name");
        position_ += array ? 2 : 1;
        for (const ConfigTable& table : document.tables) {
            if (table.name == *name && (!array || !table.array_element))
                return error("[" + *name + "] appears twice (the first on line " +
                             std::to_string(table.line) + ")");
        }
        document.tables.push_back(ConfigTable{std::move(*name), array, line, {}});
        return {};
    }

    Status read_entry(ConfigTable& table) {
        Result<std::string> key = read_name("key");
        if (!key) return key.take_error();
        for (const auto& [existing, value] : table.entries) {
            if (existing == *key)
                return error(*key + " is set twice (the first on line " +
                             std::to_string(value.line) + ")");
        }
        skip_spaces();
        if (peek() != '=') return error("expected = after " + *key);
        ++position_;
        skip_spaces();
        Result<ConfigValue> value = read_value();
        if (!value) return value.take_error();
        table.entries.emplace_back(std::move(*key), std::move(*value));
        return {};
    }

    Result<ConfigValue> read_value() {
        const std::uint32_t line = line_;
        const char c = peek();
        Result<ConfigValue> value = Error{};
        if (c == '"' || c == '\'') {
            Result<std::string> text = c == '"' ? read_basic_string() : read_literal_string();
            if (!text) return text.take_error();
            value = ConfigValue{std::move(*text), line};
        } else if (c == '[') {
            value = read_array();
        } else if (c == '{') {
            return error("inline tables are not used; write a [table]");
        } else if (text_.substr(position_, 4) == "true" && !is_bare_key_char(peek(4))) {
            position_ += 4;
            value = ConfigValue{true, line};
        } else if (text_.substr(position_, 5) == "false" && !is_bare_key_char(peek(5))) {
            position_ += 5;
            value = ConfigValue{false, line};
        } else {
            value = read_number();
        }
        return value;
    }

    Result<std::string> read_basic_string() {
        if (text_.substr(position_, 3) == "\"\"\"") return error("multi-line strings are not used");
        ++position_;
        std::string out;
        while (true) {
            if (at_end() || peek() == '\n') return error("the string has no closing quote");
            const char c = text_[position_++];
            if (c == '"') return out;
            if (static_cast<unsigned char>(c) < 0x20 && c != '\t')
                return error("a control character in a string; write it as an escape");
            if (c != '\\') {
                out += c;
                continue;
            }
            if (Status escaped = read_escape(out); !escaped) return escaped.take_error();
        }
    }

    Status read_escape(std::string& out) {
        const char c = at_end() ? '\0' : text_[position_++];
        switch (c) {
            case 'b': out += '\b'; return {};
            case 't': out += '\t'; return {};
            case 'n': out += '\n'; return {};
            case 'f': out += '\f'; return {};
            case 'r': out += '\r'; return {};
            case '"': out += '"'; return {};
            case '\\': out += '\\'; return {};
            case 'u':
            case 'U': break;
            default: return error(std::string("unknown escape \\") + c);
        }
        const std::size_t digits = c == 'u' ? 4 : 8;
        std::uint32_t code_point = 0;
        const char* begin = text_.data() + position_;
        const auto [end, failure] = std::from_chars(
            begin, begin + std::min(digits, text_.size() - position_), code_point, 16);
        if (failure != std::errc() || static_cast<std::size_t>(end - begin) != digits ||
            code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF))
            return error("\\" + std::string(1, c) + " wants " + std::to_string(digits) +
                         " hex digits of a Unicode scalar value");
        position_ += digits;
        append_utf8(out, code_point);
        return {};
    }

    Result<std::string> read_literal_string() {
        if (text_.substr(position_, 3) == "'''") return error("multi-line strings are not used");
        const std::size_t start = ++position_;
        while (!at_end() && peek() != '\'' && peek() != '\n')
            ++position_;
        if (peek() != '\'') return error("the string has no closing quote");
        return std::string(text_.substr(start, position_++ - start));
    }

    Result<ConfigValue> read_array() {
        // Each level is a call: a file of nothing but '[' would otherwise exhaust the stack.
        if (array_depth_ == max_array_depth)
            return error("arrays nested deeper than " + std::to_string(max_array_depth));
        ++array_depth_;
        Result<ConfigValue> array = read_array_items();
        --array_depth_;
        return array;
    }

    Result<ConfigValue> read_array_items() {
        ConfigValue array{std::vector<ConfigValue>{}, line_};
        auto& items = std::get<std::vector<ConfigValue>>(array.data);
        ++position_;
        while (true) {
            skip_blank_lines();
            if (at_end()) return error("the array has no closing ]");
            if (peek() == ']') break;
            Result<ConfigValue> item = read_value();
            if (!item) return item.take_error();
            items.push_back(std::move(*item));
            skip_blank_lines();
            if (at_end()) return error("the array has no closing ]");
            if (peek() == ',') {
                ++position_;
            } else if (peek() != ']') {
                return error("expected , or ] in the array");
            }
        }
        ++position_;
        return array;
    }

    Result<ConfigValue> read_number() {
        const std::size_t start = position_;
        while (!at_end() && (is_bare_key_char(peek()) || peek() == '+' || peek() == '.'))
            ++position_;
        std::string word(text_.substr(start, position_ - start));
        if (word.empty()) return error("expected a value");
        std::string digits;
        for (std::size_t i = 0; i < word.size(); ++i) {
            const bool between_digits =
                i > 0 && i + 1 < word.size() &&
                std::isdigit(static_cast<unsigned char>(word[i - 1])) != 0 &&
                std::isdigit(static_cast<unsigned char>(word[i + 1])) != 0;
            if (word[i] == '_' && !between_digits) return error("not a value: " + word);
            if (word[i] != '_') digits += word[i];
        }
        const bool is_float = digits.find_first_of(".eE") != std::string::npos;
        errno = 0;
        char* end = nullptr;
        if (is_float) {
            const double number = std::strtod(digits.c_str(), &end);
            if (*end != '\0' || errno == ERANGE ||
                digits.find_first_of("xXnN") != std::string::npos)
                return error("not a value: " + word + " (a string wants quotes)");
            return ConfigValue{number, line_};
        }
        const long long number = std::strtoll(digits.c_str(), &end, 10);
        if (*end != '\0' || digits == "+" || digits == "-")
            return error("not a value: " + word + " (a string wants quotes)");
        if (errno == ERANGE) return error("the integer " + word + " is out of range");
        return ConfigValue{static_cast<std::int64_t>(number), line_};
    }

    std::string_view text_;
    std::size_t position_ = 0;
    std::uint32_t line_ = 1;
    static constexpr int max_array_depth = 16;
    int array_depth_ = 0;
};

// Where `text` stops being UTF-8 (std::string_view::npos: nowhere). TOML files are UTF-8, and a
// string that is not would be written back by --check-config as something else.
std::size_t first_non_utf8(std::string_view text) {
    constexpr std::uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    std::size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        const std::size_t length = lead < 0x80            ? 1
                                   : (lead >> 5U) == 0x6  ? 2
                                   : (lead >> 4U) == 0xE  ? 3
                                   : (lead >> 3U) == 0x1E ? 4
                                                          : 0;
        if (length == 0 || i + length > text.size()) return i;
        std::uint32_t code_point = length == 1 ? lead : lead & (0x7FU >> length);
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0U) != 0x80U) return i;
            code_point = (code_point << 6U) | (next & 0x3FU);
        }
        if (code_point < smallest[length] || code_point > 0x10FFFF ||
            (code_point >= 0xD800 && code_point <= 0xDFFF))
            return i;
        i += length;
    }
    return std::string_view::npos;
}

}  // namespace

Result<ConfigDocument> parse_config(std::string_view text) {
    if (const std::size_t bad = first_non_utf8(text); bad != std::string_view::npos) {
        const auto line =
            1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(bad), '\n');
        return fail(ErrorCode::invalid,
                    "line " + std::to_string(line) + ": not UTF-8 text (TOML files are UTF-8)");
    }
    return ConfigParser(text).parse();
}

Result<ConfigDocument> read_config_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return errno_error(path, errno);
    std::ostringstream text;
    text << in.rdbuf();
    Result<ConfigDocument> document = parse_config(text.str());
    if (!document) return fail(document.error().code, path + ": " + document.error().message);
    return document;
}

const char* type_name(const ConfigValue& value) {
    switch (value.data.index()) {
        case 0: return "a string";
        case 1: return "an integer";
        case 2: return "a number";
        case 3: return "true or false";
        default: return "an array";
    }
}

}  // namespace strata::cli
