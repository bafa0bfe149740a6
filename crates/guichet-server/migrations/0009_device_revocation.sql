-- Guichet central server, schema 9: revoking a lost or stolen device.
-- One row per revoked device. Its token is refused from the moment the row is written; its
-- key signs nothing a gate trusts after `revoked_after` (which may be earlier than
-- `recorded_at`: the moment the desk went missing).
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
    count INTEGER NOT NULL,
    first_at TEXT NOT NULL,
    last_at TEXT NOT NULL,
    last_request TEXT NOT NULL,
    reason TEXT NOT NULL
);

-- Seats of a revoked device's allotment a supervisor wrote off: they stay lent (out of sale,
-- since the device may have sold them offline) but are no longer "at risk".
ALTER TABLE allotments ADD COLUMN written_off INTEGER NOT NULL DEFAULT 0 CHECK (written_off >= 0);

-- Each supervisor's decision on a revoked device's allotment, appended, never changed.
CREATE TABLE allotment_settlements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id TEXT NOT NULL REFERENCES devices(id),
    session TEXT NOT NULL,
    category TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('write_off', 'return')),
    seats INTEGER NOT NULL CHECK (seats > 0),
    reason TEXT NOT NULL,
    settled_by TEXT NOT NULL,
    settled_at TEXT NOT NULL
);
