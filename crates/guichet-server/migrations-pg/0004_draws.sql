-- Guichet central server on PostgreSQL, schema 4: draws and the winners' notices (docs/draw.md,
-- docs/notices.md); SQLite's migrations 0003, 0004 and 0008 in PostgreSQL types. Times the
-- server writes are RFC 3339 text, as elsewhere; the outbox's instants it compares are integer
-- milliseconds since the epoch, as on SQLite.
--
-- `account_draws` (schema 1) keeps its columns: the sale's rules read it alone. On this store a
-- run writes each winner's row (`drawn`, with its slot) and the other registrants' (`not_drawn`)
-- as well as `draw_winners`, so the sale reads no join.

-- Registrations: ids 1, 2, 3… per draw; `club` is the account's membership when it registered;
-- `carried_from` names the draw a carried-over registration came from.
CREATE TABLE draw_registrations (
    draw TEXT NOT NULL,
    id BIGINT NOT NULL CHECK (id > 0),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    club BOOLEAN NOT NULL,
    registered_at TEXT NOT NULL,
    device_id TEXT,
    carried_from TEXT,
    PRIMARY KEY (draw, id),
    UNIQUE (draw, account_id)
);

-- What `draw commit` publishes: SHA-256 of the secret (never the secret) and the beacon round.
CREATE TABLE draw_commitments (
    draw TEXT PRIMARY KEY,
    commitment TEXT NOT NULL,
    beacon_chain TEXT NOT NULL,
    beacon_round BIGINT NOT NULL,
    committed_at TEXT NOT NULL
);

-- What `draw close` publishes. Once a row is here no registration is accepted for the draw.
CREATE TABLE draw_closes (
    draw TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    count BIGINT NOT NULL,
    closed_at TEXT NOT NULL
);

-- Each wave's transcript, as `draw run` wrote it.
CREATE TABLE draw_transcripts (
    draw TEXT NOT NULL,
    wave INTEGER NOT NULL,
    transcript TEXT NOT NULL,
    results_hash TEXT NOT NULL,
    winners BIGINT NOT NULL,
    run_at TEXT NOT NULL,
    PRIMARY KEY (draw, wave)
);

-- A draw's winners, a wave at a time, with their slot.
CREATE TABLE draw_winners (
    draw TEXT NOT NULL,
    account_id TEXT NOT NULL,
    wave INTEGER NOT NULL CHECK (wave > 0),
    slot_start TEXT NOT NULL,
    slot_end TEXT NOT NULL,
    PRIMARY KEY (draw, account_id)
);

-- The accounts a desk made, whose results go into the desks' change feed after a run.
CREATE INDEX accounts_made_by_a_device ON accounts(id) WHERE created_by_device IS NOT NULL;

-- One notice per (draw, account); the states are SQLite's (docs/notices.md).
CREATE TABLE notice_outbox (
    draw TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    message_id TEXT NOT NULL UNIQUE,
    slot_start TEXT NOT NULL,
    slot_end TEXT NOT NULL,
    due_ms BIGINT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_ms BIGINT NOT NULL,
    sending_since_ms BIGINT,
    interrupted INTEGER NOT NULL DEFAULT 0 CHECK (interrupted >= 0),
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    PRIMARY KEY (draw, account_id)
);
CREATE INDEX notice_outbox_due ON notice_outbox(state, next_attempt_ms);
