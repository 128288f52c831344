// A small streaming JSON writer (the CLI's --json output, the job index): correct escaping, no DOM,
// no allocation beyond the output stream. Commas are handled by a per-level "first" flag.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace strata {

class JsonWriter {
  public:
    explicit JsonWriter(std::ostream& out) : out_(out) {}

    JsonWriter& begin_object() { return open('{'); }
    JsonWriter& end_object() { return close('}'); }
    JsonWriter& begin_array() { return open('['); }
    JsonWriter& end_array() { return close(']'); }

    JsonWriter& key(std::string_view name) {
        separate();
        string(name);
        out_ << ':';
        after_key_ = true;
        return *this;
    }
    JsonWriter& value(std::string_view text) {
        separate();
        string(text);
        return *this;
    }
    JsonWriter& value(const char* text) { return value(std::string_view(text)); }
    JsonWriter& value(bool flag) {
        separate();
        out_ << (flag ? "true" : "false");
        return *this;
    }
    JsonWriter& value(std::uint64_t number) {
        separate();
        out_ << number;
        return *this;
    }
    JsonWriter& value(std::int64_t number) {
        separate();
        out_ << number;
        return *this;
    }
    JsonWriter& value(int number) { return value(static_cast<std::int64_t>(number)); }
    JsonWriter& value(std::uint32_t number) { return value(static_cast<std::uint64_t>(number)); }
    /// Doubles with up to 6 decimals, trailing zeros dropped; non-finite values become null.
    JsonWriter& value(double number) {
        separate();
        if (!std::isfinite(number)) {
            out_ << "null";
            return *this;
        }
        char text[64];
        int length = std::snprintf(text, sizeof text, "%.6f", number);
        while (length > 1 && text[length - 1] == '0')
            --length;
        if (length > 1 && text[length - 1] == '.') --length;
        out_.write(text, length);
        return *this;
    }
    template <typename T>
    JsonWriter& value(const std::optional<T>& maybe) {
        if (maybe) return value(*maybe);
        return null();
    }
    /// Text that is JSON already (a stored document), written as it is.
    JsonWriter& raw(std::string_view json) {
        separate();
        out_ << json;
        return *this;
    }
    JsonWriter& null() {
        separate();
        out_ << "null";
        return *this;
    }
    template <typename T>
    JsonWriter& field(std::string_view name, const T& content) {
        key(name);
        return value(content);
    }

  private:
    JsonWriter& open(char bracket) {
        separate();
        out_ << bracket;
        first_.push_back(true);
        return *this;
    }
    JsonWriter& close(char bracket) {
        out_ << bracket;
        first_.pop_back();
        return *this;
    }
    void separate() {
        if (after_key_) {
            after_key_ = false;
            return;
        }
        if (!first_.empty()) {
            if (!first_.back()) out_ << ',';
            first_.back() = false;
        }
    }
    void string(std::string_view text) {
        out_ << '"';
        for (char c : text) {
            switch (c) {
                case '"': out_ << "\\\""; break;
                case '\\': out_ << "\\\\"; break;
                case '\n': out_ << "\\n"; break;
                case '\r': out_ << "\\r"; break;
                case '\t': out_ << "\\t"; break;
                default:
                    if (static_cast<unsigned char>(c) < 0x20) {
                        char escaped[8];
                        std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
                        out_ << escaped;
                    } else {
                        out_ << c;
                    }
            }
        }
        out_ << '"';
    }

    std::ostream& out_;
    std::vector<bool> first_;
    bool after_key_ = false;
};

/// `text` as a JSON string literal, quotes included.
inline std::string json_string(std::string_view text) {
    std::ostringstream out;
    JsonWriter(out).value(text);
    return out.str();
}

}  // namespace strata
