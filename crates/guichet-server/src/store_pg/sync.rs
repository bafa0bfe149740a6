//! Allotments and push on PostgreSQL (the pull is `feed.rs`).

use std::collections::BTreeSet;

use deadpool_postgres::GenericClient;
use guichet_domain::{PriceCategory, SessionCode};
use guichet_wire::accounts::NewAccount;
use guichet_wire::sync::{
    AllotmentDto, AllotmentRequest, PushAck, ReissuePayload, SyncEvent, VoidPayload,
};
use jiff::Timestamp;
use serde::Deserialize;

use super::accounts::standing;
use super::catalogue::availability_rows;
use super::{count, PgStore};
use crate::store::decide;
use crate::store::{Result, StoreError};

pub(super) type Feed = BTreeSet<(&'static str, String)>;

fn offer_key(session: &str, category: &str) -> String {
    format!("{session}|{category}")
}

fn parse_pair(session: &str, category: &str) -> Result<(SessionCode, PriceCategory)> {
    let s = SessionCode::parse(session).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let c = PriceCategory::parse(category).map_err(|e| StoreError::Invalid(e.to_string()))?;
    Ok((s, c))
}

async fn allotment(
    c: &impl GenericClient,
    device: &str,
    session: &str,
    category: &str,
) -> Result<AllotmentDto> {
    let row = c
        .query_opt(
            "SELECT granted, sold, returned FROM allotments WHERE device_id = $1 AND session = $2 AND category = $3",
            &[&device, &session, &category],
        )
        .await?;
    let (granted, sold, returned) = row.map_or((0, 0, 0), |r| {
        (count(r.get(0)), count(r.get(1)), count(r.get(2)))
    });
    Ok(AllotmentDto {
        session: session.to_string(),
        category: category.to_string(),
        granted,
        sold,
        returned,
        outstanding: decide::outstanding(granted, sold, returned),
    })
}

pub(super) async fn changed(c: &impl GenericClient, feed: &Feed) -> Result<()> {
    let st = c
        .prepare_cached("INSERT INTO changes(kind, key) VALUES ($1, $2)")
        .await?;
    for (kind, key) in feed {
        c.execute(&st, &[kind, key]).await?;
    }
    Ok(())
}

impl PgStore {
    /// Lends `quantity` more seats to a device from the pool (then from buckets no running
    /// transaction holds), if they are there.
    pub async fn allot(&self, device: &str, req: &AllotmentRequest) -> Result<AllotmentDto> {
        let (s, c) = parse_pair(&req.session, &req.category)?;
        if req.quantity == 0 || req.quantity > 10_000 {
            return Err(StoreError::Invalid(
                "quantity: 1 to 10,000 seats per request".into(),
            ));
        }
        let (s, c) = (s.to_string(), c.to_string());
        let q = i64::from(req.quantity);
        let mut cl = self.client().await?;
        let tx = cl.transaction().await?;
        let Some(row) = tx
            .query_opt(
                "SELECT pool FROM offers WHERE session = $1 AND category = $2 FOR UPDATE",
                &[&s, &c],
            )
            .await?
        else {
            return Err(StoreError::NotFound(format!("{s} has no category {c}")));
        };
        let pool: i64 = row.get(0);
        let mut got = pool.clamp(0, q);
        if got < q {
            for r in tx
                .query(
                    "SELECT replica_id, seats_left FROM buckets WHERE session = $1 AND category = $2 AND seats_left > 0
                     ORDER BY replica_id FOR UPDATE SKIP LOCKED",
                    &[&s, &c],
                )
                .await?
            {
                let (rep, left): (String, i64) = (r.get(0), r.get(1));
                let n = left.min(q - got);
                tx.execute(
                    "UPDATE buckets SET seats_left = seats_left - $4 WHERE session = $1 AND category = $2 AND replica_id = $3",
                    &[&s, &c, &rep, &n],
                )
                .await?;
                got += n;
                if got == q {
                    break;
                }
            }
        }
        if got < q {
            let left = availability_rows(&tx, Some(&s), Some(&c))
                .await?
                .first()
                .map_or(0, |a| a.available);
            return Err(StoreError::Conflict(format!(
                "{s} category {c}: {left} seats left online, {} asked — ask for {left} or fewer",
                req.quantity
            )));
        }
        let from_pool = pool.clamp(0, q);
        tx.execute(
            "UPDATE offers SET pool = pool - $3, lent = lent + $4 WHERE session = $1 AND category = $2",
            &[&s, &c, &from_pool, &q],
        )
        .await?;
        tx.execute(
            "INSERT INTO allotments(device_id, session, category, granted) VALUES ($1, $2, $3, $4)
             ON CONFLICT(device_id, session, category) DO UPDATE SET granted = allotments.granted + $4",
            &[&device, &s, &c, &q],
        )
        .await?;
        tx.execute(
            "INSERT INTO changes(kind, key) VALUES ('offer', $1)",
            &[&offer_key(&s, &c)],
        )
        .await?;
        let a = allotment(&tx, device, &s, &c).await?;
        self.before_commit().await;
        tx.commit().await?;
        Ok(a)
    }

    /// Gives back seats a device no longer needs: they return to the pool.
    pub async fn return_allotment(
        &self,
        device: &str,
        req: &AllotmentRequest,
    ) -> Result<AllotmentDto> {
        let (s, c) = parse_pair(&req.session, &req.category)?;
        let (s, c) = (s.to_string(), c.to_string());
        let mut cl = self.client().await?;
        let tx = cl.transaction().await?;
        tx.execute(
            "SELECT 1 FROM allotments WHERE device_id = $1 AND session = $2 AND category = $3 FOR UPDATE",
            &[&device, &s, &c],
        )
        .await?;
        let a = allotment(&tx, device, &s, &c).await?;
        if req.quantity > a.outstanding {
            return Err(StoreError::Conflict(format!(
                "{s} category {c}: this device holds {} seats, cannot return {}",
                a.outstanding, req.quantity
            )));
        }
        let q = i64::from(req.quantity);
        tx.execute(
            "UPDATE allotments SET returned = returned + $4 WHERE device_id = $1 AND session = $2 AND category = $3",
            &[&device, &s, &c, &q],
        )
        .await?;
        tx.execute(
            "UPDATE offers SET lent = lent - $3, pool = pool + $3 WHERE session = $1 AND category = $2",
            &[&s, &c, &q],
        )
        .await?;
        tx.execute(
            "INSERT INTO changes(kind, key) VALUES ('offer', $1)",
            &[&offer_key(&s, &c)],
        )
        .await?;
        let a = allotment(&tx, device, &s, &c).await?;
        self.before_commit().await;
        tx.commit().await?;
        Ok(a)
    }

    /// A device's allotments.
    pub async fn allotments(&self, device: &str) -> Result<Vec<AllotmentDto>> {
        let c = self.client().await?;
        allotments(&c, device).await
    }

    /// Applies a batch of events in order, each exactly once (across replicas too: the key
    /// row is written first, so a second arrival waits for the first and reads its answer),
    /// in one transaction with a savepoint per event. Run again whole on a deadlock.
    pub async fn push(
        &self,
        device: &str,
        events: &[SyncEvent],
        now: Timestamp,
    ) -> Result<Vec<PushAck>> {
        let mut tries = 0;
        loop {
            tries += 1;
            match self.push_once(device, events, now).await {
                Err(Retry::Again(e)) if tries < 5 => {
                    tracing::info!(error = %e, tries, "push retried");
                }
                Err(Retry::Again(e)) => return Err(e.into()),
                Err(Retry::Store(e)) => return Err(e),
                Ok(acks) => return Ok(acks),
            }
        }
    }

    async fn push_once(
        &self,
        device: &str,
        events: &[SyncEvent],
        now: Timestamp,
    ) -> std::result::Result<Vec<PushAck>, Retry> {
        let mut cl = self.client().await.map_err(Retry::Store)?;
        let tx = cl.transaction().await?;
        let mut acks = Vec::with_capacity(events.len());
        let mut feed = Feed::new();
        for e in events {
            acks.push(self.apply_one(&tx, device, e, now, &mut feed).await?);
        }
        changed(&tx, &feed).await.map_err(Retry::Store)?;
        self.before_commit().await;
        tx.commit().await?;
        Ok(acks)
    }

    pub(super) async fn apply_one(
        &self,
        tx: &impl GenericClient,
        device: &str,
        e: &SyncEvent,
        now: Timestamp,
        feed: &mut Feed,
    ) -> std::result::Result<PushAck, Retry> {
        let key = e.idempotency_key.trim().to_string();
        let online = tx
            .query_opt(
                "SELECT device_id, received_at FROM orders WHERE idempotency_key = $1",
                &[&key],
            )
            .await?;
        if let Some(r) = online {
            let by: Option<String> = r.get(0);
            let reason = (by.as_deref() != Some(device))
                .then(|| "this key was pushed by another device".to_string());
            return Ok(PushAck {
                idempotency_key: key,
                status: "duplicate".into(),
                reason,
                received_at: r.get(1),
            });
        }
        // The key first: another replica applying the same key at once waits here.
        let fresh = tx
            .execute(
                "INSERT INTO sync_events(idempotency_key, device_id, kind, status, created_at, received_at)
                 VALUES ($1, $2, $3, 'applied', $4, $5) ON CONFLICT (idempotency_key) DO NOTHING",
                &[&key, &device, &e.kind, &e.created_at, &now.to_string()],
            )
            .await?;
        if fresh == 0 {
            let r = tx
                .query_one(
                    "SELECT device_id, received_at, status, reason FROM sync_events WHERE idempotency_key = $1",
                    &[&key],
                )
                .await?;
            let (by, received_at, status, reason): (String, String, String, Option<String>) =
                (r.get(0), r.get(1), r.get(2), r.get(3));
            if status == "rejected" && by == device {
                return Ok(PushAck {
                    idempotency_key: key,
                    status: "rejected".into(),
                    reason,
                    received_at,
                });
            }
            let reason =
                (by != device).then(|| "this key was pushed by another device".to_string());
            return Ok(PushAck {
                idempotency_key: key,
                status: "duplicate".into(),
                reason,
                received_at,
            });
        }
        tx.batch_execute("SAVEPOINT event").await?;
        let mut changes = Vec::new();
        let outcome = match uuid::Uuid::parse_str(&key) {
            Err(_) => Err("idempotency_key is not a UUID".to_string()),
            Ok(_) => match e.kind.as_str() {
                "account_created" => self.apply_account(tx, device, e, now, &mut changes).await,
                "sale" => {
                    self.apply_sale(tx, device, &key, e, now, &mut changes)
                        .await
                }
                "void" | "refund" => apply_void(tx, device, e, now, &mut changes).await,
                "reissue" => apply_reissue(tx, e, now, &mut changes).await,
                "shift_closed" | "shift_opened" => Ok(None),
                other => Err(format!("unknown event kind {other:?}")),
            },
        };
        let (status, reason) = match outcome {
            Ok(note) => {
                tx.batch_execute("RELEASE SAVEPOINT event").await?;
                feed.extend(changes);
                ("applied", note)
            }
            Err(reason) => {
                if reason.starts_with(RETRY) {
                    return Err(Retry::Store(StoreError::Postgres(reason)));
                }
                tx.batch_execute("ROLLBACK TO SAVEPOINT event; RELEASE SAVEPOINT event")
                    .await?;
                ("rejected", Some(reason))
            }
        };
        if status == "rejected" {
            tx.execute(
                "UPDATE sync_events SET status = 'rejected', reason = $2 WHERE idempotency_key = $1",
                &[&key, &reason],
            )
            .await?;
        }
        Ok(PushAck {
            idempotency_key: key,
            status: status.into(),
            reason,
            received_at: now.to_string(),
        })
    }

    async fn apply_account(
        &self,
        c: &impl GenericClient,
        device: &str,
        e: &SyncEvent,
        now: Timestamp,
        feed: &mut Vec<(&'static str, String)>,
    ) -> std::result::Result<Option<String>, String> {
        let new: NewAccount =
            Deserialize::deserialize(&e.payload).map_err(|x| format!("payload: {x}"))?;
        let id = new
            .id
            .clone()
            .ok_or("payload: the account id made on the device is missing")?;
        let n = c
            .execute(
                "INSERT INTO accounts(id, name, name_norm, email, country, club_number, created_at, created_by_device)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING",
                &[&id, &new.name.trim(), &crate::store::search_key(&new.name),
                  &new.email.trim().to_lowercase(), &new.country.trim().to_uppercase(),
                  &new.club_number, &now.to_string(), &device],
            )
            .await
            .map_err(db)?;
        if n == 1 {
            feed.push(("account", id));
        }
        Ok(None)
    }

    /// A sale made at the desk: consumes the device's escrow; over a limit, it is kept and a
    /// conflict is recorded (decided by `store::decide`, as on SQLite).
    async fn apply_sale(
        &self,
        c: &impl GenericClient,
        device: &str,
        key: &str,
        e: &SyncEvent,
        now: Timestamp,
        feed: &mut Vec<(&'static str, String)>,
    ) -> std::result::Result<Option<String>, String> {
        let (p, account, sold_at) = decide::desk_sale_payload(&e.payload)?;
        let known = c
            .query_opt("SELECT id FROM orders WHERE id = $1", &[&p.order_id])
            .await
            .map_err(db)?;
        if known.is_some() {
            return Err(format!(
                "order {} is already recorded under another key",
                p.order_id
            ));
        }
        let before = standing(c, &account).await.map_err(|x| match x {
            StoreError::NotFound(_) => {
                format!("unknown account {account}: push its account_created event first")
            }
            x => x.to_string(),
        })?;
        let sale = decide::desk_sale(p, account, sold_at, &before, &self.config, &self.catalogue)?;
        let mut beyond: u64 = 0;
        for ((s, cat), n) in &sale.groups {
            let a = allotment(c, device, s, cat)
                .await
                .map_err(|x| x.to_string())?;
            let from_escrow = (*n).min(a.outstanding);
            let over = i64::from(n - from_escrow);
            beyond += u64::from(n - from_escrow);
            c.execute(
                "UPDATE allotments SET sold = sold + $4 WHERE device_id = $1 AND session = $2 AND category = $3",
                &[&device, s, cat, &i64::from(from_escrow)],
            )
            .await
            .map_err(db)?;
            // Seats beyond the escrow come from the pool while it has them; past it, oversold.
            let n_off = c
                .execute(
                    "UPDATE offers SET lent = lent - $3, sold = sold + $4,
                         oversold = oversold + GREATEST($5 - GREATEST(pool, 0), 0),
                         pool = pool - LEAST(GREATEST(pool, 0), $5)
                     WHERE session = $1 AND category = $2",
                    &[s, cat, &i64::from(from_escrow), &i64::from(*n), &over],
                )
                .await
                .map_err(db)?;
            if n_off == 0 {
                return Err(format!("{s} has no category {cat}"));
            }
            feed.push(("offer", offer_key(s, cat)));
        }
        let p = &sale.payload;
        let channel = if p.offline { "offline" } else { "online" };
        c.execute(
            "INSERT INTO orders(id, idempotency_key, account_id, device_id, kind, phase, total_cents, channel, sold_at, received_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[&p.order_id, &key, &sale.account.as_str(), &device, &p.kind.to_lowercase(), &p.phase,
              &sale.total, &channel, &p.sold_at, &now.to_string()],
        )
        .await
        .map_err(db)?;
        for t in &p.tickets {
            c.execute(
                "INSERT INTO tickets(id, order_id, account_id, session, category, price_cents) VALUES ($1, $2, $3, $4, $5, $6)",
                &[&t.id, &p.order_id, &sale.account.as_str(), &t.session.to_uppercase(), &t.category.to_uppercase(), &t.price],
            )
            .await
            .map_err(|x| format!("ticket {}: {}", t.id, db(x)))?;
        }
        feed.push(("account", sale.account.to_string()));
        let Some((details, note)) = decide::desk_sale_note(&sale.violations, beyond) else {
            return Ok(None);
        };
        c.execute(
            "INSERT INTO conflicts(idempotency_key, device_id, account_id, order_id, violations, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[&key, &device, &sale.account.as_str(), &p.order_id, &details.to_string(), &now.to_string()],
        )
        .await
        .map_err(db)?;
        Ok(Some(note))
    }

    /// Conflicts not yet resolved, newest first; all devices', or one device's.
    pub async fn conflicts(&self, device: Option<&str>) -> Result<Vec<serde_json::Value>> {
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT id, idempotency_key, device_id, account_id, order_id, violations, recorded_at
                 FROM conflicts WHERE resolved_at IS NULL AND ($1::TEXT IS NULL OR device_id = $1)
                 ORDER BY id DESC LIMIT 500",
                &[&device],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| {
                let v: String = r.get(5);
                serde_json::json!({
                    "id": r.get::<_, i64>(0), "idempotency_key": r.get::<_, String>(1),
                    "device_id": r.get::<_, String>(2), "account_id": r.get::<_, String>(3),
                    "order_id": r.get::<_, String>(4),
                    "details": serde_json::from_str::<serde_json::Value>(&v).unwrap_or_default(),
                    "recorded_at": r.get::<_, String>(6),
                })
            })
            .collect())
    }

    /// Sold tickets in all (online and pushed).
    pub async fn tickets_sold(&self) -> Result<i64> {
        let c = self.client().await?;
        Ok(
            c.query_one("SELECT COUNT(*) FROM tickets WHERE status = 'valid'", &[])
                .await?
                .get(0),
        )
    }

    /// Ticket ids of an order, in sale order (tests and tools).
    #[doc(hidden)]
    pub async fn tickets_of_order_for_tests(&self, order: &str) -> Vec<String> {
        let Ok(c) = self.client().await else {
            return Vec::new();
        };
        c.query(
            "SELECT id FROM tickets WHERE order_id = $1 ORDER BY seq",
            &[&order],
        )
        .await
        .map(|rows| rows.iter().map(|r| r.get(0)).collect())
        .unwrap_or_default()
    }

    /// Offers whose seats do not add up (empty when the invariant holds).
    pub async fn invariant_violations(&self) -> Result<Vec<String>> {
        let c = self.client().await?;
        super::invariant_violations(&c).await
    }
}

pub(super) async fn allotments(c: &impl GenericClient, device: &str) -> Result<Vec<AllotmentDto>> {
    let rows = c
        .query(
            "SELECT session, category, granted, sold, returned FROM allotments WHERE device_id = $1 ORDER BY session, category",
            &[&device],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let (granted, sold, returned) = (count(r.get(2)), count(r.get(3)), count(r.get(4)));
            AllotmentDto {
                session: r.get(0),
                category: r.get(1),
                granted,
                sold,
                returned,
                outstanding: decide::outstanding(granted, sold, returned),
            }
        })
        .collect())
}

/// A push that must run again whole (deadlock), or failed.
pub(super) enum Retry {
    Again(tokio_postgres::Error),
    Store(StoreError),
}

impl From<tokio_postgres::Error> for Retry {
    fn from(e: tokio_postgres::Error) -> Self {
        if super::retriable(&e) {
            Retry::Again(e)
        } else {
            Retry::Store(e.into())
        }
    }
}

/// Prefix of an event's failure that is the database's, not the event's: the push fails
/// whole (and the desk sends it again) instead of rejecting the event for ever.
const RETRY: &str = "database failed: ";

fn db(e: tokio_postgres::Error) -> String {
    if e.code().is_some() && !super::retriable(&e) {
        // A constraint the event breaks (a ticket id taken, say): the event's own fault.
        return e.to_string();
    }
    format!("{RETRY}{e}")
}

/// Voids or refunds tickets; a seat sold offline by this device goes back to its allotment,
/// any other back to the pool.
async fn apply_void(
    c: &impl GenericClient,
    device: &str,
    e: &SyncEvent,
    now: Timestamp,
    feed: &mut Vec<(&'static str, String)>,
) -> std::result::Result<Option<String>, String> {
    let p: VoidPayload =
        Deserialize::deserialize(&e.payload).map_err(|x| format!("payload: {x}"))?;
    let Some(r) = c
        .query_opt(
            "SELECT channel, device_id, account_id FROM orders WHERE id = $1",
            &[&p.order_id],
        )
        .await
        .map_err(db)?
    else {
        return Err(format!("unknown order {}: push the sale first", p.order_id));
    };
    let (channel, by, account): (String, Option<String>, String) = (r.get(0), r.get(1), r.get(2));
    feed.push(("account", account));
    let to_escrow = channel == "offline" && by.as_deref() == Some(device);
    for id in &p.ticket_ids {
        let Some(t) = c
            .query_opt(
                "SELECT session, category, status FROM tickets WHERE id = $1 AND order_id = $2",
                &[id, &p.order_id],
            )
            .await
            .map_err(db)?
        else {
            return Err(format!("ticket {id} is not in order {}", p.order_id));
        };
        let (s, cat, status): (String, String, String) = (t.get(0), t.get(1), t.get(2));
        if status == "void" {
            continue;
        }
        c.execute("UPDATE tickets SET status = 'void' WHERE id = $1", &[id])
            .await
            .map_err(db)?;
        if to_escrow {
            c.execute(
                "UPDATE allotments SET sold = sold - 1 WHERE device_id = $1 AND session = $2 AND category = $3 AND sold > 0",
                &[&device, &s, &cat],
            )
            .await
            .map_err(db)?;
            c.execute(
                "UPDATE offers SET sold = sold - 1, lent = lent + 1 WHERE session = $1 AND category = $2",
                &[&s, &cat],
            )
            .await
            .map_err(db)?;
        } else {
            c.execute(
                "UPDATE offers SET sold = sold - 1, pool = pool + 1 WHERE session = $1 AND category = $2",
                &[&s, &cat],
            )
            .await
            .map_err(db)?;
        }
        c.execute(
            "INSERT INTO revocations(ticket_id, reason, revoked_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[id, &e.kind, &now.to_string()],
        )
        .await
        .map_err(db)?;
        feed.push(("revocation", id.clone()));
        feed.push(("offer", offer_key(&s, &cat)));
    }
    Ok(None)
}

/// A reissue: the old ticket is revoked, the new one takes its seat (no inventory change).
async fn apply_reissue(
    c: &impl GenericClient,
    e: &SyncEvent,
    now: Timestamp,
    feed: &mut Vec<(&'static str, String)>,
) -> std::result::Result<Option<String>, String> {
    let p: ReissuePayload =
        serde_json::from_value(e.payload.clone()).map_err(|x| format!("payload: {x}"))?;
    let Some(r) = c
        .query_opt(
            "SELECT account_id, status FROM tickets WHERE id = $1 AND order_id = $2",
            &[&p.old_ticket_id, &p.order_id],
        )
        .await
        .map_err(db)?
    else {
        return Err(format!(
            "ticket {} is not in order {}: push the sale first",
            p.old_ticket_id, p.order_id
        ));
    };
    let (account, status): (String, String) = (r.get(0), r.get(1));
    if status != "valid" {
        return Err(format!(
            "ticket {} is {status}: only a valid ticket can be reissued",
            p.old_ticket_id
        ));
    }
    c.execute(
        "UPDATE tickets SET status = 'void' WHERE id = $1",
        &[&p.old_ticket_id],
    )
    .await
    .map_err(db)?;
    c.execute(
        "INSERT INTO tickets(id, order_id, account_id, session, category, price_cents) VALUES ($1, $2, $3, $4, $5, $6)",
        &[&p.ticket.id, &p.order_id, &account, &p.ticket.session.to_uppercase(), &p.ticket.category.to_uppercase(), &p.ticket.price],
    )
    .await
    .map_err(|x| format!("ticket {}: {}", p.ticket.id, db(x)))?;
    c.execute(
        "INSERT INTO revocations(ticket_id, reason, revoked_at) VALUES ($1, 'reissue', $2) ON CONFLICT DO NOTHING",
        &[&p.old_ticket_id, &now.to_string()],
    )
    .await
    .map_err(db)?;
    feed.push(("revocation", p.old_ticket_id.clone()));
    Ok(None)
}
