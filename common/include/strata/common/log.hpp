// Messages for the person running strata, with a level. On a terminal they are written to
// stderr as they are; under systemd, whose journal reads the service's stderr, each line starts
// with the syslog priority in angle brackets (`<4>` for a warning), which journald turns into
// the entry's level (so `journalctl -u strata -p warning` shows the warnings and errors only).
// Stateless: whether stderr is the journal is read from the environment systemd sets.
#pragma once

namespace strata {

/// syslog's priorities, as journald reads them.
enum class LogLevel : unsigned char { error = 3, warning = 4, notice = 5, info = 6, debug = 7 };

/// Whether stderr is the journal's stream: `$JOURNAL_STREAM` names its device and inode.
[[nodiscard]] bool stderr_is_journal();

/// One message, printf-style; a trailing newline is added when missing.
void log_message(LogLevel level, const char* format, ...) __attribute__((format(printf, 2, 3)));

}  // namespace strata
