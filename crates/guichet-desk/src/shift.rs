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
        // The shift's full copy to the mirror (if one is set). The close itself is already
        // committed and journaled, so a failed copy loses nothing: it is said, not hidden.
        self.store
            .copy_to_mirror()
            .map_err(|e| guichet_store::Error::MirrorCopy {
                what: "the shift is closed",
                reason: e.to_string(),
            })?;
        Ok(report)
    }
}

/// The Z report as an A4 PDF in French and English (the tickets' fonts and header): sales by
/// payment method, voids and refunds, the cash drawer from float to difference, and signature
/// lines. `paris` writes an instant in Paris time.
pub fn z_report_pdf(r: &ZReport, paris: impl Fn(jiff::Timestamp) -> String) -> Result<Vec<u8>> {
    use guichet_tickets::{render_report, Report, ReportRow as Row, ReportSection};
    let s = &r.shift;
    let closed = match (s.closed_at, &s.closed_by) {
        (Some(at), Some(by)) => format!("Fermée par / Closed by {by} · {}", paris(at)),
        _ => "Caisse encore ouverte / Shift still open (interim report)".to_string(),
    };
    let difference = match r.difference {
        Some(d) if d > Money::ZERO => format!("+{} (excédent / over)", d.fr()),
        Some(d) if d < Money::ZERO => format!("{} (manquant / short)", d.fr()),
        Some(d) => d.fr(),
        None => "—".into(),
    };
    let report = Report {
        title_fr: "Rapport Z — clôture de caisse".into(),
        title_en: "Z report — till closing".into(),
        lines: vec![
            format!(
                "Ouverte par / Opened by {} · {}",
                s.operator_id,
                paris(s.opened_at)
            ),
            closed,
            "Heure de Paris / Paris time".into(),
        ],
        sections: vec![
            ReportSection {
                heading: "Ventes / Sales".into(),
                rows: vec![
                    Row::new("Commandes / Orders", r.orders.to_string()),
                    Row::new("Billets / Tickets", r.tickets.to_string()),
                    Row::new("Espèces encaissées / Cash taken", r.cash_in.fr()),
                    Row::new("Carte encaissée / Card taken", r.card_in.fr()),
                    Row::strong("Total encaissé / Total taken", (r.cash_in + r.card_in).fr()),
                ],
            },
            ReportSection {
                heading: "Annulations et remboursements / Voids and refunds".into(),
                rows: vec![
                    Row::new("Annulations / Voids", r.voids.to_string()),
                    Row::new("Montant remboursé / Amount refunded", r.voided_amount.fr()),
                    Row::new("dont espèces / of which cash", r.cash_refunded.fr()),
                    Row::new("dont carte / of which card", r.card_refunded.fr()),
                ],
            },
            ReportSection {
                heading: "Tiroir-caisse / Cash drawer".into(),
                rows: vec![
                    Row::new("Fond de caisse / Float", s.float.fr()),
                    Row::new("+ espèces encaissées / cash taken", r.cash_in.fr()),
                    Row::new(
                        "− espèces remboursées / cash refunded",
                        r.cash_refunded.fr(),
                    ),
                    Row::strong("Espèces attendues / Expected cash", r.expected_cash.fr()),
                    Row::new(
                        "Espèces comptées / Counted cash",
                        r.counted_cash.map_or("—".into(), Money::fr),
                    ),
                    Row::strong("Écart / Difference", difference),
                ],
            },
        ],
        signatures: vec![
            "Caissier / Cashier".into(),
            "Superviseur / Supervisor".into(),
        ],
        footer: format!("Guichet · caisse / shift {}", s.id),
    };
    render_report(&report).map_err(|e| Error::Render(e.into()))
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
