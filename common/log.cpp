// log_message (see strata/common/log.hpp).
#include "strata/common/log.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace strata {

bool stderr_is_journal() {
    const char* stream = std::getenv("JOURNAL_STREAM");
    if (stream == nullptr) return false;
    struct stat info {};
    if (::fstat(STDERR_FILENO, &info) != 0) return false;
    // A child whose stderr was redirected elsewhere inherits the variable: compare, not trust.
    const std::string expected = std::to_string(static_cast<unsigned long long>(info.st_dev)) +
                                 ":" + std::to_string(static_cast<unsigned long long>(info.st_ino));
    return expected == stream;
}

void log_message(LogLevel level, const char* format, ...) {
    char text[2048];
    va_list arguments;
    va_start(arguments, format);
    const int length = std::vsnprintf(text, sizeof text, format, arguments);
    va_end(arguments);
    if (length < 0) return;
    std::string line;
    if (stderr_is_journal()) line = "<" + std::to_string(static_cast<int>(level)) + ">";
    line += text;
    if (static_cast<std::size_t>(length) >= sizeof text) line += "...";
    if (line.empty() || line.back() != '\n') line += '\n';
    // One write, so lines of two threads do not interleave.
    std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace strata
