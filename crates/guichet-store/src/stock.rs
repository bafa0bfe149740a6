//! What this desk may sell: the catalogue snapshot's session list, online availability as last
//! seen, and the offline allotment.

use std::collections::BTreeMap;

use guichet_domain::{Games, Money, PriceCategory, SessionCode};
use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Context, Error, Result};
use crate::values::{category_str, games_str, parse_category, parse_session, ts};

/// Tickets left per session and category.
pub type StockMap = BTreeMap<(SessionCode, PriceCategory), u32>;

/// A session of the catalogue snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRow {
    /// Code.
    pub code: SessionCode,
    /// Olympic or Paralympic.
    pub games: Games,
    /// Sport.
    pub sport: String,
    /// Discipline.
    pub discipline: String,
    /// Description.
    pub description: String,
    /// Venue.
    pub venue_name: String,
    /// City.
    pub city: String,
    /// Start.
    pub start: Timestamp,
    /// End.
    pub end: Timestamp,
    /// Price and capacity per category.
    pub offers: Vec<(PriceCategory, Money, u32)>,
}

/// Replaces the catalogue snapshot.
pub fn replace_catalogue<'a>(
    conn: &Connection,
    sessions: impl IntoIterator<Item = &'a SessionRow>,
) -> Result<usize> {
    conn.execute_batch("DELETE FROM catalogue_offer; DELETE FROM catalogue_session;")
        .ctx("clear catalogue snapshot")?;
    let mut n = 0;
    for s in sessions {
        conn.prepare_cached(
            "INSERT INTO catalogue_session (code, games, sport, discipline, description,
               venue_name, city, start_at, end_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .and_then(|mut st| {
            st.execute(params![
                s.code.as_str(),
                games_str(s.games),
                s.sport,
                s.discipline,
                s.description,
                s.venue_name,
                s.city,
                ts(s.start),
                ts(s.end)
            ])
        })
        .ctx(format!("store session {}", s.code))?;
        for (cat, price, capacity) in &s.offers {
            conn.prepare_cached(
                "INSERT INTO catalogue_offer (session_code, category, price_cents, capacity)
                 VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut st| {
                st.execute(params![
                    s.code.as_str(),
                    category_str(*cat),
                    price.cents(),
                    capacity
                ])
            })
            .ctx(format!("store offer {} {}", s.code, cat))?;
        }
        n += 1;
    }
    Ok(n)
}

/// Number of sessions in the snapshot.
pub fn catalogue_size(conn: &Connection) -> Result<u32> {
    conn.query_row("SELECT count(*) FROM catalogue_session", [], |r| r.get(0))
        .ctx("count catalogue sessions")
}

/// Sets this desk's allotment for a session and category.
pub fn set_allotment(
    conn: &Connection,
    session: &SessionCode,
    category: PriceCategory,
    granted: u32,
    remaining: u32,
) -> Result<()> {
    conn.execute(
        "INSERT INTO allotment (session_code, category, granted, remaining) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(session_code, category) DO UPDATE SET granted = excluded.granted,
           remaining = excluded.remaining",
        params![session.as_str(), category_str(category), granted, remaining],
    )
    .ctx("store allotment")?;
    Ok(())
}

/// Sets the online availability last seen for a session and category.
pub fn set_availability(
    conn: &Connection,
    session: &SessionCode,
    category: PriceCategory,
    remaining: u32,
    as_of_server: Timestamp,
) -> Result<()> {
    conn.execute(
        "INSERT INTO availability (session_code, category, remaining, as_of_server)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(session_code, category) DO UPDATE SET remaining = excluded.remaining,
           as_of_server = excluded.as_of_server",
        params![
            session.as_str(),
            category_str(category),
            remaining,
            ts(as_of_server)
        ],
    )
    .ctx("store availability")?;
    Ok(())
}

fn stock(conn: &Connection, table: &str) -> Result<StockMap> {
    let sql = format!("SELECT session_code, category, remaining FROM {table}");
    let mut stmt = conn.prepare_cached(&sql).ctx(format!("read {table}"))?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                crate::values::count(r.get::<_, i64>(2)?),
            ))
        })
        .ctx(format!("read {table}"))?;
    let mut out = StockMap::new();
    for row in rows {
        let (s, c, n) = row.ctx(format!("read {table}"))?;
        out.insert((parse_session(&s)?, parse_category(&c)?), n);
    }
    Ok(out)
}

/// This desk's offline allotment, per session and category.
pub fn allotments(conn: &Connection) -> Result<StockMap> {
    stock(conn, "allotment")
}

/// Online availability as last seen.
pub fn availability(conn: &Connection) -> Result<StockMap> {
    stock(conn, "availability")
}

/// Takes `n` tickets from the allotment, refusing (and changing nothing) if fewer are left.
pub fn take_allotment(
    conn: &Connection,
    session: &SessionCode,
    category: PriceCategory,
    n: u32,
) -> Result<()> {
    let changed = conn
        .prepare_cached(
            "UPDATE allotment SET remaining = remaining - ?3
             WHERE session_code = ?1 AND category = ?2 AND remaining >= ?3",
        )
        .and_then(|mut s| s.execute(params![session.as_str(), category_str(category), n]))
        .ctx("take from allotment")?;
    if changed == 1 {
        return Ok(());
    }
    let remaining: u32 = conn
        .query_row(
            "SELECT remaining FROM allotment WHERE session_code = ?1 AND category = ?2",
            params![session.as_str(), category_str(category)],
            |r| r.get(0),
        )
        .optional()
        .ctx("read allotment")?
        .unwrap_or(0);
    Err(Error::AllotmentShort {
        session: session.clone(),
        category,
        wanted: n,
        remaining,
    })
}

/// Gives `n` tickets back to the allotment (void of an offline sale) or to the availability
/// cache (void of an online sale; the server's count follows through the outbox).
pub fn give_back(
    conn: &Connection,
    offline: bool,
    session: &SessionCode,
    category: PriceCategory,
    n: u32,
) -> Result<()> {
    let table = if offline { "allotment" } else { "availability" };
    let sql = format!(
        "UPDATE {table} SET remaining = remaining + ?3 WHERE session_code = ?1 AND category = ?2"
    );
    conn.prepare_cached(&sql)
        .and_then(|mut s| s.execute(params![session.as_str(), category_str(category), n]))
        .ctx(format!("return tickets to {table}"))?;
    Ok(())
}

/// Seats left in this desk's allotment, over every session and category.
pub fn allotment_left(conn: &Connection) -> Result<u64> {
    conn.query_row(
        "SELECT coalesce(sum(remaining), 0) FROM allotment",
        [],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| u64::try_from(n).unwrap_or(0))
    .ctx("count the allotment left")
}

/// Whether the server ever lent this desk a seat.
pub fn has_allotment(conn: &Connection) -> Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM allotment WHERE granted > 0)",
        [],
        |r| r.get(0),
    )
    .ctx("look for an allotment")
}
