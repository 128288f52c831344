// What `strata serve --config FILE` reads: the server's settings from a configuration file
// (/etc/strata/strata.toml in the Debian package), given meaning field by field. A value of
// the wrong type, out of range or unknown is refused naming its line and `table.key`, so
// `strata serve --check-config` can tell a user what to fix before the service restarts.
// The command line's options are applied after the file and win.
#pragma once

#include <ostream>
#include <string>

#include "config_file.hpp"
#include "strata/common/result.hpp"
#include "strata/server/server.hpp"

namespace strata::cli {

/// `ADDR:PORT` (an IPv6 address in brackets) into `config.http`.
[[nodiscard]] Status parse_listen(const std::string& value, server::ServerConfig& config);

/// Sets what `document` sets; the rest of `config` stays as it was.
[[nodiscard]] Status apply_config(const ConfigDocument& document, server::ServerConfig& config);
/// Reads `path` and applies it; errors name the path and the line.
[[nodiscard]] Status apply_config_file(const std::string& path, server::ServerConfig& config);

/// Checks what a file cannot say by itself: that the data directory can be made and the web
/// root has an index. Problems that only matter later (a printer switched off) are not errors.
[[nodiscard]] Status check_config(const server::ServerConfig& config);

/// The settings in effect, as a configuration file that would give them (secrets left out).
void write_config(const server::ServerConfig& config, std::ostream& out);

}  // namespace strata::cli
