-- The central server's account-card keys (public halves), received at enrolment: a kiosk
-- checks the QR a fan shows (guichet_tickets::verify_card) with them, offline.
CREATE TABLE server_card_key (
    key_id          TEXT PRIMARY KEY,
    public_key_hex  TEXT NOT NULL,
    received_at     TEXT NOT NULL
) WITHOUT ROWID;
