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
        // Room for any finite double in %f (1e308 has 309 digits before the point): snprintf
        // returns the length it wanted, and a shorter buffer would be read past its end.
        char text[400];
        int length = std::snprintf(text, sizeof text, "%.6f", number);
        while (length > 1 && text[length - 1] == '0')
            --length;
        if (length > 1 && text[length - 1] == '.') --length;
        // -0.0000001 rounds to "-0", which reads back as 0 and is written "0" then: one text.
        if (length == 2 && text[0] == '-' && text[1] == '0') {
            out_ << '0';
            return *this;
        }
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
        for (std::size_t at = 0; at < text.size(); ++at) {
            const char c = text[at];
            if (static_cast<unsigned char>(c) >= 0x80) {
                // JSON is UTF-8: a byte that starts no valid sequence becomes U+FFFD, so one bad
                // file name or echoed byte cannot make a whole answer unreadable. Written as the
                // character, not `\ufffd`: a text read back and written again stays the same.
                const std::size_t length = utf8_sequence_length(text, at);
                if (length == 0) {
                    out_ << "\xef\xbf\xbd";
                } else {
                    out_ << text.substr(at, length);
                    at += length - 1;
                }
                continue;
            }
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

  public:
    /// The length of the valid UTF-8 sequence that starts at `at` (1 to 4), or 0 when none does
    /// (a stray continuation byte, an overlong form, a surrogate, past U+10FFFF, cut short).
    [[nodiscard]] static std::size_t utf8_sequence_length(std::string_view text, std::size_t at) {
        const auto byte = [&](std::size_t i) {
            return i < text.size() ? static_cast<unsigned char>(text[i]) : 0u;
        };
        const unsigned lead = byte(at);
        if (lead < 0x80) return 1;
        const auto continuation = [&](std::size_t i) { return (byte(i) & 0xC0u) == 0x80u; };
        if (lead >= 0xC2 && lead <= 0xDF) return continuation(at + 1) ? 2 : 0;
        if (lead >= 0xE0 && lead <= 0xEF) {
            const unsigned second = byte(at + 1);
            const bool ok = (lead == 0xE0   ? second >= 0xA0 && second <= 0xBF
                             : lead == 0xED ? second >= 0x80 && second <= 0x9F
                                            : continuation(at + 1)) &&
                            continuation(at + 2);
            return ok ? 3 : 0;
        }
        if (lead >= 0xF0 && lead <= 0xF4) {
            const unsigned second = byte(at + 1);
            const bool ok = (lead == 0xF0   ? second >= 0x90 && second <= 0xBF
                             : lead == 0xF4 ? second >= 0x80 && second <= 0x8F
                                            : continuation(at + 1)) &&
                            continuation(at + 2) && continuation(at + 3);
            return ok ? 4 : 0;
        }
        return 0;
    }
    /// Whether `text` is all valid UTF-8.
    [[nodiscard]] static bool is_utf8(std::string_view text) {
        for (std::size_t at = 0; at < text.size();) {
            const std::size_t length = utf8_sequence_length(text, at);
            if (length == 0) return false;
            at += length;
        }
        return true;
    }

  private:
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
