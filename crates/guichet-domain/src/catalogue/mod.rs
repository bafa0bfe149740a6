//! The catalogue of the sale: venues, sessions of both Games, and their price categories.
//!
//! It is imported from CSV files (see [`import`]); the Paris 2024 files are embedded in the
//! binary so that every component starts from the same data ([`Catalogue::paris2024`]).

pub mod calendar;
pub mod derive;
pub mod french;
pub mod import;
pub mod stats;

use std::collections::BTreeMap;

use jiff::{civil, tz::Offset, Timestamp};
use serde::Serialize;

use crate::ids::{Games, Money, PriceCategory, SessionCode, VenueCode};

/// A competition venue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Venue {
    /// Official code, e.g. `STA`.
    pub code: VenueCode,
    /// English name.
    pub name: String,
    /// French name (falls back to the English one where the source has none).
    pub name_fr: String,
    /// City.
    pub city: String,
    /// Nominal capacity from the sources, if any.
    pub capacity: Option<u32>,
}

/// One price category of a session: its price and how many seats are sold in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Offer {
    /// Category A–D.
    pub category: PriceCategory,
    /// Price of one ticket.
    pub price: Money,
    /// Sellable seats in this category (the whole inventory, before any sale).
    pub capacity: u32,
}

/// A ticketed session: one admission, at one venue, at one time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Session {
    /// Code, e.g. `ATH07`.
    pub code: SessionCode,
    /// Olympic or Paralympic.
    pub games: Games,
    /// Sport as sold ("Athletics").
    pub sport: String,
    /// Discipline ("Beach Volleyball").
    pub discipline: String,
    /// What is on ("Men's 100m Final; ...").
    pub description: String,
    /// Venue code; `None` for the Opening Ceremony on the Seine.
    pub venue_code: Option<VenueCode>,
    /// Venue name as printed on the ticket.
    pub venue_name: String,
    /// City.
    pub city: String,
    /// Start instant.
    pub start: Timestamp,
    /// End instant (for an unknown end, start + 3 h, said in the data README).
    pub end: Timestamp,
    /// The venue's UTC offset during the Games: +02:00 in mainland France, −10:00 in Tahiti.
    #[serde(serialize_with = "offset_text")]
    pub utc_offset: Offset,
    /// Whether gold medals are decided.
    pub medal: bool,
    /// Price categories on offer, best first.
    pub offers: Vec<Offer>,
}

impl Session {
    /// The offer in one category, if the session sells it.
    pub fn offer(&self, category: PriceCategory) -> Option<&Offer> {
        self.offers.iter().find(|o| o.category == category)
    }
    /// Local wall-clock start (Paris time, or Tahiti time for surfing).
    pub fn local_start(&self) -> civil::DateTime {
        self.start
            .to_zoned(self.utc_offset.to_time_zone())
            .datetime()
    }
    /// Local wall-clock end.
    pub fn local_end(&self) -> civil::DateTime {
        self.end.to_zoned(self.utc_offset.to_time_zone()).datetime()
    }
    /// Total sellable seats over all categories.
    pub fn capacity(&self) -> u32 {
        self.offers.iter().map(|o| o.capacity).sum()
    }
}

/// Venues and sessions of both Games.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Catalogue {
    venues: BTreeMap<VenueCode, Venue>,
    sessions: BTreeMap<SessionCode, Session>,
}

impl Catalogue {
    /// Builds a catalogue from parts (used by the importer and by tests).
    pub fn new(venues: Vec<Venue>, sessions: Vec<Session>) -> Self {
        Catalogue {
            venues: venues.into_iter().map(|v| (v.code.clone(), v)).collect(),
            sessions: sessions.into_iter().map(|s| (s.code.clone(), s)).collect(),
        }
    }
    /// The Paris 2024 catalogue embedded in the binary (`data/paris2024`).
    pub fn paris2024() -> Catalogue {
        import::paris2024_embedded()
            .expect("the embedded Paris 2024 catalogue is checked by the test suite")
    }
    /// A session by code.
    pub fn session(&self, code: &SessionCode) -> Option<&Session> {
        self.sessions.get(code)
    }
    /// All sessions, by code.
    pub fn sessions(&self) -> impl Iterator<Item = &Session> {
        self.sessions.values()
    }
    /// A venue by code.
    pub fn venue(&self, code: &VenueCode) -> Option<&Venue> {
        self.venues.get(code)
    }
    /// All venues, by code.
    pub fn venues(&self) -> impl Iterator<Item = &Venue> {
        self.venues.values()
    }
    /// Number of sessions of one Games.
    pub fn count(&self, games: Games) -> usize {
        self.sessions.values().filter(|s| s.games == games).count()
    }
}

/// Formats an offset as `+02:00` / `-10:00`.
pub fn format_offset(o: Offset) -> String {
    let secs = o.seconds();
    let sign = if secs < 0 { '-' } else { '+' };
    let abs = secs.unsigned_abs();
    format!("{sign}{:02}:{:02}", abs / 3600, (abs % 3600) / 60)
}

fn offset_text<S: serde::Serializer>(o: &Offset, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&format_offset(*o))
}
