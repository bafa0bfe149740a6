-- Guichet desk store, schema 7: the pull cursor is opaque text (the change row id on a
-- SQLite server, EPOCH:XID:ID on PostgreSQL). A column declared INTEGER would turn "123" back
-- into a number, so the column is replaced by a TEXT one holding the same value as text: an
-- existing desk keeps its place (the server still reads an old whole-number cursor).
ALTER TABLE server_link ADD COLUMN pull_cursor_text TEXT NOT NULL DEFAULT '0';
UPDATE server_link SET pull_cursor_text = CAST(pull_cursor AS TEXT);
ALTER TABLE server_link DROP COLUMN pull_cursor;
ALTER TABLE server_link RENAME COLUMN pull_cursor_text TO pull_cursor;
