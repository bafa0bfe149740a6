-- Guichet central server, schema 1.
CREATE TABLE venues (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_fr TEXT NOT NULL,
    city TEXT NOT NULL,
    capacity INTEGER
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
    medal INTEGER NOT NULL
);

-- Inventory per session and category. `sold` counts tickets sold (online, and offline sales
-- once pushed); `lent` counts seats held in desks' allotments. Online availability is
-- capacity - sold - lent; the guarded sale changes it in one conditional UPDATE.
CREATE TABLE offers (
    session TEXT NOT NULL REFERENCES sessions(code),
    category TEXT NOT NULL CHECK (category IN ('A', 'B', 'C', 'D')),
    price_cents INTEGER NOT NULL CHECK (price_cents > 0),
    capacity INTEGER NOT NULL CHECK (capacity > 0),
    sold INTEGER NOT NULL DEFAULT 0 CHECK (sold >= 0),
    lent INTEGER NOT NULL DEFAULT 0 CHECK (lent >= 0),
    PRIMARY KEY (session, category)
);

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_norm TEXT NOT NULL,
    email TEXT NOT NULL,
    country TEXT NOT NULL,
    club_number TEXT,
    created_at TEXT NOT NULL,
    created_by_device TEXT
);
CREATE INDEX accounts_name_norm ON accounts(name_norm);
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

-- Every sale, online or pushed from a desk. The idempotency key is kept for ever, so a desk
-- that comes back after any time away is never counted twice.
CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    device_id TEXT,
    kind TEXT NOT NULL,
    phase TEXT NOT NULL,
    total_cents INTEGER NOT NULL,
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
    price_cents INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'void'))
);
CREATE INDEX tickets_account ON tickets(account_id, status);
CREATE INDEX tickets_order ON tickets(order_id);
