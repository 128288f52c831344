// Results in tests: `ASSERT_TRUE(ok(status))` fails with the error's message, and `value_of`
// unwraps a Result, failing the test (with the message) when there is no value.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>

#include "strata/common/result.hpp"

namespace strata::testing {

template <class T>
::testing::AssertionResult ok(const Result<T>& result) {
    if (result.ok()) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << to_string(result.error().code) << ": " << result.error().message;
}

/// The error's message, or "" when there is none.
template <class T>
std::string message_of(const Result<T>& result) {
    return result.ok() ? std::string() : result.error().message;
}

/// The error's code, or nothing when there is none.
template <class T>
std::optional<ErrorCode> code_of(const Result<T>& result) {
    return result.ok() ? std::nullopt : std::optional(result.error().code);
}

template <class T>
T value_of(Result<T> result) {
    EXPECT_TRUE(ok(result));
    return result.ok() ? std::move(result).value() : T{};
}

}  // namespace strata::testing
