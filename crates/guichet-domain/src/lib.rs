//! Guichet's domain: the Paris 2024 catalogue, the sale configuration (phases, draws,
//! timeslots, limits) and the one rules function that every seller — server, desk online or
//! offline, kiosk — calls to decide a draft order.
//!
//! Nothing here reads the clock: every decision takes the instant as a parameter.

pub mod catalogue;
pub mod clock;
pub mod config;
pub mod error;
pub mod ids;
pub mod rules;
pub mod text;

pub use catalogue::french::{Lang, SessionWords};
pub use catalogue::{Catalogue, Offer, Session, Venue};
pub use clock::Clock;
pub use config::{OrderKind, SaleConfig};
pub use error::{Error, ParseError, Result};
pub use ids::{AccountId, Games, Money, PriceCategory, SessionCode, VenueCode};
pub use rules::{
    check_order, AccountStanding, DraftLine, DraftOrder, Rejection, ValidOrder, Violation,
};
