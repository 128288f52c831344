// The store on a real SQLite file: a fresh file is migrated to the latest schema in WAL mode with
// foreign keys on; reopening runs nothing twice; a failing migration leaves the file at the
// version before it; a file from a newer strata is refused; an open read does not hold up the
// writer; the schema's constraints hold.
#include <gtest/gtest.h>

#include <filesystem>

#include "../support/test_directory.hpp"
#include "strata/server/store.hpp"

namespace {

namespace fs = std::filesystem;
using strata::server::Database;
using strata::server::Migration;
using strata::server::Statement;

class Store : public ::testing::Test {
  protected:
    void SetUp() override {
        directory_ = strata::testing::test_directory("strata_store_");
        fs::create_directories(directory_);
    }
    void TearDown() override { fs::remove_all(directory_); }
    [[nodiscard]] fs::path file() const { return directory_ / "strata.db"; }

    // The first column of the first row of `sql`, as text.
    static std::string scalar(Database& db, const std::string& sql) {
        std::string error;
        Statement statement = db.prepare(sql, error);
        EXPECT_TRUE(statement.valid()) << error;
        if (!statement.valid() || statement.step(error) != Statement::Step::row) return {};
        return statement.text(0);
    }

    fs::path directory_;
};

TEST_F(Store, AFreshFileGetsTheLatestSchemaInWalMode) {
    Database db;
    std::string error;
    ASSERT_TRUE(db.open(file(), error)) << error;
    EXPECT_EQ(db.schema_version(), strata::server::schema_migrations().back().version);
    EXPECT_EQ(scalar(db, "PRAGMA journal_mode"), "wal");
    EXPECT_EQ(scalar(db, "PRAGMA foreign_keys"), "1");
    for (const char* table :
         {"users", "api_keys", "sessions", "login_failures", "files", "jobs", "snapshots", "frames",
          "timelapses", "profiles", "settings", "events", "webhooks", "webhook_deliveries"})
        EXPECT_EQ(scalar(db, std::string("SELECT count(*) FROM sqlite_master WHERE type = "
                                         "'table' AND name = '") +
                                 table + "'"),
                  "1")
            << table;
}

TEST_F(Store, ReopeningKeepsTheDataAndRunsNoMigrationTwice) {
    std::string error;
    {
        Database db;
        ASSERT_TRUE(db.open(file(), error)) << error;
        ASSERT_TRUE(
            db.execute("INSERT INTO users (name, password_hash, role, created_s) "
                       "VALUES ('ada', 'x', 'admin', 1)",
                       error))
            << error;
    }
    Database again;
    ASSERT_TRUE(again.open(file(), error)) << error;  // A re-run CREATE TABLE would fail here.
    EXPECT_EQ(scalar(again, "SELECT name FROM users"), "ada");
}

TEST_F(Store, AFailingMigrationLeavesTheFileAtTheVersionBefore) {
    const Migration good[] = {{1, "first", "CREATE TABLE one (x INTEGER);"}};
    const Migration bad[] = {
        {1, "first", "CREATE TABLE one (x INTEGER);"},
        {2, "second", "CREATE TABLE two (x INTEGER); INSERT INTO nowhere VALUES (1);"}};
    std::string error;
    Database db;
    EXPECT_FALSE(db.open(file(), bad, error));
    EXPECT_NE(error.find("migration 2 (second) failed"), std::string::npos) << error;
    EXPECT_NE(error.find("nowhere"), std::string::npos) << error;
    ASSERT_TRUE(db.open(file(), good, error)) << error;
    EXPECT_EQ(db.schema_version(), 1);
    EXPECT_EQ(scalar(db, "SELECT count(*) FROM sqlite_master WHERE name = 'two'"), "0");
}

TEST_F(Store, AFileFromANewerStrataIsRefused) {
    std::string error;
    {
        Database db;
        ASSERT_TRUE(db.open(file(), error)) << error;
        ASSERT_TRUE(db.execute("PRAGMA user_version = 99", error)) << error;
    }
    Database db;
    EXPECT_FALSE(db.open(file(), error));
    EXPECT_NE(error.find("version 99, newer than this strata knows"), std::string::npos) << error;
}

TEST_F(Store, AnOpenReadDoesNotHoldUpTheWriter) {
    std::string error;
    Database writer;
    Database reader;
    ASSERT_TRUE(writer.open(file(), error)) << error;
    ASSERT_TRUE(reader.open(file(), error)) << error;
    ASSERT_TRUE(writer.execute("INSERT INTO settings VALUES ('a', '1')", error)) << error;
    // The reader holds a read transaction (an API request in the middle of a listing).
    ASSERT_TRUE(reader.execute("BEGIN", error)) << error;
    EXPECT_EQ(scalar(reader, "SELECT count(*) FROM settings"), "1");
    // Without WAL this commit would wait for the reader (then fail as busy); with it, it
    // commits at once and the reader keeps its snapshot until it ends.
    EXPECT_TRUE(writer.execute("INSERT INTO settings VALUES ('b', '2')", error)) << error;
    EXPECT_EQ(scalar(reader, "SELECT count(*) FROM settings"), "1");
    ASSERT_TRUE(reader.execute("COMMIT", error)) << error;
    EXPECT_EQ(scalar(reader, "SELECT count(*) FROM settings"), "2");
}

TEST_F(Store, TheSchemasConstraintsHold) {
    std::string error;
    Database db;
    ASSERT_TRUE(db.open(file(), error)) << error;
    EXPECT_FALSE(
        db.execute("INSERT INTO users (name, password_hash, role, created_s) "
                   "VALUES ('eve', 'x', 'root', 1)",
                   error));
    EXPECT_NE(error.find("CHECK constraint failed"), std::string::npos) << error;
    EXPECT_FALSE(
        db.execute("INSERT INTO api_keys (user_id, key_hash, created_s) "
                   "VALUES (42, 'h', 1)",
                   error));
    EXPECT_NE(error.find("FOREIGN KEY constraint failed"), std::string::npos) << error;

    Statement add_user = db.prepare(
        "INSERT INTO users (name, password_hash, role, created_s) VALUES (?, ?, ?, ?)", error);
    ASSERT_TRUE(add_user.valid()) << error;
    add_user.bind(1, std::string_view("Ada")).bind(2, std::string_view("hash"));
    add_user.bind(3, std::string_view("operator")).bind(4, 1.5);
    ASSERT_TRUE(add_user.run(error)) << error;
    const std::int64_t ada = db.last_insert_id();
    add_user.reset();
    add_user.bind(1, std::string_view("ADA"));  // Names compare without case.
    EXPECT_FALSE(add_user.run(error));
    EXPECT_NE(error.find("UNIQUE constraint failed: users.name"), std::string::npos) << error;

    Statement add_session = db.prepare(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_s, expires_s) "
        "VALUES ('t', ?, 'c', 1, 2)",
        error);
    ASSERT_TRUE(add_session.bind(1, ada).run(error)) << error;
    ASSERT_TRUE(db.execute("DELETE FROM users WHERE id = " + std::to_string(ada), error));
    EXPECT_EQ(scalar(db, "SELECT count(*) FROM sessions"), "0");  // Cascaded.

    const Statement broken = db.prepare("SELECT nothing FROM nowhere", error);
    EXPECT_FALSE(broken.valid());
    EXPECT_NE(error.find("SELECT nothing FROM nowhere"), std::string::npos) << error;
}

}  // namespace
