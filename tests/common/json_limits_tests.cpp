// The JSON nesting bound checked before RapidJSON parses anything: arrays and objects count,
// brackets inside strings (escaped quotes included) do not, and the offset named is the byte
// that goes one level too deep.
#include <gtest/gtest.h>

#include <string>

#include "strata/common/json_limits.hpp"

namespace {

TEST(JsonLimits, CountsArraysAndObjectsNotStrings) {
    EXPECT_FALSE(strata::json_too_deep_at(R"({"a": [1, {"b": [[2]]}]})", 5));
    EXPECT_EQ(strata::json_too_deep_at(R"({"a": [1, {"b": [[2]]}]})", 4), 17u);
    EXPECT_FALSE(strata::json_too_deep_at(R"(["[[[[[[", "\"[[[[[["])", 1));
    EXPECT_EQ(strata::json_too_deep_at(R"(["\\", [[]]])", 2), 8u);  // The string ended.
    EXPECT_FALSE(strata::json_too_deep_at("[]]]]][]", 1));  // Unbalanced closers do not go below 0.
}

TEST(JsonLimits, TheDefaultIsSixtyFourLevels) {
    EXPECT_FALSE(strata::json_too_deep_at(std::string(64, '[') + std::string(64, ']')));
    EXPECT_EQ(strata::json_too_deep_at(std::string(150'000, '[')), 64u);
}

TEST(JsonLimits, FindsANulByte) {
    EXPECT_FALSE(strata::json_nul_at(R"({"a": "\u0000"})"));  // Escaped: no NUL byte.
    EXPECT_EQ(strata::json_nul_at(std::string("{}\0garbage", 10)), 2u);
}

}  // namespace
