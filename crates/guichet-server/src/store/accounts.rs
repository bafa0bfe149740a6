//! Accounts, their draw results and the tickets they hold.

use std::collections::BTreeMap;

use guichet_domain::rules::{AccountStanding, DrawEntry, DrawStatus, HeldPairs, Timeslot};
use guichet_domain::{AccountId, PriceCategory, SessionCode};
use guichet_wire::accounts::{AccountDto, NewAccount};
use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

use super::{Result, Store, StoreError};

/// The search form of a name: the domain's one fold (accents, case, spaces).
pub use guichet_domain::text::fold as search_key;

use super::decide::status_text;

impl Store {
    /// Creates an account. A device-made id is kept (walk-ins created offline); the same id
    /// twice with the same email is the same account (idempotent), with another email a conflict.
    pub fn create_account(
        &self,
        new: &NewAccount,
        device: Option<&str>,
        now: Timestamp,
    ) -> Result<AccountDto> {
        let (name, email, country, language, id) = super::decide::new_account(new)?;
        let name = name.as_str();
        self.write(|tx| {
            let existing: Option<String> = tx
                .query_row("SELECT email FROM accounts WHERE id = ?1", [id.as_str()], |r| r.get(0))
                .optional()?;
            match existing {
                Some(e) if e == email => return Ok(()),
                Some(_) => return Err(StoreError::Conflict(format!("account {id} exists with another email"))),
                None => {}
            }
            tx.execute(
                "INSERT INTO accounts(id, name, name_norm, email, country, club_number, created_at, created_by_device, language)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![id.as_str(), name, search_key(name), email, country, new.club_number, now.to_string(), device, language],
            )?;
            Ok::<_, StoreError>(())
        })?;
        self.account(&id)
    }

    /// Records an account's draw result and timeslot (the draw engine's output).
    pub fn set_draw(&self, id: &AccountId, draw: &str, entry: DrawEntry) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO account_draws(account_id, draw, status, slot_start, slot_end) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(account_id, draw) DO UPDATE SET status = ?3, slot_start = ?4, slot_end = ?5",
                params![
                    id.as_str(),
                    draw,
                    status_text(entry.status),
                    entry.timeslot.map(|t| t.start.to_string()),
                    entry.timeslot.map(|t| t.end.to_string())
                ],
            )?;
            Ok::<_, StoreError>(())
        })
    }

    /// One account, with its draws and holdings.
    pub fn account(&self, id: &AccountId) -> Result<AccountDto> {
        self.read(|c| account_dto(c, self, id))
    }

    /// Search by id, email (exact) or name prefix (accent- and case-insensitive); at most 50.
    pub fn search_accounts(&self, q: &str) -> Result<Vec<AccountDto>> {
        let q = q.trim();
        if q.is_empty() {
            return Ok(Vec::new());
        }
        self.read(|c| {
            let key = search_key(q);
            let mut stmt = c.prepare_cached(
                "SELECT id FROM accounts WHERE id = ?1 OR email = ?2 OR (name_norm >= ?3 AND name_norm < ?4)
                 ORDER BY name_norm LIMIT 50",
            )?;
            let ids: Vec<String> =
                stmt.query_map(params![q, q.to_lowercase(), key, guichet_domain::text::prefix_upper_bound(&key)], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
            ids.iter()
                .map(|id| {
                    let id = AccountId::parse(id).map_err(|e| StoreError::Invalid(e.to_string()))?;
                    account_dto(c, self, &id)
                })
                .collect()
        })
    }
}

/// The rules' view of an account, read inside a transaction.
pub(super) fn standing(c: &Connection, id: &AccountId) -> Result<AccountStanding> {
    let club: Option<Option<String>> = c
        .prepare_cached("SELECT club_number FROM accounts WHERE id = ?1")?
        .query_row([id.as_str()], |r| r.get(0))
        .optional()?;
    let Some(club) = club else {
        return Err(StoreError::NotFound(format!("no account {id}")));
    };
    // Counted here rather than with GROUP BY in SQL: that form was re-prepared by SQLite at
    // every step (seen in callgrind: one sqlite3Reprepare per sale), this one stays prepared.
    let mut held: BTreeMap<SessionCode, u32> = BTreeMap::new();
    let mut accessible: BTreeMap<SessionCode, HeldPairs> = BTreeMap::new();
    let mut stmt = c.prepare_cached(
        "SELECT session, category FROM tickets WHERE account_id = ?1 AND status = 'valid'",
    )?;
    let mut rows = stmt.query([id.as_str()])?;
    while let Some(r) = rows.next()? {
        let s = r
            .get_ref(0)?
            .as_str()
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let code = match held.iter_mut().find(|(k, _)| k.as_str() == s) {
            Some((k, n)) => {
                *n = n.saturating_add(1);
                k.clone()
            }
            None => {
                let code = SessionCode::parse(s).map_err(|e| StoreError::Invalid(e.to_string()))?;
                held.insert(code.clone(), 1);
                code
            }
        };
        // Only the pairs' places are counted apart (the pairing rule needs them).
        let cat = r
            .get_ref(1)?
            .as_str()
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        if cat == PriceCategory::WCH.code() || cat == PriceCategory::CMP.code() {
            let cat = PriceCategory::parse(cat).map_err(|e| StoreError::Invalid(e.to_string()))?;
            accessible.entry(code).or_default().add(cat, 1);
        }
    }
    let mut draws = BTreeMap::new();
    // A registrant still `registered` is drawn if a wave put it in `draw_winners`, and not
    // drawn if the draw has run a wave without it: the run writes the winners' own table, not
    // millions of rows here (docs/draw.md §8). A status set by hand (`set_draw`) comes first.
    let mut stmt = c.prepare_cached(
        "SELECT d.draw,
                CASE WHEN d.status <> 'registered' THEN d.status
                     WHEN w.account_id IS NOT NULL THEN 'drawn'
                     WHEN EXISTS (SELECT 1 FROM draw_transcripts t WHERE t.draw = d.draw) THEN 'not_drawn'
                     ELSE 'registered' END,
                CASE WHEN d.status <> 'registered' THEN d.slot_start ELSE w.slot_start END,
                CASE WHEN d.status <> 'registered' THEN d.slot_end ELSE w.slot_end END
         FROM account_draws d
         LEFT JOIN draw_winners w ON w.draw = d.draw AND w.account_id = d.account_id
         WHERE d.account_id = ?1",
    )?;
    let mut rows = stmt.query([id.as_str()])?;
    while let Some(r) = rows.next()? {
        let status: String = r.get(1)?;
        let status = match status.as_str() {
            "drawn" => DrawStatus::Drawn,
            "not_drawn" => DrawStatus::NotDrawn,
            _ => DrawStatus::Registered,
        };
        let (s, e): (Option<String>, Option<String>) = (r.get(2)?, r.get(3)?);
        let ts = |t: String| {
            t.parse::<Timestamp>()
                .map_err(|e| StoreError::Invalid(e.to_string()))
        };
        let timeslot = match (s, e) {
            (Some(s), Some(e)) => Some(Timeslot {
                start: ts(s)?,
                end: ts(e)?,
            }),
            _ => None,
        };
        draws.insert(r.get(0)?, DrawEntry { status, timeslot });
    }
    Ok(AccountStanding {
        club_member: club.is_some(),
        held,
        draws,
        accessible,
    })
}

pub(super) fn account_dto(c: &Connection, store: &Store, id: &AccountId) -> Result<AccountDto> {
    let row = c
        .query_row(
            "SELECT name, email, country, club_number FROM accounts WHERE id = ?1",
            [id.as_str()],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            },
        )
        .optional()?;
    let Some(row) = row else {
        return Err(StoreError::NotFound(format!("no account {id}")));
    };
    let st = standing(c, id)?;
    Ok(super::decide::account_dto(id, row, &st, store.catalogue()))
}
