//! The catalogue and inventory tables.

use std::collections::BTreeMap;

use guichet_domain::catalogue::{Offer, Session, Venue};
use guichet_domain::{Catalogue, Games, Money, PriceCategory, SessionCode, VenueCode};
use guichet_wire::catalogue::AvailabilityDto;
use jiff::{tz::Offset, Timestamp};
use rusqlite::{params, Connection};

use super::{Result, Store, StoreError};

impl Store {
    /// Imports a catalogue: venues, sessions and offers are inserted or updated; the sold and
    /// lent counts of existing offers are kept, so importing twice changes nothing.
    pub fn import_catalogue(&mut self, cat: &Catalogue) -> Result<ImportReport> {
        let mut report = ImportReport::default();
        self.write(|tx| {
            for v in cat.venues() {
                tx.execute(
                    "INSERT INTO venues(code, name, name_fr, city, capacity) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT(code) DO UPDATE SET name = ?2, name_fr = ?3, city = ?4, capacity = ?5",
                    params![v.code.as_str(), v.name, v.name_fr, v.city, v.capacity],
                )?;
            }
            for s in cat.sessions() {
                tx.execute(
                    "INSERT INTO sessions(code, games, sport, discipline, description, venue_code, venue_name,
                         city, start_utc, end_utc, utc_offset_s, medal)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                     ON CONFLICT(code) DO UPDATE SET games = ?2, sport = ?3, discipline = ?4,
                         description = ?5, venue_code = ?6, venue_name = ?7, city = ?8,
                         start_utc = ?9, end_utc = ?10, utc_offset_s = ?11, medal = ?12",
                    params![
                        s.code.as_str(),
                        games_text(s.games),
                        s.sport,
                        s.discipline,
                        s.description,
                        s.venue_code.as_ref().map(VenueCode::as_str),
                        s.venue_name,
                        s.city,
                        s.start.to_string(),
                        s.end.to_string(),
                        s.utc_offset.seconds(),
                        s.medal
                    ],
                )?;
                report.sessions += 1;
                for o in &s.offers {
                    let n = tx.execute(
                        "INSERT INTO offers(session, category, price_cents, capacity) VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT(session, category) DO UPDATE SET price_cents = ?3, capacity = ?4",
                        params![s.code.as_str(), o.category.to_string(), o.price.cents(), o.capacity],
                    )?;
                    report.offers += n;
                    report.seats += u64::from(o.capacity);
                }
            }
            Ok::<_, StoreError>(())
        })?;
        self.catalogue = self.read(load)?;
        Ok(report)
    }

    /// Availability of every offer (or of one session).
    pub fn availability(&self, session: Option<&SessionCode>) -> Result<Vec<AvailabilityDto>> {
        self.read(|c| {
            Ok(availability_rows(
                c,
                session.map(SessionCode::as_str),
                None,
            )?)
        })
    }

    /// Sets what is left of one offer (for demos and tests: "the last 100 tickets").
    pub fn set_available(
        &self,
        session: &SessionCode,
        category: PriceCategory,
        left: u32,
    ) -> Result<()> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE offers SET sold = MAX(capacity - lent - held - ?3, 0) WHERE session = ?1 AND category = ?2",
                params![session.as_str(), category.to_string(), left],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("no offer {session} {category}")));
            }
            Ok::<_, StoreError>(())
        })
    }
}

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// Sessions written.
    pub sessions: usize,
    /// Offers written.
    pub offers: usize,
    /// Seats in all.
    pub seats: u64,
}

/// Availability rows, optionally of one session and one category.
pub(super) fn availability_rows(
    c: &Connection,
    session: Option<&str>,
    category: Option<&str>,
) -> rusqlite::Result<Vec<AvailabilityDto>> {
    let mut stmt = c.prepare_cached(
        "SELECT session, category, capacity, sold, lent, held FROM offers
         WHERE (?1 IS NULL OR session = ?1) AND (?2 IS NULL OR category = ?2) ORDER BY session, category",
    )?;
    let rows = stmt.query_map(params![session, category], |r| {
        let (capacity, sold, lent, held): (u32, u32, u32, u32) =
            (r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
        Ok(AvailabilityDto {
            session: r.get(0)?,
            category: r.get(1)?,
            capacity,
            sold,
            lent,
            available: capacity.saturating_sub(sold.saturating_add(lent).saturating_add(held)),
        })
    })?;
    rows.collect()
}

pub(crate) fn games_text(g: Games) -> &'static str {
    match g {
        Games::Olympic => "olympic",
        Games::Paralympic => "paralympic",
    }
}

fn bad(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Catalogue(format!("{what}: {e}"))
}

/// Loads the catalogue from the tables.
pub(super) fn load(c: &Connection) -> Result<Catalogue> {
    let mut venues = Vec::new();
    let mut stmt = c.prepare("SELECT code, name, name_fr, city, capacity FROM venues")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let code: String = r.get(0)?;
        venues.push(Venue {
            code: VenueCode::parse(&code).map_err(|e| bad("venue", e))?,
            name: r.get(1)?,
            name_fr: r.get(2)?,
            city: r.get(3)?,
            capacity: r.get(4)?,
        });
    }
    let mut offers: BTreeMap<String, Vec<Offer>> = BTreeMap::new();
    let mut stmt = c.prepare(
        "SELECT session, category, price_cents, capacity FROM offers ORDER BY session, category",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let cat: String = r.get(1)?;
        offers.entry(r.get(0)?).or_default().push(Offer {
            category: PriceCategory::parse(&cat).map_err(|e| bad("offer", e))?,
            price: Money::from_cents(r.get(2)?),
            capacity: r.get(3)?,
        });
    }
    let mut sessions = Vec::new();
    let mut stmt = c.prepare(
        "SELECT code, games, sport, discipline, description, venue_code, venue_name, city,
                start_utc, end_utc, utc_offset_s, medal FROM sessions",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let code: String = r.get(0)?;
        let games: String = r.get(1)?;
        let venue: Option<String> = r.get(5)?;
        let (start, end): (String, String) = (r.get(8)?, r.get(9)?);
        sessions.push(Session {
            code: SessionCode::parse(&code).map_err(|e| bad("session", e))?,
            games: if games == "paralympic" {
                Games::Paralympic
            } else {
                Games::Olympic
            },
            sport: r.get(2)?,
            discipline: r.get(3)?,
            description: r.get(4)?,
            venue_code: venue
                .map(|v| VenueCode::parse(&v))
                .transpose()
                .map_err(|e| bad("session venue", e))?,
            venue_name: r.get(6)?,
            city: r.get(7)?,
            start: start
                .parse::<Timestamp>()
                .map_err(|e| bad("session start", e))?,
            end: end
                .parse::<Timestamp>()
                .map_err(|e| bad("session end", e))?,
            utc_offset: Offset::from_seconds(r.get(10)?).map_err(|e| bad("session offset", e))?,
            medal: r.get(11)?,
            offers: offers.remove(&code).unwrap_or_default(),
        });
    }
    Ok(Catalogue::new(venues, sessions))
}
