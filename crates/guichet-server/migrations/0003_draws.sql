-- Guichet central server, schema 3: draws as anyone can recompute them (docs/draw.md).
-- Registrations: ids 1, 2, 3… per draw; `club` is the account's membership when it registered;
-- `carried_from` names the draw a carried-over registration came from.
CREATE TABLE draw_registrations (
    draw TEXT NOT NULL,
    id INTEGER NOT NULL CHECK (id > 0),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    club INTEGER NOT NULL CHECK (club IN (0, 1)),
    registered_at TEXT NOT NULL,
    device_id TEXT,
    carried_from TEXT,
    PRIMARY KEY (draw, id),
    UNIQUE (draw, account_id)
);

-- What `draw commit` publishes: SHA-256 of the secret (the secret itself never comes here)
-- and the beacon round named before close.
CREATE TABLE draw_commitments (
    draw TEXT PRIMARY KEY,
    commitment TEXT NOT NULL,
    beacon_chain TEXT NOT NULL,
    beacon_round INTEGER NOT NULL,
    committed_at TEXT NOT NULL
);

-- What `draw close` publishes: the list's fingerprint and count. Once a row is here no
-- registration is accepted for the draw.
CREATE TABLE draw_closes (
    draw TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    count INTEGER NOT NULL,
    closed_at TEXT NOT NULL
);

-- Each wave's transcript, as `draw run` wrote it.
CREATE TABLE draw_transcripts (
    draw TEXT NOT NULL,
    wave INTEGER NOT NULL,
    transcript TEXT NOT NULL,
    results_hash TEXT NOT NULL,
    winners INTEGER NOT NULL,
    run_at TEXT NOT NULL,
    PRIMARY KEY (draw, wave)
);
