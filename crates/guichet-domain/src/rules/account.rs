//! What the rules need to know of an account: tickets held, draw results and timeslots, Club.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::ValidOrder;
use crate::catalogue::Catalogue;
use crate::ids::{Games, PriceCategory, SessionCode};

/// Where an account stands in one draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DrawStatus {
    /// Registered; the draw has not been made yet.
    Registered,
    /// Drawn: may buy in its timeslot.
    Drawn,
    /// Registered but not drawn.
    NotDrawn,
}

/// A purchase timeslot: `start` (included) to `end` (excluded); 48 hours at Paris 2024.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeslot {
    /// First instant the account may buy.
    pub start: Timestamp,
    /// First instant it may no longer buy.
    pub end: Timestamp,
}

impl Timeslot {
    /// Whether `at` falls inside the slot.
    pub fn contains(&self, at: Timestamp) -> bool {
        self.start <= at && at < self.end
    }
}

/// An account's result in one draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawEntry {
    /// Registered, drawn or not drawn.
    pub status: DrawStatus,
    /// The purchase timeslot, once given.
    #[serde(default)]
    pub timeslot: Option<Timeslot>,
}

/// The account's history as the rules see it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountStanding {
    /// Club Paris 2024 member.
    #[serde(default)]
    pub club_member: bool,
    /// Tickets already held, per session, over all phases (voided tickets excluded).
    #[serde(default)]
    pub held: BTreeMap<SessionCode, u32>,
    /// Draw results by draw id (absent: not registered).
    #[serde(default)]
    pub draws: BTreeMap<String, DrawEntry>,
    /// Wheelchair places and companion seats already held, per session (also counted in
    /// `held`). Absent: none.
    #[serde(default)]
    pub accessible: BTreeMap<SessionCode, HeldPairs>,
}

/// The places of accessible pairs an account holds for one session.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeldPairs {
    /// Wheelchair places.
    #[serde(default)]
    pub wheelchair: u32,
    /// Companion seats.
    #[serde(default)]
    pub companion: u32,
}

impl HeldPairs {
    /// Counts one more ticket of `category` (other categories are not pairs and are ignored).
    pub fn add(&mut self, category: PriceCategory, n: u32) {
        match category {
            PriceCategory::WCH => self.wheelchair = self.wheelchair.saturating_add(n),
            PriceCategory::CMP => self.companion = self.companion.saturating_add(n),
            _ => {}
        }
    }
}

impl AccountStanding {
    /// Tickets held for one Games, at most `u32::MAX` (a count that large is over any cap
    /// anyway). A held session the catalogue does not know counts as Olympic: the cap is then
    /// never under-counted.
    pub fn held_in(&self, games: Games, catalogue: &Catalogue) -> u32 {
        u32::try_from(self.held_total_in(games, catalogue)).unwrap_or(u32::MAX)
    }

    /// Tickets held for one Games, counted exactly: a `u64` holds the sum of any number of
    /// `u32` counts a map can have. The rules decide the account cap on this.
    pub fn held_total_in(&self, games: Games, catalogue: &Catalogue) -> u64 {
        self.held
            .iter()
            .filter(|(code, _)| {
                catalogue.session(code).map_or(Games::Olympic, |s| s.games) == games
            })
            .map(|(_, n)| u64::from(*n))
            .fold(0, u64::saturating_add)
    }

    /// Tickets held for one session.
    pub fn held_for(&self, session: &SessionCode) -> u32 {
        self.held.get(session).copied().unwrap_or(0)
    }

    /// Accessible places held for one session.
    pub fn pairs_for(&self, session: &SessionCode) -> HeldPairs {
        self.accessible.get(session).copied().unwrap_or_default()
    }

    /// Adds an accepted order's tickets to the history.
    pub fn record(&mut self, order: &ValidOrder) {
        for l in &order.lines {
            let n = self.held.entry(l.session.clone()).or_default();
            *n = n.saturating_add(l.quantity);
            if l.category.is_accessible() {
                self.accessible
                    .entry(l.session.clone())
                    .or_default()
                    .add(l.category, l.quantity);
            }
        }
    }
}
