// The store on a real SQLite file: a fresh file is migrated to the latest schema in WAL mode with
// foreign keys on; reopening runs nothing twice; a failing migration leaves the file at the
// version before it; a file from a newer strata is refused; an open read does not hold up the
// writer; the schema's constraints hold; a write the disk refuses loses nothing committed.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "../support/file_faults.hpp"
#include "../support/result.hpp"
#include "../support/test_directory.hpp"
#include "strata/server/store.hpp"

namespace {

namespace fs = std::filesystem;
using strata::Status;
using strata::server::Database;
using strata::server::Migration;
using strata::server::Statement;
using strata::testing::ok;

// The message of a failure; "no failure" when it succeeded.
std::string failure_of(const Status& status) {
    return status.ok() ? "no failure" : status.error().message;
}

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
        Statement statement = db.prepare(sql);
        EXPECT_TRUE(ok(statement.status()));
        if (!statement.valid() || statement.step() != Statement::Step::row) return {};
        return statement.text(0);
    }

    fs::path directory_;
};

TEST_F(Store, AFreshFileGetsTheLatestSchemaInWalMode) {
    Database db;
    ASSERT_TRUE(ok(db.open(file())));
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
    {
        Database db;
        ASSERT_TRUE(ok(db.open(file())));
        ASSERT_TRUE(
            ok(db.execute("INSERT INTO users (name, password_hash, role, created_s) "
                          "VALUES ('ada', 'x', 'admin', 1)")));
    }
    Database again;
    ASSERT_TRUE(ok(again.open(file())));  // A re-run CREATE TABLE would fail here.
    EXPECT_EQ(scalar(again, "SELECT name FROM users"), "ada");
}

TEST_F(Store, AFailingMigrationLeavesTheFileAtTheVersionBefore) {
    const Migration good[] = {{1, "first", "CREATE TABLE one (x INTEGER);"}};
    const Migration bad[] = {
        {1, "first", "CREATE TABLE one (x INTEGER);"},
        {2, "second", "CREATE TABLE two (x INTEGER); INSERT INTO nowhere VALUES (1);"}};
    Database db;
    const Status failed = db.open(file(), bad);
    ASSERT_FALSE(failed.ok());
    EXPECT_NE(failed.error().message.find("migration 2 (second) failed"), std::string::npos)
        << failed.error().message;
    EXPECT_NE(failed.error().message.find("nowhere"), std::string::npos);
    ASSERT_TRUE(ok(db.open(file(), good)));
    EXPECT_EQ(db.schema_version(), 1);
    EXPECT_EQ(scalar(db, "SELECT count(*) FROM sqlite_master WHERE name = 'two'"), "0");
}

TEST_F(Store, AFileFromANewerStrataIsRefused) {
    {
        Database db;
        ASSERT_TRUE(ok(db.open(file())));
        ASSERT_TRUE(ok(db.execute("PRAGMA user_version = 99")));
    }
    Database db;
    const Status refused = db.open(file());
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("version 99, newer than this strata knows"),
              std::string::npos)
        << refused.error().message;
}

TEST_F(Store, AnOpenReadDoesNotHoldUpTheWriter) {
    Database writer;
    Database reader;
    ASSERT_TRUE(ok(writer.open(file())));
    ASSERT_TRUE(ok(reader.open(file())));
    ASSERT_TRUE(ok(writer.execute("INSERT INTO settings VALUES ('a', '1')")));
    // The reader holds a read transaction (an API request in the middle of a listing).
    ASSERT_TRUE(ok(reader.execute("BEGIN")));
    EXPECT_EQ(scalar(reader, "SELECT count(*) FROM settings"), "1");
    // Without WAL this commit would wait for the reader (then fail as busy); with it, it
    // commits at once and the reader keeps its snapshot until it ends.
    EXPECT_TRUE(ok(writer.execute("INSERT INTO settings VALUES ('b', '2')")));
    EXPECT_EQ(scalar(reader, "SELECT count(*) FROM settings"), "1");
    ASSERT_TRUE(ok(reader.execute("COMMIT")));
    EXPECT_EQ(scalar(reader, "SELECT count(*) FROM settings"), "2");
}

TEST_F(Store, TheSchemasConstraintsHold) {
    Database db;
    ASSERT_TRUE(ok(db.open(file())));
    EXPECT_NE(failure_of(db.execute("INSERT INTO users (name, password_hash, role, created_s) "
                                    "VALUES ('eve', 'x', 'root', 1)"))
                  .find("CHECK constraint failed"),
              std::string::npos);
    EXPECT_NE(failure_of(db.execute("INSERT INTO api_keys (user_id, key_hash, created_s) "
                                    "VALUES (42, 'h', 1)"))
                  .find("FOREIGN KEY constraint failed"),
              std::string::npos);

    Statement add_user =
        db.prepare("INSERT INTO users (name, password_hash, role, created_s) VALUES (?, ?, ?, ?)");
    ASSERT_TRUE(ok(add_user.status()));
    add_user.bind(1, std::string_view("Ada")).bind(2, std::string_view("hash"));
    add_user.bind(3, std::string_view("operator")).bind(4, 1.5);
    ASSERT_TRUE(ok(add_user.run()));
    const std::int64_t ada = db.last_insert_id();
    add_user.reset();
    add_user.bind(1, std::string_view("ADA"));  // Names compare without case.
    const Status taken = add_user.run();
    EXPECT_EQ(failure_of(taken).find("UNIQUE constraint failed: users.name") != std::string::npos,
              true);
    EXPECT_EQ(taken.error().code, strata::ErrorCode::conflict);

    Statement add_session = db.prepare(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_s, expires_s) "
        "VALUES ('t', ?, 'c', 1, 2)");
    ASSERT_TRUE(ok(add_session.bind(1, ada).run()));
    ASSERT_TRUE(ok(db.execute("DELETE FROM users WHERE id = " + std::to_string(ada))));
    EXPECT_EQ(scalar(db, "SELECT count(*) FROM sessions"), "0");  // Cascaded.

    Statement broken = db.prepare("SELECT nothing FROM nowhere");
    EXPECT_FALSE(broken.valid());
    EXPECT_NE(failure_of(broken.status()).find("SELECT nothing FROM nowhere"), std::string::npos);
    EXPECT_EQ(broken.step(), Statement::Step::error);
    EXPECT_EQ(failure_of(broken.run()), failure_of(broken.status()));  // Runs into the same.
}

// A write the disk refuses (the kernel's file-size limit standing in for a full disk: see
// support/file_faults.hpp) fails that statement with the reason, and what was committed before it
// is still there, whole, in this connection and after a reopen.
TEST_F(Store, AWriteTheDiskRefusesFailsAndKeepsWhatWasCommitted) {
    Database db;
    ASSERT_TRUE(ok(db.open(file())));
    for (int i = 0; i < 3; ++i)
        ASSERT_TRUE(ok(db.execute("INSERT INTO settings (key, value_json) VALUES ('k" +
                                  std::to_string(i) + "', '1')")));
    std::uintmax_t largest = 0;
    for (const char* suffix : {"", "-wal", "-shm"}) {
        std::error_code missing;
        const std::uintmax_t size = fs::file_size(file().string() + suffix, missing);
        if (!missing) largest = std::max(largest, size);
    }
    {
        const strata::testing::FileSizeLimit full(largest + std::uintmax_t{64} * 1024);
        ASSERT_TRUE(full.applied());
        const Status refused =
            db.execute("INSERT INTO settings (key, value_json) VALUES ('big', '\"" +
                       std::string(std::size_t{4} * 1024 * 1024, 'x') + "\"')");
        ASSERT_FALSE(refused.ok());
        EXPECT_EQ(refused.error().code, strata::ErrorCode::io) << refused.error().message;
        EXPECT_FALSE(refused.error().message.empty());
    }
    EXPECT_EQ(scalar(db, "SELECT count(*) FROM settings"), "3");
    EXPECT_EQ(scalar(db, "PRAGMA integrity_check"), "ok");
    ASSERT_TRUE(ok(db.execute("INSERT INTO settings (key, value_json) VALUES ('k3', '1')")));
    db.close();
    Database again;
    ASSERT_TRUE(ok(again.open(file())));
    EXPECT_EQ(scalar(again, "SELECT count(*) FROM settings"), "4");
    EXPECT_EQ(scalar(again, "PRAGMA integrity_check"), "ok");
}

}  // namespace
