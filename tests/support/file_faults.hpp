// Real file-system faults for tests, made by the kernel rather than by a mock, so the code under
// test meets them in its own write() and rename() calls:
// - `FileSizeLimit` lowers RLIMIT_FSIZE for the whole process: a write that would grow any file
//   past the limit fails with EFBIG, as a write to a full disk fails with ENOSPC (strata reads
//   both as `no_space`; SQLite reports it as an I/O error). SIGXFSZ, which would kill the
//   process, is ignored while it holds.
// - `run_without_write_access` runs a function in a child process that cannot write a folder the
//   test made read-only (a child of root gives up root first, since root writes anywhere) and
//   returns the function's exit value, so EACCES comes from the real permission check.
#pragma once

#include <grp.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <filesystem>

namespace strata::testing {

class FileSizeLimit {
  public:
    explicit FileSizeLimit(std::uint64_t bytes) : previous_handler_(std::signal(SIGXFSZ, SIG_IGN)) {
        ::getrlimit(RLIMIT_FSIZE, &saved_);
        rlimit limited = saved_;
        limited.rlim_cur = bytes;
        applied_ = ::setrlimit(RLIMIT_FSIZE, &limited) == 0;
    }
    ~FileSizeLimit() {
        ::setrlimit(RLIMIT_FSIZE, &saved_);
        std::signal(SIGXFSZ, previous_handler_);
    }
    FileSizeLimit(const FileSizeLimit&) = delete;
    FileSizeLimit& operator=(const FileSizeLimit&) = delete;
    /// Whether the kernel took the limit (a test asserts it, so a fault it meant to make is not
    /// silently missing).
    [[nodiscard]] bool applied() const { return applied_; }

  private:
    rlimit saved_{};
    void (*previous_handler_)(int);
    bool applied_ = false;
};

/// The user a child of root becomes: nobody, as on Debian.
inline constexpr uid_t unprivileged_id = 65534;

/// Makes `folder` read-only and runs `work` (returning 0..255) in a child that may not write it.
/// Answers the child's exit value, or -1 when it did not exit normally. Mode 0555 is restored.
template <class Work>
int run_without_write_access(const std::filesystem::path& folder, Work work) {
    ::chmod(folder.c_str(), 0555);
    const pid_t child = ::fork();
    if (child == 0) {
        if (::geteuid() == 0 && (::setgroups(0, nullptr) != 0 || ::setgid(unprivileged_id) != 0 ||
                                 ::setuid(unprivileged_id) != 0))
            ::_exit(250);
        ::_exit(work());
    }
    int status = 0;
    const bool waited = child > 0 && ::waitpid(child, &status, 0) == child;
    ::chmod(folder.c_str(), 0755);
    return waited && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace strata::testing
