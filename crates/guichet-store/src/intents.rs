//! A kiosk's payment intents (schema 4): one row per card payment, written before the
//! terminal is asked, moved one committed step at a time. Each move names the state it comes
//! from, so two movers (a sale and a reconciliation) can never both take the same step.

use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Context, Error, Result};
use crate::values::{parse_ts, ts};

/// Where an intent stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IntentState {
    /// Written; the terminal may be asking for the card.
    Created,
    /// The terminal authorised the amount (not yet captured).
    Authorised,
    /// The tickets went to the printer.
    Printed,
    /// The money is taken: the sale is complete.
    Captured,
    /// The card was declined.
    Declined,
    /// Nothing was charged: the fan cancelled, the terminal timed out, or the seats could not
    /// be held.
    Cancelled,
    /// Authorised, then undone (printing failed, the seats were gone).
    Reversed,
}

impl IntentState {
    /// Stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            IntentState::Created => "created",
            IntentState::Authorised => "authorised",
            IntentState::Printed => "printed",
            IntentState::Captured => "captured",
            IntentState::Declined => "declined",
            IntentState::Cancelled => "cancelled",
            IntentState::Reversed => "reversed",
        }
    }

    fn parse(s: &str) -> Result<IntentState> {
        Ok(match s {
            "created" => IntentState::Created,
            "authorised" => IntentState::Authorised,
            "printed" => IntentState::Printed,
            "captured" => IntentState::Captured,
            "declined" => IntentState::Declined,
            "cancelled" => IntentState::Cancelled,
            "reversed" => IntentState::Reversed,
            _ => {
                return Err(Error::BadStoredValue {
                    what: "intent state",
                    value: s.to_string(),
                })
            }
        })
    }

    /// Whether the intent still needs settling (after a crash: by reconciliation).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            IntentState::Created | IntentState::Authorised | IntentState::Printed
        )
    }
}

/// A payment intent as stored. `lines` and `tickets` are JSON the kiosk writes and reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    /// Request id (UUIDv7), made before anything else; the terminal, the hold and the order
    /// all know the payment by it.
    pub request_id: String,
    /// State.
    pub state: IntentState,
    /// Buyer.
    pub account_id: String,
    /// `pack` or `single`.
    pub kind: String,
    /// The draft order's lines (JSON).
    pub lines: String,
    /// Name printed on the tickets.
    pub holder_name: String,
    /// Amount to charge, in cents.
    pub amount_cents: i64,
    /// Held at the server (`online`) or from this device's allotment (`offline`).
    pub online: bool,
    /// The server's hold, once made.
    pub hold_id: Option<String>,
    /// The terminal's authorisation code.
    pub auth_code: Option<String>,
    /// The order, once the server (or the kiosk, offline) made it.
    pub order_id: Option<String>,
    /// The phase the order was sold in.
    pub phase: Option<String>,
    /// The signed tickets (JSON), once made.
    pub tickets: Option<String>,
    /// Key of the void pushed to undo the server's order.
    pub void_key: Option<String>,
    /// Why it failed, for failures.
    pub reason: Option<String>,
    /// Device time it was written.
    pub created_at: Timestamp,
}

const COLUMNS: &str = "request_id, state, account_id, kind, lines, holder_name, amount_cents, mode,
    hold_id, auth_code, order_id, phase, tickets, void_key, reason, created_at";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Intent, String, String)> {
    Ok((
        Intent {
            request_id: r.get(0)?,
            state: IntentState::Created,
            account_id: r.get(2)?,
            kind: r.get(3)?,
            lines: r.get(4)?,
            holder_name: r.get(5)?,
            amount_cents: r.get(6)?,
            online: r.get::<_, String>(7)? == "online",
            hold_id: r.get(8)?,
            auth_code: r.get(9)?,
            order_id: r.get(10)?,
            phase: r.get(11)?,
            tickets: r.get(12)?,
            void_key: r.get(13)?,
            reason: r.get(14)?,
            created_at: Timestamp::UNIX_EPOCH,
        },
        r.get(1)?,
        r.get(15)?,
    ))
}

fn finish((mut i, state, at): (Intent, String, String)) -> Result<Intent> {
    i.state = IntentState::parse(&state)?;
    i.created_at = parse_ts("intent time", &at)?;
    Ok(i)
}

/// Writes a new intent in state `created`.
pub fn insert_intent(conn: &Connection, i: &Intent) -> Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO payment_intent ({COLUMNS}, updated_at)
         VALUES (?1, 'created', ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, NULL, NULL, NULL, NULL, NULL, ?9, ?9)"
    ))
    .and_then(|mut s| {
        s.execute(params![
            i.request_id,
            i.account_id,
            i.kind,
            i.lines,
            i.holder_name,
            i.amount_cents,
            if i.online { "online" } else { "offline" },
            i.hold_id,
            ts(i.created_at)
        ])
    })
    .ctx("write payment intent")?;
    Ok(())
}

/// One intent.
pub fn intent(conn: &Connection, request_id: &str) -> Result<Option<Intent>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM payment_intent WHERE request_id = ?1"
    ))
    .and_then(|mut s| s.query_row([request_id], from_row).optional())
    .ctx("read payment intent")?
    .map(finish)
    .transpose()
}

/// Every intent still open (created, authorised, printed), oldest first.
pub fn open_intents(conn: &Connection) -> Result<Vec<Intent>> {
    let rows = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM payment_intent
             WHERE state IN ('created', 'authorised', 'printed') ORDER BY created_at, request_id"
        ))
        .and_then(|mut s| {
            s.query_map([], from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .ctx("read open payment intents")?;
    rows.into_iter().map(finish).collect()
}

/// When the last sale completed (the latest capture, device time), if the kiosk ever sold.
pub fn last_captured_at(conn: &Connection) -> Result<Option<Timestamp>> {
    let at: Option<String> = conn
        .prepare_cached(
            "SELECT updated_at FROM payment_intent WHERE state = 'captured'
             ORDER BY updated_at DESC LIMIT 1",
        )
        .and_then(|mut s| s.query_row([], |r| r.get(0)).optional())
        .ctx("read the last captured intent")?;
    at.map(|a| parse_ts("intent time", &a)).transpose()
}

/// Every intent, oldest first (reports and tests).
pub fn all_intents(conn: &Connection) -> Result<Vec<Intent>> {
    let rows = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM payment_intent ORDER BY created_at, request_id"
        ))
        .and_then(|mut s| {
            s.query_map([], from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .ctx("read payment intents")?;
    rows.into_iter().map(finish).collect()
}

/// What a step records beside the new state (fields left `None` keep their value).
#[derive(Debug, Clone, Default)]
pub struct IntentUpdate<'a> {
    /// The server's hold.
    pub hold_id: Option<&'a str>,
    /// The authorisation code.
    pub auth_code: Option<&'a str>,
    /// The order.
    pub order_id: Option<&'a str>,
    /// Its phase.
    pub phase: Option<&'a str>,
    /// The signed tickets (JSON).
    pub tickets: Option<&'a str>,
    /// The void's key.
    pub void_key: Option<&'a str>,
    /// Why it failed.
    pub reason: Option<&'a str>,
}

/// Moves an intent from `from` to `to` with `u`'s fields, at `at`. Returns false (and
/// changes nothing) when it is not in `from` any more: someone else took the step.
pub fn move_intent(
    conn: &Connection,
    request_id: &str,
    from: IntentState,
    to: IntentState,
    u: &IntentUpdate<'_>,
    at: Timestamp,
) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE payment_intent SET state = ?3,
               hold_id = COALESCE(?4, hold_id), auth_code = COALESCE(?5, auth_code),
               order_id = COALESCE(?6, order_id), phase = COALESCE(?7, phase),
               tickets = COALESCE(?8, tickets), void_key = COALESCE(?9, void_key),
               reason = COALESCE(?10, reason), updated_at = ?11
             WHERE request_id = ?1 AND state = ?2",
        )
        .and_then(|mut s| {
            s.execute(params![
                request_id,
                from.as_str(),
                to.as_str(),
                u.hold_id,
                u.auth_code,
                u.order_id,
                u.phase,
                u.tickets,
                u.void_key,
                u.reason,
                ts(at)
            ])
        })
        .ctx("move payment intent")?;
    Ok(n == 1)
}
