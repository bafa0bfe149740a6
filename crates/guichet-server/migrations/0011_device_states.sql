-- Server schema 11: the latest state each device reported of itself (a kiosk's pre-sale checks:
-- in service, or out of order with the failing codes), kept one row per device, with the
-- server time it arrived ("last seen"). A report older than the one kept (a device that was
-- offline sends what it kept) updates only `received_at`.
CREATE TABLE device_states (
    device_id        TEXT PRIMARY KEY REFERENCES devices(id),
    codes            TEXT NOT NULL,   -- JSON array of OOO-* codes; [] = in service
    printer_ready    INTEGER NOT NULL CHECK (printer_ready IN (0, 1)),
    printer_detail   TEXT NOT NULL,
    terminal_ready   INTEGER NOT NULL CHECK (terminal_ready IN (0, 1)),
    terminal_detail  TEXT NOT NULL,
    app_version      TEXT NOT NULL,
    last_sale_at     TEXT,
    observed_at      TEXT NOT NULL,
    -- Unix milliseconds of observed_at, so "newer than the one kept" is one comparison.
    observed_ms      INTEGER NOT NULL,
    received_at      TEXT NOT NULL
);
