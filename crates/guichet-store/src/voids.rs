//! Voids (with refund), reissues and reprints. Voids and reissues revoke ticket ids so gates
//! refuse them; a reprint changes nothing but the ledger.

use std::collections::BTreeMap;

use guichet_domain::{Money, PriceCategory, SessionCode};
use guichet_wire::sync::{ReissuePayload, SaleTicket, VoidPayload};
use jiff::Timestamp;
use rusqlite::{params, Connection};

use crate::error::{Context, Result};
use crate::journal::{append_ledger, enqueue, LedgerEntry, OutboxEvent};
use crate::sales::{insert_payment, insert_ticket, NewPayment, NewTicket, StoredOrder};
use crate::stock::give_back;
use crate::values::ts;

/// Everything a void or refund writes.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NewVoid {
    /// Void id (UUIDv7).
    pub id: String,
    /// The tickets cancelled; all valid tickets of the order make a void, fewer a refund.
    pub ticket_ids: Vec<String>,
    /// Outbox idempotency key (UUIDv7).
    pub idempotency_key: String,
    /// The order, as read in the same transaction; must be `sold`.
    pub order_id: String,
    /// Shift in which the money goes back.
    pub shift_id: String,
    /// Who asked.
    pub operator_id: String,
    /// Who approved with their PIN.
    pub supervisor_id: String,
    /// Why.
    pub reason: String,
    /// Device time.
    pub at: Timestamp,
    /// Money paid back (one row per method).
    pub refunds: Vec<NewPayment>,
}

fn revoke(conn: &Connection, ticket_id: &str, reason: &str, at: Timestamp) -> Result<()> {
    conn.prepare_cached("INSERT INTO revocation (ticket_id, reason, at) VALUES (?1, ?2, ?3)")
        .and_then(|mut s| s.execute(params![ticket_id, reason, ts(at)]))
        .ctx("revoke ticket")?;
    Ok(())
}

/// Writes a void or refund of tickets of `order` (read in the same transaction): tickets void
/// and revoked, seats returned, refunds, ledger, outbox; the order is voided when no valid
/// ticket is left. Every id in `v.ticket_ids` must be a valid ticket of the order.
pub fn record_void(conn: &Connection, order: &StoredOrder, v: &NewVoid) -> Result<()> {
    let refund: Money = v.refunds.iter().map(|p| p.amount).sum();
    let valid = order.tickets.iter().filter(|t| t.status == "valid").count();
    let whole = v.ticket_ids.len() == valid;
    let action = if whole { "void" } else { "refund" };
    conn.execute(
        "INSERT INTO void (id, kind, order_id, shift_id, operator_id, supervisor_id, reason,
           refund_cents, at) VALUES (?1, ?9, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            v.id,
            v.order_id,
            v.shift_id,
            v.operator_id,
            v.supervisor_id,
            v.reason,
            refund.cents(),
            ts(v.at),
            action
        ],
    )
    .ctx("store void")?;
    if whole {
        conn.execute(
            "UPDATE sale_order SET status = 'voided' WHERE id = ?1",
            [&v.order_id],
        )
        .ctx("mark order voided")?;
    }
    let mut seats: BTreeMap<(SessionCode, PriceCategory), u32> = BTreeMap::new();
    let mut revoked = Vec::new();
    let chosen = |id: &String| v.ticket_ids.contains(id);
    for t in order
        .tickets
        .iter()
        .filter(|t| t.status == "valid" && chosen(&t.id))
    {
        conn.execute("UPDATE ticket SET status = 'void' WHERE id = ?1", [&t.id])
            .ctx("void ticket")?;
        revoke(conn, &t.id, "void", v.at)?;
        revoked.push(t.id.clone());
        *seats.entry((t.session.clone(), t.category)).or_default() += 1;
    }
    for ((session, category), n) in &seats {
        give_back(conn, order.offline, session, *category, *n)?;
    }
    forget_held(conn, order, &seats)?;
    for p in &v.refunds {
        insert_payment(conn, &v.order_id, &v.shift_id, "refund", p, v.at)?;
    }
    append_ledger(
        conn,
        &LedgerEntry {
            at: v.at,
            operator_id: Some(&v.operator_id),
            action,
            subject_id: Some(&v.order_id),
            amount: Some(Money::ZERO - refund),
            data: serde_json::json!({
                "supervisor": v.supervisor_id, "reason": v.reason, "revoked": revoked,
            }),
        },
    )?;
    enqueue(
        conn,
        &OutboxEvent {
            idempotency_key: &v.idempotency_key,
            kind: action,
            payload: serde_json::to_value(VoidPayload {
                order_id: v.order_id.clone(),
                ticket_ids: revoked,
            })
            .unwrap_or_default(),
            created_at: v.at,
            offline: order.offline,
        },
    )?;
    Ok(())
}

/// Takes voided tickets off the fan's server count kept on the desk (`account_held`) when the
/// server already counts them (the order is acknowledged): the fan may buy again at once,
/// offline too, instead of after the void has gone to the server and come back. Tickets of an
/// unacknowledged order are counted from the ticket table, where they are void now.
fn forget_held(
    conn: &Connection,
    order: &StoredOrder,
    seats: &BTreeMap<(SessionCode, PriceCategory), u32>,
) -> Result<()> {
    let acknowledged: bool = conn
        .query_row(
            "SELECT acknowledged FROM sale_order WHERE id = ?1",
            [&order.id],
            |r| r.get(0),
        )
        .ctx("read order acknowledgement")?;
    if !acknowledged {
        return Ok(());
    }
    let mut per_session: BTreeMap<&SessionCode, u32> = BTreeMap::new();
    for ((session, _), n) in seats {
        *per_session.entry(session).or_default() += n;
    }
    for (session, n) in per_session {
        conn.execute(
            "UPDATE account_held SET quantity = max(quantity - ?3, 0)
             WHERE account_id = ?1 AND session_code = ?2",
            params![order.account_id, session.as_str(), n],
        )
        .ctx("take voided tickets off the held count")?;
    }
    Ok(())
}

/// A reissue: the old ticket is revoked and a newly signed one takes its place.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NewReissue {
    /// Outbox idempotency key.
    pub idempotency_key: String,
    /// The order.
    pub order_id: String,
    /// The ticket replaced.
    pub old_ticket_id: String,
    /// The new ticket (new id, new signature).
    pub ticket: NewTicket,
    /// Who asked.
    pub operator_id: String,
    /// Who approved.
    pub supervisor_id: String,
    /// Device time.
    pub at: Timestamp,
}

/// Writes a reissue.
pub fn record_reissue(conn: &Connection, r: &NewReissue) -> Result<()> {
    conn.execute(
        "UPDATE ticket SET status = 'reissued' WHERE id = ?1",
        [&r.old_ticket_id],
    )
    .ctx("retire ticket")?;
    revoke(conn, &r.old_ticket_id, "reissue", r.at)?;
    insert_ticket(conn, &r.order_id, &r.ticket, Some(&r.old_ticket_id), r.at)?;
    append_ledger(
        conn,
        &LedgerEntry {
            at: r.at,
            operator_id: Some(&r.operator_id),
            action: "reissue",
            subject_id: Some(&r.order_id),
            amount: None,
            data: serde_json::json!({
                "old": r.old_ticket_id, "new": r.ticket.id, "supervisor": r.supervisor_id,
            }),
        },
    )?;
    enqueue(
        conn,
        &OutboxEvent {
            idempotency_key: &r.idempotency_key,
            kind: "reissue",
            payload: serde_json::to_value(ReissuePayload {
                order_id: r.order_id.clone(),
                old_ticket_id: r.old_ticket_id.clone(),
                ticket: SaleTicket {
                    id: r.ticket.id.clone(),
                    session: r.ticket.session.to_string(),
                    category: crate::values::category_str(r.ticket.category),
                    price: r.ticket.price.cents(),
                },
            })
            .unwrap_or_default(),
            created_at: r.at,
            offline: true,
        },
    )?;
    Ok(())
}

/// Ids of every revoked ticket.
pub fn revoked_ticket_ids(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn
        .prepare("SELECT ticket_id FROM revocation ORDER BY ticket_id")
        .ctx("read revocations")?;
    let ids = stmt
        .query_map([], |r| r.get(0))
        .ctx("read revocations")?
        .collect::<rusqlite::Result<Vec<String>>>()
        .ctx("read revocations")?;
    Ok(ids)
}
