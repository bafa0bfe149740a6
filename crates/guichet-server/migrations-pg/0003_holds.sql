-- Server on PostgreSQL, schema 3: holds (as SQLite's schema 5). A kiosk sets seats aside while
-- the fan pays: they leave the pool for `offers.held` until the hold is confirmed by an order
-- (held to sold), released or expired (held back to the pool). The invariant counts them:
-- pool + Σ buckets + lent + held + sold + Σ buckets.sold = capacity + oversold.
ALTER TABLE offers ADD COLUMN held BIGINT NOT NULL DEFAULT 0 CHECK (held >= 0);

CREATE TABLE holds (
    id          TEXT PRIMARY KEY,
    request_id  TEXT NOT NULL UNIQUE,
    device_id   TEXT NOT NULL REFERENCES devices(id),
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    kind        TEXT NOT NULL CHECK (kind IN ('pack', 'single')),
    state       TEXT NOT NULL CHECK (state IN ('live', 'released', 'expired', 'confirmed')),
    created_at  TEXT NOT NULL,
    expires_ms  BIGINT NOT NULL,
    ended_at    TEXT,
    order_id    TEXT
);
CREATE INDEX holds_live ON holds(expires_ms) WHERE state = 'live';

CREATE TABLE hold_lines (
    hold_id   TEXT NOT NULL REFERENCES holds(id),
    line      INTEGER NOT NULL,
    session   TEXT NOT NULL,
    category  TEXT NOT NULL,
    quantity  BIGINT NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (hold_id, line),
    FOREIGN KEY (session, category) REFERENCES offers(session, category)
);
