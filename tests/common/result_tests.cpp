// Result and Status: a value or an error, the error's code from errno, and the message naming
// what failed.
#include <gtest/gtest.h>

#include <string>

#include "strata/common/result.hpp"

namespace strata {
namespace {

Result<int> half(int value) {
    if (value % 2 != 0)
        return fail(ErrorCode::invalid, "value " + std::to_string(value) + " is odd");
    return value / 2;
}

Status check(bool good) {
    if (!good) return fail(ErrorCode::busy, "not now");
    return {};
}

TEST(Result, HoldsTheValueOrTheError) {
    const Result<int> four = half(8);
    ASSERT_TRUE(four.ok());
    EXPECT_EQ(*four, 4);
    const Result<int> odd = half(7);
    ASSERT_FALSE(odd);
    EXPECT_EQ(odd.error().code, ErrorCode::invalid);
    EXPECT_EQ(odd.error().message, "value 7 is odd");
    EXPECT_TRUE(check(true).ok());
    const Status refused = check(false);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::busy);
    EXPECT_STREQ(to_string(refused.error().code), "busy");
}

TEST(Result, ASystemErrorSaysWhatFailedAndWhy) {
    const Error full = errno_error("writing /srv/job.gcode", ENOSPC);
    EXPECT_EQ(full.code, ErrorCode::no_space);
    EXPECT_EQ(full.message, "writing /srv/job.gcode: No space left on device");
    EXPECT_EQ(errno_error("x", EACCES).code, ErrorCode::permission);
    EXPECT_EQ(errno_error("x", EROFS).code, ErrorCode::permission);
    EXPECT_EQ(errno_error("x", ENOENT).code, ErrorCode::not_found);
    EXPECT_EQ(errno_error("x", EIO).code, ErrorCode::io);
}

}  // namespace
}  // namespace strata
