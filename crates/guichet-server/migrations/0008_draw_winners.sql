-- Guichet central server, schema 8: a draw's winners in a table of their own (docs/draw.md §8).
-- `draw run` used to update each winner's `account_draws` row: 1 M winners spread over 10 M rows
-- touched nearly every page of that table (4.5 s of updates, 2.6 s of commit). Winners are now
-- appended here in account order, a wave at a time; their `account_draws` row stays `registered`,
-- and reads join the two (accounts.rs). A row set by hand (`set_draw`) still wins over this table.
CREATE TABLE draw_winners (
    draw TEXT NOT NULL,
    account_id TEXT NOT NULL,
    wave INTEGER NOT NULL CHECK (wave > 0),
    slot_start TEXT NOT NULL,
    slot_end TEXT NOT NULL,
    PRIMARY KEY (draw, account_id)
) WITHOUT ROWID;

-- The accounts a desk made, the ones whose results go into the desks' change feed after a run:
-- the run read all 10 M accounts to find them (1.0 s).
CREATE INDEX accounts_made_by_a_device ON accounts(id) WHERE created_by_device IS NOT NULL;
