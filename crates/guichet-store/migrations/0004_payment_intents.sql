-- Guichet desk store, schema 3: a kiosk's payment intents. An intent is written, with its
-- request id, before the card terminal is asked anything, and each step is committed before
-- the next external one (terminal, server, printer), so that after a crash every open intent
-- can be settled by asking the terminal what it knows of the request id.
--
-- created → authorised → printed → captured            (success)
-- created → declined | cancelled; authorised/printed → reversed   (failure)
CREATE TABLE payment_intent (
    request_id   TEXT PRIMARY KEY,
    state        TEXT NOT NULL CHECK (state IN
                   ('created', 'authorised', 'printed', 'captured', 'declined', 'cancelled', 'reversed')),
    account_id   TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('pack', 'single')),
    -- The draft order: [{"session", "category", "quantity"}], as the hold and the order carry it.
    lines        TEXT NOT NULL,
    holder_name  TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    -- Online: seats held at the server (hold_id); offline: taken from the allotment in the
    -- intent's own transaction and given back if it fails.
    mode         TEXT NOT NULL CHECK (mode IN ('online', 'offline')),
    hold_id      TEXT,
    auth_code    TEXT,
    order_id     TEXT,
    phase        TEXT,
    -- The signed tickets once the order is known: [{"id", "session", "category", "price_cents", "qr"}],
    -- so that a reprint after a crash prints the same tickets.
    tickets      TEXT,
    -- Key of the void pushed when the server sold but the sale had to be undone.
    void_key     TEXT,
    reason       TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX payment_intent_open ON payment_intent(created_at)
    WHERE state IN ('created', 'authorised', 'printed');
