//! The append-only ledger (who did what, when) and the outbox of events to push. Both are
//! written inside the same transaction as the domain rows they describe.

use guichet_domain::Money;
use jiff::Timestamp;
use rusqlite::{params, Connection};

use crate::error::{Context, Result};
use crate::values::{parse_ts, ts};

/// One ledger row to append.
#[derive(Debug, Clone)]
pub struct LedgerEntry<'a> {
    /// Device time.
    pub at: Timestamp,
    /// Who did it (none for system actions such as a migration import).
    pub operator_id: Option<&'a str>,
    /// What: `sale`, `void`, `sign_in`, `pin_refused`, `shift_open`, ...
    pub action: &'a str,
    /// The row it is about (order id, shift id, ...).
    pub subject_id: Option<&'a str>,
    /// Money moved, if any (positive in, negative out).
    pub amount: Option<Money>,
    /// Anything else worth keeping.
    pub data: serde_json::Value,
}

/// Appends a ledger row; returns its sequence number.
pub fn append_ledger(conn: &Connection, e: &LedgerEntry<'_>) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO ledger (at, operator_id, action, subject_id, amount_cents, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .and_then(|mut s| {
        s.execute(params![
            ts(e.at),
            e.operator_id,
            e.action,
            e.subject_id,
            e.amount.map(Money::cents),
            e.data.to_string()
        ])
    })
    .ctx("append ledger row")?;
    Ok(conn.last_insert_rowid())
}

/// One event to push to the server.
#[derive(Debug, Clone)]
pub struct OutboxEvent<'a> {
    /// UUIDv7 made on this device; the server applies each key once.
    pub idempotency_key: &'a str,
    /// `sale`, `void`, `reissue`, `account_created`, `shift_closed`.
    pub kind: &'a str,
    /// The event body.
    pub payload: serde_json::Value,
    /// Device time of the action.
    pub created_at: Timestamp,
    /// Whether it was done without the server (sold from the allotment).
    pub offline: bool,
}

/// Queues an event; returns its sequence number.
pub fn enqueue(conn: &Connection, e: &OutboxEvent<'_>) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO outbox (idempotency_key, kind, payload, created_at, offline)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .and_then(|mut s| {
        s.execute(params![
            e.idempotency_key,
            e.kind,
            e.payload.to_string(),
            ts(e.created_at),
            e.offline
        ])
    })
    .ctx("queue outbox event")?;
    Ok(conn.last_insert_rowid())
}

/// A stored ledger row.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerRow {
    /// Sequence number.
    pub seq: i64,
    /// Device time.
    pub at: Timestamp,
    /// Who.
    pub operator_id: Option<String>,
    /// What.
    pub action: String,
    /// About which row.
    pub subject_id: Option<String>,
    /// Money moved.
    pub amount: Option<Money>,
    /// Extra data.
    pub data: serde_json::Value,
}

/// Ledger rows about one subject, oldest first.
pub fn ledger_for(conn: &Connection, subject_id: &str) -> Result<Vec<LedgerRow>> {
    ledger_query(conn, "WHERE subject_id = ?1", subject_id)
}

/// Ledger rows of one action, oldest first.
pub fn ledger_by_action(conn: &Connection, action: &str) -> Result<Vec<LedgerRow>> {
    ledger_query(conn, "WHERE action = ?1", action)
}

fn ledger_query(conn: &Connection, filter: &str, arg: &str) -> Result<Vec<LedgerRow>> {
    let sql = format!(
        "SELECT seq, at, operator_id, action, subject_id, amount_cents, data FROM ledger {filter}
         ORDER BY seq"
    );
    let mut stmt = conn.prepare_cached(&sql).ctx("read ledger")?;
    let rows = stmt
        .query_map([arg], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get::<_, Option<i64>>(5)?,
                r.get::<_, String>(6)?,
            ))
        })
        .ctx("read ledger")?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, at, operator_id, action, subject_id, amount, data) = row.ctx("read ledger")?;
        out.push(LedgerRow {
            seq,
            at: parse_ts("ledger time", &at)?,
            operator_id,
            action,
            subject_id,
            amount: amount.map(Money::from_cents),
            data: serde_json::from_str(&data).unwrap_or(serde_json::Value::Null),
        });
    }
    Ok(out)
}

/// A queued event.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// Sequence number (push order).
    pub seq: i64,
    /// Idempotency key.
    pub idempotency_key: String,
    /// Kind.
    pub kind: String,
    /// Body.
    pub payload: serde_json::Value,
    /// Device time.
    pub created_at: Timestamp,
    /// Done offline.
    pub offline: bool,
}

/// Events not yet pushed, oldest first.
pub fn pending_events(conn: &Connection, limit: u32) -> Result<Vec<StoredEvent>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT seq, idempotency_key, kind, payload, created_at, offline FROM outbox
             WHERE pushed_at IS NULL AND rejected_at IS NULL ORDER BY seq LIMIT ?1",
        )
        .ctx("read outbox")?;
    let rows = stmt
        .query_map([limit], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, bool>(5)?,
            ))
        })
        .ctx("read outbox")?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, idempotency_key, kind, payload, created_at, offline) = row.ctx("read outbox")?;
        out.push(StoredEvent {
            seq,
            idempotency_key,
            kind,
            payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
            created_at: parse_ts("outbox time", &created_at)?,
            offline,
        });
    }
    Ok(out)
}

/// Marks an event as accepted by the server: device time of the push and server time of
/// receipt are kept apart.
pub fn mark_pushed(
    conn: &Connection,
    seq: i64,
    pushed_at: Timestamp,
    received_at_server: Timestamp,
) -> Result<()> {
    conn.execute(
        "UPDATE outbox SET pushed_at = ?2, received_at_server = ?3, attempts = attempts + 1
         WHERE seq = ?1",
        params![seq, ts(pushed_at), ts(received_at_server)],
    )
    .ctx("mark event pushed")?;
    Ok(())
}

/// Marks an event as refused by the server: it stays in the outbox with the reason (in
/// `last_error`) for a supervisor to see, and is not pushed again.
pub fn mark_rejected(
    conn: &Connection,
    seq: i64,
    reason: &str,
    received_at_server: Timestamp,
) -> Result<()> {
    conn.execute(
        "UPDATE outbox SET rejected_at = ?2, received_at_server = ?2, last_error = ?3,
           attempts = attempts + 1 WHERE seq = ?1",
        params![seq, ts(received_at_server), reason],
    )
    .ctx("mark event rejected")?;
    Ok(())
}

/// Records a failed push attempt of events (the sentence of the failure), so the outbox shows
/// how often each waiting event was tried.
pub fn note_attempt(conn: &Connection, seqs: &[i64], error: &str) -> Result<()> {
    let mut stmt = conn
        .prepare_cached("UPDATE outbox SET attempts = attempts + 1, last_error = ?2 WHERE seq = ?1")
        .ctx("note push attempt")?;
    for seq in seqs {
        stmt.execute(params![seq, error]).ctx("note push attempt")?;
    }
    Ok(())
}

/// Events waiting to be pushed (neither acknowledged nor rejected).
pub fn waiting_count(conn: &Connection) -> Result<u64> {
    conn.query_row(
        "SELECT count(*) FROM outbox WHERE pushed_at IS NULL AND rejected_at IS NULL",
        [],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| u64::try_from(n).unwrap_or(0))
    .ctx("count waiting events")
}

/// An event the server refused, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RejectedEvent {
    /// Sequence number.
    pub seq: i64,
    /// Idempotency key.
    pub idempotency_key: String,
    /// Kind.
    pub kind: String,
    /// The server's reason.
    pub reason: String,
}

/// Events the server refused, oldest first.
pub fn rejected_events(conn: &Connection) -> Result<Vec<RejectedEvent>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT seq, idempotency_key, kind, coalesce(last_error, '') FROM outbox
             WHERE rejected_at IS NOT NULL ORDER BY seq",
        )
        .ctx("read rejected events")?;
    let rows = stmt
        .query_map([], |r| {
            Ok(RejectedEvent {
                seq: r.get(0)?,
                idempotency_key: r.get(1)?,
                kind: r.get(2)?,
                reason: r.get(3)?,
            })
        })
        .ctx("read rejected events")?;
    rows.collect::<rusqlite::Result<Vec<_>>>()
        .ctx("read rejected events")
}

/// The last time the server acknowledged one of this desk's events.
pub fn last_pushed_at(conn: &Connection) -> Result<Option<Timestamp>> {
    let at: Option<String> = conn
        .query_row("SELECT max(pushed_at) FROM outbox", [], |r| r.get(0))
        .ctx("read the last push")?;
    at.map(|t| parse_ts("pushed_at", &t)).transpose()
}

/// Rows of the ledger and of the outbox: both only grow, so equal counts before and after
/// mean nothing was recorded in between.
pub fn journal_len(conn: &Connection) -> Result<(u64, u64)> {
    conn.query_row(
        "SELECT (SELECT count(*) FROM ledger), (SELECT count(*) FROM outbox)",
        [],
        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
    )
    .map(|(l, o)| (u64::try_from(l).unwrap_or(0), u64::try_from(o).unwrap_or(0)))
    .ctx("count the ledger and the outbox")
}
