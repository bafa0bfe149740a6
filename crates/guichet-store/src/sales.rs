//! A sale is one transaction: order, tickets, payments, allotment taken (offline), a ledger row
//! and an outbox event. Either all of it is in the file or none of it is.

use std::collections::BTreeMap;

use guichet_domain::{AccountId, Games, Money, PriceCategory, SessionCode};
use guichet_wire::sync::{SalePayload, SaleTicket};
use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Context, Error, Result};
use crate::journal::{append_ledger, enqueue, LedgerEntry, OutboxEvent};
use crate::stock::take_allotment;
use crate::values::{
    category_str, games_str, parse_category, parse_games, parse_session, parse_ts, ts,
};

/// Pack or single tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SaleKind {
    /// "Make Your Games" pack: three sessions.
    Pack,
    /// Single tickets.
    Single,
}

impl SaleKind {
    fn as_str(self) -> &'static str {
        match self {
            SaleKind::Pack => "pack",
            SaleKind::Single => "single",
        }
    }
}

/// How a payment was made.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase", tag = "method")]
pub enum PaymentMethod {
    /// Cash: what the customer handed over and the change given back.
    Cash {
        /// Amount tendered (≥ the payment's amount).
        tendered: Money,
        /// Change due (tendered − amount, never negative).
        change: Money,
    },
    /// Card, through the external terminal.
    Card {
        /// The terminal's transaction reference.
        reference: String,
    },
}

/// One payment (or refund) row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NewPayment {
    /// UUIDv7.
    pub id: String,
    /// Amount applied to the order (> 0).
    pub amount: Money,
    /// Method.
    pub method: PaymentMethod,
}

/// One ticket of a sale, already signed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NewTicket {
    /// UUIDv7 ticket id (also inside the signed payload).
    pub id: String,
    /// Session.
    pub session: SessionCode,
    /// Category.
    pub category: PriceCategory,
    /// Price.
    pub price: Money,
    /// Holder's name printed on the ticket.
    pub holder_name: String,
    /// The signed QR text.
    pub qr_payload: String,
    /// Id of the key that signed it.
    pub key_id: String,
}

/// Everything a sale writes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NewSale {
    /// Order id (UUIDv7).
    pub order_id: String,
    /// Outbox idempotency key (UUIDv7).
    pub idempotency_key: String,
    /// Buyer.
    pub account_id: AccountId,
    /// Who sold it.
    pub operator_id: String,
    /// Till session.
    pub shift_id: String,
    /// Pack or single.
    pub kind: SaleKind,
    /// Games.
    pub games: Games,
    /// Sale phase at the time of sale.
    pub phase: String,
    /// Total.
    pub total: Money,
    /// Device time.
    pub sold_at: Timestamp,
    /// Sold from this desk's allotment, without the server.
    pub offline: bool,
    /// Tickets.
    pub tickets: Vec<NewTicket>,
    /// Payments; their amounts add up to the total.
    pub payments: Vec<NewPayment>,
}

pub(crate) fn insert_payment(
    conn: &Connection,
    order_id: &str,
    shift_id: &str,
    direction: &str,
    p: &NewPayment,
    at: Timestamp,
) -> Result<()> {
    let (method, tendered, change, reference) = match &p.method {
        PaymentMethod::Cash { tendered, change } => {
            ("cash", Some(tendered.cents()), Some(change.cents()), None)
        }
        PaymentMethod::Card { reference } => ("card", None, None, Some(reference.as_str())),
    };
    conn.prepare_cached(
        "INSERT INTO payment (id, order_id, shift_id, direction, method, amount_cents,
           tendered_cents, change_cents, card_reference, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )
    .and_then(|mut s| {
        s.execute(params![
            p.id,
            order_id,
            shift_id,
            direction,
            method,
            p.amount.cents(),
            tendered,
            change,
            reference,
            ts(at)
        ])
    })
    .ctx("store payment")?;
    Ok(())
}

pub(crate) fn insert_ticket(
    conn: &Connection,
    order_id: &str,
    t: &NewTicket,
    replaces: Option<&str>,
    at: Timestamp,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO ticket (id, order_id, session_code, category, price_cents, holder_name,
           status, qr_payload, key_id, replaces_ticket_id, issued_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'valid', ?7, ?8, ?9, ?10)",
    )
    .and_then(|mut s| {
        s.execute(params![
            t.id,
            order_id,
            t.session.as_str(),
            category_str(t.category),
            t.price.cents(),
            t.holder_name,
            t.qr_payload,
            t.key_id,
            replaces,
            ts(at)
        ])
    })
    .ctx("store ticket")?;
    Ok(())
}

/// Writes a whole sale. Call inside [`crate::Store::write`] so it is one transaction.
pub fn record_sale(conn: &Connection, s: &NewSale) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sale_order (id, account_id, operator_id, shift_id, kind, games, phase,
           total_cents, sold_at, offline, status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'sold')",
    )
    .and_then(|mut st| {
        st.execute(params![
            s.order_id,
            s.account_id.as_str(),
            s.operator_id,
            s.shift_id,
            s.kind.as_str(),
            games_str(s.games),
            s.phase,
            s.total.cents(),
            ts(s.sold_at),
            s.offline
        ])
    })
    .ctx("store order")?;
    let mut per_stock: BTreeMap<(SessionCode, PriceCategory), u32> = BTreeMap::new();
    for t in &s.tickets {
        insert_ticket(conn, &s.order_id, t, None, s.sold_at)?;
        *per_stock
            .entry((t.session.clone(), t.category))
            .or_default() += 1;
    }
    if s.offline {
        for ((session, category), n) in &per_stock {
            take_allotment(conn, session, *category, *n)?;
        }
    }
    for p in &s.payments {
        insert_payment(conn, &s.order_id, &s.shift_id, "in", p, s.sold_at)?;
    }
    append_ledger(
        conn,
        &LedgerEntry {
            at: s.sold_at,
            operator_id: Some(&s.operator_id),
            action: "sale",
            subject_id: Some(&s.order_id),
            amount: Some(s.total),
            data: serde_json::json!({
                "account": s.account_id, "tickets": s.tickets.len(), "offline": s.offline,
                "idempotency_key": s.idempotency_key,
            }),
        },
    )?;
    enqueue(
        conn,
        &OutboxEvent {
            idempotency_key: &s.idempotency_key,
            kind: "sale",
            payload: serde_json::to_value(sale_payload(s)).unwrap_or_default(),
            created_at: s.sold_at,
            offline: s.offline,
        },
    )?;
    Ok(())
}

/// The sale as the server's `/v1/sync/push` reads it: the wire crate is the contract, so the
/// desk enqueues exactly [`SalePayload`] (payments and holder names stay on the desk).
pub fn sale_payload(s: &NewSale) -> SalePayload {
    SalePayload {
        order_id: s.order_id.clone(),
        account_id: s.account_id.to_string(),
        kind: s.kind.as_str().to_string(),
        phase: s.phase.clone(),
        sold_at: ts(s.sold_at),
        offline: s.offline,
        tickets: s
            .tickets
            .iter()
            .map(|t| SaleTicket {
                id: t.id.clone(),
                session: t.session.to_string(),
                category: category_str(t.category),
                price: t.price.cents(),
            })
            .collect(),
    }
}

/// A ticket as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredTicket {
    /// Id.
    pub id: String,
    /// Session.
    pub session: SessionCode,
    /// Category.
    pub category: PriceCategory,
    /// Price.
    pub price: Money,
    /// Holder.
    pub holder_name: String,
    /// `valid`, `void` or `reissued`.
    pub status: String,
    /// Signed QR text.
    pub qr_payload: String,
    /// Signing key id.
    pub key_id: String,
    /// The ticket this one replaced (reissue).
    pub replaces: Option<String>,
}

/// An order as stored, with its tickets and payments.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredOrder {
    /// Id.
    pub id: String,
    /// Buyer.
    pub account_id: String,
    /// Seller.
    pub operator_id: String,
    /// Shift.
    pub shift_id: String,
    /// Games.
    pub games: Games,
    /// Total.
    pub total: Money,
    /// Device time of sale.
    pub sold_at: Timestamp,
    /// Sold offline.
    pub offline: bool,
    /// `sold` or `voided`.
    pub status: String,
    /// Tickets, in issue order.
    pub tickets: Vec<StoredTicket>,
    /// Money received.
    pub payments: Vec<StoredPayment>,
}

/// A payment received for an order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredPayment {
    /// `cash` or `card`.
    pub method: String,
    /// Amount applied to the order.
    pub amount: Money,
    /// The terminal's reference, for a card.
    pub card_reference: Option<String>,
}

/// Reads an order with its tickets and incoming payments.
pub fn order(conn: &Connection, id: &str) -> Result<Option<StoredOrder>> {
    let head = conn
        .query_row(
            "SELECT id, account_id, operator_id, shift_id, games, total_cents, sold_at, offline,
                    status FROM sale_order WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, bool>(7)?,
                    r.get::<_, String>(8)?,
                ))
            },
        )
        .optional()
        .ctx("read order")?;
    let Some((id, account_id, operator_id, shift_id, games, total, sold_at, offline, status)) =
        head
    else {
        return Ok(None);
    };
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, session_code, category, price_cents, holder_name, status, qr_payload,
                    key_id, replaces_ticket_id FROM ticket WHERE order_id = ?1 ORDER BY rowid",
        )
        .ctx("read tickets")?;
    let raw = stmt
        .query_map([&id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, Option<String>>(8)?,
            ))
        })
        .ctx("read tickets")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .ctx("read tickets")?;
    let mut tickets = Vec::new();
    for (tid, s, c, price, holder_name, tstatus, qr_payload, key_id, replaces) in raw {
        tickets.push(StoredTicket {
            id: tid,
            session: parse_session(&s)?,
            category: parse_category(&c)?,
            price: Money::from_cents(price),
            holder_name,
            status: tstatus,
            qr_payload,
            key_id,
            replaces,
        });
    }
    let mut stmt = conn
        .prepare_cached(
            "SELECT method, amount_cents, card_reference FROM payment
             WHERE order_id = ?1 AND direction = 'in' ORDER BY rowid",
        )
        .ctx("read payments")?;
    let payments = stmt
        .query_map([&id], |r| {
            Ok(StoredPayment {
                method: r.get(0)?,
                amount: Money::from_cents(r.get(1)?),
                card_reference: r.get(2)?,
            })
        })
        .ctx("read payments")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .ctx("read payments")?;
    Ok(Some(StoredOrder {
        id,
        account_id,
        operator_id,
        shift_id,
        games: parse_games(&games)?,
        total: Money::from_cents(total),
        sold_at: parse_ts("sold_at", &sold_at)?,
        offline,
        status,
        tickets,
        payments,
    }))
}

/// Ids of every order, oldest first.
pub fn order_ids(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn
        .prepare("SELECT id FROM sale_order ORDER BY rowid")
        .ctx("list orders")?;
    let ids = stmt
        .query_map([], |r| r.get(0))
        .ctx("list orders")?
        .collect::<rusqlite::Result<Vec<String>>>()
        .ctx("list orders")?;
    Ok(ids)
}

/// The order a ticket belongs to.
pub fn order_of_ticket(conn: &Connection, ticket_id: &str) -> Result<String> {
    conn.query_row(
        "SELECT order_id FROM ticket WHERE id = ?1",
        [ticket_id],
        |r| r.get(0),
    )
    .optional()
    .ctx("find ticket")?
    .ok_or_else(|| Error::NotFound {
        what: "ticket",
        id: ticket_id.to_string(),
    })
}

/// Money of an order already paid back, per method: (cash, card).
pub fn refunded(conn: &Connection, order_id: &str) -> Result<(Money, Money)> {
    conn.query_row(
        "SELECT coalesce(sum(CASE WHEN method = 'cash' THEN amount_cents END), 0),
                coalesce(sum(CASE WHEN method = 'card' THEN amount_cents END), 0)
         FROM payment WHERE order_id = ?1 AND direction = 'refund'",
        [order_id],
        |r| Ok((Money::from_cents(r.get(0)?), Money::from_cents(r.get(1)?))),
    )
    .ctx("sum refunds")
}

/// The newest `limit` orders of an account at this desk, newest first (the account screen).
pub fn order_ids_of_account(
    conn: &Connection,
    account: &AccountId,
    limit: u32,
) -> Result<Vec<String>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id FROM sale_order WHERE account_id = ?1 ORDER BY sold_at DESC, rowid DESC LIMIT ?2",
        )
        .ctx("list an account's orders")?;
    let ids = stmt
        .query_map(params![account.as_str(), limit], |r| r.get(0))
        .ctx("list an account's orders")?
        .collect::<rusqlite::Result<Vec<String>>>()
        .ctx("list an account's orders")?;
    Ok(ids)
}

/// A valid ticket sold in a shift: when its order was sold, its session, its price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftTicket {
    /// When the order was sold (device time).
    pub sold_at: Timestamp,
    /// The session as stored.
    pub session: String,
    /// Its price.
    pub price: Money,
}

/// The valid tickets of the orders sold in `shift_id` (the shift dashboard).
pub fn shift_tickets(conn: &Connection, shift_id: &str) -> Result<Vec<ShiftTicket>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT o.sold_at, t.session_code, t.price_cents FROM ticket t
             JOIN sale_order o ON o.id = t.order_id
             WHERE o.shift_id = ?1 AND t.status = 'valid' ORDER BY o.sold_at, t.rowid",
        )
        .ctx("list a shift's tickets")?;
    let rows = stmt
        .query_map(params![shift_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })
        .ctx("list a shift's tickets")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .ctx("list a shift's tickets")?;
    rows.into_iter()
        .map(|(at, session, cents)| {
            Ok(ShiftTicket {
                sold_at: parse_ts("sold_at", &at)?,
                session,
                price: Money::from_cents(cents),
            })
        })
        .collect()
}
