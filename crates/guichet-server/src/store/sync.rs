//! Allotments (escrow lent to desks) and sync: push applies each idempotency key exactly once,
//! pull returns what changed after a cursor.

use std::collections::BTreeSet;

use guichet_domain::{AccountId, PriceCategory, SessionCode};
use guichet_wire::accounts::NewAccount;
use guichet_wire::checks::FeedCursor;
use guichet_wire::sync::{
    AllotmentDto, AllotmentRequest, PullResponse, PushAck, ReissuePayload, SyncEvent, VoidPayload,
};
use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Deserialize;

use super::accounts::standing;
use super::{Result, Store, StoreError};

fn offer_key(session: &str, category: &str) -> String {
    format!("{session}|{category}")
}

pub(super) fn changed(c: &Connection, kind: &str, key: &str) -> rusqlite::Result<()> {
    c.prepare_cached("INSERT INTO changes(kind, key) VALUES (?1, ?2)")?
        .execute(params![kind, key])?;
    Ok(())
}

/// Appends change-feed rows of one kind in one statement: AUTOINCREMENT's bookkeeping (a read
/// and a write of `sqlite_sequence`, most of an insert's cost here) is paid once for them all.
pub(super) fn changed_many<'k>(
    c: &Connection,
    kind: &str,
    keys: impl IntoIterator<Item = &'k str>,
) -> rusqlite::Result<()> {
    let list = serde_json::Value::from(keys.into_iter().collect::<Vec<&str>>()).to_string();
    if list == "[]" {
        return Ok(());
    }
    c.prepare_cached(
        "INSERT INTO changes(kind, key) SELECT ?1, j.value FROM json_each(?2) AS j ORDER BY j.key",
    )?
    .execute(params![kind, list])?;
    Ok(())
}

/// Runs a statement kept prepared on the connection.
fn exec(c: &Connection, sql: &str, p: impl rusqlite::Params) -> rusqlite::Result<usize> {
    c.prepare_cached(sql)?.execute(p)
}

/// Reads one row with a statement kept prepared on the connection.
fn row<T>(
    c: &Connection,
    sql: &str,
    p: impl rusqlite::Params,
    f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    c.prepare_cached(sql)?.query_row(p, f)
}

fn parse_pair(session: &str, category: &str) -> Result<(SessionCode, PriceCategory)> {
    let s = SessionCode::parse(session).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let c = PriceCategory::parse(category).map_err(|e| StoreError::Invalid(e.to_string()))?;
    Ok((s, c))
}

use super::decide::outstanding;

fn allotment(
    c: &Connection,
    device: &str,
    session: &str,
    category: &str,
) -> rusqlite::Result<AllotmentDto> {
    let row: Option<(u32, u32, u32)> = row(c,
            "SELECT granted, sold, returned FROM allotments WHERE device_id = ?1 AND session = ?2 AND category = ?3",
            params![device, session, category],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let (granted, sold, returned) = row.unwrap_or((0, 0, 0));
    Ok(AllotmentDto {
        session: session.to_string(),
        category: category.to_string(),
        granted,
        sold,
        returned,
        outstanding: outstanding(granted, sold, returned),
    })
}

impl Store {
    /// Lends `quantity` more seats to a device, if they are available online.
    pub fn allot(&self, device: &str, req: &AllotmentRequest) -> Result<AllotmentDto> {
        let (s, c) = parse_pair(&req.session, &req.category)?;
        if req.quantity == 0 || req.quantity > 10_000 {
            return Err(StoreError::Invalid(
                "quantity: 1 to 10,000 seats per request".into(),
            ));
        }
        self.write(|tx| {
            let n = exec(tx,
                "UPDATE offers SET lent = lent + ?3 WHERE session = ?1 AND category = ?2 AND capacity - sold - lent - held >= ?3",
                params![s.as_str(), c.to_string(), req.quantity],
            )?;
            if n == 0 {
                let left: Option<i64> = row(tx,
                        "SELECT capacity - sold - lent - held FROM offers WHERE session = ?1 AND category = ?2",
                        params![s.as_str(), c.to_string()],
                        |r| r.get(0),
                    )
                    .optional()?;
                return Err(match left {
                    None => StoreError::NotFound(format!("{s} has no category {c}")),
                    Some(left) => StoreError::Conflict(format!(
                        "{s} category {c}: {left} seats left online, {} asked — ask for {left} or fewer",
                        req.quantity
                    )),
                });
            }
            exec(tx,
                "INSERT INTO allotments(device_id, session, category, granted) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(device_id, session, category) DO UPDATE SET granted = granted + ?4",
                params![device, s.as_str(), c.to_string(), req.quantity],
            )?;
            changed(tx, "offer", &offer_key(s.as_str(), &c.to_string()))?;
            Ok(allotment(tx, device, s.as_str(), &c.to_string())?)
        })
    }

    /// Gives back seats a device no longer needs.
    pub fn return_allotment(&self, device: &str, req: &AllotmentRequest) -> Result<AllotmentDto> {
        let (s, c) = parse_pair(&req.session, &req.category)?;
        self.write(|tx| {
            let a = allotment(tx, device, s.as_str(), &c.to_string())?;
            if req.quantity > a.outstanding {
                return Err(StoreError::Conflict(format!(
                    "{s} category {c}: this device holds {} seats, cannot return {}",
                    a.outstanding, req.quantity
                )));
            }
            exec(tx,
                "UPDATE allotments SET returned = returned + ?4 WHERE device_id = ?1 AND session = ?2 AND category = ?3",
                params![device, s.as_str(), c.to_string(), req.quantity],
            )?;
            exec(tx,
                "UPDATE offers SET lent = lent - ?3 WHERE session = ?1 AND category = ?2",
                params![s.as_str(), c.to_string(), req.quantity],
            )?;
            changed(tx, "offer", &offer_key(s.as_str(), &c.to_string()))?;
            Ok(allotment(tx, device, s.as_str(), &c.to_string())?)
        })
    }

    /// A device's allotments.
    pub fn allotments(&self, device: &str) -> Result<Vec<AllotmentDto>> {
        self.read(|c| allotments(c, device))
    }

    /// Applies a batch of events in order, each exactly once, in one transaction with a
    /// savepoint per event: a rejected event changes nothing, the others still apply.
    pub fn push(&self, device: &str, events: &[SyncEvent], now: Timestamp) -> Result<Vec<PushAck>> {
        self.write(|tx| {
            let mut acks = Vec::with_capacity(events.len());
            // The change feed of the events applied, written once at the end (pull reads it
            // as a set of keys, and the whole push becomes visible at once).
            let mut feed: BTreeSet<(&'static str, String)> = BTreeSet::new();
            for e in events {
                acks.push(self.apply_one(tx, device, e, now, &mut feed)?);
            }
            for kind in ["offer", "account", "revocation"] {
                changed_many(
                    tx,
                    kind,
                    feed.iter()
                        .filter(|(k, _)| *k == kind)
                        .map(|(_, key)| key.as_str()),
                )?;
            }
            Ok(acks)
        })
    }

    pub(super) fn apply_one(
        &self,
        tx: &Transaction<'_>,
        device: &str,
        e: &SyncEvent,
        now: Timestamp,
        feed: &mut BTreeSet<(&'static str, String)>,
    ) -> Result<PushAck> {
        let key = e.idempotency_key.trim().to_string();
        let seen: Option<(String, String, String, Option<String>)> = row(
            tx,
            "SELECT device_id, received_at, status, reason FROM sync_events WHERE idempotency_key = ?1",
            [&key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
        // A key refused before is refused again with the same reason (its answer may have been
        // lost): "duplicate" would make the device believe it was applied.
        if let Some((by, received_at, status, reason)) = &seen {
            if status == "rejected" && by == device {
                return Ok(PushAck {
                    idempotency_key: key,
                    status: "rejected".into(),
                    reason: reason.clone(),
                    received_at: received_at.clone(),
                });
            }
        }
        let seen = seen.map(|(by, received_at, _, _)| (by, received_at));
        // A sale the desk made online already carries this key in `orders`.
        let seen = match seen {
            Some(x) => Some(x),
            None => row(
                tx,
                "SELECT device_id, received_at FROM orders WHERE idempotency_key = ?1",
                [&key],
                |r| {
                    Ok((
                        r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                        r.get(1)?,
                    ))
                },
            )
            .optional()?,
        };
        if let Some((by, received_at)) = seen {
            let reason =
                (by != device).then(|| "this key was pushed by another device".to_string());
            return Ok(PushAck {
                idempotency_key: key,
                status: "duplicate".into(),
                reason,
                received_at,
            });
        }
        exec(tx, "SAVEPOINT event", [])?;
        let sp: &Connection = tx;
        let mut changes = Vec::new();
        let outcome = match uuid::Uuid::parse_str(&key) {
            Err(_) => Err("idempotency_key is not a UUID".to_string()),
            Ok(_) => match e.kind.as_str() {
                "account_created" => self.apply_account(sp, device, e, now, &mut changes),
                "sale" => self.apply_sale(sp, device, &key, e, now, &mut changes),
                "void" | "refund" => apply_void(sp, device, e, now, &mut changes),
                "reissue" => apply_reissue(sp, e, now, &mut changes),
                "shift_closed" | "shift_opened" => Ok(None),
                other => Err(format!("unknown event kind {other:?}")),
            },
        };
        let (status, reason) = match outcome {
            Ok(note) => {
                exec(tx, "RELEASE event", [])?;
                feed.extend(changes);
                ("applied", note)
            }
            Err(reason) => {
                exec(tx, "ROLLBACK TO event", [])?;
                exec(tx, "RELEASE event", [])?;
                ("rejected", Some(reason))
            }
        };
        exec(tx,
            "INSERT INTO sync_events(idempotency_key, device_id, kind, status, reason, created_at, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![key, device, e.kind, status, reason, e.created_at, now.to_string()],
        )?;
        Ok(PushAck {
            idempotency_key: key,
            status: status.into(),
            reason,
            received_at: now.to_string(),
        })
    }

    fn apply_account(
        &self,
        c: &Connection,
        device: &str,
        e: &SyncEvent,
        now: Timestamp,
        feed: &mut Vec<(&'static str, String)>,
    ) -> Result<Option<String>, String> {
        let new: NewAccount =
            Deserialize::deserialize(&e.payload).map_err(|x| format!("payload: {x}"))?;
        let id = new
            .id
            .clone()
            .ok_or("payload: the account id made on the device is missing")?;
        let exists: Option<String> =
            row(c, "SELECT email FROM accounts WHERE id = ?1", [&id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|x| x.to_string())?;
        if exists.is_some() {
            return Ok(None);
        }
        exec(c,
            "INSERT INTO accounts(id, name, name_norm, email, country, club_number, created_at, created_by_device)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                id,
                new.name.trim(),
                super::accounts::search_key(&new.name),
                new.email.trim().to_lowercase(),
                new.country.trim().to_uppercase(),
                new.club_number,
                now.to_string(),
                device
            ],
        )
        .map_err(|x| x.to_string())?;
        feed.push(("account", id));
        Ok(None)
    }

    /// A sale made at the desk: consumes the device's escrow; over a limit, it is kept and a
    /// conflict is recorded.
    fn apply_sale(
        &self,
        c: &Connection,
        device: &str,
        key: &str,
        e: &SyncEvent,
        now: Timestamp,
        feed: &mut Vec<(&'static str, String)>,
    ) -> Result<Option<String>, String> {
        let (p, account, sold_at) = super::decide::desk_sale_payload(&e.payload)?;
        let known: Option<String> = row(
            c,
            "SELECT id FROM orders WHERE id = ?1",
            [&p.order_id],
            |r| r.get(0),
        )
        .optional()
        .map_err(|x| x.to_string())?;
        if known.is_some() {
            return Err(format!(
                "order {} is already recorded under another key",
                p.order_id
            ));
        }
        let before = standing(c, &account).map_err(|x| match x {
            StoreError::NotFound(_) => {
                format!("unknown account {account}: push its account_created event first")
            }
            x => x.to_string(),
        })?;
        let sale =
            super::decide::desk_sale(p, account, sold_at, &before, &self.config, &self.catalogue)?;
        let (p, account, groups, total, violations) = (
            sale.payload,
            sale.account,
            sale.groups,
            sale.total,
            sale.violations,
        );
        let mut beyond: u64 = 0;
        for ((s, cat), n) in &groups {
            let a = allotment(c, device, s, cat).map_err(|x| x.to_string())?;
            let from_escrow = (*n).min(a.outstanding);
            beyond += u64::from(n - from_escrow);
            exec(c,
                "UPDATE allotments SET sold = sold + ?4 WHERE device_id = ?1 AND session = ?2 AND category = ?3",
                params![device, s, cat, from_escrow],
            )
            .map_err(|x| x.to_string())?;
            let n_off = exec(c,
                    "UPDATE offers SET lent = lent - ?3, sold = sold + ?4 WHERE session = ?1 AND category = ?2",
                    params![s, cat, from_escrow, n],
                )
                .map_err(|x| x.to_string())?;
            if n_off == 0 {
                return Err(format!("{s} has no category {cat}"));
            }
            feed.push(("offer", offer_key(s, cat)));
        }
        let channel = if p.offline { "offline" } else { "online" };
        exec(c,
            "INSERT INTO orders(id, idempotency_key, account_id, device_id, kind, phase, total_cents, channel, sold_at, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![p.order_id, key, account.as_str(), device, p.kind.to_lowercase(), p.phase, total, channel, p.sold_at, now.to_string()],
        )
        .map_err(|x| x.to_string())?;
        for t in &p.tickets {
            exec(c,
                "INSERT INTO tickets(id, order_id, account_id, session, category, price_cents) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![t.id, p.order_id, account.as_str(), t.session.to_uppercase(), t.category.to_uppercase(), t.price],
            )
            .map_err(|x| format!("ticket {}: {x}", t.id))?;
        }
        feed.push(("account", account.to_string()));
        let Some((details, note)) = super::decide::desk_sale_note(&violations, beyond) else {
            return Ok(None);
        };
        exec(c,
            "INSERT INTO conflicts(idempotency_key, device_id, account_id, order_id, violations, recorded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![key, device, account.as_str(), p.order_id, details.to_string(), now.to_string()],
        )
        .map_err(|x| x.to_string())?;
        Ok(Some(note))
    }

    /// Conflicts not yet resolved, newest first; all devices', or one device's.
    pub fn conflicts(&self, device: Option<&str>) -> Result<Vec<serde_json::Value>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, idempotency_key, device_id, account_id, order_id, violations, recorded_at
                 FROM conflicts WHERE resolved_at IS NULL AND (?1 IS NULL OR device_id = ?1)
                 ORDER BY id DESC LIMIT 500",
            )?;
            let rows = stmt.query_map([device], |r| {
                let v: String = r.get(5)?;
                Ok(serde_json::json!({
                    "id": r.get::<_, i64>(0)?, "idempotency_key": r.get::<_, String>(1)?,
                    "device_id": r.get::<_, String>(2)?, "account_id": r.get::<_, String>(3)?,
                    "order_id": r.get::<_, String>(4)?,
                    "details": serde_json::from_str::<serde_json::Value>(&v).unwrap_or_default(),
                    "recorded_at": r.get::<_, String>(6)?,
                }))
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// What changed after `cursor`, in the device's scope. From cursor 0 (a desk's first pull)
    /// it is a snapshot instead: every offer's availability and every revocation, so a newly
    /// enrolled desk starts from the whole picture. Accounts stay by change (those sold to, online
    /// or by push, and those pushed) in both cases; a desk asks the account search for the others.
    ///
    /// The cursor is the change row id in decimal. A PostgreSQL cursor (`EPOCH:XID:ID`) is of
    /// another database: the pull is a snapshot, as from 0.
    pub fn pull(&self, device: &str, cursor: FeedCursor) -> Result<PullResponse> {
        let cursor = match cursor {
            FeedCursor::Number(n) => n,
            FeedCursor::Start | FeedCursor::Xid { .. } => 0,
        };
        self.read(|c| {
            let last: i64 = row(c, "SELECT COALESCE(MAX(cursor), 0) FROM changes", [], |r| r.get(0))?;
            // One page of rows in cursor order; the cursor given back is the last row read, so
            // a desk further behind than a page misses nothing: it is told `more` and asks again.
            let mut stmt = c.prepare_cached(
                "SELECT cursor, kind, key FROM changes WHERE cursor > ?1 AND cursor <= ?2 ORDER BY cursor LIMIT ?3",
            )?;
            let rows: Vec<(i64, String, String)> = stmt
                .query_map(params![cursor, last, self.pull_page as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let more = rows.len() >= self.pull_page;
            let upto = if more { rows.last().map_or(last, |r| r.0) } else { last };
            let keys: std::collections::BTreeSet<(String, String)> =
                rows.into_iter().map(|(_, k, v)| (k, v)).collect();
            let mut out = PullResponse {
                cursor: upto.to_string(),
                more,
                availability: Vec::new(),
                allotments: allotments(c, device)?,
                revocations: Vec::new(),
                accounts: Vec::new(),
            };
            let snapshot = cursor <= 0;
            if snapshot {
                out.availability = super::catalogue::availability_rows(c, None, None)?;
                let mut stmt =
                    c.prepare_cached("SELECT ticket_id FROM revocations ORDER BY ticket_id")?;
                out.revocations = stmt
                    .query_map([], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
            }
            for (kind, key) in keys {
                match kind.as_str() {
                    "offer" | "revocation" if snapshot => {}
                    "offer" => {
                        let (s, cat) = key.split_once('|').unwrap_or((&key, ""));
                        out.availability.extend(super::catalogue::availability_rows(c, Some(s), Some(cat))?);
                    }
                    "revocation" => out.revocations.push(key),
                    "account" => {
                        let id = AccountId::parse(&key).map_err(|e| StoreError::Invalid(e.to_string()))?;
                        out.accounts.push(super::accounts::account_dto(c, self, &id)?);
                    }
                    _ => {}
                }
            }
            Ok(out)
        })
    }

    /// Ticket ids of an order, in sale order (tests and tools).
    #[doc(hidden)]
    pub fn tickets_of_order_for_tests(&self, order: &str) -> Vec<String> {
        self.read(|c| {
            let mut stmt =
                c.prepare("SELECT id FROM tickets WHERE order_id = ?1 ORDER BY rowid")?;
            let rows = stmt.query_map([order], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<Vec<String>>>()
        })
        .unwrap_or_default()
    }

    /// The device that made an order, if the order exists.
    pub fn order_device(&self, order_id: &str) -> Result<Option<String>> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT device_id FROM orders WHERE id = ?1",
                [order_id],
                |r| r.get(0),
            )
            .optional()?)
        })
    }

    /// Sold tickets in all (online and pushed), per the store: for whole-system checks.
    pub fn tickets_sold(&self) -> Result<i64> {
        self.read(|c| {
            Ok(row(
                c,
                "SELECT COUNT(*) FROM tickets WHERE status = 'valid'",
                [],
                |r| r.get(0),
            )?)
        })
    }
}

fn allotments(c: &Connection, device: &str) -> Result<Vec<AllotmentDto>> {
    let mut stmt = c.prepare_cached(
        "SELECT session, category, granted, sold, returned FROM allotments WHERE device_id = ?1 ORDER BY session, category",
    )?;
    let rows = stmt.query_map([device], |r| {
        let (granted, sold, returned): (u32, u32, u32) = (r.get(2)?, r.get(3)?, r.get(4)?);
        Ok(AllotmentDto {
            session: r.get(0)?,
            category: r.get(1)?,
            granted,
            sold,
            returned,
            outstanding: outstanding(granted, sold, returned),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Voids or refunds tickets: each is revoked; a seat sold offline by this device goes back to
/// its allotment (the desk puts it back in its local escrow), any other back on sale.
fn apply_void(
    c: &Connection,
    device: &str,
    e: &SyncEvent,
    now: Timestamp,
    feed: &mut Vec<(&'static str, String)>,
) -> Result<Option<String>, String> {
    let p: VoidPayload =
        Deserialize::deserialize(&e.payload).map_err(|x| format!("payload: {x}"))?;
    let ch: Option<(String, Option<String>, String)> = row(
        c,
        "SELECT channel, device_id, account_id FROM orders WHERE id = ?1",
        [&p.order_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()
    .map_err(|x| x.to_string())?;
    let Some((channel, by, account)) = ch else {
        return Err(format!("unknown order {}: push the sale first", p.order_id));
    };
    // The fan holds fewer tickets now: desks that count them must hear of it.
    feed.push(("account", account));
    let to_escrow = channel == "offline" && by.as_deref() == Some(device);
    for id in &p.ticket_ids {
        let row: Option<(String, String, String)> = row(
            c,
            "SELECT session, category, status FROM tickets WHERE id = ?1 AND order_id = ?2",
            params![id, p.order_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()
        .map_err(|x| x.to_string())?;
        let Some((s, cat, status)) = row else {
            return Err(format!("ticket {id} is not in order {}", p.order_id));
        };
        if status == "void" {
            continue;
        }
        exec(c, "UPDATE tickets SET status = 'void' WHERE id = ?1", [id])
            .map_err(|x| x.to_string())?;
        if to_escrow {
            exec(c,
                "UPDATE allotments SET sold = sold - 1 WHERE device_id = ?1 AND session = ?2 AND category = ?3 AND sold > 0",
                params![device, s, cat],
            )
            .map_err(|x| x.to_string())?;
            exec(c, "UPDATE offers SET sold = sold - 1, lent = lent + 1 WHERE session = ?1 AND category = ?2", params![s, cat])
                .map_err(|x| x.to_string())?;
        } else {
            exec(
                c,
                "UPDATE offers SET sold = sold - 1 WHERE session = ?1 AND category = ?2",
                params![s, cat],
            )
            .map_err(|x| x.to_string())?;
        }
        exec(
            c,
            "INSERT OR IGNORE INTO revocations(ticket_id, reason, revoked_at) VALUES (?1, ?2, ?3)",
            params![id, e.kind, now.to_string()],
        )
        .map_err(|x| x.to_string())?;
        feed.push(("revocation", id.clone()));
        feed.push(("offer", offer_key(&s, &cat)));
    }
    Ok(None)
}

/// A reissue: the old ticket is revoked, the new one takes its seat (no inventory change).
fn apply_reissue(
    c: &Connection,
    e: &SyncEvent,
    now: Timestamp,
    feed: &mut Vec<(&'static str, String)>,
) -> Result<Option<String>, String> {
    let p: ReissuePayload =
        serde_json::from_value(e.payload.clone()).map_err(|x| format!("payload: {x}"))?;
    let old: Option<(String, String)> = c
        .query_row(
            "SELECT account_id, status FROM tickets WHERE id = ?1 AND order_id = ?2",
            params![p.old_ticket_id, p.order_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(|x| x.to_string())?;
    let Some((account, status)) = old else {
        return Err(format!(
            "ticket {} is not in order {}: push the sale first",
            p.old_ticket_id, p.order_id
        ));
    };
    if status != "valid" {
        return Err(format!(
            "ticket {} is {status}: only a valid ticket can be reissued",
            p.old_ticket_id
        ));
    }
    c.execute(
        "UPDATE tickets SET status = 'void' WHERE id = ?1",
        [&p.old_ticket_id],
    )
    .map_err(|x| x.to_string())?;
    c.execute(
        "INSERT INTO tickets(id, order_id, account_id, session, category, price_cents) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![p.ticket.id, p.order_id, account, p.ticket.session.to_uppercase(), p.ticket.category.to_uppercase(), p.ticket.price],
    )
    .map_err(|x| format!("ticket {}: {x}", p.ticket.id))?;
    c.execute(
        "INSERT OR IGNORE INTO revocations(ticket_id, reason, revoked_at) VALUES (?1, 'reissue', ?2)",
        params![p.old_ticket_id, now.to_string()],
    )
    .map_err(|x| x.to_string())?;
    feed.push(("revocation", p.old_ticket_id.clone()));
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::outstanding;

    #[test]
    fn outstanding_seats_never_wrap_below_zero_nor_past_u32_max() {
        assert_eq!(outstanding(10, 3, 2), 5);
        assert_eq!(
            outstanding(10, 8, 8),
            0,
            "more sold and returned than granted"
        );
        assert_eq!(
            outstanding(10, u32::MAX, 1),
            0,
            "sold + returned past u32::MAX"
        );
    }
}
