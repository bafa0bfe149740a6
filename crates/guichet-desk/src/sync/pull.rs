//! Pulling: what changed on the server after this desk's cursor goes into the desk's store in
//! one transaction — availability, this desk's allotments (less what it sold and has not yet
//! pushed), revocations, and accounts with their holdings and draws.

use guichet_domain::{AccountId, PriceCategory, SessionCode};
use guichet_store::accounts::{
    account_by_id, set_draw, set_held, upsert_account, Account, AccountOrigin, DrawRecord,
    DrawState,
};
use guichet_store::link::{add_server_revocations, link, set_pull_cursor};
use guichet_store::rusqlite::{params, Connection};
use guichet_store::stock::{set_allotment, set_availability};
use guichet_store::Store;
use guichet_wire::accounts::AccountDto;
use guichet_wire::sync::PullResponse;
use jiff::Timestamp;

/// What a pull brought.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PullReport {
    /// Availability rows updated.
    pub availability: usize,
    /// Allotment rows updated.
    pub allotments: usize,
    /// Revoked ticket ids received.
    pub revocations: usize,
    /// Accounts updated.
    pub accounts: usize,
    /// The new cursor (the server's opaque text).
    pub cursor: String,
}

fn skip_bad<T, E>(r: Result<T, E>) -> Option<T> {
    // A row the desk cannot parse (a session it does not know) is skipped, not fatal: the
    // rest of the pull still applies.
    r.ok()
}

/// Offline tickets of this session and category sold here and not yet acknowledged, less
/// those voided here and not yet acknowledged: what the server's `outstanding` does not know.
fn unpushed_offline(c: &Connection, session: &str, category: &str) -> guichet_store::Result<i64> {
    let sold: i64 = c
        .query_row(
            "SELECT count(*) FROM outbox o, json_each(o.payload, '$.tickets') j
             WHERE o.kind = 'sale' AND o.offline = 1 AND o.pushed_at IS NULL
               AND o.rejected_at IS NULL
               AND json_extract(j.value, '$.session') = ?1
               AND json_extract(j.value, '$.category') = ?2",
            params![session, category],
            |r| r.get(0),
        )
        .map_err(|e| guichet_store::Error::Sqlite {
            context: "count unpushed offline sales".into(),
            source: e,
        })?;
    let voided: i64 = c
        .query_row(
            "SELECT count(*) FROM outbox o, json_each(o.payload, '$.ticket_ids') j
               JOIN ticket t ON t.id = j.value JOIN sale_order s ON s.id = t.order_id
             WHERE o.kind IN ('void', 'refund') AND o.pushed_at IS NULL
               AND o.rejected_at IS NULL AND s.offline = 1
               AND t.session_code = ?1 AND t.category = ?2",
            params![session, category],
            |r| r.get(0),
        )
        .map_err(|e| guichet_store::Error::Sqlite {
            context: "count unpushed offline voids".into(),
            source: e,
        })?;
    Ok(sold - voided)
}

fn account(c: &Connection, a: &AccountDto, now: Timestamp) -> guichet_store::Result<bool> {
    let Ok(id) = AccountId::parse(&a.id) else {
        return Ok(false);
    };
    // Keep the desk's split of the name when the server's full name is the same.
    let (given, family) = match account_by_id(c, &id)? {
        Some(old) if old.full_name() == a.name => (old.given_name, old.family_name),
        _ => match a.name.trim().split_once(' ') {
            Some((g, f)) => (g.to_string(), f.trim().to_string()),
            None => (a.name.trim().to_string(), String::new()),
        },
    };
    upsert_account(
        c,
        &Account {
            id: id.clone(),
            given_name: given,
            family_name: family,
            email: a.email.clone(),
            country: a.country.clone(),
            club_number: a.club_number.clone(),
            origin: AccountOrigin::Server,
        },
        now,
    )?;
    c.execute(
        "DELETE FROM account_held WHERE account_id = ?1",
        [id.as_str()],
    )
    .map_err(|e| guichet_store::Error::Sqlite {
        context: "replace held tickets".into(),
        source: e,
    })?;
    for h in &a.held {
        if let Some(s) = skip_bad(SessionCode::parse(&h.session)) {
            set_held(c, &id, &s, h.count)?;
        }
    }
    for d in &a.draws {
        let status = match d.status.as_str() {
            "drawn" => DrawState::Drawn,
            "not_drawn" => DrawState::NotDrawn,
            _ => DrawState::Registered,
        };
        let slot = match (&d.slot_start, &d.slot_end) {
            (Some(s), Some(e)) => s.parse().ok().zip(e.parse().ok()),
            _ => None,
        };
        set_draw(
            c,
            &id,
            &DrawRecord {
                draw_id: d.draw.clone(),
                status,
                slot,
            },
        )?;
    }
    Ok(true)
}

/// Applies a pull answer to the store in one transaction; the desk's cursor becomes the
/// answer's.
pub fn apply_pull(
    store: &mut Store,
    p: &PullResponse,
    now: Timestamp,
) -> guichet_store::Result<PullReport> {
    apply(store, p, now, true)
}

/// Why [`pull_until_current`] stopped.
#[derive(Debug)]
pub enum PullError {
    /// The server could not be asked, or refused.
    Call(crate::sync::http::CallError),
    /// The desk's file did not take the answer.
    Store(guichet_store::Error),
}

/// Pages a server may ask for in one go before the desk stops and tries at its next round
/// (10,000 pages of 100,000 changes: any real backlog; a bound against a server that loops).
const MAX_PAGES: u32 = 10_000;

/// Pulls from the desk's cursor and applies each answer (one transaction each, the cursor
/// moving with it) until the server says nothing more waits. Returns the pages pulled.
pub fn pull_until_current(
    store: &mut Store,
    client: &crate::sync::http::ServerClient,
    now: Timestamp,
) -> Result<u32, PullError> {
    let mut pages = 0;
    loop {
        let cursor = link(store.reader())
            .map_err(PullError::Store)?
            .map_or_else(|| "0".to_owned(), |l| l.pull_cursor);
        let p = client.pull(&cursor).map_err(PullError::Call)?;
        apply_pull(store, &p, now).map_err(PullError::Store)?;
        pages += 1;
        if !p.more || p.cursor == cursor || pages >= MAX_PAGES {
            return Ok(pages);
        }
    }
}

/// Applies rows read from the server outside the pull (an account search) the way a pull
/// does, in one transaction, leaving the desk's cursor where it is (`p.cursor` is ignored): the
/// next pull still brings everything that changed after it. The report's cursor is the desk's.
pub fn apply_pull_keeping_cursor(
    store: &mut Store,
    p: &PullResponse,
    now: Timestamp,
) -> guichet_store::Result<PullReport> {
    apply(store, p, now, false)
}

fn apply(
    store: &mut Store,
    p: &PullResponse,
    now: Timestamp,
    move_cursor: bool,
) -> guichet_store::Result<PullReport> {
    store.write(|tx| {
        let mut r = PullReport {
            cursor: p.cursor.clone(),
            ..PullReport::default()
        };
        for a in &p.availability {
            let (Some(s), Some(c)) = (
                skip_bad(SessionCode::parse(&a.session)),
                skip_bad(PriceCategory::parse(&a.category)),
            ) else {
                continue;
            };
            set_availability(tx, &s, c, a.available, now)?;
            r.availability += 1;
        }
        for a in &p.allotments {
            let (Some(s), Some(c)) = (
                skip_bad(SessionCode::parse(&a.session)),
                skip_bad(PriceCategory::parse(&a.category)),
            ) else {
                continue;
            };
            let local = unpushed_offline(tx, s.as_str(), &a.category)?;
            let remaining = (i64::from(a.outstanding) - local).max(0);
            set_allotment(tx, &s, c, a.granted, u32::try_from(remaining).unwrap_or(0))?;
            r.allotments += 1;
        }
        add_server_revocations(tx, &p.revocations)?;
        r.revocations = p.revocations.len();
        for a in &p.accounts {
            if account(tx, a, now)? {
                r.accounts += 1;
            }
        }
        // Orders the server acknowledged are now in its held counts (the accounts above).
        tx.execute(
            "UPDATE sale_order SET acknowledged = 1 WHERE acknowledged = 0 AND id IN (
               SELECT json_extract(payload, '$.order_id') FROM outbox
               WHERE kind = 'sale' AND pushed_at IS NOT NULL)",
            [],
        )
        .map_err(|e| guichet_store::Error::Sqlite {
            context: "mark orders acknowledged".into(),
            source: e,
        })?;
        if move_cursor {
            set_pull_cursor(tx, &p.cursor)?;
        } else {
            r.cursor = link(tx)?.map_or_else(|| "0".to_owned(), |l| l.pull_cursor);
        }
        Ok(r)
    })
}
