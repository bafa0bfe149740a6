//! Catalogue and availability as they travel.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One price category of a session, with what is left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OfferDto {
    /// `A`–`D`.
    pub category: String,
    /// Price in cents.
    pub price_cents: i64,
    /// Sellable seats in all.
    pub capacity: u32,
    /// Seats still free to sell online (capacity − sold − lent to desks).
    pub available: u32,
}

/// A session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SessionDto {
    /// Code, e.g. `ATH07`.
    pub code: String,
    /// `olympic` or `paralympic`.
    pub games: String,
    /// Sport.
    pub sport: String,
    /// Discipline.
    pub discipline: String,
    /// What is on.
    pub description: String,
    /// Venue name.
    pub venue: String,
    /// City.
    pub city: String,
    /// Start, RFC 3339 with the venue's offset.
    pub start: String,
    /// End, RFC 3339 with the venue's offset.
    pub end: String,
    /// Medal session.
    pub medal: bool,
    /// Categories.
    pub offers: Vec<OfferDto>,
}

/// Availability of one session and category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AvailabilityDto {
    /// Session code.
    pub session: String,
    /// Category.
    pub category: String,
    /// Seats in all.
    pub capacity: u32,
    /// Sold (online and pushed offline sales).
    pub sold: u32,
    /// Lent to desks as allotments and not yet sold or returned.
    pub lent: u32,
    /// Free to sell online.
    pub available: u32,
}
