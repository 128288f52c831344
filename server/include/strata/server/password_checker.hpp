// Password checks off the request threads. An argon2id check costs about 75 ms of a core and
// 64 MiB; run on the HTTP reactor threads, a flood of logins (each with a fresh name or address,
// so the login limit does not stop it) held every other request behind it. Here the checks run
// on a thread of their own with a short queue: a login waits its turn or is told to come back
// later, and the reactors keep answering everything else.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace strata::server {

class PasswordChecker {
  public:
    struct Options {
        /// Checks run at once. One keeps a core and 64 MiB for everything else on a Pi.
        unsigned threads = 1;
        /// Checks waiting their turn; more are refused (the caller answers 503). At ~75 ms each,
        /// the last of 16 is answered within about 1.3 s.
        std::size_t max_waiting = 16;
    };
    /// Called on a checker thread with whether the password matched the stored hash.
    using Done = std::function<void(bool matches)>;

    explicit PasswordChecker(Options options);
    PasswordChecker() : PasswordChecker(Options{}) {}
    /// Checks still waiting are dropped without their `done` running; a running one finishes.
    ~PasswordChecker();
    PasswordChecker(const PasswordChecker&) = delete;
    PasswordChecker& operator=(const PasswordChecker&) = delete;

    /// Queues a check of `password` against `stored_hash`; nullopt for a name that does not
    /// exist, which is checked against a hash of a random secret instead, so the answer's timing
    /// tells nothing about which names exist. False (and `done` never runs) when the queue is
    /// full.
    [[nodiscard]] bool submit(std::optional<std::string> stored_hash, std::string password,
                              Done done);
    /// Checks waiting or running now.
    [[nodiscard]] std::size_t pending() const;
    /// Whether a check submitted now would be queued. A hint only (another thread may take the
    /// place first), so a busy server skips the work before `submit` without it.
    [[nodiscard]] bool has_room() const;

  private:
    struct Check {
        std::optional<std::string> stored_hash;
        std::string password;
        Done done;
    };
    void run();
    bool check(Check& check);

    Options options_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Check> waiting_;
    std::size_t running_ = 0;
    bool stopping_ = false;
    std::string unknown_name_hash_;  ///< Made on a checker thread when first needed.
    std::vector<std::thread> threads_;
};

}  // namespace strata::server
