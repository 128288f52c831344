// Sessions on a real store: a token opens its session until logout or expiry, an unknown token
// opens nothing, a deactivated or deleted user's sessions are gone, and the CSRF token is the
// session's own.
#include <gtest/gtest.h>

#include "store_fixture.hpp"
#include "strata/server/sessions.hpp"

namespace {

using namespace strata::server;

class SessionsTest : public strata::testing::StoreFixture {
  protected:
    void SetUp() override {
        StoreFixture::SetUp();
        Accounts accounts(db_);
        NewUser created;
        std::string error;
        ASSERT_TRUE(accounts.add_user("ada", Role::operator_, "correct horse", created, error));
        user_id_ = created.user.id;
    }
    std::int64_t user_id_ = 0;
};

TEST_F(SessionsTest, ATokenOpensItsSessionUntilLogoutOrExpiry) {
    Sessions sessions(db_, 100.0);
    NewSession created;
    std::string error;
    ASSERT_TRUE(sessions.open(user_id_, 1000.0, created, error)) << error;
    EXPECT_DOUBLE_EQ(created.expires_s, 1100.0);
    const auto found = sessions.find(created.token, 1050.0);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->user.name, "ada");
    EXPECT_EQ(found->user.role, Role::operator_);
    EXPECT_TRUE(csrf_matches(*found, created.csrf_token));
    EXPECT_FALSE(csrf_matches(*found, created.csrf_token.substr(1) + "x"));
    EXPECT_FALSE(csrf_matches(*found, ""));
    EXPECT_FALSE(sessions.find(created.token + "x", 1050.0).has_value());
    EXPECT_FALSE(sessions.find(created.token, 1100.0).has_value());  // Expired.

    NewSession second;
    ASSERT_TRUE(sessions.open(user_id_, 1000.0, second, error)) << error;
    EXPECT_NE(second.token, created.token);
    sessions.close(second.token);
    EXPECT_FALSE(sessions.find(second.token, 1001.0).has_value());
    EXPECT_EQ(sessions.expire(2000.0), 1);  // The first, expired; the second was closed.
}

TEST_F(SessionsTest, ADeactivatedOrDeletedUsersSessionsAreGone) {
    Sessions sessions(db_);
    NewSession created;
    std::string error;
    ASSERT_TRUE(sessions.open(user_id_, 0.0, created, error)) << error;
    ASSERT_TRUE(db_.execute("UPDATE users SET active = 0", error)) << error;
    EXPECT_FALSE(sessions.find(created.token, 1.0).has_value());
    ASSERT_TRUE(db_.execute("DELETE FROM users", error)) << error;
    Statement count = db_.prepare("SELECT count(*) FROM sessions", error);
    ASSERT_EQ(count.step(error), Statement::Step::row) << error;
    EXPECT_EQ(count.int64(0), 0);                                // The rows went with the user.
    EXPECT_FALSE(sessions.open(user_id_, 0.0, created, error));  // No such user any more.
    EXPECT_NE(error.find("FOREIGN KEY"), std::string::npos) << error;
}

}  // namespace
