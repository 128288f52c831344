// Fuzz target: the configuration file's reader (cli/config_file.cpp, serve_config.cpp), the
// one `strata serve --config` and `--check-config` run on /etc/strata/strata.toml. Any bytes give
// a document or an error that names its line, never a crash or a hang; a file that is accepted,
// written out as `--check-config` prints it, reads back as the same settings: writing those
// again gives the same text (a fixed point).
#include <cstdint>
#include <sstream>
#include <string>

#include "config_file.hpp"
#include "fuzz_support.hpp"
#include "serve_config.hpp"

namespace {

using strata::fuzz::require;

std::string written(const strata::server::ServerConfig& config) {
    std::ostringstream out;
    strata::cli::write_config(config, out);
    return out.str();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const strata::Result<strata::cli::ConfigDocument> document = strata::cli::parse_config(text);
    if (!document) {
        require(document.error().message.rfind("line ", 0) == 0, "a syntax error without a line");
        return 0;
    }
    strata::server::ServerConfig config;
    config.data_directory = "/var/lib/strata";
    if (const strata::Status applied = strata::cli::apply_config(*document, config); !applied) {
        require(applied.error().message.rfind("line ", 0) == 0, "a field's error without a line");
        return 0;
    }
    for (auto& camera : config.printer.cameras)
        camera.password.clear();  // Never written out: not part of the round trip.
    const std::string first = written(config);
    const strata::Result<strata::cli::ConfigDocument> again = strata::cli::parse_config(first);
    require(again.ok(), "what --check-config writes does not parse");
    strata::server::ServerConfig reread;
    reread.data_directory = "/var/lib/strata";
    require(strata::cli::apply_config(*again, reread).ok(),
            "what --check-config writes is refused");
    require(written(reread) == first, "the settings written out do not read back the same");
    return 0;
}
