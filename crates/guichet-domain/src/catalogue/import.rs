//! Catalogue import from CSV text. Either every row is good and a whole [`Catalogue`] comes
//! back, or the first bad row is reported with its file, line and column and nothing is
//! imported.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use jiff::{civil, tz::Offset, SignedDuration};

use super::{Catalogue, Offer, Session, Venue};
use crate::error::{Error, Result};
use crate::ids::{Games, Money, PriceCategory, SessionCode, VenueCode};

/// File names of a catalogue directory.
pub const VENUES: &str = "venues.csv";
/// Olympic sessions (the official feed, plus the two ceremonies).
pub const OLYMPIC_SESSIONS: &str = "sessions.csv";
/// Paralympic sessions, derived from the venues file (see the data README).
pub const PARALYMPIC_SESSIONS: &str = "paralympic_sessions.csv";
/// Price and capacity per session and category, derived (see the data README).
pub const PRICES: &str = "prices.csv";

/// The four files' contents, as text.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    /// `venues.csv`.
    pub venues: &'a str,
    /// `sessions.csv`.
    pub olympic_sessions: &'a str,
    /// `paralympic_sessions.csv`.
    pub paralympic_sessions: &'a str,
    /// `prices.csv`.
    pub prices: &'a str,
}

/// The Paris 2024 files as compiled into the binary.
pub const PARIS2024: Sources<'static> = Sources {
    venues: include_str!("../../../../data/paris2024/venues.csv"),
    olympic_sessions: include_str!("../../../../data/paris2024/sessions.csv"),
    paralympic_sessions: include_str!("../../../../data/paris2024/paralympic_sessions.csv"),
    prices: include_str!("../../../../data/paris2024/prices.csv"),
};

pub(super) fn paris2024_embedded() -> Result<Catalogue> {
    import(PARIS2024)
}

/// Reads the four files of a catalogue directory and imports them.
pub fn load_dir(dir: &Path) -> Result<Catalogue> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read_to_string(&path).map_err(|source| Error::Io { path, source })
    };
    let (v, o, p, pr) = (
        read(VENUES)?,
        read(OLYMPIC_SESSIONS)?,
        read(PARALYMPIC_SESSIONS)?,
        read(PRICES)?,
    );
    import(Sources {
        venues: &v,
        olympic_sessions: &o,
        paralympic_sessions: &p,
        prices: &pr,
    })
}

/// Imports a whole catalogue from the four files' text.
pub fn import(src: Sources<'_>) -> Result<Catalogue> {
    let venues = parse_venues(src.venues)?;
    let venue_codes: BTreeSet<VenueCode> = venues.iter().map(|v| v.code.clone()).collect();
    let mut sessions = parse_sessions(OLYMPIC_SESSIONS, src.olympic_sessions, Games::Olympic)?;
    sessions.extend(parse_sessions(
        PARALYMPIC_SESSIONS,
        src.paralympic_sessions,
        Games::Paralympic,
    )?);
    let mut by_code: BTreeMap<SessionCode, Session> = BTreeMap::new();
    for (line, s) in sessions {
        if let Some(vc) = &s.venue_code {
            if !venue_codes.contains(vc) {
                return Err(Error::Catalogue(format!(
                    "session {} names venue {vc}, which is not in {VENUES}",
                    s.code
                )));
            }
        }
        if by_code.contains_key(&s.code) {
            return Err(csv_err(
                OLYMPIC_SESSIONS,
                line,
                "session_code",
                "duplicate session code",
            ));
        }
        by_code.insert(s.code.clone(), s);
    }
    for (line, code, offer) in parse_prices(src.prices)? {
        let Some(session) = by_code.get_mut(&code) else {
            return Err(csv_err(
                PRICES,
                line,
                "session_code",
                &format!("unknown session {code}"),
            ));
        };
        if session.offer(offer.category).is_some() {
            return Err(csv_err(PRICES, line, "category", "category listed twice"));
        }
        session.offers.push(offer);
        session.offers.sort_by_key(|o| o.category);
    }
    if let Some(s) = by_code.values().find(|s| s.offers.is_empty()) {
        return Err(Error::Catalogue(format!(
            "session {} has no price row in {PRICES}",
            s.code
        )));
    }
    for s in by_code.values() {
        check_pairs(s)?;
    }
    Ok(Catalogue {
        venues: venues.into_iter().map(|v| (v.code.clone(), v)).collect(),
        sessions: by_code,
    })
}

/// Each wheelchair place has exactly one companion seat: a session sells both or neither, in
/// equal numbers.
fn check_pairs(s: &Session) -> Result<()> {
    let seats = |c| s.offer(c).map(|o| o.capacity);
    match (seats(PriceCategory::WCH), seats(PriceCategory::CMP)) {
        (None, None) => Ok(()),
        (Some(w), Some(c)) if w == c => Ok(()),
        (w, c) => Err(Error::Catalogue(format!(
            "session {} has {} wheelchair places and {} companion seats in {PRICES}; each \
             wheelchair place has exactly one companion seat — give WCH and CMP the same capacity",
            s.code,
            w.unwrap_or(0),
            c.unwrap_or(0)
        ))),
    }
}

/// A CSV table with named columns; every field read names its file, line and column on error.
pub(crate) struct Table {
    file: &'static str,
    columns: BTreeMap<String, usize>,
    rows: Vec<(u64, csv::StringRecord)>,
}

impl Table {
    pub(crate) fn parse(file: &'static str, text: &str, required: &[&str]) -> Result<Table> {
        // The csv crate miscounts lines on CRLF files (the sourced CSVs are CRLF): read them
        // as LF so that an error names the line a person sees in an editor.
        let text = text.replace("\r\n", "\n");
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(text.as_bytes());
        let headers = rdr.headers().map_err(|e| from_csv(file, e))?.clone();
        let columns: BTreeMap<String, usize> = headers
            .iter()
            .enumerate()
            .map(|(i, h)| (h.trim().to_string(), i))
            .collect();
        if let Some(missing) = required.iter().find(|c| !columns.contains_key(**c)) {
            return Err(csv_err(
                file,
                1,
                missing,
                "column is missing from the header",
            ));
        }
        let mut rows = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| from_csv(file, e))?;
            let line = rec.position().map_or(0, |p| p.line());
            rows.push((line, rec));
        }
        Ok(Table {
            file,
            columns,
            rows,
        })
    }

    pub(crate) fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(move |(line, rec)| Row {
            table: self,
            line: *line,
            rec,
        })
    }
}

pub(crate) struct Row<'a> {
    table: &'a Table,
    pub(crate) line: u64,
    rec: &'a csv::StringRecord,
}

impl<'a> Row<'a> {
    /// The trimmed text of a column (empty when the column is absent).
    pub(crate) fn text(&self, col: &str) -> &'a str {
        self.table
            .columns
            .get(col)
            .and_then(|&i| self.rec.get(i))
            .map_or("", str::trim)
    }
    pub(crate) fn err(&self, col: &str, message: &str) -> Error {
        csv_err(self.table.file, self.line, col, message)
    }
    pub(crate) fn required(&self, col: &str) -> Result<&'a str> {
        let t = self.text(col);
        if t.is_empty() {
            Err(self.err(col, "value is required"))
        } else {
            Ok(t)
        }
    }
    pub(crate) fn parse<T>(
        &self,
        col: &str,
        f: impl FnOnce(&str) -> std::result::Result<T, String>,
    ) -> Result<T> {
        let t = self.required(col)?;
        f(t).map_err(|m| self.err(col, &format!("{t:?}: {m}")))
    }
    pub(crate) fn optional_u32(&self, col: &str) -> Result<Option<u32>> {
        let t = self.text(col);
        if t.is_empty() {
            return Ok(None);
        }
        t.parse::<u32>()
            .map(Some)
            .map_err(|_| self.err(col, &format!("{t:?} is not a whole number")))
    }
}

pub(crate) fn csv_err(file: &str, line: u64, column: &str, message: &str) -> Error {
    Error::Csv {
        file: file.into(),
        line,
        column: column.into(),
        message: message.into(),
    }
}

fn from_csv(file: &str, e: csv::Error) -> Error {
    let line = e.position().map_or(0, |p| p.line());
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("row has {len} fields; the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "text is not valid UTF-8".to_string(),
        _ => e.to_string(),
    };
    csv_err(file, line, "(row)", &message)
}

fn parse_venues(text: &str) -> Result<Vec<Venue>> {
    let t = Table::parse(VENUES, text, &["venue_code", "venue", "city", "capacity"])?;
    t.rows()
        .map(|r| {
            let code = r.parse("venue_code", |s| {
                VenueCode::parse(s).map_err(|e| e.to_string())
            })?;
            let name = r.required("venue")?.to_string();
            let name_fr = match r.text("venue_name_fr") {
                "" => name.clone(),
                fr => fr.to_string(),
            };
            let capacity = match r.optional_u32("capacity")? {
                Some(c) => Some(c),
                None => r.optional_u32("capacity_assumed_for_estimate")?,
            };
            Ok(Venue {
                code,
                name,
                name_fr,
                city: r.text("city").to_string(),
                capacity,
            })
        })
        .collect()
}

pub(crate) fn parse_offset(s: &str) -> std::result::Result<Offset, String> {
    let bad = || "expected a UTC offset like +02:00 or -10:00".to_string();
    let (sign, rest) = match s.as_bytes().first() {
        Some(b'+') => (1, &s[1..]),
        Some(b'-') => (-1, &s[1..]),
        _ => return Err(bad()),
    };
    let (h, m) = rest.split_once(':').ok_or_else(bad)?;
    let h: i32 = h.parse().map_err(|_| bad())?;
    let m: i32 = m.parse().map_err(|_| bad())?;
    if h > 14 || m > 59 {
        return Err(bad());
    }
    Offset::from_seconds(sign * (h * 3600 + m * 60)).map_err(|e| e.to_string())
}

fn parse_sessions(file: &'static str, text: &str, games: Games) -> Result<Vec<(u64, Session)>> {
    let t = Table::parse(
        file,
        text,
        &[
            "session_code",
            "sport",
            "discipline",
            "venue",
            "date",
            "start_time",
            "utc_offset",
        ],
    )?;
    t.rows()
        .map(|r| {
            let code = r.parse("session_code", |s| {
                SessionCode::parse(s).map_err(|e| e.to_string())
            })?;
            let date: civil::Date = r.parse("date", |s| {
                s.parse().map_err(|_| "expected YYYY-MM-DD".into())
            })?;
            let start_t: civil::Time = r.parse("start_time", |s| {
                s.parse().map_err(|_| "expected HH:MM".into())
            })?;
            let offset = r.parse("utc_offset", parse_offset)?;
            let tz = offset.to_time_zone();
            let start = date
                .to_datetime(start_t)
                .to_zoned(tz.clone())
                .map_err(|e| r.err("start_time", &e.to_string()))?
                .timestamp();
            let end = match r.text("end_time") {
                // The closing ceremony has no published end: three hours is assumed.
                "" => start + SignedDuration::from_hours(3),
                s => {
                    let t: civil::Time = s
                        .parse()
                        .map_err(|_| r.err("end_time", &format!("{s:?}: expected HH:MM")))?;
                    let day = if r.text("ends_next_day") == "y" || t < start_t {
                        date.tomorrow().map_err(|e| r.err("date", &e.to_string()))?
                    } else {
                        date
                    };
                    day.to_datetime(t)
                        .to_zoned(tz)
                        .map_err(|e| r.err("end_time", &e.to_string()))?
                        .timestamp()
                }
            };
            let venue_code = match r.text("venue_code") {
                "" => None,
                s => Some(VenueCode::parse(s).map_err(|e| r.err("venue_code", &e.to_string()))?),
            };
            let medal = match r.text("medal") {
                "y" => true,
                "n" | "" => false,
                other => return Err(r.err("medal", &format!("{other:?}: expected y or n"))),
            };
            Ok((
                r.line,
                Session {
                    code,
                    games,
                    sport: r.required("sport")?.to_string(),
                    discipline: r.required("discipline")?.to_string(),
                    description: r.text("description").to_string(),
                    venue_code,
                    venue_name: r.required("venue")?.to_string(),
                    city: r.text("venue_city").to_string(),
                    start,
                    end,
                    utc_offset: offset,
                    medal,
                    offers: Vec::new(),
                },
            ))
        })
        .collect()
}

fn parse_prices(text: &str) -> Result<Vec<(u64, SessionCode, Offer)>> {
    let t = Table::parse(
        PRICES,
        text,
        &["session_code", "category", "price_eur", "capacity"],
    )?;
    t.rows()
        .map(|r| {
            let code = r.parse("session_code", |s| {
                SessionCode::parse(s).map_err(|e| e.to_string())
            })?;
            let category = r.parse("category", |s| {
                PriceCategory::parse(s).map_err(|e| e.to_string())
            })?;
            let price = r.parse("price_eur", |s| {
                Money::parse_euros(s).map_err(|e| e.to_string())
            })?;
            let capacity = r.parse("capacity", |s| match s.parse::<u32>() {
                Ok(0) => Err("capacity must be at least 1".into()),
                Ok(n) => Ok(n),
                Err(_) => Err("expected a whole number of seats".into()),
            })?;
            if price == Money::ZERO {
                return Err(r.err("price_eur", "price must be above zero"));
            }
            Ok((
                r.line,
                code,
                Offer {
                    category,
                    price,
                    capacity,
                },
            ))
        })
        .collect()
}
