-- Guichet central server on PostgreSQL, schema 1 (docs/postgres.md). Forward only; each file
-- runs once, in one transaction, recorded in schema_migrations. Times the server writes are
-- RFC 3339 text, as on SQLite; leases use the database's clock (timestamptz).

-- A generation id per database: a feed cursor made on another database (a restore, a new
-- cluster) names another generation and is answered with a fresh snapshot.
CREATE TABLE store_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO store_meta(key, value) VALUES ('generation', (1 + floor(random() * 1023))::int::text);

CREATE TABLE venues (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_fr TEXT NOT NULL,
    city TEXT NOT NULL,
    capacity BIGINT
);

CREATE TABLE sessions (
    code TEXT PRIMARY KEY,
    games TEXT NOT NULL CHECK (games IN ('olympic', 'paralympic')),
    sport TEXT NOT NULL,
    discipline TEXT NOT NULL,
    description TEXT NOT NULL,
    venue_code TEXT REFERENCES venues(code),
    venue_name TEXT NOT NULL,
    city TEXT NOT NULL,
    start_utc TEXT NOT NULL,
    end_utc TEXT NOT NULL,
    utc_offset_s INTEGER NOT NULL,
    medal BOOLEAN NOT NULL
);

-- Inventory per session and category. Every seat is in exactly one place:
--   pool      not yet leased to a replica (the guarded moves take from it);
--   buckets   leased to a replica, which sells from its own row (table below);
--   lent      in desks' allotments (escrow), outstanding;
--   sold      sold by desks (pushed) or voided back (online sales count in buckets.sold);
--   oversold  sold by desks beyond their allotment when nothing was left to cover them.
-- Invariant: pool + Σ buckets.left + lent + sold + Σ buckets.sold = capacity + oversold
-- (store_pg::invariant_violations). `pool` has no CHECK: the guard is the WHERE of each move,
-- and the test-only unguarded sale must be able to show the oversell it prevents.
CREATE TABLE offers (
    session TEXT NOT NULL REFERENCES sessions(code),
    category TEXT NOT NULL CHECK (category IN ('A', 'B', 'C', 'D', 'WCH', 'CMP')),
    price_cents BIGINT NOT NULL CHECK (price_cents > 0),
    capacity BIGINT NOT NULL CHECK (capacity > 0),
    pool BIGINT NOT NULL,
    lent BIGINT NOT NULL DEFAULT 0 CHECK (lent >= 0),
    sold BIGINT NOT NULL DEFAULT 0,
    oversold BIGINT NOT NULL DEFAULT 0 CHECK (oversold >= 0),
    PRIMARY KEY (session, category)
);

-- Server processes on this database, each with a lease it renews; a replica whose lease has
-- passed is dead, and any other gives its buckets' seats back to the pool.
CREATE TABLE replicas (
    id TEXT PRIMARY KEY,
    started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    lease_until TIMESTAMPTZ NOT NULL
);

-- A replica's share of an offer's seats: it sells with a guarded decrement of its own row, so
-- replicas do not queue on one hot row. `sold` counts what it sold from it (kept after the
-- replica is gone).
CREATE TABLE buckets (
    session TEXT NOT NULL,
    category TEXT NOT NULL,
    replica_id TEXT NOT NULL,
    seats_left BIGINT NOT NULL DEFAULT 0 CHECK (seats_left >= 0),
    sold BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (session, category, replica_id),
    FOREIGN KEY (session, category) REFERENCES offers(session, category)
);

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_norm TEXT NOT NULL,
    email TEXT NOT NULL,
    country TEXT NOT NULL,
    club_number TEXT,
    created_at TEXT NOT NULL,
    created_by_device TEXT,
    language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('fr', 'en'))
);
CREATE INDEX accounts_name_norm ON accounts(name_norm text_pattern_ops);
CREATE INDEX accounts_email ON accounts(email);

CREATE TABLE account_draws (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    draw TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('registered', 'drawn', 'not_drawn')),
    slot_start TEXT,
    slot_end TEXT,
    PRIMARY KEY (account_id, draw)
);

CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('box-office', 'kiosk')),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    public_key_hex TEXT NOT NULL,
    key_id TEXT NOT NULL UNIQUE,
    enrolled_at TEXT NOT NULL
);

CREATE TABLE enrolment_codes (
    code_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('box-office', 'kiosk')),
    created_at TEXT NOT NULL,
    used_at TEXT,
    used_by_device TEXT
);

-- Every online order's idempotency key, written first in the sale's transaction: a second
-- arrival of the key (at any replica) waits on this row, then reads its answer. Refusals are
-- kept too; `body_sha256` tells the same key sent with another body.
CREATE TABLE order_keys (
    key TEXT PRIMARY KEY,
    body_sha256 TEXT NOT NULL,
    order_id TEXT,
    refusal TEXT,
    recorded_at TEXT NOT NULL
);

CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    device_id TEXT,
    kind TEXT NOT NULL,
    phase TEXT NOT NULL,
    total_cents BIGINT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('online', 'offline')),
    sold_at TEXT NOT NULL,
    received_at TEXT NOT NULL
);

CREATE TABLE tickets (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    session TEXT NOT NULL,
    category TEXT NOT NULL,
    price_cents BIGINT NOT NULL,
    status TEXT NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'void')),
    seq BIGSERIAL
);
CREATE INDEX tickets_account ON tickets(account_id, status);
CREATE INDEX tickets_order ON tickets(order_id, seq);

CREATE TABLE allotments (
    device_id TEXT NOT NULL REFERENCES devices(id),
    session TEXT NOT NULL,
    category TEXT NOT NULL,
    granted BIGINT NOT NULL DEFAULT 0,
    sold BIGINT NOT NULL DEFAULT 0,
    returned BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (device_id, session, category),
    FOREIGN KEY (session, category) REFERENCES offers(session, category)
);

-- Every pushed idempotency key, for ever, with its answer; written first, as order_keys.
CREATE TABLE sync_events (
    idempotency_key TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('applied', 'rejected')),
    reason TEXT,
    created_at TEXT NOT NULL,
    received_at TEXT NOT NULL
);

CREATE TABLE conflicts (
    id BIGSERIAL PRIMARY KEY,
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

-- Change feed. Each row carries the id of the transaction that wrote it; a pull serves only
-- rows of transactions older than every one still running (pg_snapshot_xmin), in (xid, id)
-- order, so a transaction that commits late is never skipped.
CREATE TABLE changes (
    id BIGSERIAL PRIMARY KEY,
    xid XID8 NOT NULL DEFAULT pg_current_xact_id(),
    written_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    kind TEXT NOT NULL CHECK (kind IN ('offer', 'revocation', 'account')),
    key TEXT NOT NULL
);
CREATE INDEX changes_xid ON changes(xid, id);
