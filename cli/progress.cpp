// The progress bar the long-running subcommands draw on a terminal.
#include <cstdio>

#include "commands.hpp"

namespace strata::cli {

void draw_progress(std::uint64_t done, std::uint64_t total) {
    const double fraction =
        total == 0 ? 1.0 : static_cast<double>(done) / static_cast<double>(total);
    const int width = 40;
    const int filled = static_cast<int>(fraction * width);
    std::fprintf(stderr, "\r[%.*s%*s] %3.0f%%", filled, "########################################",
                 width - filled, "", fraction * 100.0);
    if (done >= total) std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
}

}  // namespace strata::cli
