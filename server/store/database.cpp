// Database and Statement over sqlite3, and the migration runner: each pending migration and its
// user_version bump commit together under BEGIN IMMEDIATE, so a failed or interrupted migration
// leaves the file at the version before it.
#include <sqlite3.h>

#include <utility>

#include "strata/server/store.hpp"

namespace strata::server {
namespace {

std::string message_of(sqlite3* db, std::string_view what) {
    return std::string(what) + ": " + (db != nullptr ? sqlite3_errmsg(db) : "out of memory");
}

// The statement's SQL, shortened, to name it in errors.
std::string name_of(sqlite3_stmt* statement) {
    const char* sql = statement != nullptr ? sqlite3_sql(statement) : nullptr;
    std::string text = sql != nullptr ? sql : "?";
    if (text.size() > 60) text = text.substr(0, 57) + "...";
    return text;
}

}  // namespace

Statement::~Statement() {
    sqlite3_finalize(statement_);
}

Statement::Statement(Statement&& other) noexcept
    : statement_(std::exchange(other.statement_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
    if (this != &other) {
        sqlite3_finalize(statement_);
        statement_ = std::exchange(other.statement_, nullptr);
    }
    return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
    sqlite3_bind_int64(statement_, index, value);
    return *this;
}

Statement& Statement::bind(int index, double value) {
    sqlite3_bind_double(statement_, index, value);
    return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
    sqlite3_bind_text64(statement_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    return *this;
}

Statement& Statement::bind_null(int index) {
    sqlite3_bind_null(statement_, index);
    return *this;
}

Statement::Step Statement::step(std::string& error) {
    const int code = sqlite3_step(statement_);
    if (code == SQLITE_ROW) return Step::row;
    if (code == SQLITE_DONE) return Step::done;
    error = "\"" + name_of(statement_) + "\": " + sqlite3_errmsg(sqlite3_db_handle(statement_));
    return Step::error;
}

bool Statement::run(std::string& error) {
    Step result = Step::row;
    while ((result = step(error)) == Step::row) {
    }
    return result == Step::done;
}

void Statement::reset() {
    sqlite3_reset(statement_);
}

std::int64_t Statement::int64(int column) const {
    return sqlite3_column_int64(statement_, column);
}

double Statement::real(int column) const {
    return sqlite3_column_double(statement_, column);
}

std::string Statement::text(int column) const {
    const auto* bytes = sqlite3_column_text(statement_, column);
    const int size = sqlite3_column_bytes(statement_, column);
    return bytes != nullptr
               ? std::string(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(size))
               : std::string();
}

bool Statement::is_null(int column) const {
    return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

Database::~Database() {
    close();
}

Database::Database(Database&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Database& Database::operator=(Database&& other) noexcept {
    if (this != &other) {
        close();
        db_ = std::exchange(other.db_, nullptr);
    }
    return *this;
}

void Database::close() {
    sqlite3_close_v2(db_);
    db_ = nullptr;
}

bool Database::open(const std::filesystem::path& path, std::string& error) {
    return open(path, schema_migrations(), error);
}

bool Database::open(const std::filesystem::path& path, std::span<const Migration> migrations,
                    std::string& error) {
    close();
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
        error = message_of(db_, "cannot open " + path.string());
        close();
        return false;
    }
    // Readers and the writer on other connections wait up to 5 s for a lock, never fail at once.
    sqlite3_busy_timeout(db_, 5000);
    // WAL: readers never block the writer; NORMAL sync is durable across process crashes (the
    // WAL is fsynced at checkpoints), which is what a print host needs.
    if (!execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                 "PRAGMA foreign_keys = ON;",
                 error)) {
        error = "cannot set up " + path.string() + ": " + error;
        close();
        return false;
    }
    if (!migrate(migrations, error)) {
        error = path.string() + ": " + error;
        close();
        return false;
    }
    return true;
}

bool Database::execute(std::string_view sql, std::string& error) {
    char* message = nullptr;
    const std::string text(sql);
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) == SQLITE_OK) return true;
    error = message != nullptr ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    return false;
}

Statement Database::prepare(std::string_view sql, std::string& error) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &statement, nullptr) !=
        SQLITE_OK) {
        error = "\"" + std::string(sql.substr(0, 60)) + "\": " + sqlite3_errmsg(db_);
        sqlite3_finalize(statement);
        return {};
    }
    return Statement(statement);
}

int Database::schema_version() {
    std::string error;
    Statement version = prepare("PRAGMA user_version", error);
    if (!version.valid() || version.step(error) != Statement::Step::row) return -1;
    return static_cast<int>(version.int64(0));
}

std::int64_t Database::last_insert_id() const {
    return sqlite3_last_insert_rowid(db_);
}

bool Database::migrate(std::span<const Migration> migrations, std::string& error) {
    const int current = schema_version();
    const int latest = migrations.empty() ? 0 : migrations.back().version;
    if (current > latest) {
        error = "the database's schema is version " + std::to_string(current) +
                ", newer than this strata knows (" + std::to_string(latest) + ")";
        return false;
    }
    for (const Migration& migration : migrations) {
        if (migration.version <= current) continue;
        std::string failure;
        const bool applied =
            execute("BEGIN IMMEDIATE", failure) && execute(migration.sql, failure) &&
            execute("PRAGMA user_version = " + std::to_string(migration.version), failure) &&
            execute("COMMIT", failure);
        if (!applied) {
            std::string ignored;
            (void)execute("ROLLBACK", ignored);
            error = "migration " + std::to_string(migration.version) + " (" +
                    std::string(migration.name) + ") failed: " + failure;
            return false;
        }
    }
    return true;
}

}  // namespace strata::server
