// A scratch directory for one test, named after the process and the test so parallel ctest runs
// never share one. Fixtures create it in SetUp and remove it in TearDown.
#pragma once

#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace strata::testing {

inline std::filesystem::path test_directory(const std::string& prefix) {
    return std::filesystem::temp_directory_path() /
           (prefix + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
}

}  // namespace strata::testing
