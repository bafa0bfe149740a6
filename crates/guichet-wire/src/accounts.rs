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
    #[schema(pattern = "^[A-Za-z0-9_-]{3,64}$")]
    pub id: Option<String>,
    /// Name: 1 to 120 characters, not all white space (kept without the spaces around it).
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = "[^\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
    )]
    pub name: String,
    /// Email: holds an `@`, at most 254 characters (kept trimmed, in lower case).
    #[schema(max_length = 254, pattern = "@")]
    pub email: String,
    /// ISO country code, two letters (kept in upper case).
    #[schema(pattern = "^[A-Za-z]{2}$", example = "FR")]
    pub country: String,
    /// Club number.
    #[serde(default)]
    pub club_number: Option<String>,
    /// Language the fan's notices are written in: `fr` or `en`. Absent: French for France,
    /// Monaco and the French overseas codes, English otherwise (docs/notices.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^ *([Ff][Rr]|[Ee][Nn]) *$", example = "fr")]
    pub language: Option<String>,
}
