// The server's store: one SQLite file in WAL mode (readers never wait for the writer), with
// foreign keys on and a busy timeout, whose schema is brought up to date by numbered migrations
// when it is opened. A thin RAII layer over sqlite3: statements bind and read typed values,
// errors come back as values naming the statement or the migration. SQLite's header stays in
// the .cpp files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "strata/common/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace strata::server {

/// One step of the schema's history. Versions start at 1 and have no gaps; a migration runs
/// once, in one transaction with the version bump, or not at all.
struct Migration {
    int version;
    std::string_view name;
    std::string_view sql;
};

/// strata's schema, oldest first.
[[nodiscard]] std::span<const Migration> schema_migrations();

class Statement {
  public:
    enum class Step : std::uint8_t { row, done, error };

    Statement() = default;
    ~Statement();
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    /// Whether the SQL compiled; a statement that did not keeps why in status().
    [[nodiscard]] bool valid() const { return statement_ != nullptr; }
    /// Binds parameter `index` (1-based); the statement keeps its own copy of text.
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view text);
    Statement& bind_null(int index);
    /// The next row, the end, or an error (then status() says which, naming the statement).
    Step step();
    /// Runs to the end.
    [[nodiscard]] Status run();
    /// The statement's first failure (its SQL did not compile, or a step failed), or ok.
    [[nodiscard]] Status status() const;
    /// Back to the first row, bindings kept.
    void reset();

    [[nodiscard]] std::int64_t int64(int column) const;
    [[nodiscard]] double real(int column) const;
    [[nodiscard]] std::string text(int column) const;
    [[nodiscard]] bool is_null(int column) const;

  private:
    friend class Database;
    explicit Statement(sqlite3_stmt* statement) : statement_(statement) {}
    explicit Statement(Error error) : error_(std::move(error)) {}
    sqlite3_stmt* statement_ = nullptr;
    std::optional<Error> error_;
};

class Database {
  public:
    Database() = default;
    ~Database();
    Database(Database&& other) noexcept;
    Database& operator=(Database&& other) noexcept;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    /// Opens (creating it if needed) and migrates to the latest schema.
    [[nodiscard]] Status open(const std::filesystem::path& path);
    /// The same with another history, for tests of the migration machinery.
    [[nodiscard]] Status open(const std::filesystem::path& path,
                              std::span<const Migration> migrations);
    void close();

    /// Runs one or more statements without results.
    [[nodiscard]] Status execute(std::string_view sql);
    /// A prepared statement; when the SQL does not compile, an invalid one whose status() and
    /// run() say why.
    [[nodiscard]] Statement prepare(std::string_view sql);
    /// The schema version the file is at (SQLite's user_version).
    [[nodiscard]] int schema_version();
    [[nodiscard]] std::int64_t last_insert_id() const;
    /// Rows changed by the last INSERT, UPDATE or DELETE.
    [[nodiscard]] std::int64_t changes() const;

  private:
    [[nodiscard]] Status migrate(std::span<const Migration> migrations);
    sqlite3* db_ = nullptr;
};

/// The server's one connection, used by its threads one at a time: every use holds the lock
/// for a few statements, never across I/O.
class Store {
  public:
    [[nodiscard]] Status open(const std::filesystem::path& path) { return database_.open(path); }
    template <typename Use>
    decltype(auto) with(Use&& use) {
        const std::lock_guard lock(mutex_);
        return use(database_);
    }

  private:
    std::mutex mutex_;
    Database database_;
};

}  // namespace strata::server
