//! Shifts (a till session): opened with a cash float, closed with a count; the Z report sums
//! what happened in between from the payment and void rows.

use guichet_domain::Money;
use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Context, Result};
use crate::values::{parse_ts, ts};

/// A shift.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Shift {
    /// UUIDv7.
    pub id: String,
    /// Who opened it.
    pub operator_id: String,
    /// When.
    pub opened_at: Timestamp,
    /// Cash in the drawer at opening.
    pub float: Money,
    /// When it was closed.
    pub closed_at: Option<Timestamp>,
    /// Who closed it.
    pub closed_by: Option<String>,
    /// Cash counted at closing.
    pub counted: Option<Money>,
}

/// Inserts an open shift. The schema allows one open shift at a time.
pub fn insert_shift(conn: &Connection, s: &Shift) -> Result<()> {
    conn.execute(
        "INSERT INTO shift (id, operator_id, opened_at, float_cents) VALUES (?1, ?2, ?3, ?4)",
        params![s.id, s.operator_id, ts(s.opened_at), s.float.cents()],
    )
    .ctx("open shift")?;
    Ok(())
}

fn shift_where(conn: &Connection, filter: &str, arg: &str) -> Result<Option<Shift>> {
    let sql = format!(
        "SELECT id, operator_id, opened_at, float_cents, closed_at, closed_by, counted_cents
         FROM shift WHERE {filter}"
    );
    let row = conn
        .query_row(&sql, [arg], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<i64>>(6)?,
            ))
        })
        .optional()
        .ctx("read shift")?;
    let Some((id, operator_id, opened_at, float, closed_at, closed_by, counted)) = row else {
        return Ok(None);
    };
    Ok(Some(Shift {
        id,
        operator_id,
        opened_at: parse_ts("shift opened_at", &opened_at)?,
        float: Money::from_cents(float),
        closed_at: closed_at
            .map(|s| parse_ts("shift closed_at", &s))
            .transpose()?,
        closed_by,
        counted: counted.map(Money::from_cents),
    }))
}

/// The open shift, if any.
pub fn open_shift(conn: &Connection) -> Result<Option<Shift>> {
    shift_where(conn, "closed_at IS NULL AND ?1 = ?1", "")
}

/// A shift by id.
pub fn shift(conn: &Connection, id: &str) -> Result<Option<Shift>> {
    shift_where(conn, "id = ?1", id)
}

/// Closes a shift with the cash counted.
pub fn close_shift(
    conn: &Connection,
    id: &str,
    closed_by: &str,
    at: Timestamp,
    counted: Money,
) -> Result<()> {
    conn.execute(
        "UPDATE shift SET closed_at = ?2, closed_by = ?3, counted_cents = ?4
         WHERE id = ?1 AND closed_at IS NULL",
        params![id, ts(at), closed_by, counted.cents()],
    )
    .ctx("close shift")?;
    Ok(())
}

/// The closing report of a shift.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ZReport {
    /// The shift.
    pub shift: Shift,
    /// Orders sold in the shift (including those voided later).
    pub orders: u32,
    /// Tickets issued by those orders.
    pub tickets: u32,
    /// Cash taken (net of change given).
    pub cash_in: Money,
    /// Card payments.
    pub card_in: Money,
    /// Cash paid back on voids.
    pub cash_refunded: Money,
    /// Card refunds.
    pub card_refunded: Money,
    /// Voids in the shift.
    pub voids: u32,
    /// Total refunded by those voids.
    pub voided_amount: Money,
    /// Float + cash in − cash refunded.
    pub expected_cash: Money,
    /// Cash counted at closing.
    pub counted_cash: Option<Money>,
    /// Counted − expected (negative: cash missing).
    pub difference: Option<Money>,
}

/// Builds the Z report of a shift from its rows.
pub fn z_report(conn: &Connection, shift_id: &str) -> Result<Option<ZReport>> {
    let Some(shift) = shift(conn, shift_id)? else {
        return Ok(None);
    };
    let sum = |direction: &str, method: &str| -> Result<Money> {
        conn.query_row(
            "SELECT coalesce(sum(amount_cents), 0) FROM payment
             WHERE shift_id = ?1 AND direction = ?2 AND method = ?3",
            params![shift_id, direction, method],
            |r| r.get::<_, i64>(0),
        )
        .map(Money::from_cents)
        .ctx("sum payments")
    };
    let (orders, tickets): (u32, u32) = conn
        .query_row(
            "SELECT count(DISTINCT o.id), count(t.id) FROM sale_order o
             LEFT JOIN ticket t ON t.order_id = o.id AND t.replaces_ticket_id IS NULL
             WHERE o.shift_id = ?1",
            [shift_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .ctx("count orders")?;
    let (voids, voided): (u32, i64) = conn
        .query_row(
            "SELECT count(*), coalesce(sum(refund_cents), 0) FROM void WHERE shift_id = ?1",
            [shift_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .ctx("count voids")?;
    let cash_in = sum("in", "cash")?;
    let cash_refunded = sum("refund", "cash")?;
    let expected_cash = shift.float + cash_in - cash_refunded;
    let counted_cash = shift.counted;
    Ok(Some(ZReport {
        orders,
        tickets,
        cash_in,
        card_in: sum("in", "card")?,
        cash_refunded,
        card_refunded: sum("refund", "card")?,
        voids,
        voided_amount: Money::from_cents(voided),
        expected_cash,
        counted_cash,
        difference: counted_cash.map(|c| c - expected_cash),
        shift,
    }))
}
