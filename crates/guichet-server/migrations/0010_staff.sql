-- Guichet central server, schema 10: staff accounts of the operations console, their sessions,
-- sign-in throttling, and the append-only audit log.
CREATE TABLE staff (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,            -- Argon2id PHC string
    role TEXT NOT NULL CHECK (role IN ('viewer', 'supervisor', 'admin')),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);

-- A signed-in browser: the cookie holds the token, only its SHA-256 is kept.
CREATE TABLE staff_sessions (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES staff(username),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- Failed sign-ins in a row per username; past the limit the name is locked until a time.
CREATE TABLE staff_sign_in_failures (
    username TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_at TEXT NOT NULL,
    locked_until TEXT
);

-- Every change made through the console or the staff commands. Never updated nor deleted.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    details TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- A supervisor's decision on a conflict: keep the sale, or void and refund it (through the
-- desk's own void path, so gates and desks learn of it), with who and why.
ALTER TABLE conflicts ADD COLUMN resolution TEXT CHECK (resolution IN ('keep', 'void'));
ALTER TABLE conflicts ADD COLUMN resolved_by TEXT;
ALTER TABLE conflicts ADD COLUMN resolution_reason TEXT;
