// parse_reply (see reply.hpp). Marlin's replies are the reference; Prusa, Klipper, RepRapFirmware
// and Repetier variants of the same lines are accepted where OctoPrint accepts them.
#include "strata/streamer/reply.hpp"

#include "strata/streamer/protocol.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace strata::streamer {
namespace {

char lower(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), text.begin(),
                      [](char a, char b) { return lower(a) == lower(b); });
}

bool contains_nocase(std::string_view text, std::string_view needle) {
    const auto found = std::search(text.begin(), text.end(), needle.begin(), needle.end(),
                                   [](char a, char b) { return lower(a) == lower(b); });
    return found != text.end();
}

// A reading as firmware prints it. `inf` and `nan` are refused: a line garbled into `T:inf`
// would otherwise pass as a temperature (found by fuzz/serial_reply_fuzz.cpp).
std::optional<double> to_double(std::string_view text) {
    double value = 0.0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end == text.data() || !std::isfinite(value)) return std::nullopt;
    return value;
}

std::optional<std::uint64_t> to_unsigned(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end == text.data()) return std::nullopt;
    return value;
}

// The next space-separated token of `text`, consumed.
std::string_view next_token(std::string_view& text) {
    while (!text.empty() && text.front() == ' ')
        text.remove_prefix(1);
    const std::size_t end = std::min(text.find(' '), text.size());
    const std::string_view token = text.substr(0, end);
    text.remove_prefix(end);
    return token;
}

// `ok N12 P15 B3 T:...`: the ADVANCED_OK fields; temperatures are read separately.
void parse_ok_fields(std::string_view rest, Reply& reply) {
    while (!rest.empty()) {
        const std::string_view token = next_token(rest);
        if (token.size() < 2 || token.find(':') != std::string_view::npos) continue;
        const std::string_view number = token.substr(1);
        switch (token.front()) {
            case 'N': reply.line = to_unsigned(number); break;
            case 'P':
                if (const auto free = to_unsigned(number))
                    reply.planner_free = static_cast<int>(*free);
                break;
            case 'B':
                if (const auto free = to_unsigned(number))
                    reply.buffer_free = static_cast<int>(*free);
                break;
            default: break;
        }
    }
}

// `Resend: 12`, `Resend:N12`, `rs N:12`, `rs 12`.
std::optional<std::uint64_t> resend_line(std::string_view rest) {
    while (!rest.empty() && (rest.front() == ':' || rest.front() == ' ' || rest.front() == 'N' ||
                             rest.front() == 'n'))
        rest.remove_prefix(1);
    return to_unsigned(rest);
}

void classify_error(std::string_view message, Reply& reply) {
    reply.value = trim_blanks(message);
    constexpr std::array<std::string_view, 6> line_problems = {
        "line number",   "checksum",           "format error",
        "expected line", "missing linenumber", "no line number"};
    reply.resend_error =
        std::any_of(line_problems.begin(), line_problems.end(),
                    [&](std::string_view problem) { return contains_nocase(message, problem); });
    reply.fatal = !reply.resend_error && !contains_nocase(message, "unknown command");
}

void parse_position(std::string_view text, Reply& reply) {
    // `X:10.00 Y:20.00 Z:0.30 E:0.00 Count X:800 ...`: only the part before `Count`.
    text = text.substr(0, text.find("Count"));
    std::array<double, 4> position{};
    int found = 0;
    constexpr std::string_view axes = "XYZE";
    while (!text.empty()) {
        const std::string_view token = next_token(text);
        const std::size_t axis = axes.find(token.empty() ? '?' : token.front());
        if (axis == std::string_view::npos || token.size() < 3 || token[1] != ':') continue;
        if (const auto value = to_double(token.substr(2))) {
            position[axis] = *value;
            ++found;
        }
    }
    if (found >= 3) reply.position_mm = position;
}

bool is_position(std::string_view text) {
    return text.size() > 2 && text[0] == 'X' && text[1] == ':' &&
           text.find("Y:") != std::string_view::npos;
}

}  // namespace

void parse_temperatures(std::string_view text, Reply& reply) {
    while (!text.empty() && reply.heater_count < Reply::max_heaters) {
        std::string_view token = next_token(text);
        const std::size_t colon = token.find(':');
        if (colon == std::string_view::npos || colon == 0) continue;
        const char heater = token.front();
        if (heater != 'T' && heater != 'B' && heater != 'C') continue;
        const std::string_view index_text = token.substr(1, colon - 1);
        std::int8_t index = -1;
        if (!index_text.empty()) {
            const auto parsed = to_unsigned(index_text);
            if (!parsed || heater != 'T' || *parsed > 63) continue;  // `B@:`, `T@:` and such.
            index = static_cast<std::int8_t>(*parsed);
        }
        std::string_view reading = token.substr(colon + 1);
        std::string_view target_text;
        if (const std::size_t slash = reading.find('/'); slash != std::string_view::npos) {
            target_text = reading.substr(slash + 1);
            reading = reading.substr(0, slash);
        } else if (!text.empty()) {
            std::string_view peek = text;
            const std::string_view after = next_token(peek);
            if (!after.empty() && after.front() == '/') {
                target_text = after.substr(1);
                text = peek;
            }
        }
        const auto actual = to_double(reading);
        if (!actual) continue;
        HeaterReading& slot = reply.heaters[reply.heater_count++];
        slot.heater = heater;
        slot.index = index;
        slot.actual_c = *actual;
        slot.target_c = to_double(target_text);
    }
}

Reply parse_reply(std::string_view line) {
    Reply reply;
    const std::string_view text = trim_blanks(line);
    reply.text = text;
    if (text == "ok" || text.rfind("ok ", 0) == 0 || text.rfind("ok\t", 0) == 0) {
        reply.kind = ReplyKind::ok;
        parse_ok_fields(text.substr(2), reply);
        parse_temperatures(text.substr(2), reply);
    } else if (text == "wait") {
        reply.kind = ReplyKind::wait;
    } else if (text.rfind("echo:busy:", 0) == 0 || text.rfind("busy:", 0) == 0) {
        reply.kind = ReplyKind::busy;
        reply.value = trim_blanks(text.substr(text.find("busy:") + 5));
    } else if (starts_with_nocase(text, "resend") || starts_with_nocase(text, "rs ")) {
        reply.kind = ReplyKind::resend;
        reply.line = resend_line(text.substr(starts_with_nocase(text, "rs ") ? 3 : 6));
    } else if (starts_with_nocase(text, "error:") || text.rfind("!!", 0) == 0 ||
               starts_with_nocase(text, "fatal:")) {
        reply.kind = ReplyKind::error;
        classify_error(text.substr(text.front() == '!' ? 2 : text.find(':') + 1), reply);
    } else if (text == "start") {
        reply.kind = ReplyKind::start;
    } else if (const std::size_t at = text.find("FIRMWARE_NAME:"); at != std::string_view::npos) {
        reply.kind = ReplyKind::firmware;
        std::string_view name = text.substr(at + 14);
        for (const std::string_view stop :
             {" SOURCE_CODE_URL:", " PROTOCOL_VERSION:", " MACHINE_TYPE:", " EXTRUDER_COUNT:"})
            name = name.substr(0, name.find(stop));
        reply.name = trim_blanks(name);
    } else if (text.rfind("Cap:", 0) == 0) {
        reply.kind = ReplyKind::capability;
        const std::string_view rest = text.substr(4);
        const std::size_t colon = rest.find(':');
        reply.name = rest.substr(0, colon);
        reply.value = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    } else if (text.rfind("//action:", 0) == 0) {
        reply.kind = ReplyKind::action;
        std::string_view rest = text.substr(9);
        reply.name = next_token(rest);
        reply.value = trim_blanks(rest);
    } else if (is_position(text)) {
        reply.kind = ReplyKind::position;
        parse_position(text, reply);
    } else {
        parse_temperatures(text, reply);
        if (reply.heater_count > 0) {
            reply.kind = ReplyKind::temperature;
        } else if (text.rfind("echo:", 0) == 0) {
            reply.kind = ReplyKind::echo;
            reply.value = text.substr(5);
        }
    }
    return reply;
}

}  // namespace strata::streamer
