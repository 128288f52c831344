// `strata user add` as an operator runs it to make the first admin: the password and key are
// printed once, the name is refused a second time, and the data directory is private.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "../support/test_directory.hpp"
#include "strata_child.hpp"

namespace {

namespace fs = std::filesystem;
using strata::testing::run_strata;

TEST(CliUser, AddsAnAdminOnceAndKeepsTheStorePrivate) {
    const fs::path data = strata::testing::test_directory("strata_cli_user_");
    const std::string where = " --data '" + data.string() + "'";
    const auto added = run_strata("user add ada --admin --json" + where);
    ASSERT_EQ(added.exit_code, 0) << added.output;
    EXPECT_NE(added.output.find("\"role\":\"admin\""), std::string::npos) << added.output;
    EXPECT_NE(added.output.find("\"password\":\""), std::string::npos) << added.output;
    EXPECT_NE(added.output.find("\"api_key\":\""), std::string::npos) << added.output;
    EXPECT_TRUE(fs::exists(data / "strata.db"));
    struct stat info {};
    ASSERT_EQ(::stat(data.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0700u);
    EXPECT_EQ(run_strata("user add ADA" + where).exit_code, 1);
    EXPECT_EQ(run_strata("user add bob --root" + where).exit_code, 1);
    EXPECT_EQ(run_strata("user add" + where).exit_code, 1);
    fs::remove_all(data);
}

}  // namespace
