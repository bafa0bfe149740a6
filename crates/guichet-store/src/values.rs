//! Conversions between domain values and their stored text.

use guichet_domain::{Games, PriceCategory, SessionCode};
use jiff::Timestamp;

use crate::error::{Error, Result};

/// A new UUIDv7 whose time part is `at` (the injected clock, not the system clock).
pub fn new_id(at: Timestamp) -> String {
    let secs = u64::try_from(at.as_second()).unwrap_or(0);
    let nanos = u32::try_from(at.subsec_nanosecond()).unwrap_or(0);
    let ts = uuid::Timestamp::from_unix(uuid::NoContext, secs, nanos);
    uuid::Uuid::new_v7(ts).to_string()
}

/// Stored form of an instant: RFC 3339 in UTC.
pub fn ts(at: Timestamp) -> String {
    at.to_string()
}

pub(crate) fn parse_ts(what: &'static str, s: &str) -> Result<Timestamp> {
    s.parse().map_err(|_| Error::BadStoredValue {
        what,
        value: s.to_string(),
    })
}

pub(crate) fn parse_session(s: &str) -> Result<SessionCode> {
    SessionCode::parse(s).map_err(|_| Error::BadStoredValue {
        what: "session code",
        value: s.to_string(),
    })
}

pub(crate) fn parse_category(s: &str) -> Result<PriceCategory> {
    PriceCategory::parse(s).map_err(|_| Error::BadStoredValue {
        what: "price category",
        value: s.to_string(),
    })
}

pub(crate) fn games_str(g: Games) -> &'static str {
    match g {
        Games::Olympic => "olympic",
        Games::Paralympic => "paralympic",
    }
}

pub(crate) fn parse_games(s: &str) -> Result<Games> {
    match s {
        "olympic" => Ok(Games::Olympic),
        "paralympic" => Ok(Games::Paralympic),
        _ => Err(Error::BadStoredValue {
            what: "games",
            value: s.to_string(),
        }),
    }
}

pub(crate) fn category_str(c: PriceCategory) -> String {
    c.code().to_string()
}

/// A count SQLite added up in `i64`, as the rules take it: below 0 is 0, above `u32::MAX` is
/// `u32::MAX` (still over every cap and more than any order asks).
pub fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}
