//! This desk's link to the central server: its enrolment (device id, bearer token, key id) and
//! the pull cursor. The token is a secret: [`ServerLink`]'s `Debug` never shows it.

use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Context, Result};
use crate::values::ts;

/// What enrolment gave this desk.
#[derive(Clone, PartialEq, Eq)]
pub struct ServerLink {
    /// Base URL, e.g. `http://127.0.0.1:8080`.
    pub server_url: String,
    /// Device id given by the server.
    pub device_id: String,
    /// Bearer token (secret).
    pub token: String,
    /// Key id under which the server verifies this desk's tickets.
    pub key_id: String,
    /// Where the next pull starts: the server's opaque cursor, kept as given ("0" at first).
    pub pull_cursor: String,
}

impl std::fmt::Debug for ServerLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerLink")
            .field("server_url", &self.server_url)
            .field("device_id", &self.device_id)
            .field("token", &"<secret>")
            .field("key_id", &self.key_id)
            .field("pull_cursor", &self.pull_cursor)
            .finish()
    }
}

/// Saves (or replaces, on re-enrolment) the link; the pull starts again from 0.
pub fn save_link(conn: &Connection, l: &ServerLink, at: Timestamp) -> Result<()> {
    conn.execute(
        "INSERT INTO server_link (id, server_url, device_id, token, key_id, pull_cursor, enrolled_at)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(id) DO UPDATE SET server_url = excluded.server_url,
           device_id = excluded.device_id, token = excluded.token, key_id = excluded.key_id,
           pull_cursor = excluded.pull_cursor, enrolled_at = excluded.enrolled_at",
        params![l.server_url, l.device_id, l.token, l.key_id, l.pull_cursor, ts(at)],
    )
    .ctx("save server link")?;
    Ok(())
}

/// The link, once enrolled.
pub fn link(conn: &Connection) -> Result<Option<ServerLink>> {
    conn.query_row(
        "SELECT server_url, device_id, token, key_id, pull_cursor FROM server_link WHERE id = 1",
        [],
        |r| {
            Ok(ServerLink {
                server_url: r.get(0)?,
                device_id: r.get(1)?,
                token: r.get(2)?,
                key_id: r.get(3)?,
                pull_cursor: r.get(4)?,
            })
        },
    )
    .optional()
    .ctx("read server link")
}

/// Moves the server's base URL (the server moved; the enrolment stays).
pub fn set_server_url(conn: &Connection, url: &str) -> Result<()> {
    conn.execute("UPDATE server_link SET server_url = ?1 WHERE id = 1", [url])
        .ctx("set server url")?;
    Ok(())
}

/// Records where the next pull starts.
pub fn set_pull_cursor(conn: &Connection, cursor: &str) -> Result<()> {
    conn.execute(
        "UPDATE server_link SET pull_cursor = ?1 WHERE id = 1",
        [cursor],
    )
    .ctx("save pull cursor")?;
    Ok(())
}

/// Remembers ticket ids the server revoked.
pub fn add_server_revocations(conn: &Connection, ids: &[String]) -> Result<()> {
    let mut stmt = conn
        .prepare_cached("INSERT OR IGNORE INTO server_revocation (ticket_id) VALUES (?1)")
        .ctx("store revocations")?;
    for id in ids {
        stmt.execute([id]).ctx("store revocations")?;
    }
    Ok(())
}

/// Keeps one of the server's account-card public keys (idempotent).
pub fn save_card_key(
    conn: &Connection,
    key_id: &str,
    public_key_hex: &str,
    at: Timestamp,
) -> Result<()> {
    conn.execute(
        "INSERT INTO server_card_key (key_id, public_key_hex, received_at) VALUES (?1, ?2, ?3)
         ON CONFLICT(key_id) DO NOTHING",
        params![key_id, public_key_hex, ts(at)],
    )
    .ctx("save the server's card key")?;
    Ok(())
}

/// The server's account-card keys this desk holds: `(key id, public key hex)`.
pub fn card_keys(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut stmt = conn
        .prepare("SELECT key_id, public_key_hex FROM server_card_key ORDER BY key_id")
        .ctx("read the server's card keys")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .ctx("read the server's card keys")?;
    rows.collect::<rusqlite::Result<Vec<_>>>()
        .ctx("read the server's card keys")
}
