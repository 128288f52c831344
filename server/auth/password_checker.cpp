// The password checker's threads: each takes the oldest waiting check, verifies it outside the
// lock and reports. Passwords are wiped from memory once checked.
#include "strata/server/password_checker.hpp"

#include <sodium.h>

#include <utility>

#include "strata/server/accounts.hpp"

namespace strata::server {

PasswordChecker::PasswordChecker(Options options) : options_(options) {
    const unsigned threads = options_.threads == 0 ? 1 : options_.threads;
    for (unsigned i = 0; i < threads; ++i)
        threads_.emplace_back([this] { run(); });
}

PasswordChecker::~PasswordChecker() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
        for (Check& check : waiting_)
            sodium_memzero(check.password.data(), check.password.size());
        waiting_.clear();
    }
    wake_.notify_all();
    for (std::thread& thread : threads_)
        thread.join();
}

bool PasswordChecker::submit(std::optional<std::string> stored_hash, std::string password,
                             Done done) {
    {
        const std::lock_guard lock(mutex_);
        if (stopping_ || waiting_.size() >= options_.max_waiting) {
            sodium_memzero(password.data(), password.size());
            return false;
        }
        waiting_.push_back({std::move(stored_hash), std::move(password), std::move(done)});
    }
    wake_.notify_one();
    return true;
}

std::size_t PasswordChecker::pending() const {
    const std::lock_guard lock(mutex_);
    return waiting_.size() + running_;
}

bool PasswordChecker::has_room() const {
    const std::lock_guard lock(mutex_);
    return !stopping_ && waiting_.size() < options_.max_waiting;
}

void PasswordChecker::run() {
    std::unique_lock lock(mutex_);
    while (true) {
        wake_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
        if (stopping_) return;
        Check next = std::move(waiting_.front());
        waiting_.pop_front();
        ++running_;
        lock.unlock();
        const bool matches = check(next);
        sodium_memzero(next.password.data(), next.password.size());
        next.done(matches);
        lock.lock();
        --running_;
    }
}

bool PasswordChecker::check(Check& check) {
    if (check.stored_hash) return password_matches(*check.stored_hash, check.password);
    // The decoy is made when a name is first unknown, on a checker thread, not at start-up.
    std::string decoy;
    {
        const std::lock_guard lock(mutex_);
        decoy = unknown_name_hash_;
    }
    if (decoy.empty()) {
        decoy = hash_password(generate_secret(16));
        const std::lock_guard lock(mutex_);
        unknown_name_hash_ = decoy;
    }
    (void)password_matches(decoy, check.password);
    return false;
}

}  // namespace strata::server
