-- Server on PostgreSQL, schema 6: what the operations console, the staff commands and device
-- revocation keep (as SQLite's schemas 9, 10 and 12; schema 11, device states, is PG's 2).

-- A revoked device: its token is refused from the row's commit; its key signs nothing a gate
-- trusts after `revoked_after` (which may be earlier than `recorded_at`).
CREATE TABLE device_revocations (
    device_id TEXT PRIMARY KEY REFERENCES devices(id),
    revoked_after TEXT NOT NULL,
    reason TEXT NOT NULL,
    revoked_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);

-- What a revoked device's token asked after its revocation, refused: one row per device.
CREATE TABLE device_refusals (
    device_id TEXT PRIMARY KEY REFERENCES devices(id),
    count BIGINT NOT NULL,
    first_at TEXT NOT NULL,
    last_at TEXT NOT NULL,
    last_request TEXT NOT NULL,
    reason TEXT NOT NULL
);

-- Seats of a revoked device's allotment written off: still lent (out of sale), no longer at risk.
ALTER TABLE allotments ADD COLUMN written_off BIGINT NOT NULL DEFAULT 0 CHECK (written_off >= 0);

-- Each supervisor's decision on a revoked device's allotment, appended, never changed.
CREATE TABLE allotment_settlements (
    id BIGSERIAL PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES devices(id),
    session TEXT NOT NULL,
    category TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('write_off', 'return')),
    seats BIGINT NOT NULL CHECK (seats > 0),
    reason TEXT NOT NULL,
    settled_by TEXT NOT NULL,
    settled_at TEXT NOT NULL
);

CREATE TABLE staff (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'supervisor', 'admin')),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);

-- A signed-in browser: only the SHA-256 of the cookie's token is kept.
CREATE TABLE staff_sessions (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES staff(username),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE staff_sign_in_failures (
    username TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_failure_at TEXT NOT NULL,
    locked_until TEXT
);

-- Every change made through the console or the staff commands. Never updated nor deleted.
CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    details TEXT NOT NULL
);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- A supervisor's decision on a conflict: keep, or void and refund, with who and why.
ALTER TABLE conflicts ADD COLUMN resolution TEXT CHECK (resolution IN ('keep', 'void'));
ALTER TABLE conflicts ADD COLUMN resolved_by TEXT;
ALTER TABLE conflicts ADD COLUMN resolution_reason TEXT;

-- What each device said of its outbox at its last push (console's devices page).
CREATE TABLE device_push_reports (
    device_id TEXT PRIMARY KEY REFERENCES devices(id),
    waiting BIGINT NOT NULL CHECK (waiting >= 0),
    batch BIGINT NOT NULL CHECK (batch >= 0),
    pushed_at TEXT NOT NULL
);
