// Database and Statement over sqlite3, errors as Status values, and the migration runner: each
// pending migration and its user_version bump commit together under BEGIN IMMEDIATE, so a failed or
// interrupted migration leaves the file at the version before it.
#include <sqlite3.h>

#include <utility>

#include "strata/server/store.hpp"

namespace strata::server {
namespace {

// What a caller can do about a failure: a full disk and a read-only file are the user's to fix.
ErrorCode code_of(int sqlite_code) {
    switch (sqlite_code & 0xff) {
        case SQLITE_FULL: return ErrorCode::no_space;
        case SQLITE_READONLY:
        case SQLITE_PERM:
        case SQLITE_AUTH: return ErrorCode::permission;
        case SQLITE_CONSTRAINT: return ErrorCode::conflict;
        case SQLITE_BUSY:
        case SQLITE_LOCKED: return ErrorCode::busy;
        case SQLITE_ERROR: return ErrorCode::internal;  // SQL that does not fit the schema.
        default: return ErrorCode::io;
    }
}

Error error_of(sqlite3* db, std::string what) {
    if (db == nullptr) return Error{ErrorCode::io, std::move(what) + ": out of memory"};
    return Error{code_of(sqlite3_extended_errcode(db)),
                 std::move(what) + ": " + sqlite3_errmsg(db)};
}

// The statement's SQL, shortened, to name it in errors.
std::string name_of(std::string_view sql) {
    std::string text(sql.substr(0, 60));
    if (sql.size() > 60) text = text.substr(0, 57) + "...";
    return "\"" + text + "\"";
}

std::string name_of(sqlite3_stmt* statement) {
    const char* sql = statement != nullptr ? sqlite3_sql(statement) : nullptr;
    return name_of(sql != nullptr ? std::string_view(sql) : std::string_view("?"));
}

}  // namespace

Statement::~Statement() {
    sqlite3_finalize(statement_);
}

Statement::Statement(Statement&& other) noexcept
    : statement_(std::exchange(other.statement_, nullptr)), error_(std::move(other.error_)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
    if (this != &other) {
        sqlite3_finalize(statement_);
        statement_ = std::exchange(other.statement_, nullptr);
        error_ = std::move(other.error_);
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

Statement::Step Statement::step() {
    if (statement_ == nullptr) return Step::error;
    const int code = sqlite3_step(statement_);
    if (code == SQLITE_ROW) return Step::row;
    if (code == SQLITE_DONE) return Step::done;
    if (!error_) error_ = error_of(sqlite3_db_handle(statement_), name_of(statement_));
    return Step::error;
}

Status Statement::run() {
    while (step() == Step::row) {
    }
    return status();
}

Status Statement::status() const {
    if (error_) return *error_;
    return {};
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

Status Database::open(const std::filesystem::path& path) {
    return open(path, schema_migrations());
}

Status Database::open(const std::filesystem::path& path, std::span<const Migration> migrations) {
    close();
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
        Error error = error_of(db_, "cannot open " + path.string());
        close();
        return error;
    }
    // Readers and the writer on other connections wait up to 5 s for a lock, never fail at once.
    sqlite3_busy_timeout(db_, 5000);
    // WAL: readers never block the writer; NORMAL sync is durable across process crashes (the
    // WAL is fsynced at checkpoints), which is what a print host needs.
    if (Status set_up = execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                                "PRAGMA foreign_keys = ON;");
        !set_up) {
        close();
        return Error{set_up.error().code,
                     "cannot set up " + path.string() + ": " + set_up.error().message};
    }
    if (Status migrated = migrate(migrations); !migrated) {
        close();
        return Error{migrated.error().code, path.string() + ": " + migrated.error().message};
    }
    return {};
}

Status Database::execute(std::string_view sql) {
    char* message = nullptr;
    const std::string text(sql);
    const int code = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
    if (code == SQLITE_OK) return {};
    Error error{code_of(code), message != nullptr ? message : sqlite3_errmsg(db_)};
    sqlite3_free(message);
    return error;
}

Statement Database::prepare(std::string_view sql) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &statement, nullptr) !=
        SQLITE_OK) {
        sqlite3_finalize(statement);
        return Statement(error_of(db_, name_of(sql)));
    }
    return Statement(statement);
}

int Database::schema_version() {
    Statement version = prepare("PRAGMA user_version");
    if (version.step() != Statement::Step::row) return -1;
    return static_cast<int>(version.int64(0));
}

std::int64_t Database::last_insert_id() const {
    return sqlite3_last_insert_rowid(db_);
}

std::int64_t Database::changes() const {
    return sqlite3_changes64(db_);
}

Status Database::migrate(std::span<const Migration> migrations) {
    const int current = schema_version();
    const int latest = migrations.empty() ? 0 : migrations.back().version;
    if (current > latest)
        return fail(ErrorCode::invalid, "the database's schema is version " +
                                            std::to_string(current) +
                                            ", newer than this strata "
                                            "knows (" +
                                            std::to_string(latest) + ")");
    for (const Migration& migration : migrations) {
        if (migration.version <= current) continue;
        Status applied = execute("BEGIN IMMEDIATE");
        if (applied) applied = execute(migration.sql);
        if (applied)
            applied = execute("PRAGMA user_version = " + std::to_string(migration.version));
        if (applied) applied = execute("COMMIT");
        if (!applied) {
            // The transaction may not have begun; a failed rollback changes nothing then.
            (void)execute("ROLLBACK");
            return Error{applied.error().code, "migration " + std::to_string(migration.version) +
                                                   " (" + std::string(migration.name) +
                                                   ") failed: " + applied.error().message};
        }
    }
    return {};
}

}  // namespace strata::server
