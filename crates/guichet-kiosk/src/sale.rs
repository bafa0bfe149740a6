//! One self-service sale: intent, hold, authorise, print, capture — each committed before
//! the next external step.

use guichet_desk::accounts::standing;
use guichet_desk::sync::CallError;
use guichet_domain::{check_order, OrderKind, Rejection};
use guichet_store::accounts::account_by_id;
use guichet_store::intents::{insert_intent, move_intent, Intent, IntentState, IntentUpdate};
use guichet_store::new_id;
use guichet_store::stock::{allotments, take_allotment};
use guichet_wire::holds::HoldRequest;
use guichet_wire::orders::OrderLineDto;
use guichet_wire::ErrorCode;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::kiosk::{Basket, Kiosk, Step};
use crate::steps::{tickets_of, Printed};
use crate::terminal::{Authorisation, TerminalError, TerminalStatus};

/// Why nothing was charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelReason {
    /// The fan pressed Cancel on the terminal.
    ByFan,
    /// No card came in time.
    Timeout,
    /// The terminal did not answer and holds nothing for the request.
    TerminalUnreachable,
}

/// How a sale ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum SaleOutcome {
    /// Paid and printed: "take your tickets".
    Sold {
        /// The request id.
        request_id: String,
        /// The order.
        order_id: String,
        /// Its tickets.
        ticket_ids: Vec<String>,
        /// The terminal's authorisation code.
        auth_code: String,
        /// False when the terminal did not answer the capture: the tickets are printed and
        /// the capture is retried by [`Kiosk::reconcile`].
        captured: bool,
    },
    /// The card was declined; the seats are given back.
    Declined {
        /// The request id.
        request_id: String,
        /// The terminal's words.
        reason: String,
    },
    /// Nothing was charged; the seats are given back.
    Cancelled {
        /// The request id.
        request_id: String,
        /// Why.
        reason: CancelReason,
    },
    /// Authorised, then undone (seats gone at the order, printer failed): nothing is taken.
    Reversed {
        /// The request id.
        request_id: String,
        /// Why.
        reason: String,
    },
}

fn wire_lines(b: &Basket) -> Vec<OrderLineDto> {
    b.lines
        .iter()
        .map(|l| OrderLineDto {
            session: l.session.to_string(),
            category: l.category.to_string(),
            quantity: l.quantity,
        })
        .collect()
}

fn kind_text(k: OrderKind) -> &'static str {
    match k {
        OrderKind::Pack => "pack",
        OrderKind::Single => "single",
    }
}

impl Kiosk {
    /// Sells a basket by card. Online the server holds the seats first (its rules decide:
    /// a refusal is [`Error::Refused`] with every violation, and nothing is charged);
    /// offline the seats come from this device's allotment under the same rules. Blocks while
    /// the fan deals with the terminal.
    pub fn sell(&mut self, basket: &Basket) -> Result<SaleOutcome> {
        let amount = self.price(basket)?;
        let now = self.now();
        let request_id = new_id(now);
        let online = self.server.is_some();
        let lines = wire_lines(basket);
        let i = Intent {
            request_id: request_id.clone(),
            state: IntentState::Created,
            account_id: basket.account.to_string(),
            kind: kind_text(basket.kind).into(),
            lines: serde_json::to_string(&lines).unwrap_or_default(),
            holder_name: basket.holder_name.clone(),
            amount_cents: amount.cents(),
            online,
            hold_id: None,
            auth_code: None,
            order_id: None,
            phase: None,
            tickets: None,
            void_key: None,
            reason: None,
            created_at: now,
        };
        if online {
            self.store.write(|tx| insert_intent(tx, &i))?;
        } else {
            self.hold_from_allotment(basket, &i)?;
        }
        self.announce(Step::Intent, &request_id);
        if online {
            self.hold_at_server(&i, &lines)?;
        }
        self.announce(Step::Held, &request_id);
        self.pay(&request_id, amount)
    }

    /// Offline: the rules against the allotment, then the intent and the seats taken from
    /// the allotment in one transaction.
    fn hold_from_allotment(&mut self, basket: &Basket, i: &Intent) -> Result<()> {
        let conn = self.store.reader();
        let account = account_by_id(conn, &basket.account)?.ok_or_else(|| {
            Error::Basket(format!(
                "is for account {}, which this kiosk has not seen: it sells offline only to accounts it has synced",
                basket.account
            ))
        })?;
        let draft = basket.draft();
        let st = standing(conn, &account).map_err(|e| Error::Basket(e.to_string()))?;
        let stock = allotments(conn)?;
        let valid = check_order(
            &draft,
            &st,
            &self.config,
            &self.catalogue,
            &stock,
            self.now(),
        )
        .map_err(Error::Refused)?;
        let now = self.now();
        self.store.write(|tx| {
            insert_intent(tx, i)?;
            let u = IntentUpdate {
                phase: Some(&valid.phase),
                ..Default::default()
            };
            move_intent(
                tx,
                &i.request_id,
                IntentState::Created,
                IntentState::Created,
                &u,
                now,
            )?;
            for l in &basket.lines {
                take_allotment(tx, &l.session, l.category, l.quantity)?;
            }
            Ok::<_, guichet_store::Error>(())
        })?;
        Ok(())
    }

    /// Online: the server holds the seats under its rules; the hold's id goes into the intent.
    fn hold_at_server(&mut self, i: &Intent, lines: &[OrderLineDto]) -> Result<()> {
        let req = HoldRequest {
            request_id: i.request_id.clone(),
            account_id: i.account_id.clone(),
            kind: i.kind.clone(),
            lines: lines.to_vec(),
        };
        let server = self
            .server
            .as_ref()
            .ok_or_else(|| Error::Basket("needs the server".into()))?;
        match server.hold(&req) {
            Ok(h) => {
                let u = IntentUpdate {
                    hold_id: Some(&h.hold_id),
                    ..Default::default()
                };
                self.commit(i, IntentState::Created, IntentState::Created, &u)?;
                Ok(())
            }
            Err(e) => {
                let reason = e.to_string();
                self.end_unpaid(i, IntentState::Cancelled, &reason)?;
                if let CallError::Refused { body, .. } = &e {
                    if body.code == ErrorCode::RuleViolation {
                        if let Ok(r) = serde_json::from_value::<Rejection>(body.details.clone()) {
                            return Err(Error::Refused(r));
                        }
                    }
                }
                Err(e.into())
            }
        }
    }

    /// Asks the card, then prints and captures.
    fn pay(&mut self, request_id: &str, amount: guichet_domain::Money) -> Result<SaleOutcome> {
        let answer = match self.terminal.authorise(request_id, amount) {
            Ok(a) => a,
            Err(TerminalError::NoAnswer(_)) => match self.terminal.status(request_id) {
                Ok(TerminalStatus::Authorised { auth_code }) => {
                    Authorisation::Authorised { auth_code }
                }
                _ => {
                    // Nothing reserved as far as anyone can tell; a reversal makes sure.
                    let _ = self.terminal.reverse(request_id);
                    let i = self.reread(request_id)?;
                    self.end_unpaid(
                        &i,
                        IntentState::Cancelled,
                        "the card terminal did not answer",
                    )?;
                    return Ok(SaleOutcome::Cancelled {
                        request_id: request_id.into(),
                        reason: CancelReason::TerminalUnreachable,
                    });
                }
            },
            Err(e) => return Err(e.into()),
        };
        let i = self.reread(request_id)?;
        let (to, outcome) = match answer {
            Authorisation::Authorised { auth_code } => {
                let u = IntentUpdate {
                    auth_code: Some(&auth_code),
                    ..Default::default()
                };
                if self.commit(&i, IntentState::Created, IntentState::Authorised, &u)? {
                    self.announce(Step::Authorised, request_id);
                }
                return self.print_and_capture(request_id);
            }
            Authorisation::Declined { reason } => (
                IntentState::Declined,
                SaleOutcome::Declined {
                    request_id: request_id.into(),
                    reason,
                },
            ),
            Authorisation::Timeout => (
                IntentState::Cancelled,
                SaleOutcome::Cancelled {
                    request_id: request_id.into(),
                    reason: CancelReason::Timeout,
                },
            ),
            Authorisation::CancelledByFan => (
                IntentState::Cancelled,
                SaleOutcome::Cancelled {
                    request_id: request_id.into(),
                    reason: CancelReason::ByFan,
                },
            ),
        };
        let why = format!("{outcome:?}");
        self.end_unpaid(&i, to, &why)?;
        Ok(outcome)
    }

    /// From `authorised`: print, then capture; the outcome as the intent ends.
    pub(crate) fn print_and_capture(&mut self, request_id: &str) -> Result<SaleOutcome> {
        if let Printed::Undone(reason) = self.print_step(request_id)? {
            return Ok(SaleOutcome::Reversed {
                request_id: request_id.into(),
                reason,
            });
        }
        let captured = match self.capture_step(request_id) {
            Ok(()) => true,
            Err(Error::Terminal(TerminalError::NoAnswer(_))) => false,
            Err(e) => return Err(e),
        };
        let i = self.reread(request_id)?;
        Ok(SaleOutcome::Sold {
            request_id: request_id.into(),
            order_id: i.order_id.clone().unwrap_or_default(),
            ticket_ids: tickets_of(&i)?
                .unwrap_or_default()
                .into_iter()
                .map(|t| t.id)
                .collect(),
            auth_code: i.auth_code.unwrap_or_default(),
            captured,
        })
    }
}
