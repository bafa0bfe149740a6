//! After a restart: every open intent is settled by asking the terminal what it holds for
//! the request id, then taking the steps left — never a step taken twice (each move names
//! the state it leaves, and the terminal's capture is idempotent).

use guichet_store::intents::{open_intents, IntentState, IntentUpdate};
use serde::Serialize;

use crate::error::Result;
use crate::kiosk::{Kiosk, Step};
use crate::terminal::TerminalStatus;

/// What reconciliation did with one intent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Settled {
    /// The request.
    pub request_id: String,
    /// Its state before.
    pub was: IntentState,
    /// Its state now (still open if the terminal or the server could not be reached).
    pub now: IntentState,
    /// The error that left it open, if any.
    pub error: Option<String>,
}

impl Kiosk {
    /// Settles every open intent (call it at start-up, before offering a sale):
    /// - the terminal holds nothing (or declined): the hold is released, `cancelled`;
    /// - authorised, not printed: the order is made (the same idempotency key: never twice),
    ///   printed, then captured — or reversed if the seats are gone or printing fails;
    /// - printed, not captured: captured;
    /// - captured at the terminal: recorded as captured;
    /// - reversed at the terminal: the rest undone, `reversed`.
    pub fn reconcile(&mut self) -> Result<Vec<Settled>> {
        let mut out = Vec::new();
        for i in open_intents(self.store.reader())? {
            let was = i.state;
            let error = self.settle(&i.request_id).err().map(|e| e.to_string());
            let now = self.reread(&i.request_id)?.state;
            out.push(Settled {
                request_id: i.request_id,
                was,
                now,
                error,
            });
        }
        Ok(out)
    }

    fn settle(&mut self, request_id: &str) -> Result<()> {
        let i = self.reread(request_id)?;
        let status = self.terminal.status(request_id)?;
        match (i.state, status) {
            (IntentState::Created, TerminalStatus::None) => self.end_unpaid(
                &i,
                IntentState::Cancelled,
                "the terminal holds nothing for it (found at restart)",
            ),
            (IntentState::Created, TerminalStatus::Declined) => {
                self.end_unpaid(&i, IntentState::Declined, "declined (found at restart)")
            }
            (
                IntentState::Created,
                TerminalStatus::Authorised { auth_code } | TerminalStatus::Captured { auth_code },
            ) => {
                let u = IntentUpdate {
                    auth_code: Some(&auth_code),
                    ..Default::default()
                };
                if self.commit(&i, IntentState::Created, IntentState::Authorised, &u)? {
                    self.announce(Step::Authorised, request_id);
                }
                self.print_and_capture(request_id).map(|_| ())
            }
            (
                IntentState::Authorised,
                TerminalStatus::Authorised { .. } | TerminalStatus::Captured { .. },
            ) => self.print_and_capture(request_id).map(|_| ()),
            (
                IntentState::Printed,
                TerminalStatus::Authorised { .. } | TerminalStatus::Captured { .. },
            ) => self.capture_step(request_id),
            (_, TerminalStatus::Reversed) => {
                self.undo_authorised(request_id, "reversed at the terminal (found at restart)")
            }
            (_, TerminalStatus::None | TerminalStatus::Declined) => {
                // Authorised or printed here, yet the terminal holds nothing: no money is
                // reserved, so the sale is undone (its order voided, its seats given back).
                self.undo_authorised(
                    request_id,
                    "the terminal holds no authorisation (found at restart)",
                )
            }
            (
                IntentState::Captured
                | IntentState::Declined
                | IntentState::Cancelled
                | IntentState::Reversed,
                _,
            ) => Ok(()),
        }
    }
}
