// One line from the firmware as a flat value: what it is (ok, resend, busy, error, ...) and the
// numbers it carries. A pure function of the line, like the G-code lexer, so the protocol engine
// and the tests read replies the same way. Views point into the caller's line.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace strata::streamer {

enum class ReplyKind : std::uint8_t {
    ok,           ///< `ok`, with optional ADVANCED_OK `N P B` and temperatures.
    wait,         ///< Idle firmware saying it is ready (counts as ok only when waiting).
    busy,         ///< `echo:busy: ...` / `busy: ...`: a long command is running.
    resend,       ///< `Resend: N` / `rs N`.
    error,        ///< `Error:` / `!!` / `fatal:`; see `Reply::fatal` and `Reply::resend_error`.
    start,        ///< The firmware (re)started: it has lost its state.
    firmware,     ///< The M115 `FIRMWARE_NAME:` line.
    capability,   ///< `Cap:NAME:0|1`.
    temperature,  ///< An autoreported or polled temperature line without `ok`.
    position,     ///< `X:.. Y:.. Z:.. E:..` (M114).
    action,       ///< `//action:NAME [params]`.
    echo,         ///< Other `echo:` lines (including `Unknown command`).
    other,
};

/// One heater's reading: `T`, `T0`..`T7`, `B` (bed) or `C` (chamber).
struct HeaterReading {
    char heater = 'T';       ///< 'T' tool, 'B' bed, 'C' chamber.
    std::int8_t index = -1;  ///< Tool number for `T0:`; -1 for the current tool / bed.
    double actual_c = 0.0;
    std::optional<double> target_c;
};

struct Reply {
    static constexpr std::size_t max_heaters = 8;

    ReplyKind kind = ReplyKind::other;
    std::string_view text;  ///< The whole line, trimmed.
    /// `ok N`: the last line number processed (ADVANCED_OK); `Resend: N`: the line asked for.
    std::optional<std::uint64_t> line;
    std::optional<int> planner_free;  ///< ADVANCED_OK `P`.
    std::optional<int> buffer_free;   ///< ADVANCED_OK `B`.
    std::array<HeaterReading, max_heaters> heaters{};
    std::uint8_t heater_count = 0;
    std::optional<std::array<double, 4>> position_mm;  ///< X Y Z E from an M114 report.
    /// Error lines about a bad line (checksum, line number): a Resend follows, the job goes on.
    bool resend_error = false;
    /// Errors that halt the firmware (kill(), thermal runaway, MINTEMP, ...).
    bool fatal = false;
    std::string_view name;   ///< Capability or action name; the firmware name for `firmware`.
    std::string_view value;  ///< Capability value, action parameters, error message.
};

/// Reads one line received from the printer (without its end-of-line).
[[nodiscard]] Reply parse_reply(std::string_view line);

/// Reads `T:210.0 /215.0 B:60 /60 T0:...` fields anywhere in `text` into `reply`.
void parse_temperatures(std::string_view text, Reply& reply);

}  // namespace strata::streamer
