// Sessions on a real store: a token opens its session until logout or expiry, an unknown token
// opens nothing, an API key's passive logins share one session, a deactivated or deleted
// user's sessions are gone, and the CSRF token is the session's own.
#include <gtest/gtest.h>

#include "../support/result.hpp"
#include "store_fixture.hpp"
#include "strata/server/sessions.hpp"

namespace {

using namespace strata::server;
using strata::ErrorCode;
using strata::Result;

class SessionsTest : public strata::testing::StoreFixture {
  protected:
    void SetUp() override {
        StoreFixture::SetUp();
        const Result<NewUser> created =
            Accounts(db_).add_user("ada", Role::operator_, "correct horse");
        ASSERT_TRUE(strata::testing::ok(created));
        user_id_ = created->user.id;
    }
    std::int64_t user_id_ = 0;
};

TEST_F(SessionsTest, ATokenOpensItsSessionUntilLogoutOrExpiry) {
    Sessions sessions(db_, 100.0);
    const NewSession created = strata::testing::value_of(sessions.open(user_id_, 1000.0));
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

    const NewSession second = strata::testing::value_of(sessions.open(user_id_, 1000.0));
    EXPECT_NE(second.token, created.token);
    ASSERT_TRUE(strata::testing::ok(sessions.close(second.token)));
    EXPECT_FALSE(sessions.find(second.token, 1001.0).has_value());
    EXPECT_EQ(sessions.expire(2000.0), 1);  // The first, expired; the second was closed.
}

// Passive logins with one key share its session: found again while it lives, one row however
// often; after expiry or logout the same token opens a fresh session; another key has its own.
TEST_F(SessionsTest, AKeysPassiveLoginsShareOneSession) {
    Sessions sessions(db_, 100.0);
    const auto count = [this] {
        Statement rows = db_.prepare("SELECT count(*) FROM sessions");
        return rows.step() == Statement::Step::row ? rows.int64(0) : -1;
    };
    const NewSession first =
        strata::testing::value_of(sessions.open_for_key(user_id_, "key-one", 1000.0));
    for (int i = 1; i <= 50; ++i) {
        const NewSession again =
            strata::testing::value_of(sessions.open_for_key(user_id_, "key-one", 1000.0 + i));
        EXPECT_EQ(again.token, first.token);
        EXPECT_EQ(again.csrf_token, first.csrf_token);
    }
    EXPECT_EQ(count(), 1);
    ASSERT_TRUE(sessions.find(first.token, 1060.0).has_value());
    EXPECT_EQ(first.token.find("key-one"), std::string::npos);

    const NewSession later = strata::testing::value_of(
        sessions.open_for_key(user_id_, "key-one", 1200.0));  // The first has expired at 1100.
    EXPECT_EQ(later.token, first.token);
    EXPECT_NE(later.csrf_token, first.csrf_token);
    EXPECT_DOUBLE_EQ(later.expires_s, 1300.0);
    EXPECT_TRUE(sessions.find(later.token, 1250.0).has_value());
    EXPECT_EQ(count(), 1);

    ASSERT_TRUE(strata::testing::ok(sessions.close(later.token)));
    EXPECT_FALSE(sessions.find(later.token, 1250.0).has_value());
    const NewSession reopened =
        strata::testing::value_of(sessions.open_for_key(user_id_, "key-one", 1250.0));
    EXPECT_TRUE(sessions.find(reopened.token, 1260.0).has_value());

    const NewSession other =
        strata::testing::value_of(sessions.open_for_key(user_id_, "key-two", 1250.0));
    EXPECT_NE(other.token, reopened.token);
    EXPECT_EQ(count(), 2);
}

// A key's session in use is renewed once half its lifetime is gone: a client that logs in
// passively every few seconds never gets a session that expires before its next call.
TEST_F(SessionsTest, AKeysSessionInUseIsRenewed) {
    Sessions sessions(db_, 100.0);
    const NewSession first =
        strata::testing::value_of(sessions.open_for_key(user_id_, "key-one", 1000.0));
    EXPECT_DOUBLE_EQ(first.expires_s, 1100.0);
    const NewSession kept =
        strata::testing::value_of(sessions.open_for_key(user_id_, "key-one", 1040.0));
    EXPECT_DOUBLE_EQ(kept.expires_s, 1100.0);  // Over half its lifetime left: as it was.
    const NewSession renewed =
        strata::testing::value_of(sessions.open_for_key(user_id_, "key-one", 1060.0));
    EXPECT_DOUBLE_EQ(renewed.expires_s, 1160.0);
    EXPECT_EQ(renewed.csrf_token, first.csrf_token);  // The same session, longer.
    EXPECT_TRUE(sessions.find(first.token, 1150.0).has_value());
    EXPECT_FALSE(sessions.find(first.token, 1160.0).has_value());
}

TEST_F(SessionsTest, ADeactivatedOrDeletedUsersSessionsAreGone) {
    Sessions sessions(db_);
    const NewSession created = strata::testing::value_of(sessions.open(user_id_, 0.0));
    ASSERT_TRUE(strata::testing::ok(db_.execute("UPDATE users SET active = 0")));
    EXPECT_FALSE(sessions.find(created.token, 1.0).has_value());
    ASSERT_TRUE(strata::testing::ok(db_.execute("DELETE FROM users")));
    Statement count = db_.prepare("SELECT count(*) FROM sessions");
    ASSERT_EQ(count.step(), Statement::Step::row) << count.status().error().message;
    EXPECT_EQ(count.int64(0), 0);  // The rows went with the user.
    const Result<NewSession> refused = sessions.open(user_id_, 0.0);  // No such user any more.
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::conflict);
    EXPECT_NE(refused.error().message.find("FOREIGN KEY"), std::string::npos)
        << refused.error().message;
}

}  // namespace
