//! The one rules function. The server, the desk (online and offline) and the kiosk all call
//! [`check_order`] to decide a draft order; it returns a priced [`ValidOrder`] or every
//! [`Violation`] at once. It never reads the clock: the instant is a parameter.

mod account;
mod check;
mod pairs;
mod stock;
mod violation;
pub mod words;

pub use account::{AccountStanding, DrawEntry, DrawStatus, HeldPairs, Timeslot};
pub use check::check_order;
pub use stock::Stock;
pub use violation::{Code, Rejection, Violation};

pub use crate::config::OrderKind;

use serde::{Deserialize, Serialize};

use crate::ids::{Games, Money, PriceCategory, SessionCode};

/// One line of a draft: tickets for one session in one price category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftLine {
    /// The session.
    pub session: SessionCode,
    /// The price category.
    pub category: PriceCategory,
    /// Number of tickets.
    pub quantity: u32,
}

/// An order being built: a pack (three lines) or single tickets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftOrder {
    /// Pack or single tickets.
    pub kind: OrderKind,
    /// The lines.
    pub lines: Vec<DraftLine>,
}

/// A priced line of an accepted order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidLine {
    /// The session.
    pub session: SessionCode,
    /// The price category.
    pub category: PriceCategory,
    /// Number of tickets.
    pub quantity: u32,
    /// Price of one ticket.
    pub unit_price: Money,
    /// `unit_price × quantity`.
    pub amount: Money,
}

/// An order the rules accept, priced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidOrder {
    /// Pack or single tickets.
    pub kind: OrderKind,
    /// Which Games.
    pub games: Games,
    /// The phase it is sold in.
    pub phase: String,
    /// The lines, in the draft's order.
    pub lines: Vec<ValidLine>,
    /// Total in cents.
    pub total: Money,
}

impl ValidOrder {
    /// Number of tickets (at most `u32::MAX`; an accepted order keeps the caps, far below).
    pub fn tickets(&self) -> u32 {
        self.lines
            .iter()
            .map(|l| l.quantity)
            .fold(0, u32::saturating_add)
    }
}
