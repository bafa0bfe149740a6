-- Guichet desk store, schema 2: the link to the central server.

-- A rejected event stays in the outbox, visible with the server's reason, and is not pushed
-- again (the server keeps its key; pushing it again would only say "duplicate").
ALTER TABLE outbox ADD COLUMN rejected_at TEXT;
DROP INDEX outbox_pending;
CREATE INDEX outbox_pending ON outbox(seq) WHERE pushed_at IS NULL AND rejected_at IS NULL;

-- This desk's enrolment and pull position: one row once enrolled. The bearer token is a
-- secret: it is read only to build the Authorization header, never printed or logged.
CREATE TABLE server_link (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    server_url   TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    token        TEXT NOT NULL,
    key_id       TEXT NOT NULL,
    pull_cursor  INTEGER NOT NULL DEFAULT 0,
    enrolled_at  TEXT NOT NULL
);

-- Ticket ids revoked anywhere (server pull), for gates and look-ups; local voids stay in
-- `revocation`.
CREATE TABLE server_revocation (
    ticket_id  TEXT PRIMARY KEY
) WITHOUT ROWID;
