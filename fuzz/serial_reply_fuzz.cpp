// Fuzz target: the firmware reply parser (streamer/protocol/reply.cpp). Each line of the input
// is read as a line from the printer. Every view in the reply points into the line, heater
// readings stay within their array, numbers are finite, and the parse is a pure function of
// the line (the same line twice reads the same).
#include <cmath>
#include <cstdint>
#include <string_view>

#include "fuzz_support.hpp"
#include "strata/streamer/reply.hpp"

namespace {

using strata::fuzz::require;

bool inside(std::string_view part, std::string_view line) {
    if (part.empty()) return true;
    return part.data() >= line.data() && part.data() + part.size() <= line.data() + line.size();
}

void check(std::string_view line) {
    const strata::streamer::Reply reply = strata::streamer::parse_reply(line);
    require(inside(reply.text, line) && inside(reply.name, line) && inside(reply.value, line),
            "a view outside the line");
    require(reply.heater_count <= strata::streamer::Reply::max_heaters, "too many heaters");
    for (std::size_t i = 0; i < reply.heater_count; ++i) {
        const strata::streamer::HeaterReading& heater = reply.heaters[i];
        require(std::isfinite(heater.actual_c), "a temperature that is not finite");
        require(!heater.target_c || std::isfinite(*heater.target_c), "a target not finite");
        require(heater.heater == 'T' || heater.heater == 'B' || heater.heater == 'C',
                "a heater that is neither T, B nor C");
        require(heater.index >= -1 && heater.index <= 63, "a tool number out of range");
    }
    if (reply.position_mm)
        for (const double axis : *reply.position_mm)
            require(std::isfinite(axis), "a position that is not finite");
    const strata::streamer::Reply again = strata::streamer::parse_reply(line);
    require(again.kind == reply.kind && again.line == reply.line &&
                again.heater_count == reply.heater_count && again.fatal == reply.fatal,
            "the same line read twice reads differently");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view rest(reinterpret_cast<const char*>(data), size);
    while (!rest.empty()) {
        const std::size_t newline = rest.find('\n');
        check(rest.substr(0, newline));
        rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
    }
    return 0;
}
