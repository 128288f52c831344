// Reading a printer-profile file (see printer_file.hpp) with the server's own checks.
#include "printer_file.hpp"

#include <fstream>
#include <sstream>

#include "strata/server/profiles.hpp"

namespace strata::cli {

Result<PrinterFile> read_printer_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream body;
    if (!in || !(body << in.rdbuf())) return fail(ErrorCode::io, path + ": cannot be read");
    server::PrinterProfile printer;
    if (const auto problem = server::read_printer_profile(body.str(), printer))
        return fail(
            ErrorCode::invalid,
            path + ": " +
                (problem->field.empty() ? problem->message
                                        : "field '" + problem->field + "': " + problem->message));
    return PrinterFile{server::bed_area_of(printer), printer.max_z_mm};
}

}  // namespace strata::cli
