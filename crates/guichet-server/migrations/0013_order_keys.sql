-- What an online order's idempotency key was sent with, so that the same key with another
-- body is refused (as PostgreSQL's order_keys does): the order's body, hashed, kept on the
-- order; an order from before this column has none and is not compared.
ALTER TABLE orders ADD COLUMN body_sha256 TEXT;

-- The rules' refusal of an online order, kept with its key for ever: the same key sent again
-- gets the same refusal, not a second try (a changed basket is a new order with a new key).
CREATE TABLE order_refusals (
    idempotency_key TEXT PRIMARY KEY,
    body_sha256     TEXT NOT NULL,
    refusal         TEXT NOT NULL,
    recorded_at     TEXT NOT NULL
) WITHOUT ROWID;
