// Accounts on a real store: generated passwords and API keys work and are stored only as
// digests, names are unique without case, mistakes name their field, inactive users are shut
// out, the failed-login limit follows OctoPrint's 3/minute, 5/10 minutes, 10/hour, and the
// password checker answers from its own thread with a bounded queue.
#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <map>
#include <mutex>

#include "../support/result.hpp"
#include "store_fixture.hpp"
#include "strata/server/accounts.hpp"
#include "strata/server/password_checker.hpp"

namespace {

using namespace strata::server;
using strata::Result;

class AccountsTest : public strata::testing::StoreFixture {
  protected:
    // Every text value in `table`, joined, to look for secrets in clear.
    std::string dump(const std::string& table) {
        std::string error;
        Statement select = db_.prepare("SELECT * FROM " + table);
        std::string text;
        while (select.valid() && select.step() == Statement::Step::row)
            for (int column = 0; column < 8; ++column)
                text += select.text(column) + "|";
        return text;
    }
};

TEST_F(AccountsTest, AGeneratedPasswordAndKeyWorkAndAreNotStoredInClear) {
    Accounts accounts(db_);
    const NewUser created =
        strata::testing::value_of(accounts.add_user("ada", Role::admin, std::nullopt));
    EXPECT_GE(created.password.size(), 16u);
    EXPECT_EQ(created.api_key.size(), 43u);  // 32 random bytes, base64 without padding.
    EXPECT_EQ(accounts.admin_count(), 1);

    const auto by_password = accounts.check_password("ADA", created.password);
    ASSERT_TRUE(by_password.has_value());
    EXPECT_EQ(by_password->name, "ada");
    EXPECT_EQ(by_password->role, Role::admin);
    EXPECT_FALSE(accounts.check_password("ada", created.password + "x").has_value());
    EXPECT_FALSE(accounts.check_password("bob", created.password).has_value());

    const auto by_key = accounts.user_for_api_key(created.api_key, 100.0);
    ASSERT_TRUE(by_key.has_value());
    EXPECT_EQ(by_key->id, created.user.id);
    EXPECT_FALSE(accounts.user_for_api_key(created.api_key + "x", 100.0).has_value());

    const std::string stored = dump("users") + dump("api_keys");
    EXPECT_EQ(stored.find(created.password), std::string::npos);
    EXPECT_EQ(stored.find(created.api_key), std::string::npos);
    EXPECT_NE(stored.find("$argon2id$"), std::string::npos);
    EXPECT_NE(stored.find(secret_digest(created.api_key)), std::string::npos);
}

TEST_F(AccountsTest, MistakesNameTheirField) {
    Accounts accounts(db_);
    ASSERT_TRUE(strata::testing::ok(accounts.add_user("Ada", Role::operator_, "correct horse")));
    const auto refusal = [&](std::string_view name, std::string_view password) {
        const Result<NewUser> added = accounts.add_user(name, Role::viewer, password);
        return added ? std::string("added") : added.error().message;
    };
    EXPECT_EQ(refusal("ada", "another one"), "name: 'ada' is taken");
    EXPECT_EQ(refusal("", "another one"), "name: 1 to 64 characters");
    EXPECT_EQ(refusal("bob", "short"), "password: at least 8 characters");
    EXPECT_EQ(accounts.admin_count(), 0);
    EXPECT_EQ(parse_role("operator"), Role::operator_);
    EXPECT_FALSE(parse_role("root").has_value());
}

TEST_F(AccountsTest, AnInactiveUserIsShutOut) {
    Accounts accounts(db_);
    const NewUser created =
        strata::testing::value_of(accounts.add_user("ada", Role::viewer, "correct horse"));
    ASSERT_TRUE(strata::testing::ok(db_.execute("UPDATE users SET active = 0")));
    EXPECT_FALSE(accounts.check_password("ada", "correct horse").has_value());
    EXPECT_FALSE(accounts.user_for_api_key(created.api_key, 1.0).has_value());
}

TEST(LoginLimiter, FollowsOctoPrintsThreeFiveTen) {
    LoginLimiter limiter;
    const std::string client = "192.0.2.7";
    for (int i = 0; i < 3; ++i) {
        EXPECT_TRUE(limiter.allowed(client, i));
        limiter.record_failure(client, i);
    }
    EXPECT_FALSE(limiter.allowed(client, 10.0));         // 3 in a minute.
    EXPECT_TRUE(limiter.allowed("198.51.100.1", 10.0));  // Per client.
    EXPECT_TRUE(limiter.allowed(client, 61.0));
    limiter.record_failure(client, 61.0);
    limiter.record_failure(client, 62.0);
    EXPECT_FALSE(limiter.allowed(client, 130.0));  // 5 in ten minutes.
    EXPECT_TRUE(limiter.allowed(client, 601.0));   // The first three aged out of the ten.
    for (int i = 0; i < 5; ++i)
        limiter.record_failure(client, 700.0 + 130.0 * i);
    EXPECT_FALSE(limiter.allowed(client, 1400.0));  // 10 in an hour.
    EXPECT_TRUE(limiter.allowed(client, 3700.0));
}

// 20 addresses with 3 tries each once checked 60 passwords of one account; the account has its
// own limit, and an attempt counts before its answer, so tries in parallel cannot slip through.
TEST(LoginLimiter, LimitsEachAccountWhateverTheAddressAndCountsAtOnce) {
    LoginLimiter limiter;
    int allowed = 0;
    for (int address = 0; address < 20; ++address)
        for (int attempt = 0; attempt < 3; ++attempt)
            allowed +=
                limiter.try_attempt("192.0.2." + std::to_string(address), "ada", 1.0) ? 1 : 0;
    EXPECT_EQ(allowed, 5);                                       // 5 a minute for the account.
    EXPECT_TRUE(limiter.try_attempt("192.0.2.1", "otto", 1.0));  // Another account.
    EXPECT_FALSE(limiter.try_attempt("192.0.2.99", "ada", 30.0));
    EXPECT_TRUE(limiter.try_attempt("192.0.2.99", "ada", 61.5));
    // In parallel: the third try from one address is refused before the first two are answered.
    LoginLimiter fresh;
    EXPECT_TRUE(fresh.try_attempt("198.51.100.1", "vera", 1.0));
    EXPECT_TRUE(fresh.try_attempt("198.51.100.1", "vera", 1.0));
    EXPECT_TRUE(fresh.try_attempt("198.51.100.1", "vera", 1.0));
    EXPECT_FALSE(fresh.try_attempt("198.51.100.1", "vera", 1.0));
    // A success takes its attempt back.
    fresh.take_back("198.51.100.1", "vera");
    EXPECT_TRUE(fresh.try_attempt("198.51.100.1", "vera", 1.5));
}

// What a check reports, waited for: the checker answers on its own thread.
class CheckResults {
  public:
    PasswordChecker::Done recorder(const std::string& label) {
        return [this, label](bool matches) {
            const std::lock_guard lock(mutex_);
            results_[label] = matches;
            changed_.notify_all();
        };
    }
    std::optional<bool> wait_for(const std::string& label,
                                 std::chrono::seconds limit = std::chrono::seconds(10)) {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, limit, [&] { return results_.contains(label); });
        const auto found = results_.find(label);
        return found == results_.end() ? std::nullopt : std::optional<bool>(found->second);
    }

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::map<std::string, bool> results_;
};

TEST(PasswordCheckerTest, ChecksOnItsOwnThreadAndAnUnknownNameNeverMatches) {
    const std::string hash = hash_password("correct horse");
    PasswordChecker checker;
    CheckResults results;
    ASSERT_TRUE(checker.submit(hash, "correct horse", results.recorder("right")));
    ASSERT_TRUE(checker.submit(hash, "correct horsE", results.recorder("wrong")));
    ASSERT_TRUE(checker.submit(std::nullopt, "correct horse", results.recorder("nobody")));
    EXPECT_EQ(results.wait_for("right"), std::optional<bool>(true));
    EXPECT_EQ(results.wait_for("wrong"), std::optional<bool>(false));
    EXPECT_EQ(results.wait_for("nobody"), std::optional<bool>(false));
}

TEST(PasswordCheckerTest, AFullQueueRefusesAtOnceAndNeverRunsTheRefusedCheck) {
    const std::string hash = hash_password("correct horse");
    PasswordChecker checker(PasswordChecker::Options{1, 1});
    CheckResults results;
    // The first check's report holds the only thread until the test lets it go.
    std::promise<void> entered;
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    ASSERT_TRUE(checker.submit(hash, "correct horse", [&](bool) {
        entered.set_value();
        released.wait();
    }));
    entered.get_future().wait();
    EXPECT_TRUE(checker.has_room());
    ASSERT_TRUE(checker.submit(hash, "correct horse", results.recorder("queued")));
    EXPECT_FALSE(checker.has_room());
    EXPECT_EQ(checker.pending(), 2U);
    EXPECT_FALSE(checker.submit(hash, "correct horse", results.recorder("refused")));
    release.set_value();
    EXPECT_EQ(results.wait_for("queued"), std::optional<bool>(true));
    EXPECT_TRUE(checker.has_room());
    // One thread, in order: had it been queued, it would have run by now.
    EXPECT_EQ(results.wait_for("refused", std::chrono::seconds(0)), std::nullopt);
}

TEST(Secrets, AreRandomAndTheirDigestsStable) {
    const std::string a = generate_secret();
    const std::string b = generate_secret();
    EXPECT_NE(a, b);
    EXPECT_EQ(
        a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos);
    EXPECT_EQ(secret_digest(a), secret_digest(a));
    EXPECT_NE(secret_digest(a), secret_digest(b));
    EXPECT_EQ(secret_digest(a).size(), 64u);
}

}  // namespace
