// A fresh store in a scratch directory for each test, migrated to the latest schema.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "../support/test_directory.hpp"
#include "strata/server/store.hpp"

namespace strata::testing {

class StoreFixture : public ::testing::Test {
  protected:
    void SetUp() override {
        directory_ = test_directory("strata_store_fixture_");
        std::filesystem::create_directories(directory_);
        const Status opened = db_.open(directory_ / "strata.db");
        ASSERT_TRUE(opened) << opened.error().message;
    }
    void TearDown() override {
        db_.close();
        std::filesystem::remove_all(directory_);
    }
    std::filesystem::path directory_;
    server::Database db_;
};

}  // namespace strata::testing
