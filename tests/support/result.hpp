// Results in tests: `ASSERT_TRUE(ok(status))` fails with the error's message, and `value_of`
// unwraps a Result, failing the test (with the message) when there is no value.
#pragma once

#include <gtest/gtest.h>

#include <utility>

#include "strata/common/result.hpp"

namespace strata::testing {

template <class T>
::testing::AssertionResult ok(const Result<T>& result) {
    if (result.ok()) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << to_string(result.error().code) << ": " << result.error().message;
}

template <class T>
T value_of(Result<T> result) {
    EXPECT_TRUE(ok(result));
    return result.ok() ? std::move(result).value() : T{};
}

}  // namespace strata::testing
