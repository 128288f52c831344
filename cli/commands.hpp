// The `strata` subcommands. Each takes its arguments (after the subcommand name) and returns
// the process exit code; see README.md for the codes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace strata::cli {

namespace exit_code {
inline constexpr int ok = 0;
inline constexpr int usage = 1;           ///< Bad command line.
inline constexpr int unreadable = 2;      ///< The file cannot be opened or read.
inline constexpr int not_gcode = 3;       ///< Empty, binary, or no G-code commands at all.
inline constexpr int not_plannable = 4;   ///< prep: no printable area, or prepared already.
inline constexpr int write_failed = 5;    ///< prep: the job could not be written.
inline constexpr int not_equivalent = 6;  ///< verify, prep: the job does not print the same.
inline constexpr int print_failed = 7;    ///< print: the job failed or was cancelled.
inline constexpr int link_failed = 8;     ///< print, virtual-printer: no link, no handshake.
/// serve: a restart was asked through the API; the service manager starts strata again
/// (EX_TEMPFAIL; strata.service lists it in RestartForceExitStatus).
inline constexpr int restart = 75;
}  // namespace exit_code

int run_analyze(const std::vector<std::string>& arguments);
int run_prep(const std::vector<std::string>& arguments);
int run_verify(const std::vector<std::string>& arguments);
int run_print(const std::vector<std::string>& arguments);
int run_virtual_printer(const std::vector<std::string>& arguments);
int run_render(const std::vector<std::string>& arguments);
int run_user(const std::vector<std::string>& arguments);
int run_serve(const std::vector<std::string>& arguments);

/// The server's data directory: $STRATA_DATA, else ~/.local/share/strata.
[[nodiscard]] std::filesystem::path default_data_directory();

/// A progress bar on stderr (`parser::ProgressObserver`); callers draw it only on a terminal.
void draw_progress(std::uint64_t done, std::uint64_t total);
int run_bench(const std::vector<std::string>& arguments);

}  // namespace strata::cli
