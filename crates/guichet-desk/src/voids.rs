//! Voids (with refund), reprints and reissues. Voids and reissues need a supervisor's PIN.

use guichet_domain::Money;

use guichet_store::new_id;
use guichet_store::sales::{
    order, order_of_ticket, refunded, NewPayment, NewTicket, PaymentMethod, StoredTicket,
};
use guichet_store::shifts::open_shift;
use guichet_store::voids::{record_reissue, record_void, NewReissue, NewVoid};

use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::tickets::sign_ticket;

/// What a void did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VoidReceipt {
    /// Void id.
    pub void_id: String,
    /// Money given back in cash.
    pub cash_refund: Money,
    /// Money given back to the card.
    pub card_refund: Money,
    /// Ticket ids revoked.
    pub revoked: Vec<String>,
}

impl Desk {
    /// Voids a whole order with a supervisor's PIN: tickets revoked, seats returned to the
    /// allotment (offline sale) or availability (online sale), money refunded the way it came.
    pub fn void_order(
        &mut self,
        order_id: &str,
        supervisor: &str,
        supervisor_pin: &str,
        reason: &str,
    ) -> Result<VoidReceipt> {
        self.cancel(order_id, None, supervisor, supervisor_pin, reason)
    }

    /// Refunds some tickets of an order with a supervisor's PIN: those tickets are revoked and
    /// their seats returned; their price goes back to the card first (up to what the card paid
    /// and was not yet refunded), the rest in cash.
    pub fn refund_tickets(
        &mut self,
        order_id: &str,
        ticket_ids: &[String],
        supervisor: &str,
        supervisor_pin: &str,
        reason: &str,
    ) -> Result<VoidReceipt> {
        if ticket_ids.is_empty() {
            return Err(Error::BadInput {
                field: "tickets",
                problem: crate::error::Problem::NoTicketToRefund,
            });
        }
        self.cancel(
            order_id,
            Some(ticket_ids),
            supervisor,
            supervisor_pin,
            reason,
        )
    }

    fn cancel(
        &mut self,
        order_id: &str,
        only: Option<&[String]>,
        supervisor: &str,
        supervisor_pin: &str,
        reason: &str,
    ) -> Result<VoidReceipt> {
        let op = self.signed_in()?;
        let reason = self.text("reason", reason)?;
        let shift = open_shift(self.store.reader())?.ok_or(Error::NoOpenShift)?;
        let stored = order(self.store.reader(), order_id)?.ok_or_else(|| Error::UnknownOrder {
            id: order_id.to_string(),
        })?;
        if stored.status == "voided" {
            return Err(Error::AlreadyVoided { id: stored.id });
        }
        let valid: Vec<&StoredTicket> = stored
            .tickets
            .iter()
            .filter(|t| t.status == "valid")
            .collect();
        let chosen: Vec<&StoredTicket> = match only {
            None => valid.clone(),
            Some(ids) => {
                let mut out = Vec::new();
                for id in ids {
                    let t = valid.iter().find(|t| &t.id == id).ok_or_else(|| {
                        let state = stored
                            .tickets
                            .iter()
                            .find(|t| &t.id == id)
                            .map_or("not in this order".to_string(), |t| t.status.clone());
                        Error::TicketNotValid {
                            id: id.clone(),
                            state,
                            action: "refunded",
                        }
                    })?;
                    if !out.iter().any(|o: &&StoredTicket| o.id == t.id) {
                        out.push(*t);
                    }
                }
                out
            }
        };
        let sup = self.approve(supervisor, supervisor_pin, "a void or refund")?;
        let now = self.now();
        let amount: Money = chosen.iter().map(|t| t.price).sum();
        let (_, card_back) = refunded(self.store.reader(), &stored.id)?;
        let card_paid: Money = stored
            .payments
            .iter()
            .filter(|p| p.card_reference.is_some())
            .map(|p| p.amount)
            .sum();
        let card_part = amount.min(card_paid - card_back);
        let cash_part = amount - card_part;
        let mut refunds = Vec::new();
        if card_part > Money::ZERO {
            let original = stored
                .payments
                .iter()
                .find_map(|p| p.card_reference.clone())
                .unwrap_or_default();
            let reference = self
                .terminal
                .refund(card_part, &original)
                .map_err(|reason| Error::CardDeclined { reason })?;
            refunds.push(NewPayment {
                id: new_id(now),
                amount: card_part,
                method: PaymentMethod::Card { reference },
            });
        }
        if cash_part > Money::ZERO {
            refunds.push(NewPayment {
                id: new_id(now),
                amount: cash_part,
                method: PaymentMethod::Cash {
                    tendered: cash_part,
                    change: Money::ZERO,
                },
            });
        }
        let void = NewVoid {
            id: new_id(now),
            ticket_ids: chosen.iter().map(|t| t.id.clone()).collect(),
            idempotency_key: new_id(now),
            order_id: stored.id.clone(),
            shift_id: shift.id,
            operator_id: op.id,
            supervisor_id: sup.id,
            reason,
            at: now,
            refunds,
        };
        self.store.write(|tx| {
            // Read again under the write lock: a ticket must not be refunded twice.
            let fresh = order(tx, &void.order_id)?.ok_or_else(|| Error::UnknownOrder {
                id: void.order_id.clone(),
            })?;
            let still_valid = |id: &String| {
                fresh
                    .tickets
                    .iter()
                    .any(|t| &t.id == id && t.status == "valid")
            };
            if fresh.status == "voided" || !void.ticket_ids.iter().all(still_valid) {
                return Err(Error::AlreadyVoided { id: fresh.id });
            }
            record_void(tx, &fresh, &void)?;
            Ok(())
        })?;
        Ok(VoidReceipt {
            void_id: void.id,
            cash_refund: cash_part,
            card_refund: card_part,
            revoked: void.ticket_ids,
        })
    }

    fn valid_ticket(
        &self,
        ticket_id: &str,
        action: &'static str,
    ) -> Result<(String, StoredTicket)> {
        let not_valid = |state: &str| Error::TicketNotValid {
            id: ticket_id.to_string(),
            state: state.to_string(),
            action,
        };
        let order_id =
            order_of_ticket(self.store.reader(), ticket_id).map_err(|_| not_valid("unknown"))?;
        let o = order(self.store.reader(), &order_id)?.ok_or_else(|| Error::UnknownOrder {
            id: order_id.clone(),
        })?;
        let t = o
            .tickets
            .into_iter()
            .find(|t| t.id == ticket_id)
            .ok_or_else(|| not_valid("unknown"))?;
        if t.status != "valid" {
            return Err(not_valid(&t.status));
        }
        Ok((order_id, t))
    }

    /// Reprints a ticket: same QR (nothing revoked), one ledger row. Returns the QR text.
    pub fn reprint(&mut self, ticket_id: &str) -> Result<String> {
        let op = self.signed_in()?;
        let (order_id, t) = self.valid_ticket(ticket_id, "reprinted")?;
        let now = self.now();
        self.log_action(
            &op.id,
            "reprint",
            &order_id,
            serde_json::json!({ "ticket": t.id }),
            now,
        )?;
        Ok(t.qr_payload)
    }

    /// Reissues a ticket with a supervisor's PIN: the old id is revoked, a new ticket (new id,
    /// new signature, optionally a new holder) takes its place. Returns the new ticket id.
    pub fn reissue(
        &mut self,
        ticket_id: &str,
        new_holder: Option<&str>,
        supervisor: &str,
        supervisor_pin: &str,
    ) -> Result<String> {
        let op = self.signed_in()?;
        let (order_id, old) = self.valid_ticket(ticket_id, "reissued")?;
        let holder = match new_holder {
            Some(h) => self.text("holder name", h)?,
            None => old.holder_name.clone(),
        };
        let sup = self.approve(supervisor, supervisor_pin, "a reissue")?;
        let now = self.now();
        let session = self
            .catalogue
            .session(&old.session)
            .ok_or_else(|| Error::Signing(format!("{} left the catalogue", old.session)))?;
        let id = new_id(now);
        let qr_payload = sign_ticket(
            self.signer.as_ref(),
            session,
            &id,
            old.category,
            &holder,
            now,
        )
        .map_err(Error::Signing)?;
        let r = NewReissue {
            idempotency_key: new_id(now),
            order_id,
            old_ticket_id: old.id.clone(),
            ticket: NewTicket {
                id: id.clone(),
                session: old.session,
                category: old.category,
                price: old.price,
                holder_name: holder,
                qr_payload,
                key_id: self.signer.key_id(),
            },
            operator_id: op.id,
            supervisor_id: sup.id,
            at: now,
        };
        self.store.write(|tx| record_reissue(tx, &r))?;
        Ok(id)
    }
}
