// ideaMaker: ";Sliced by ideaMaker 5.3.2.8640, ..." (older files start with ";Dimension:"),
// ";Print Time: 2230.6" seconds, ";Firmware: Klipper".
#include "dialects.hpp"

namespace strata::parser::dialects {

bool identify_ideamaker(const CommentSettings& settings, std::string& version) {
    if (auto rest = settings.line_after("Sliced by ideaMaker")) {
        version = std::string(rest->substr(0, rest->find(',')));
        return true;
    }
    if (settings.text("Dimension") && settings.text("Print Time")) {
        version = "unknown";
        return true;
    }
    return false;
}

void read_ideamaker(const CommentSettings& settings, SlicerSettings& out) {
    out.estimate_s = settings.number("Print Time");
    out.layer_height_mm = settings.number("Layer Height");
    if (auto firmware = settings.text("Firmware")) {
        out.firmware_flavor_name = std::string(*firmware);
        out.firmware_flavor = flavor_from_name(*firmware);
    }
    if (auto dimension = settings.text("Dimension")) {
        // "220.000 220.000 200.000 0.400": bed X, Y, Z and nozzle.
        auto x = leading_number(*dimension);
        const std::size_t space = dimension->find(' ');
        auto y = space == std::string_view::npos ? std::nullopt
                                                 : leading_number(dimension->substr(space));
        if (x && y) out.bed_size_mm = std::array<double, 2>{*x, *y};
    }
}

}  // namespace strata::parser::dialects
