-- Guichet desk store, schema 1. Forward only: never edit a released migration, add 0002_*.sql.
-- Money is integer cents. Instants are RFC 3339 UTC text (jiff::Timestamp), device time unless
-- the column name says server.

-- This desk: one row.
CREATE TABLE device (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    device_id   TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- Catalogue snapshot, as last pulled.
CREATE TABLE catalogue_session (
    code         TEXT PRIMARY KEY,
    games        TEXT NOT NULL CHECK (games IN ('olympic', 'paralympic')),
    sport        TEXT NOT NULL,
    discipline   TEXT NOT NULL,
    description  TEXT NOT NULL,
    venue_name   TEXT NOT NULL,
    city         TEXT NOT NULL,
    start_at     TEXT NOT NULL,
    end_at       TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE catalogue_offer (
    session_code  TEXT NOT NULL REFERENCES catalogue_session(code),
    category      TEXT NOT NULL CHECK (category IN ('A', 'B', 'C', 'D')),
    price_cents   INTEGER NOT NULL CHECK (price_cents >= 0),
    capacity      INTEGER NOT NULL CHECK (capacity >= 0),
    PRIMARY KEY (session_code, category)
) WITHOUT ROWID;

-- Online availability as last seen from the server (never used to sell offline).
CREATE TABLE availability (
    session_code  TEXT NOT NULL,
    category      TEXT NOT NULL CHECK (category IN ('A', 'B', 'C', 'D')),
    remaining     INTEGER NOT NULL CHECK (remaining >= 0),
    as_of_server  TEXT NOT NULL,
    PRIMARY KEY (session_code, category)
) WITHOUT ROWID;

-- Tickets this desk may sell offline (escrow granted by the server). The CHECK is the last
-- guard against overselling: a sale that would take it below zero aborts its transaction.
CREATE TABLE allotment (
    session_code  TEXT NOT NULL,
    category      TEXT NOT NULL CHECK (category IN ('A', 'B', 'C', 'D')),
    granted       INTEGER NOT NULL CHECK (granted >= 0),
    remaining     INTEGER NOT NULL CHECK (remaining >= 0),
    PRIMARY KEY (session_code, category)
) WITHOUT ROWID;

-- Staff. The PIN is an Argon2id PHC string; lockout is counted here so it survives restarts.
CREATE TABLE operator (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    role             TEXT NOT NULL CHECK (role IN ('seller', 'supervisor')),
    pin_hash         TEXT NOT NULL,
    failed_attempts  INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    locked_until     TEXT,
    created_at       TEXT NOT NULL
);

-- Accounts cached from the server, plus walk-ins made here (origin = 'desk').
-- *_key columns hold the normalised form (lower case, accents removed) used for look-up.
CREATE TABLE account (
    id           TEXT PRIMARY KEY,
    given_name   TEXT NOT NULL,
    family_name  TEXT NOT NULL,
    email        TEXT NOT NULL,
    country      TEXT NOT NULL,
    club_number  TEXT,
    origin       TEXT NOT NULL CHECK (origin IN ('server', 'desk')),
    created_at   TEXT NOT NULL,
    email_key    TEXT NOT NULL,
    name_key     TEXT NOT NULL,
    name_key_rev TEXT NOT NULL
);
-- "given family" and "family given", so a prefix of either name uses an index range scan.
CREATE INDEX account_email_key ON account(email_key);
CREATE INDEX account_name_key ON account(name_key);
CREATE INDEX account_name_key_rev ON account(name_key_rev);

-- Tickets the server says the account holds, per session, at the last sync. Local sales not
-- yet acknowledged are counted from the ticket table on top of this.
CREATE TABLE account_held (
    account_id    TEXT NOT NULL REFERENCES account(id),
    session_code  TEXT NOT NULL,
    quantity      INTEGER NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (account_id, session_code)
) WITHOUT ROWID;

-- Draw result and timeslot per draw ("pack-draw", "single-draw", ...), set by the draw engine.
CREATE TABLE account_draw (
    account_id  TEXT NOT NULL REFERENCES account(id),
    draw_id     TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('registered', 'drawn', 'not_drawn')),
    slot_start  TEXT,
    slot_end    TEXT,
    PRIMARY KEY (account_id, draw_id),
    CHECK ((slot_start IS NULL) = (slot_end IS NULL))
) WITHOUT ROWID;

CREATE TABLE shift (
    id             TEXT PRIMARY KEY,
    operator_id    TEXT NOT NULL REFERENCES operator(id),
    opened_at      TEXT NOT NULL,
    float_cents    INTEGER NOT NULL CHECK (float_cents >= 0),
    closed_at      TEXT,
    closed_by      TEXT REFERENCES operator(id),
    counted_cents  INTEGER CHECK (counted_cents >= 0)
);
-- At most one open shift per desk.
CREATE UNIQUE INDEX shift_one_open ON shift((1)) WHERE closed_at IS NULL;

CREATE TABLE sale_order (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES account(id),
    operator_id   TEXT NOT NULL REFERENCES operator(id),
    shift_id      TEXT NOT NULL REFERENCES shift(id),
    kind          TEXT NOT NULL CHECK (kind IN ('pack', 'single')),
    games         TEXT NOT NULL CHECK (games IN ('olympic', 'paralympic')),
    phase         TEXT NOT NULL,
    total_cents   INTEGER NOT NULL CHECK (total_cents >= 0),
    sold_at       TEXT NOT NULL,
    offline       INTEGER NOT NULL CHECK (offline IN (0, 1)),
    status        TEXT NOT NULL CHECK (status IN ('sold', 'voided')),
    acknowledged  INTEGER NOT NULL DEFAULT 0 CHECK (acknowledged IN (0, 1))
);
CREATE INDEX sale_order_account ON sale_order(account_id);
CREATE INDEX sale_order_shift ON sale_order(shift_id);

CREATE TABLE ticket (
    id                  TEXT PRIMARY KEY,
    order_id            TEXT NOT NULL REFERENCES sale_order(id),
    session_code        TEXT NOT NULL,
    category            TEXT NOT NULL CHECK (category IN ('A', 'B', 'C', 'D')),
    price_cents         INTEGER NOT NULL CHECK (price_cents >= 0),
    holder_name         TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('valid', 'void', 'reissued')),
    qr_payload          TEXT NOT NULL,
    key_id              TEXT NOT NULL,
    replaces_ticket_id  TEXT REFERENCES ticket(id),
    issued_at           TEXT NOT NULL
);
CREATE INDEX ticket_order ON ticket(order_id);

-- amount > 0 always; direction says whether money came in or went back out.
CREATE TABLE payment (
    id              TEXT PRIMARY KEY,
    order_id        TEXT NOT NULL REFERENCES sale_order(id),
    shift_id        TEXT NOT NULL REFERENCES shift(id),
    direction       TEXT NOT NULL CHECK (direction IN ('in', 'refund')),
    method          TEXT NOT NULL CHECK (method IN ('cash', 'card')),
    amount_cents    INTEGER NOT NULL CHECK (amount_cents > 0),
    tendered_cents  INTEGER CHECK (tendered_cents >= amount_cents),
    change_cents    INTEGER CHECK (change_cents >= 0),
    card_reference  TEXT,
    at              TEXT NOT NULL,
    CHECK ((method = 'card') = (card_reference IS NOT NULL))
);
CREATE INDEX payment_order ON payment(order_id);
CREATE INDEX payment_shift ON payment(shift_id);

-- A void cancels every valid ticket of an order; a refund cancels some of them.
CREATE TABLE void (
    id             TEXT PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('void', 'refund')),
    order_id       TEXT NOT NULL REFERENCES sale_order(id),
    shift_id       TEXT NOT NULL REFERENCES shift(id),
    operator_id    TEXT NOT NULL REFERENCES operator(id),
    supervisor_id  TEXT NOT NULL REFERENCES operator(id),
    reason         TEXT NOT NULL,
    refund_cents   INTEGER NOT NULL CHECK (refund_cents >= 0),
    at             TEXT NOT NULL
);
CREATE INDEX void_order ON void(order_id);
CREATE INDEX void_shift ON void(shift_id);

-- Ticket ids that gates must refuse (voids, reissues); pushed to the server via the outbox.
CREATE TABLE revocation (
    ticket_id  TEXT PRIMARY KEY REFERENCES ticket(id),
    reason     TEXT NOT NULL CHECK (reason IN ('void', 'reissue')),
    at         TEXT NOT NULL
) WITHOUT ROWID;

-- Append-only: every business action, who did it, when (device time).
CREATE TABLE ledger (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    at           TEXT NOT NULL,
    operator_id  TEXT,
    action       TEXT NOT NULL,
    subject_id   TEXT,
    amount_cents INTEGER,
    data         TEXT NOT NULL DEFAULT '{}'
);
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;

-- Events to push, at-least-once; the server applies each idempotency key exactly once.
-- created_at is device time; received_at_server is filled from the server's answer.
CREATE TABLE outbox (
    seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key     TEXT NOT NULL UNIQUE,
    kind                TEXT NOT NULL,
    payload             TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    offline             INTEGER NOT NULL CHECK (offline IN (0, 1)),
    attempts            INTEGER NOT NULL DEFAULT 0,
    pushed_at           TEXT,
    received_at_server  TEXT,
    last_error          TEXT
);
CREATE INDEX outbox_pending ON outbox(seq) WHERE pushed_at IS NULL;
