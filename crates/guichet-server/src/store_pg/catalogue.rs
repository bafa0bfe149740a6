//! The catalogue and inventory on PostgreSQL: import, load, availability, and the seats'
//! movements between the pool and dead replicas' buckets.

use std::collections::BTreeMap;

use deadpool_postgres::GenericClient;
use guichet_domain::catalogue::{Offer, Session, Venue};
use guichet_domain::{Catalogue, Games, Money, PriceCategory, SessionCode, VenueCode};
use guichet_wire::catalogue::AvailabilityDto;
use jiff::{tz::Offset, Timestamp};

use super::{count, Client, PgStore};
use crate::store::{ImportReport, Result, StoreError};

fn bad(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Catalogue(format!("{what}: {e}"))
}

impl PgStore {
    /// Imports a catalogue: venues, sessions and offers inserted or updated. A new offer's
    /// seats all start in the pool; a changed capacity moves the pool by the difference.
    pub async fn import_catalogue(&mut self, cat: &Catalogue) -> Result<ImportReport> {
        let mut report = ImportReport::default();
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        for v in cat.venues() {
            tx.execute(
                "INSERT INTO venues(code, name, name_fr, city, capacity) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT(code) DO UPDATE SET name = $2, name_fr = $3, city = $4, capacity = $5",
                &[&v.code.as_str(), &v.name, &v.name_fr, &v.city, &v.capacity.map(i64::from)],
            )
            .await?;
        }
        let offer = tx
            .prepare(
                "INSERT INTO offers(session, category, price_cents, capacity, pool) VALUES ($1, $2, $3, $4, $4)
                 ON CONFLICT(session, category) DO UPDATE SET price_cents = $3, capacity = $4,
                     pool = offers.pool + ($4 - offers.capacity)",
            )
            .await?;
        for s in cat.sessions() {
            tx.execute(
                "INSERT INTO sessions(code, games, sport, discipline, description, venue_code, venue_name,
                     city, start_utc, end_utc, utc_offset_s, medal)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                 ON CONFLICT(code) DO UPDATE SET games = $2, sport = $3, discipline = $4,
                     description = $5, venue_code = $6, venue_name = $7, city = $8,
                     start_utc = $9, end_utc = $10, utc_offset_s = $11, medal = $12",
                &[
                    &s.code.as_str(),
                    &crate::store::games_text(s.games),
                    &s.sport,
                    &s.discipline,
                    &s.description,
                    &s.venue_code.as_ref().map(VenueCode::as_str),
                    &s.venue_name,
                    &s.city,
                    &s.start.to_string(),
                    &s.end.to_string(),
                    &s.utc_offset.seconds(),
                    &s.medal,
                ],
            )
            .await?;
            report.sessions += 1;
            for o in &s.offers {
                let n = tx
                    .execute(
                        &offer,
                        &[
                            &s.code.as_str(),
                            &o.category.to_string(),
                            &o.price.cents(),
                            &i64::from(o.capacity),
                        ],
                    )
                    .await?;
                report.offers += usize::try_from(n).unwrap_or(0);
                report.seats += u64::from(o.capacity);
            }
        }
        tx.commit().await?;
        self.catalogue = load(&c).await?;
        Ok(report)
    }

    /// Availability of every offer (or of one session).
    pub async fn availability(
        &self,
        session: Option<&SessionCode>,
    ) -> Result<Vec<AvailabilityDto>> {
        let c = self.client().await?;
        availability_rows(&c, session.map(SessionCode::as_str), None).await
    }

    /// Sets what is left of one offer (demos and tests: "the last 100 tickets"): every bucket
    /// of it is emptied and the pool holds exactly `left`; the seats that go are counted sold.
    pub async fn set_available(
        &self,
        session: &SessionCode,
        category: PriceCategory,
        left: u32,
    ) -> Result<()> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let (s, cat) = (session.as_str(), category.to_string());
        let n = tx
            .execute(
                "SELECT 1 FROM offers WHERE session = $1 AND category = $2 FOR UPDATE",
                &[&s, &cat],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound(format!(
                "no offer {session} {category}"
            )));
        }
        tx.execute(
            "UPDATE buckets SET seats_left = 0 WHERE session = $1 AND category = $2",
            &[&s, &cat],
        )
        .await?;
        tx.execute(
            "UPDATE offers o SET pool = LEAST($3, capacity - lent - held),
                 sold = capacity + oversold - lent - held - LEAST($3, capacity - lent - held)
                        - COALESCE((SELECT SUM(b.sold) FROM buckets b WHERE b.session = o.session AND b.category = o.category), 0)
             WHERE session = $1 AND category = $2",
            &[&s, &cat, &i64::from(left)],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Availability rows, optionally of one session and one category: what is online is the pool
/// and every bucket's seats.
pub(super) async fn availability_rows(
    c: &impl GenericClient,
    session: Option<&str>,
    category: Option<&str>,
) -> Result<Vec<AvailabilityDto>> {
    let rows = c
        .query(
            "SELECT o.session, o.category, o.capacity, o.lent,
                    o.sold + COALESCE(SUM(b.sold), 0)::BIGINT,
                    o.pool + COALESCE(SUM(b.seats_left), 0)::BIGINT
             FROM offers o LEFT JOIN buckets b ON b.session = o.session AND b.category = o.category
             WHERE ($1::TEXT IS NULL OR o.session = $1) AND ($2::TEXT IS NULL OR o.category = $2)
             GROUP BY o.session, o.category ORDER BY o.session, o.category",
            &[&session, &category],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| AvailabilityDto {
            session: r.get(0),
            category: r.get(1),
            capacity: count(r.get(2)),
            lent: count(r.get(3)),
            sold: count(r.get(4)),
            available: count(r.get(5)),
        })
        .collect())
}

/// The invariant as one query: a row per offer whose seats do not add up
/// (`pool + Σ buckets.seats_left + lent + held + sold + Σ buckets.sold = capacity + oversold`), or
/// whose pool went below 0: session, category, both sides, the pool and the buckets' seats.
/// No row: it holds.
pub const INVARIANT_QUERY: &str =
    "SELECT o.session, o.category,
            o.pool + COALESCE(SUM(b.seats_left), 0)::BIGINT + o.lent + o.held + o.sold + COALESCE(SUM(b.sold), 0)::BIGINT,
            o.capacity + o.oversold,
            o.pool, COALESCE(SUM(b.seats_left), 0)::BIGINT
     FROM offers o LEFT JOIN buckets b ON b.session = o.session AND b.category = o.category
     GROUP BY o.session, o.category
     HAVING o.pool + COALESCE(SUM(b.seats_left), 0) + o.lent + o.held + o.sold + COALESCE(SUM(b.sold), 0)
            <> o.capacity + o.oversold OR o.pool < 0";

/// Offers whose seats do not add up ([`INVARIANT_QUERY`]), each named with both sides;
/// empty when the invariant holds. Takes any client on the database (a test's own too).
pub async fn invariant_violations(c: &tokio_postgres::Client) -> Result<Vec<String>> {
    let rows = c.query(INVARIANT_QUERY, &[]).await?;
    Ok(rows
        .iter()
        .map(|r| {
            let (s, c, placed, cap, pool, buckets): (String, String, i64, i64, i64, i64) =
                (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5));
            format!("{s} {c}: pool {pool} + buckets {buckets} + lent + sold = {placed}, capacity + oversold = {cap}")
        })
        .collect())
}

/// Seats of dead replicas' buckets (lease passed, or no replica row) go back to the pool;
/// buckets another transaction holds are skipped (`SKIP LOCKED`) and taken at a later sweep.
pub(super) async fn reclaim_dead_buckets(mut c: Client) -> Result<u64> {
    let tx = c.transaction().await?;
    let rows = tx
        .query(
            "SELECT b.session, b.category, b.replica_id, b.seats_left FROM buckets b
             LEFT JOIN replicas r ON r.id = b.replica_id
             WHERE b.seats_left > 0 AND (r.id IS NULL OR r.lease_until < now())
             ORDER BY b.session, b.category, b.replica_id
             FOR UPDATE OF b SKIP LOCKED",
            &[],
        )
        .await?;
    let mut moved = 0u64;
    for r in &rows {
        let (s, cat, rep, n): (String, String, String, i64) =
            (r.get(0), r.get(1), r.get(2), r.get(3));
        tx.execute(
            "UPDATE buckets SET seats_left = 0 WHERE session = $1 AND category = $2 AND replica_id = $3",
            &[&s, &cat, &rep],
        )
        .await?;
        tx.execute(
            "UPDATE offers SET pool = pool + $3 WHERE session = $1 AND category = $2",
            &[&s, &cat, &n],
        )
        .await?;
        moved += u64::try_from(n).unwrap_or(0);
    }
    tx.execute(
        "DELETE FROM replicas r WHERE lease_until < now() - interval '1 hour'
         AND NOT EXISTS (SELECT 1 FROM buckets b WHERE b.replica_id = r.id AND b.seats_left > 0)",
        &[],
    )
    .await?;
    tx.commit().await?;
    Ok(moved)
}

/// Loads the catalogue from the tables.
pub(super) async fn load(c: &impl GenericClient) -> Result<Catalogue> {
    let mut venues = Vec::new();
    for r in c
        .query(
            "SELECT code, name, name_fr, city, capacity FROM venues",
            &[],
        )
        .await?
    {
        let code: String = r.get(0);
        let capacity: Option<i64> = r.get(4);
        venues.push(Venue {
            code: VenueCode::parse(&code).map_err(|e| bad("venue", e))?,
            name: r.get(1),
            name_fr: r.get(2),
            city: r.get(3),
            capacity: capacity.map(count),
        });
    }
    let mut offers: BTreeMap<String, Vec<Offer>> = BTreeMap::new();
    for r in c
        .query(
            "SELECT session, category, price_cents, capacity FROM offers ORDER BY session, category",
            &[],
        )
        .await?
    {
        let cat: String = r.get(1);
        offers.entry(r.get(0)).or_default().push(Offer {
            category: PriceCategory::parse(&cat).map_err(|e| bad("offer", e))?,
            price: Money::from_cents(r.get(2)),
            capacity: count(r.get(3)),
        });
    }
    let mut sessions = Vec::new();
    for r in c
        .query(
            "SELECT code, games, sport, discipline, description, venue_code, venue_name, city,
                    start_utc, end_utc, utc_offset_s, medal FROM sessions ORDER BY code",
            &[],
        )
        .await?
    {
        let code: String = r.get(0);
        let games: String = r.get(1);
        let venue: Option<String> = r.get(5);
        let (start, end): (String, String) = (r.get(8), r.get(9));
        sessions.push(Session {
            code: SessionCode::parse(&code).map_err(|e| bad("session", e))?,
            games: if games == "paralympic" {
                Games::Paralympic
            } else {
                Games::Olympic
            },
            sport: r.get(2),
            discipline: r.get(3),
            description: r.get(4),
            venue_code: venue
                .map(|v| VenueCode::parse(&v))
                .transpose()
                .map_err(|e| bad("session venue", e))?,
            venue_name: r.get(6),
            city: r.get(7),
            start: start
                .parse::<Timestamp>()
                .map_err(|e| bad("session start", e))?,
            end: end
                .parse::<Timestamp>()
                .map_err(|e| bad("session end", e))?,
            utc_offset: Offset::from_seconds(r.get(10)).map_err(|e| bad("session offset", e))?,
            medal: r.get(11),
            offers: offers.remove(&code).unwrap_or_default(),
        });
    }
    Ok(Catalogue::new(venues, sessions))
}
