// Bambu Studio: "; BambuStudio 01.10.02.76" on the first lines; the estimate is in the header
// ("; model printing time: 1h 0m 1s; total estimated time: 1h 6m 2s").
#include "dialects.hpp"

namespace strata::parser::dialects {

bool identify_bambustudio(const CommentSettings& settings, std::string& version) {
    if (auto rest = settings.line_after("BambuStudio ")) {
        version = std::string(rest->substr(0, rest->find(' ')));
        return true;
    }
    return generated_by(settings, "BambuStudio", version);
}

void read_bambustudio(const CommentSettings& settings, SlicerSettings& out) {
    read_orcaslicer(settings, out);
}

}  // namespace strata::parser::dialects
