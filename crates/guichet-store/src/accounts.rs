//! Accounts cached from the server and walk-ins made at this desk, with their held tickets and
//! draw results. Look-up goes through normalised, indexed columns.

use std::collections::BTreeMap;

use guichet_domain::{AccountId, PriceCategory, SessionCode};
use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::error::{Context, Error, Result};
use crate::text::{fold, prefix_upper_bound};
use crate::values::{count, parse_session, parse_ts, ts};

/// Where an account was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountOrigin {
    /// Pulled from the server.
    Server,
    /// Created at this desk (walk-in), not yet known to the server.
    Desk,
}

/// An account as the desk knows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Account {
    /// Account number (server) or device-made id (walk-in).
    pub id: AccountId,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Email.
    pub email: String,
    /// Country (ISO 3166-1 alpha-2).
    pub country: String,
    /// Club Paris 2024 number, if a member.
    pub club_number: Option<String>,
    /// Where it was made.
    pub origin: AccountOrigin,
}

impl Account {
    /// "Given Family".
    pub fn full_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }
}

/// A draw's outcome for one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DrawState {
    /// Entered, not yet drawn.
    Registered,
    /// Drawn: may buy in the timeslot.
    Drawn,
    /// Not drawn.
    NotDrawn,
}

impl DrawState {
    fn as_str(self) -> &'static str {
        match self {
            DrawState::Registered => "registered",
            DrawState::Drawn => "drawn",
            DrawState::NotDrawn => "not_drawn",
        }
    }
    fn parse(s: &str) -> Result<DrawState> {
        match s {
            "registered" => Ok(DrawState::Registered),
            "drawn" => Ok(DrawState::Drawn),
            "not_drawn" => Ok(DrawState::NotDrawn),
            _ => Err(Error::BadStoredValue {
                what: "draw status",
                value: s.into(),
            }),
        }
    }
}

/// An account's entry in one draw ("pack-draw", "single-draw").
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DrawRecord {
    /// Draw id.
    pub draw_id: String,
    /// Outcome.
    pub status: DrawState,
    /// Timeslot (start, end) given to a drawn account.
    pub slot: Option<(Timestamp, Timestamp)>,
}

/// Inserts or replaces an account (server pull or walk-in).
pub fn upsert_account(conn: &Connection, a: &Account, created_at: Timestamp) -> Result<()> {
    let origin = match a.origin {
        AccountOrigin::Server => "server",
        AccountOrigin::Desk => "desk",
    };
    let given = fold(&a.given_name);
    let family = fold(&a.family_name);
    conn.prepare_cached(
        "INSERT INTO account (id, given_name, family_name, email, country, club_number, origin,
                              created_at, email_key, name_key, name_key_rev)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT(id) DO UPDATE SET given_name = excluded.given_name,
           family_name = excluded.family_name, email = excluded.email,
           country = excluded.country, club_number = excluded.club_number,
           origin = excluded.origin, email_key = excluded.email_key,
           name_key = excluded.name_key, name_key_rev = excluded.name_key_rev",
    )
    .and_then(|mut s| {
        s.execute(params![
            a.id.as_str(),
            a.given_name,
            a.family_name,
            a.email,
            a.country,
            a.club_number,
            origin,
            ts(created_at),
            fold(&a.email),
            format!("{given} {family}"),
            format!("{family} {given}"),
        ])
    })
    .ctx(format!("store account {}", a.id))?;
    Ok(())
}

const COLUMNS: &str = "id, given_name, family_name, email, country, club_number, origin";

fn account_from_row(r: &Row<'_>) -> rusqlite::Result<(String, Account)> {
    let id: String = r.get(0)?;
    let origin: String = r.get(6)?;
    let account = Account {
        id: AccountId::parse(&id).unwrap_or_else(|_| AccountId::parse("???").unwrap()),
        given_name: r.get(1)?,
        family_name: r.get(2)?,
        email: r.get(3)?,
        country: r.get(4)?,
        club_number: r.get(5)?,
        origin: if origin == "desk" {
            AccountOrigin::Desk
        } else {
            AccountOrigin::Server
        },
    };
    Ok((id, account))
}

fn checked(rows: Vec<(String, Account)>) -> Result<Vec<Account>> {
    rows.into_iter()
        .map(|(raw, a)| {
            if a.id.as_str() == raw {
                Ok(a)
            } else {
                Err(Error::BadStoredValue {
                    what: "account id",
                    value: raw,
                })
            }
        })
        .collect()
}

fn query(conn: &Connection, sql: &str, args: impl rusqlite::Params) -> Result<Vec<Account>> {
    let mut stmt = conn.prepare_cached(sql).ctx("look up accounts")?;
    let rows = stmt
        .query_map(args, account_from_row)
        .ctx("look up accounts")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .ctx("look up accounts")?;
    checked(rows)
}

/// The account with this number or device-made id.
pub fn account_by_id(conn: &Connection, id: &AccountId) -> Result<Option<Account>> {
    let sql = format!("SELECT {COLUMNS} FROM account WHERE id = ?1");
    Ok(query(conn, &sql, [id.as_str()])?.into_iter().next())
}

/// Accounts with this email (case-insensitive).
pub fn accounts_by_email(conn: &Connection, email: &str, limit: u32) -> Result<Vec<Account>> {
    let sql = format!("SELECT {COLUMNS} FROM account WHERE email_key = ?1 ORDER BY id LIMIT ?2");
    query(conn, &sql, params![fold(email), limit])
}

/// Accounts whose "given family" or "family given" name starts with `prefix`, accents and case
/// ignored; at most `limit`, ordered by name.
pub fn accounts_by_name_prefix(
    conn: &Connection,
    prefix: &str,
    limit: u32,
) -> Result<Vec<Account>> {
    let lo = fold(prefix);
    if lo.is_empty() {
        return Ok(Vec::new());
    }
    let hi = prefix_upper_bound(&lo);
    // Two index range scans, unioned; each is bounded by the limit.
    let sql = format!(
        "SELECT {COLUMNS} FROM (
           SELECT * FROM (SELECT * FROM account WHERE name_key >= ?1 AND name_key < ?2
                          ORDER BY name_key LIMIT ?3)
           UNION
           SELECT * FROM (SELECT * FROM account WHERE name_key_rev >= ?1 AND name_key_rev < ?2
                          ORDER BY name_key_rev LIMIT ?3)
         ) ORDER BY name_key, id LIMIT ?3"
    );
    query(conn, &sql, params![lo, hi, limit])
}

/// Sets the server's count of tickets an account holds for a session (at the last sync).
pub fn set_held(conn: &Connection, id: &AccountId, session: &SessionCode, qty: u32) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO account_held (account_id, session_code, quantity) VALUES (?1, ?2, ?3)
         ON CONFLICT(account_id, session_code) DO UPDATE SET quantity = excluded.quantity",
    )
    .and_then(|mut s| s.execute(params![id.as_str(), session.as_str(), qty]))
    .ctx("store held tickets")?;
    Ok(())
}

/// Tickets the account holds per session: the server's count at the last sync plus this desk's
/// valid tickets not yet acknowledged by the server. SQLite adds in `i64`; a sum past
/// `u32::MAX` (a server count near it plus one unsynced sale) is read as `u32::MAX`, which the
/// rules refuse like any count over the cap, rather than failing the look-up or wrapping.
pub fn held_tickets(conn: &Connection, id: &AccountId) -> Result<BTreeMap<SessionCode, u32>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT session_code, sum(q) FROM (
               SELECT session_code, quantity AS q FROM account_held WHERE account_id = ?1
               UNION ALL
               SELECT t.session_code, 1 FROM ticket t JOIN sale_order o ON o.id = t.order_id
               WHERE o.account_id = ?1 AND o.acknowledged = 0 AND t.status = 'valid'
             ) GROUP BY session_code",
        )
        .ctx("count held tickets")?;
    let rows = stmt
        .query_map([id.as_str()], |r| {
            Ok((r.get::<_, String>(0)?, count(r.get::<_, i64>(1)?)))
        })
        .ctx("count held tickets")?;
    let mut out = BTreeMap::new();
    for row in rows {
        let (code, n) = row.ctx("count held tickets")?;
        out.insert(parse_session(&code)?, n);
    }
    Ok(out)
}

/// Wheelchair places and companion seats of the account sold at this desk and still valid, per
/// session. Pairs bought elsewhere are not known here, so a later companion seat for one of them
/// is refused at this desk rather than ever sold without its wheelchair place.
pub fn held_pairs(
    conn: &Connection,
    id: &AccountId,
) -> Result<BTreeMap<SessionCode, guichet_domain::rules::HeldPairs>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT t.session_code, t.category, count(*) FROM ticket t
             JOIN sale_order o ON o.id = t.order_id
             WHERE o.account_id = ?1 AND t.status = 'valid' AND t.category IN ('WCH', 'CMP')
             GROUP BY t.session_code, t.category",
        )
        .ctx("count held accessible places")?;
    let rows = stmt
        .query_map([id.as_str()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                count(r.get::<_, i64>(2)?),
            ))
        })
        .ctx("count held accessible places")?;
    let mut out: BTreeMap<SessionCode, guichet_domain::rules::HeldPairs> = BTreeMap::new();
    for row in rows {
        let (code, cat, n) = row.ctx("count held accessible places")?;
        let cat = PriceCategory::parse(&cat).map_err(|_| Error::BadStoredValue {
            what: "category",
            value: cat.clone(),
        })?;
        out.entry(parse_session(&code)?).or_default().add(cat, n);
    }
    Ok(out)
}

/// Records an account's draw outcome and timeslot.
pub fn set_draw(conn: &Connection, id: &AccountId, d: &DrawRecord) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO account_draw (account_id, draw_id, status, slot_start, slot_end)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(account_id, draw_id) DO UPDATE SET status = excluded.status,
           slot_start = excluded.slot_start, slot_end = excluded.slot_end",
    )
    .and_then(|mut s| {
        s.execute(params![
            id.as_str(),
            d.draw_id,
            d.status.as_str(),
            d.slot.map(|s| ts(s.0)),
            d.slot.map(|s| ts(s.1)),
        ])
    })
    .ctx("store draw result")?;
    Ok(())
}

/// The account's draw entries.
pub fn draws(conn: &Connection, id: &AccountId) -> Result<Vec<DrawRecord>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT draw_id, status, slot_start, slot_end FROM account_draw WHERE account_id = ?1
             ORDER BY draw_id",
        )
        .ctx("read draws")?;
    let rows = stmt
        .query_map([id.as_str()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })
        .ctx("read draws")?;
    let mut out = Vec::new();
    for row in rows {
        let (draw_id, status, start, end) = row.ctx("read draws")?;
        let slot = match (start, end) {
            (Some(s), Some(e)) => Some((parse_ts("slot start", &s)?, parse_ts("slot end", &e)?)),
            _ => None,
        };
        out.push(DrawRecord {
            draw_id,
            status: DrawState::parse(&status)?,
            slot,
        });
    }
    Ok(out)
}

/// Whether an account exists.
pub fn account_exists(conn: &Connection, id: &AccountId) -> Result<bool> {
    Ok(conn
        .query_row("SELECT 1 FROM account WHERE id = ?1", [id.as_str()], |_| {
            Ok(())
        })
        .optional()
        .ctx("look up account")?
        .is_some())
}
