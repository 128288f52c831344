// offset_temperature (see strata/streamer/job.hpp): a job's temperature command rewritten with
// the user's offset on the streamer thread, as the line is queued for the printer.
#include <algorithm>
#include <optional>

#include "strata/common/gcode_number.hpp"
#include "strata/streamer/job.hpp"

namespace strata::streamer {
namespace {

// The offset for the heater the line sets, or nullopt when it sets none.
std::optional<double> offset_for(const parser::GcodeLine& line, std::uint32_t active_tool,
                                 const TemperatureOffsets& offsets) {
    if (line.command_letter != 'M' || line.subcode >= 0 || line.error != parser::LexError::none)
        return std::nullopt;
    switch (line.command_number) {
        case 140:
        case 190: return offsets.bed_c;
        case 104:
        case 109: {
            const double tool = line.value('T', static_cast<double>(active_tool));
            if (tool < 0.0 || tool >= static_cast<double>(TemperatureOffsets::max_tools))
                return 0.0;  // A tool no offset can be set for.
            return offsets.tool_c[static_cast<std::size_t>(tool)];
        }
        default: return std::nullopt;
    }
}

}  // namespace

std::string_view offset_temperature(std::string_view text, const parser::GcodeLine& line,
                                    std::uint32_t active_tool, const TemperatureOffsets& offsets,
                                    std::string& scratch) {
    const std::optional<double> offset_c = offset_for(line, active_tool, offsets);
    // Bare words and text arguments could not be written back from the lexed line.
    if (!offset_c || *offset_c == 0.0 || line.bare_word_mask != 0 || !line.string_argument.empty())
        return text;
    const char target_letter = line.has('S') ? 'S' : (line.has('R') ? 'R' : 0);
    if (target_letter == 0 || line.value(target_letter) <= 0.0) return text;
    scratch.clear();
    scratch += line.command_letter;
    append_gcode_number(scratch, static_cast<double>(line.command_number));
    for (char letter = 'A'; letter <= 'Z'; ++letter) {
        if (!line.has(letter)) continue;
        double value = line.value(letter);
        if (letter == target_letter) value = std::max(0.0, value + *offset_c);
        scratch += ' ';
        scratch += letter;
        append_gcode_number(scratch, value);
    }
    return scratch;
}

}  // namespace strata::streamer
