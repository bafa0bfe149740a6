-- Server on PostgreSQL, schema 2: the latest state each device reported of itself (as SQLite's
-- schema 11): one row per device, with the server time it arrived ("last seen"). A report
-- older than the one kept only moves `received_at`.
CREATE TABLE device_states (
    device_id        TEXT PRIMARY KEY REFERENCES devices(id),
    codes            TEXT NOT NULL,
    printer_ready    BOOLEAN NOT NULL,
    printer_detail   TEXT NOT NULL,
    terminal_ready   BOOLEAN NOT NULL,
    terminal_detail  TEXT NOT NULL,
    app_version      TEXT NOT NULL,
    last_sale_at     TEXT,
    observed_at      TEXT NOT NULL,
    observed_ms      BIGINT NOT NULL,
    received_at      TEXT NOT NULL
);
