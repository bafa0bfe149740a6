//! Accounts as they travel.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A fan's account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccountDto {
    /// Account id.
    pub id: String,
    /// Holder's name.
    pub name: String,
    /// Email.
    pub email: String,
    /// ISO country code.
    pub country: String,
    /// Club Paris 2024 member number, if a member.
    pub club_number: Option<String>,
    /// Draw results and timeslots by draw id.
    pub draws: Vec<DrawDto>,
    /// Tickets held (voids excluded) per session.
    pub held: Vec<HeldDto>,
    /// Olympic tickets held, over all phases.
    pub olympic_held: u32,
    /// Paralympic tickets held.
    pub paralympic_held: u32,
}

/// An account's result in one draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DrawDto {
    /// Draw id, e.g. `pack-draw`.
    pub draw: String,
    /// `registered`, `drawn` or `not_drawn`.
    pub status: String,
    /// Timeslot start (RFC 3339), once given.
    pub slot_start: Option<String>,
    /// Timeslot end (excluded).
    pub slot_end: Option<String>,
}

/// Tickets held for one session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HeldDto {
    /// Session code.
    pub session: String,
    /// Tickets.
    pub count: u32,
}

/// Create an account (a walk-in at a desk, with an id the device made).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    /// Id made by the device (so it works offline); the server makes one if absent.
    #[serde(default)]
    pub id: Option<String>,
    /// Name.
    pub name: String,
    /// Email.
    pub email: String,
    /// ISO country code.
    pub country: String,
    /// Club number.
    #[serde(default)]
    pub club_number: Option<String>,
}
