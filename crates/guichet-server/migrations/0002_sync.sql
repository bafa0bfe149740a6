-- Guichet central server, schema 2: allotments (escrow lent to desks), sync keys kept for ever,
-- conflicts for supervisors, revocations, and a change feed for pull.
CREATE TABLE allotments (
    device_id TEXT NOT NULL REFERENCES devices(id),
    session TEXT NOT NULL,
    category TEXT NOT NULL,
    granted INTEGER NOT NULL DEFAULT 0,
    sold INTEGER NOT NULL DEFAULT 0,
    returned INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (device_id, session, category),
    FOREIGN KEY (session, category) REFERENCES offers(session, category)
);

-- Every idempotency key ever applied, with its answer. Never expired: a desk may come back
-- after any time offline and must not be counted twice.
CREATE TABLE sync_events (
    idempotency_key TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('applied', 'rejected')),
    reason TEXT,
    created_at TEXT NOT NULL,
    received_at TEXT NOT NULL
);

-- A sale applied over a limit: kept (the fan holds the tickets), listed for supervisors.
CREATE TABLE conflicts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL,
    device_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    violations TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    resolved_at TEXT
);

CREATE TABLE revocations (
    ticket_id TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    revoked_at TEXT NOT NULL
);

-- Change feed: pull returns what changed after a cursor.
CREATE TABLE changes (
    cursor INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('offer', 'revocation', 'account')),
    key TEXT NOT NULL
);
