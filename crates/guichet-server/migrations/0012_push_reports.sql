-- What each device said of its outbox at its last push: the events it had waiting (the
-- batch included) and the batch's size, for the console's devices page. One row a device,
-- replaced at each push.
CREATE TABLE device_push_reports (
    device_id TEXT PRIMARY KEY REFERENCES devices(id),
    waiting   INTEGER NOT NULL CHECK (waiting >= 0),
    batch     INTEGER NOT NULL CHECK (batch >= 0),
    pushed_at TEXT NOT NULL
);
