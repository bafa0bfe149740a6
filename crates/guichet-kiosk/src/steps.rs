//! The steps a sale and a reconciliation share. Each reads the intent as committed, does one
//! external thing (server, printer, terminal), then commits the next state — moving only from
//! the state it read, so a step is never taken twice.

use guichet_desk::sync::CallError;
use guichet_store::intents::{intent, move_intent, Intent, IntentState, IntentUpdate};
use guichet_store::journal::{append_ledger, enqueue, LedgerEntry, OutboxEvent};
use guichet_store::new_id;
use guichet_store::stock::give_back;
use guichet_wire::orders::{OrderLineDto, OrderRequest};
use guichet_wire::sync::{SalePayload, SaleTicket, SyncEvent, VoidPayload};
use guichet_wire::ErrorCode;

use crate::error::{Error, Result};
use crate::kiosk::{Kiosk, Step};
use crate::printer::PrintJob;
use crate::tickets::IssuedTicket;

/// What the printing step came to.
pub(crate) enum Printed {
    /// The tickets are printed (state `printed`).
    Done,
    /// The sale cannot go on (seats gone, printer failed): undone, state `reversed`.
    Undone(String),
}

pub(crate) fn lines_of(i: &Intent) -> Result<Vec<OrderLineDto>> {
    serde_json::from_str(&i.lines).map_err(|e| Error::Intent {
        request_id: i.request_id.clone(),
        problem: format!("its lines do not read back ({e})"),
    })
}

pub(crate) fn tickets_of(i: &Intent) -> Result<Option<Vec<IssuedTicket>>> {
    i.tickets
        .as_deref()
        .map(|t| {
            serde_json::from_str(t).map_err(|e| Error::Intent {
                request_id: i.request_id.clone(),
                problem: format!("its tickets do not read back ({e})"),
            })
        })
        .transpose()
}

impl Kiosk {
    pub(crate) fn reread(&self, request_id: &str) -> Result<Intent> {
        intent(self.store.reader(), request_id)?.ok_or_else(|| Error::Intent {
            request_id: request_id.to_string(),
            problem: "is not in the store".into(),
        })
    }

    /// Moves `i` from `from` to `to` and, when the move ends the intent without a sale,
    /// gives an offline hold's seats back to the allotment in the same transaction.
    pub(crate) fn commit(
        &mut self,
        i: &Intent,
        from: IntentState,
        to: IntentState,
        u: &IntentUpdate<'_>,
    ) -> Result<bool> {
        let now = self.now();
        let lines = lines_of(i)?;
        let give_seats_back = !i.online
            && matches!(
                to,
                IntentState::Declined | IntentState::Cancelled | IntentState::Reversed
            );
        let moved = self.store.write(|tx| {
            let moved = move_intent(tx, &i.request_id, from, to, u, now)?;
            if moved && give_seats_back {
                for l in &lines {
                    let s = guichet_domain::SessionCode::parse(&l.session).map_err(|e| {
                        guichet_store::Error::BadStoredValue {
                            what: "session code",
                            value: e.to_string(),
                        }
                    })?;
                    let c = guichet_domain::PriceCategory::parse(&l.category).map_err(|e| {
                        guichet_store::Error::BadStoredValue {
                            what: "price category",
                            value: e.to_string(),
                        }
                    })?;
                    give_back(tx, true, &s, c, l.quantity)?;
                }
            }
            Ok::<_, guichet_store::Error>(moved)
        })?;
        Ok(moved)
    }

    /// Gives a server hold back (a hold that ended already, or that an order took, is left
    /// as it is; one the server cannot be asked about now expires by itself).
    pub(crate) fn release_hold(&self, i: &Intent) {
        if let (Some(server), Some(hold)) = (&self.server, &i.hold_id) {
            let _ = server.release_hold(hold);
        }
    }

    /// Ends an intent that never reached authorisation: hold released, state `to`.
    pub(crate) fn end_unpaid(&mut self, i: &Intent, to: IntentState, reason: &str) -> Result<()> {
        self.release_hold(i);
        let u = IntentUpdate {
            reason: Some(reason),
            ..Default::default()
        };
        if self.commit(i, IntentState::Created, to, &u)? {
            self.announce(Step::Undone, &i.request_id);
        }
        Ok(())
    }

    /// Makes the order (online: the server confirms the hold; offline: the kiosk numbers
    /// it) and signs its tickets, once: they are kept in the intent. `Err(reason)` inside
    /// `Ok` when the server refuses the order.
    fn ensure_tickets(
        &mut self,
        i: &Intent,
    ) -> Result<std::result::Result<(String, Vec<IssuedTicket>), String>> {
        if let (Some(order), Some(t)) = (&i.order_id, tickets_of(i)?) {
            return Ok(Ok((order.clone(), t)));
        }
        let lines = lines_of(i)?;
        let now = self.now();
        let (order_id, phase, raw) = match &self.server {
            Some(server) if i.online => {
                let req = OrderRequest {
                    idempotency_key: i.request_id.clone(),
                    account_id: i.account_id.clone(),
                    kind: i.kind.clone(),
                    lines: lines.clone(),
                    hold_id: i.hold_id.clone(),
                };
                match server.order(&req) {
                    Ok(r) => (
                        r.order_id,
                        r.phase,
                        r.tickets
                            .into_iter()
                            .map(|t| (t.id, t.session, t.category, t.price_cents))
                            .collect::<Vec<_>>(),
                    ),
                    Err(CallError::Refused { body, .. }) if body.code != ErrorCode::Internal => {
                        return Ok(Err(format!(
                            "the server refused the order: {}",
                            body.message
                        )))
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            _ if i.online => return Err(Error::Basket(
                "was held online and the kiosk is offline now: connect it to settle the payment"
                    .into(),
            )),
            _ => {
                let mut raw = Vec::new();
                for l in &lines {
                    let price = self
                        .catalogue
                        .session(
                            &guichet_domain::SessionCode::parse(&l.session)
                                .map_err(|e| Error::Tickets(e.to_string()))?,
                        )
                        .and_then(|s| {
                            s.offers
                                .iter()
                                .find(|o| o.category.to_string() == l.category)
                        })
                        .map_or(0, |o| o.price.cents());
                    for _ in 0..l.quantity {
                        raw.push((new_id(now), l.session.clone(), l.category.clone(), price));
                    }
                }
                (new_id(now), i.phase.clone().unwrap_or_default(), raw)
            }
        };
        let tickets = self.sign_tickets(&raw, &i.holder_name)?;
        let json = serde_json::to_string(&tickets).unwrap_or_default();
        let u = IntentUpdate {
            order_id: Some(&order_id),
            phase: Some(&phase),
            tickets: Some(&json),
            ..Default::default()
        };
        self.commit(i, IntentState::Authorised, IntentState::Authorised, &u)?;
        Ok(Ok((order_id, tickets)))
    }

    /// From `authorised`: the order and its tickets, printed, then `printed`.
    pub(crate) fn print_step(&mut self, request_id: &str) -> Result<Printed> {
        let i = self.reread(request_id)?;
        let (order_id, tickets) = match self.ensure_tickets(&i)? {
            Ok(x) => x,
            Err(reason) => {
                self.undo_authorised(request_id, &reason)?;
                return Ok(Printed::Undone(reason));
            }
        };
        let pdf = match self.render(&order_id, &tickets, &i.holder_name) {
            Ok(p) => p,
            Err(e) => {
                let reason = e.to_string();
                self.undo_authorised(request_id, &reason)?;
                return Ok(Printed::Undone(reason));
            }
        };
        let job = PrintJob {
            request_id,
            order_id: &order_id,
            ticket_ids: tickets.iter().map(|t| t.id.clone()).collect(),
            pdf: &pdf,
        };
        if let Err(e) = self.printer.print(&job) {
            let reason = format!("printing failed: {e}");
            self.undo_authorised(request_id, &reason)?;
            return Ok(Printed::Undone(reason));
        }
        let i = self.reread(request_id)?;
        if self.commit(
            &i,
            IntentState::Authorised,
            IntentState::Printed,
            &IntentUpdate::default(),
        )? {
            self.announce(Step::Printed, request_id);
        }
        Ok(Printed::Done)
    }

    /// From `printed`: the terminal captures, then `captured` (offline, with the sale's
    /// outbox event in the same transaction).
    pub(crate) fn capture_step(&mut self, request_id: &str) -> Result<()> {
        self.terminal.capture(request_id)?;
        let i = self.reread(request_id)?;
        let now = self.now();
        let lines = lines_of(&i)?;
        let tickets = tickets_of(&i)?.unwrap_or_default();
        let moved = self.store.write(|tx| {
            let moved = move_intent(
                tx,
                request_id,
                IntentState::Printed,
                IntentState::Captured,
                &IntentUpdate::default(),
                now,
            )?;
            if moved && !i.online {
                let order_id = i.order_id.clone().unwrap_or_default();
                let payload = SalePayload {
                    order_id: order_id.clone(),
                    account_id: i.account_id.clone(),
                    kind: i.kind.clone(),
                    phase: i.phase.clone().unwrap_or_default(),
                    sold_at: now.to_string(),
                    offline: true,
                    tickets: tickets
                        .iter()
                        .map(|t| SaleTicket {
                            id: t.id.clone(),
                            session: t.session.clone(),
                            category: t.category.clone(),
                            price: t.price_cents,
                        })
                        .collect(),
                };
                enqueue(
                    tx,
                    &OutboxEvent {
                        idempotency_key: request_id,
                        kind: "sale",
                        payload: serde_json::to_value(payload).unwrap_or_default(),
                        created_at: now,
                        offline: true,
                    },
                )?;
                append_ledger(
                    tx,
                    &LedgerEntry {
                        at: now,
                        operator_id: None,
                        action: "kiosk_sale",
                        subject_id: Some(&order_id),
                        amount: Some(guichet_domain::Money::from_cents(i.amount_cents)),
                        data: serde_json::json!({"request_id": request_id, "lines": lines.len()}),
                    },
                )?;
            }
            Ok::<_, guichet_store::Error>(moved)
        })?;
        if moved {
            self.announce(Step::Captured, request_id);
        }
        Ok(())
    }

    /// Undoes an authorised (or printed) intent: the terminal reverses, the server's order
    /// (if it sold) is voided, the hold given back, then `reversed`.
    pub(crate) fn undo_authorised(&mut self, request_id: &str, reason: &str) -> Result<()> {
        self.terminal.reverse(request_id)?;
        let mut i = self.reread(request_id)?;
        if let (true, Some(order_id), true) = (i.online, i.order_id.clone(), self.server.is_some())
        {
            // The void's key is kept before it is pushed, so a retry is the same void.
            let key = match &i.void_key {
                Some(k) => k.clone(),
                None => {
                    let k = new_id(self.now());
                    let u = IntentUpdate {
                        void_key: Some(&k),
                        ..Default::default()
                    };
                    self.commit(&i, i.state, i.state, &u)?;
                    k
                }
            };
            let tickets = tickets_of(&i)?.unwrap_or_default();
            let event = SyncEvent {
                idempotency_key: key,
                kind: "void".into(),
                payload: serde_json::to_value(VoidPayload {
                    order_id,
                    ticket_ids: tickets.iter().map(|t| t.id.clone()).collect(),
                })
                .unwrap_or_default(),
                created_at: self.now().to_string(),
                offline: false,
            };
            if let Some(server) = &self.server {
                server.push(std::slice::from_ref(&event))?;
            }
            i = self.reread(request_id)?;
        }
        self.release_hold(&i);
        let u = IntentUpdate {
            reason: Some(reason),
            ..Default::default()
        };
        if self.commit(&i, i.state, IntentState::Reversed, &u)? {
            self.announce(Step::Undone, request_id);
        }
        Ok(())
    }
}
