-- Guichet desk store, schema 6: the second location (a USB stick, a second disk) that every
-- write is also journaled to before it commits (docs/backups.md).
CREATE TABLE mirror (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    -- The directory, or NULL when none is set (GUICHET_DESK_MIRROR_DIR overrides it).
    dir          TEXT,
    -- Names this store in the journal's header, so one desk's journal is never replayed into
    -- another desk's copy.
    store_id     TEXT NOT NULL,
    -- The last journal record written; bumped in the transaction the record describes, so a
    -- copy of the file says which records it already holds.
    journal_seq  INTEGER NOT NULL CHECK (journal_seq >= 0)
);
INSERT INTO mirror (id, dir, store_id, journal_seq) VALUES (1, NULL, lower(hex(randomblob(16))), 0);
