-- Guichet desk store, schema 5: the accessible pair's two categories, WCH (wheelchair place) and
-- CMP (companion seat), join A–D in every category column.
--
-- SQLite cannot ALTER a CHECK constraint. Rebuilding the four tables would mean copying every
-- ticket and switching foreign keys off, which PRAGMA foreign_keys cannot do inside the
-- migration's transaction. SQLite documents this narrower way for exactly this change (a CHECK
-- that only gets wider, so every stored row still passes it): rewrite the table's CREATE text in
-- the schema and reload it (sqlite.org/lang_altertable.html, "ALTER TABLE: other kinds of table
-- schema changes"). Only the CHECK text changes; no row and no page is touched.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql,
                     'CHECK (category IN (''A'', ''B'', ''C'', ''D''))',
                     'CHECK (category IN (''A'', ''B'', ''C'', ''D'', ''WCH'', ''CMP''))')
 WHERE type = 'table' AND name IN ('catalogue_offer', 'availability', 'allotment', 'ticket');
PRAGMA writable_schema = RESET;
-- A real schema change bumps the schema cookie, so a connection open elsewhere rereads the text.
CREATE TABLE schema_bump (x);
DROP TABLE schema_bump;
