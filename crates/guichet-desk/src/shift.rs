//! Shifts: open with a cash float, close with a count; the Z report compares expected and
//! counted cash.

use guichet_domain::Money;
use guichet_store::journal::{append_ledger, enqueue, LedgerEntry, OutboxEvent};
use guichet_store::new_id;
use guichet_store::shifts::{close_shift, insert_shift, open_shift, z_report, Shift, ZReport};

use crate::desk::Desk;
use crate::error::{Error, Result};

impl Desk {
    /// Opens a shift with the cash float in the drawer.
    pub fn open_shift(&mut self, float: Money) -> Result<Shift> {
        let op = self.signed_in()?;
        if float < Money::ZERO {
            return Err(Error::NegativeAmount {
                what: "cash float",
                amount: float,
            });
        }
        if let Some(s) = open_shift(self.store.reader())? {
            return Err(Error::ShiftAlreadyOpen {
                by: s.operator_id,
                since: self.paris(s.opened_at),
            });
        }
        let now = self.now();
        let shift = Shift {
            id: new_id(now),
            operator_id: op.id.clone(),
            opened_at: now,
            float,
            closed_at: None,
            closed_by: None,
            counted: None,
        };
        self.store.write(|tx| {
            insert_shift(tx, &shift)?;
            append_ledger(
                tx,
                &LedgerEntry {
                    at: now,
                    operator_id: Some(&op.id),
                    action: "shift_open",
                    subject_id: Some(&shift.id),
                    amount: Some(float),
                    data: serde_json::json!({}),
                },
            )
        })?;
        Ok(shift)
    }

    /// The Z report of the open shift so far (an X report).
    pub fn shift_report(&self) -> Result<ZReport> {
        self.signed_in()?;
        let s = open_shift(self.store.reader())?.ok_or(Error::NoOpenShift)?;
        z_report(self.store.reader(), &s.id)?.ok_or(Error::NoOpenShift)
    }

    /// Closes the open shift with the cash counted; returns the Z report.
    pub fn close_shift(&mut self, counted: Money) -> Result<ZReport> {
        let op = self.signed_in()?;
        if counted < Money::ZERO {
            return Err(Error::NegativeAmount {
                what: "cash counted",
                amount: counted,
            });
        }
        let s = open_shift(self.store.reader())?.ok_or(Error::NoOpenShift)?;
        let now = self.now();
        let key = new_id(now);
        let report = self.store.write(|tx| {
            close_shift(tx, &s.id, &op.id, now, counted)?;
            let report = z_report(tx, &s.id)?.ok_or(Error::NoOpenShift)?;
            append_ledger(
                tx,
                &LedgerEntry {
                    at: now,
                    operator_id: Some(&op.id),
                    action: "shift_close",
                    subject_id: Some(&s.id),
                    amount: report.difference,
                    data: serde_json::json!({ "counted": counted, "expected": report.expected_cash }),
                },
            )?;
            enqueue(
                tx,
                &OutboxEvent {
                    idempotency_key: &key,
                    kind: "shift_closed",
                    payload: serde_json::to_value(&report).unwrap_or_default(),
                    created_at: now,
                    offline: true,
                },
            )?;
            Ok::<_, Error>(report)
        })?;
        Ok(report)
    }
}

/// The Z report as a one-page PDF, times in Paris time.
pub fn z_report_pdf(r: &ZReport, paris: impl Fn(jiff::Timestamp) -> String) -> Vec<u8> {
    let mut lines: Vec<String> = z_report_text(r)
        .lines()
        .skip(1)
        .map(str::to_string)
        .collect();
    lines.insert(
        1,
        format!("Paris time: opened {}", paris(r.shift.opened_at)),
    );
    if let Some(closed) = r.shift.closed_at {
        lines.insert(2, format!("Paris time: closed {}", paris(closed)));
    }
    crate::pdf::text_page(&format!("Z report — shift {}", r.shift.id), &lines)
}

/// The Z report as plain text.
pub fn z_report_text(r: &ZReport) -> String {
    let diff = r.difference.map_or("—".to_string(), |d| d.to_string());
    let counted = r.counted_cash.map_or("—".to_string(), |d| d.to_string());
    format!(
        "Z report — shift {id}\nopened by {by} at {opened}\n\
         orders: {orders}, tickets: {tickets}\n\
         cash in: {cash}\ncard in: {card}\n\
         voids: {voids} ({voided} refunded: cash {cr}, card {kr})\n\
         float: {float}\nexpected cash: {exp}\ncounted cash: {counted}\ndifference: {diff}\n",
        id = r.shift.id,
        by = r.shift.operator_id,
        opened = r.shift.opened_at,
        orders = r.orders,
        tickets = r.tickets,
        cash = r.cash_in,
        card = r.card_in,
        voids = r.voids,
        voided = r.voided_amount,
        cr = r.cash_refunded,
        kr = r.card_refunded,
        float = r.shift.float,
        exp = r.expected_cash,
    )
}
