-- Guichet central server: holds. A kiosk sets seats aside for a few minutes before it asks
-- the card, so a fan is never charged for seats that are gone. `offers.held` counts the seats
-- of live holds: online availability is capacity - sold - lent - held, and every guard reads
-- it. A hold past its expiry gives its seats back at the next write that reads stock, at a
-- read that finds one, and at the server's sweep.
ALTER TABLE offers ADD COLUMN held INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0);

CREATE TABLE holds (
    id          TEXT PRIMARY KEY,
    request_id  TEXT NOT NULL UNIQUE,
    device_id   TEXT NOT NULL REFERENCES devices(id),
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    kind        TEXT NOT NULL CHECK (kind IN ('pack', 'single')),
    state       TEXT NOT NULL CHECK (state IN ('live', 'released', 'expired', 'confirmed')),
    created_at  TEXT NOT NULL,
    -- Unix milliseconds, so that "expired by now" is one indexed comparison.
    expires_ms  INTEGER NOT NULL,
    ended_at    TEXT,
    order_id    TEXT
);
CREATE INDEX holds_live ON holds(expires_ms) WHERE state = 'live';

CREATE TABLE hold_lines (
    hold_id   TEXT NOT NULL REFERENCES holds(id),
    line      INTEGER NOT NULL,
    session   TEXT NOT NULL,
    category  TEXT NOT NULL,
    quantity  INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (hold_id, line),
    FOREIGN KEY (session, category) REFERENCES offers(session, category)
);
