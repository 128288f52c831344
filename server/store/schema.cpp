// strata's schema as numbered migrations. Never edit a migration that has shipped: add the next
// one. Times are Unix seconds (REAL); JSON columns hold what the API serves as is. Secrets are
// stored as hashes only: argon2id for passwords, a hash of each API key and session token.
#include "strata/server/store.hpp"

namespace strata::server {
namespace {

constexpr std::string_view accounts_sql = R"sql(
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
    active INTEGER NOT NULL DEFAULT 1,
    created_s REAL NOT NULL
);
CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    key_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL DEFAULT '',
    created_s REAL NOT NULL,
    last_used_s REAL
);
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_s REAL NOT NULL,
    expires_s REAL NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions(expires_s);
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    remote TEXT NOT NULL,
    user_name TEXT NOT NULL,
    at_s REAL NOT NULL
);
CREATE INDEX login_failures_by_remote ON login_failures(remote, at_s);
)sql";

constexpr std::string_view printing_sql = R"sql(
CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_s REAL NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('stored', 'analyzing', 'ready', 'failed')),
    error TEXT,
    analysis_json TEXT,
    job_path TEXT,
    index_path TEXT,
    estimated_s REAL,
    snapshots INTEGER
);
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    file_id INTEGER REFERENCES files(id) ON DELETE SET NULL,
    file_name TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    state TEXT NOT NULL CHECK (state IN ('printing', 'paused', 'finished', 'failed',
                                         'cancelled', 'interrupted')),
    started_s REAL NOT NULL,
    ended_s REAL,
    progress_percent REAL NOT NULL DEFAULT 0,
    last_line INTEGER NOT NULL DEFAULT 0,
    layer INTEGER NOT NULL DEFAULT -1,
    z_mm REAL NOT NULL DEFAULT 0,
    elapsed_s REAL NOT NULL DEFAULT 0,
    result TEXT
);
CREATE INDEX jobs_by_state ON jobs(state);
CREATE TABLE snapshots (
    id INTEGER PRIMARY KEY,
    job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    layer INTEGER,
    z_mm REAL,
    elapsed_s REAL,
    parked_s REAL,
    ok INTEGER NOT NULL,
    error TEXT,
    UNIQUE (job_id, number)
);
CREATE TABLE frames (
    id INTEGER PRIMARY KEY,
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
    camera TEXT NOT NULL,
    path TEXT NOT NULL,
    latency_s REAL
);
CREATE TABLE timelapses (
    id INTEGER PRIMARY KEY,
    job_id INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
    camera TEXT NOT NULL,
    path TEXT NOT NULL UNIQUE,
    thumbnail_path TEXT,
    size_bytes INTEGER,
    frames INTEGER,
    duration_s REAL,
    created_s REAL NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('rendering', 'ready', 'failed')),
    error TEXT
);
)sql";

constexpr std::string_view configuration_sql = R"sql(
CREATE TABLE profiles (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('printer', 'timelapse', 'camera')),
    name TEXT NOT NULL,
    body_json TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0,
    updated_s REAL NOT NULL,
    UNIQUE (kind, name)
);
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value_json TEXT NOT NULL
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at_s REAL NOT NULL,
    type TEXT NOT NULL,
    payload_json TEXT NOT NULL
);
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    event_types TEXT NOT NULL DEFAULT '*',
    enabled INTEGER NOT NULL DEFAULT 1,
    created_s REAL NOT NULL
);
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    webhook_id INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_s REAL NOT NULL,
    delivered_s REAL,
    last_error TEXT,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(delivered_s, next_attempt_s);
)sql";

// What resuming an interrupted job needs: the job file it ran, and for a resumed job the line
// of that file its own first job line stands for (progress is persisted in the original's
// lines, so a resumed job can be interrupted and resumed again).
constexpr std::string_view resume_sql = R"sql(
ALTER TABLE jobs ADD COLUMN job_path TEXT;
ALTER TABLE jobs ADD COLUMN line_offset INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN resumed_from INTEGER REFERENCES jobs(id) ON DELETE SET NULL;
)sql";

// The content hash is named for what it holds, not for an algorithm: it was SHA-256, then
// BLAKE2b-256 (64 hex digits, kept in older rows), and is XXH3-128 now (32 hex digits; see
// server/library/files.cpp for why a cryptographic hash bought nothing there).
constexpr std::string_view file_hash_sql = R"sql(
ALTER TABLE files RENAME COLUMN sha256 TO hash;
)sql";

// A prepared job is announced ready before it is flushed to the disk (the flush would hold a
// large file's "ready" back by seconds); this records when it has been. After a crash, a job
// that never was is prepared again.
constexpr std::string_view job_synced_sql = R"sql(
ALTER TABLE files ADD COLUMN job_synced INTEGER NOT NULL DEFAULT 1;
)sql";

// What each user typed in the terminal (server/auth/command_history.cpp keeps the last 100).
constexpr std::string_view command_history_sql = R"sql(
CREATE TABLE command_history (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    command TEXT NOT NULL,
    at_s REAL NOT NULL
);
CREATE INDEX command_history_user ON command_history(user_id, id);
)sql";

// The slicer's thumbnail kept with a file (its name under <data>/thumbnails), if it had one.
constexpr std::string_view thumbnail_sql = R"sql(
ALTER TABLE files ADD COLUMN thumbnail TEXT;
)sql";

// Folders created empty (OctoPrint's `foldername` upload); a folder holding files exists
// through their paths (server/library/folders.cpp).
constexpr std::string_view folders_sql = R"sql(
CREATE TABLE folders (
    path TEXT PRIMARY KEY,
    created_s REAL NOT NULL
);
)sql";

// What prep found in a file, in typed columns (it was OctoPrint's `gcodeAnalysis` as JSON text,
// which the printer service parsed back for the line count): the box the extruding moves fill,
// the line and layer counts, the slicer, what the snapshots add, the diagnostics, how long the
// two passes took, and a row per tool for its filament. A file has an analysis when `lines` is
// not null. Earlier rows are carried over from their JSON (a row whose text is not JSON gets no
// analysis, as a file that was never prepared).
constexpr std::string_view typed_analysis_sql = R"sql(
ALTER TABLE files ADD COLUMN lines INTEGER;
ALTER TABLE files ADD COLUMN layers INTEGER;
ALTER TABLE files ADD COLUMN printed_min_x_mm REAL;
ALTER TABLE files ADD COLUMN printed_min_y_mm REAL;
ALTER TABLE files ADD COLUMN printed_min_z_mm REAL;
ALTER TABLE files ADD COLUMN printed_max_x_mm REAL;
ALTER TABLE files ADD COLUMN printed_max_y_mm REAL;
ALTER TABLE files ADD COLUMN printed_max_z_mm REAL;
ALTER TABLE files ADD COLUMN slicer TEXT;
ALTER TABLE files ADD COLUMN slicer_version TEXT;
ALTER TABLE files ADD COLUMN time_added_s REAL;
ALTER TABLE files ADD COLUMN warnings INTEGER;
ALTER TABLE files ADD COLUMN errors INTEGER;
ALTER TABLE files ADD COLUMN plan_s REAL;
ALTER TABLE files ADD COLUMN splice_s REAL;
CREATE TABLE file_filament (
    file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    tool INTEGER NOT NULL CHECK (tool >= 0),
    length_mm REAL NOT NULL,
    PRIMARY KEY (file_id, tool)
);
UPDATE files SET
    lines = coalesce(json_extract(analysis_json, '$.strata.lines'), 0),
    layers = coalesce(json_extract(analysis_json, '$.strata.layers'), 0),
    printed_min_x_mm = coalesce(json_extract(analysis_json, '$.printingArea.minX'), 0),
    printed_min_y_mm = coalesce(json_extract(analysis_json, '$.printingArea.minY'), 0),
    printed_min_z_mm = coalesce(json_extract(analysis_json, '$.printingArea.minZ'), 0),
    printed_max_x_mm = coalesce(json_extract(analysis_json, '$.printingArea.maxX'), 0),
    printed_max_y_mm = coalesce(json_extract(analysis_json, '$.printingArea.maxY'), 0),
    printed_max_z_mm = coalesce(json_extract(analysis_json, '$.printingArea.maxZ'), 0),
    slicer = coalesce(json_extract(analysis_json, '$.strata.slicer'), 'unknown'),
    slicer_version = coalesce(json_extract(analysis_json, '$.strata.slicer_version'), ''),
    time_added_s = coalesce(json_extract(analysis_json, '$.strata.time_added_s'), 0),
    warnings = coalesce(json_extract(analysis_json, '$.strata.warnings'), 0),
    errors = coalesce(json_extract(analysis_json, '$.strata.errors'), 0),
    plan_s = coalesce(json_extract(analysis_json, '$.strata.plan_s'), 0),
    splice_s = coalesce(json_extract(analysis_json, '$.strata.splice_s'), 0)
WHERE json_valid(analysis_json);
INSERT INTO file_filament (file_id, tool, length_mm)
    SELECT files.id, CAST(substr(tool.key, 5) AS INTEGER), json_extract(tool.value, '$.length')
    FROM files, json_each(files.analysis_json, '$.filament') AS tool
    WHERE json_valid(files.analysis_json) AND tool.key GLOB 'tool[0-9]*'
      AND json_type(tool.value, '$.length') IN ('integer', 'real');
ALTER TABLE files DROP COLUMN analysis_json;
)sql";

constexpr Migration migrations[] = {
    {1, "users, API keys, sessions, login failures", accounts_sql},
    {2, "files, jobs, snapshots, frames, timelapses", printing_sql},
    {3, "profiles, settings, events, webhooks", configuration_sql},
    {4, "jobs: job file, line offset, resumed job", resume_sql},
    {5, "files: the content hash's column renamed", file_hash_sql},
    {6, "files: whether the prepared job is on the disk", job_synced_sql},
    {7, "the terminal's command history per user", command_history_sql},
    {8, "files: the slicer's thumbnail", thumbnail_sql},
    {9, "folders created empty", folders_sql},
    {10, "files: the analysis in typed columns", typed_analysis_sql},
};

}  // namespace

std::span<const Migration> schema_migrations() {
    return migrations;
}

}  // namespace strata::server
