// The `strata` subcommands. Each takes its arguments (after the subcommand name) and returns
// the process exit code; see README.md for the codes.
#pragma once

#include <string>
#include <vector>

namespace strata::cli {

namespace exit_code {
inline constexpr int ok = 0;
inline constexpr int usage = 1;       ///< Bad command line.
inline constexpr int unreadable = 2;  ///< The file cannot be opened or read.
inline constexpr int not_gcode = 3;   ///< Empty, binary, or no G-code commands at all.
}  // namespace exit_code

int run_analyze(const std::vector<std::string>& arguments);
int run_bench(const std::vector<std::string>& arguments);

}  // namespace strata::cli
