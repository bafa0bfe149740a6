//! Holds on PostgreSQL (as SQLite's `store/holds.rs`): seats a kiosk sets aside while the fan
//! pays. A hold takes its seats from the pool (then from buckets no running transaction
//! holds) into `offers.held`; it ends confirmed by an order (held to sold), released by its
//! device or expired (held back to the pool). Low rate: the offer's row is fine here.

use deadpool_postgres::GenericClient;
use guichet_domain::check_order;
use guichet_wire::holds::{HoldRequest, HoldResponse, HoldState};
use guichet_wire::orders::OrderLineDto;
use jiff::Timestamp;

use super::{accounts::standing, PgStore};
use crate::store::{
    draft_of, hold_response, millis, parse_state, state_text, usable_for, HoldError, HoldRow,
    OrderLineView, StoreError,
};

impl From<tokio_postgres::Error> for HoldError {
    fn from(e: tokio_postgres::Error) -> Self {
        HoldError::Store(e.into())
    }
}

impl From<deadpool_postgres::PoolError> for HoldError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        HoldError::Store(e.into())
    }
}

impl From<super::sales::BatchError> for HoldError {
    fn from(e: super::sales::BatchError) -> Self {
        match e {
            super::sales::BatchError::Store(e) => HoldError::Store(e),
            super::sales::BatchError::Retry(e) => HoldError::Store(e.into()),
        }
    }
}

async fn load(c: &impl GenericClient, by: &str, value: &str) -> Result<Option<HoldRow>, HoldError> {
    let sql = format!(
        "SELECT id, request_id, device_id, account_id, kind, state, expires_ms, order_id
         FROM holds WHERE {by} = $1"
    );
    let Some(r) = c.query_opt(&sql, &[&value]).await? else {
        return Ok(None);
    };
    let mut h = HoldRow {
        id: r.get(0),
        request_id: r.get(1),
        device: r.get(2),
        account: r.get(3),
        kind: r.get(4),
        state: parse_state(&r.get::<_, String>(5)),
        expires_ms: r.get(6),
        order_id: r.get(7),
        lines: Vec::new(),
    };
    h.lines = c
        .query(
            "SELECT session, category, quantity FROM hold_lines WHERE hold_id = $1 ORDER BY line",
            &[&h.id],
        )
        .await?
        .iter()
        .map(|r| OrderLineDto {
            session: r.get(0),
            category: r.get(1),
            quantity: super::count(r.get(2)),
        })
        .collect();
    Ok(Some(h))
}

/// Gives a live hold's seats back to the pool and marks how it ended.
async fn end(
    c: &impl GenericClient,
    h: &HoldRow,
    to: HoldState,
    now: Timestamp,
) -> Result<(), HoldError> {
    for l in &h.lines {
        let n = i64::from(l.quantity);
        c.execute(
            "UPDATE offers SET held = held - $3, pool = pool + $3 WHERE session = $1 AND category = $2",
            &[&l.session, &l.category, &n],
        )
        .await?;
        c.execute(
            "INSERT INTO changes(kind, key) VALUES ('offer', $1)",
            &[&format!("{}|{}", l.session, l.category)],
        )
        .await?;
    }
    c.execute(
        "UPDATE holds SET state = $2, ended_at = $3 WHERE id = $1",
        &[&h.id, &state_text(to), &now.to_string()],
    )
    .await?;
    Ok(())
}

/// Expires every live hold due at `now` inside the caller's transaction; how many.
async fn expire_in(c: &impl GenericClient, now: Timestamp) -> Result<u32, HoldError> {
    let due: Vec<String> = c
        .query(
            "SELECT id FROM holds WHERE state = 'live' AND expires_ms <= $1 ORDER BY id FOR UPDATE SKIP LOCKED",
            &[&millis(now)],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    for id in &due {
        if let Some(h) = load(c, "id", id).await? {
            end(c, &h, HoldState::Expired, now).await?;
        }
    }
    Ok(u32::try_from(due.len()).unwrap_or(u32::MAX))
}

/// The hold an order names, checked against it (locked until the sale's commit).
pub(super) async fn for_order(
    c: &impl GenericClient,
    hold_id: &str,
    device: &str,
    req: &OrderLineView<'_>,
) -> Result<Option<Vec<OrderLineDto>>, HoldError> {
    c.execute("SELECT 1 FROM holds WHERE id = $1 FOR UPDATE", &[&hold_id])
        .await?;
    let h = load(c, "id", hold_id)
        .await?
        .ok_or_else(|| HoldError::NotFound(hold_id.to_string()))?;
    usable_for(h, device, req)
}

/// Moves a live hold's seats from held to sold and marks it confirmed by `order_id`.
pub(super) async fn confirm(
    c: &impl GenericClient,
    hold_id: &str,
    lines: &[OrderLineDto],
    order_id: &str,
    now: Timestamp,
) -> Result<bool, tokio_postgres::Error> {
    for l in lines {
        let n = c
            .execute(
                "UPDATE offers SET held = held - $3, sold = sold + $3
                 WHERE session = $1 AND category = $2 AND held >= $3",
                &[&l.session, &l.category, &i64::from(l.quantity)],
            )
            .await?;
        if n != 1 {
            return Ok(false);
        }
    }
    let n = c
        .execute(
            "UPDATE holds SET state = 'confirmed', order_id = $2, ended_at = $3
             WHERE id = $1 AND state = 'live'",
            &[&hold_id, &order_id, &now.to_string()],
        )
        .await?;
    Ok(n == 1)
}

impl PgStore {
    /// How long new holds last.
    pub fn set_hold_seconds(&mut self, seconds: u32) {
        self.hold_seconds = seconds.max(1);
    }

    /// Holds seats for a device's draft order at `now`, if the rules accept it (with what is
    /// online as the stock). The same request id twice answers the first hold.
    pub async fn hold(
        &self,
        device: &str,
        req: &HoldRequest,
        now: Timestamp,
    ) -> Result<HoldResponse, HoldError> {
        let request_id = guichet_wire::checks::uuid("request_id", &req.request_id)
            .map_err(HoldError::BadRequest)?;
        let account = guichet_wire::checks::account_id("account_id", &req.account_id)
            .map_err(HoldError::BadRequest)?;
        let draft = draft_of(req)?;
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        expire_in(&tx, now).await?;
        let claimed = tx
            .execute(
                "INSERT INTO holds(id, request_id, device_id, account_id, kind, state, created_at, expires_ms)
                 VALUES ($1, $2, $3, $4, $5, 'live', $6, $7) ON CONFLICT (request_id) DO NOTHING",
                &[&crate::store::new_id(), &request_id, &device, &req.account_id, &req.kind,
                  &now.to_string(), &(millis(now) + i64::from(self.hold_seconds) * 1000)],
            )
            .await;
        let claimed = match claimed {
            Ok(n) => n,
            Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::FOREIGN_KEY_VIOLATION) => {
                return Err(StoreError::NotFound(format!("no account {account}")).into())
            }
            Err(e) => return Err(e.into()),
        };
        let h = load(&tx, "request_id", &request_id)
            .await?
            .ok_or_else(|| HoldError::NotFound(request_id.clone()))?;
        if claimed == 0 {
            if h.device != device || h.account != req.account_id || h.lines != req.lines {
                return Err(HoldError::Conflict {
                    rule: "hold_request_reused",
                    message: format!(
                        "request id {request_id} made hold {} for other seats or another device — make a new request id for a new sale",
                        h.id
                    ),
                });
            }
            return Ok(hold_response(h, true));
        }
        let acc = standing(&tx, &account).await?;
        let left = super::sales::stock_of(&tx, &draft).await?;
        let valid = check_order(&draft, &acc, &self.config, &self.catalogue, &left, now)
            .map_err(HoldError::Rules)?;
        for (i, l) in valid.lines.iter().enumerate() {
            let (s, c) = (l.session.to_string(), l.category.to_string());
            let n = i64::from(l.quantity);
            // Seats of buckets no running transaction holds go back to the pool if it is short.
            let pool: i64 = tx
                .query_one(
                    "SELECT pool FROM offers WHERE session = $1 AND category = $2 FOR UPDATE",
                    &[&s, &c],
                )
                .await?
                .get(0);
            let mut short = n - pool;
            if short > 0 {
                for r in tx
                    .query(
                        "SELECT replica_id, seats_left FROM buckets WHERE session = $1 AND category = $2
                         AND seats_left > 0 ORDER BY replica_id FOR UPDATE SKIP LOCKED",
                        &[&s, &c],
                    )
                    .await?
                {
                    let (rep, has): (String, i64) = (r.get(0), r.get(1));
                    let k = has.min(short);
                    tx.execute(
                        "UPDATE buckets SET seats_left = seats_left - $4 WHERE session = $1 AND category = $2 AND replica_id = $3",
                        &[&s, &c, &rep, &k],
                    )
                    .await?;
                    tx.execute(
                        "UPDATE offers SET pool = pool + $3 WHERE session = $1 AND category = $2",
                        &[&s, &c, &k],
                    )
                    .await?;
                    short -= k;
                    if short <= 0 {
                        break;
                    }
                }
            }
            let moved = tx
                .execute(
                    "UPDATE offers SET pool = pool - $3, held = held + $3
                     WHERE session = $1 AND category = $2 AND pool >= $3",
                    &[&s, &c, &n],
                )
                .await?;
            if moved != 1 {
                return Err(StoreError::Conflict(format!(
                    "{s} {c}: fewer than {n} seats free at once (some are in other servers' hands) — ask for fewer or try again"
                ))
                .into());
            }
            tx.execute(
                "INSERT INTO hold_lines(hold_id, line, session, category, quantity) VALUES ($1, $2, $3, $4, $5)",
                &[&h.id, &i32::try_from(i).unwrap_or(i32::MAX), &s, &c, &n],
            )
            .await?;
            tx.execute(
                "INSERT INTO changes(kind, key) VALUES ('offer', $1)",
                &[&format!("{s}|{c}")],
            )
            .await?;
        }
        let h = load(&tx, "id", &h.id)
            .await?
            .ok_or_else(|| HoldError::NotFound(h.id.clone()))?;
        self.before_commit().await;
        tx.commit().await?;
        Ok(hold_response(h, false))
    }

    /// Releases a device's hold at `now`: its seats go back to the pool.
    pub async fn release_hold(
        &self,
        device: &str,
        hold_id: &str,
        now: Timestamp,
    ) -> Result<HoldResponse, HoldError> {
        let hold_id = guichet_wire::checks::uuid("id", hold_id).map_err(HoldError::BadRequest)?;
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        expire_in(&tx, now).await?;
        tx.execute("SELECT 1 FROM holds WHERE id = $1 FOR UPDATE", &[&hold_id])
            .await?;
        let h = load(&tx, "id", &hold_id)
            .await?
            .ok_or_else(|| HoldError::NotFound(hold_id.clone()))?;
        if h.device != device {
            return Err(HoldError::OtherDevice {
                hold: h.id,
                owner: h.device,
            });
        }
        let out = match h.state {
            HoldState::Live => {
                end(&tx, &h, HoldState::Released, now).await?;
                let h = load(&tx, "id", &hold_id)
                    .await?
                    .ok_or_else(|| HoldError::NotFound(hold_id.clone()))?;
                hold_response(h, false)
            }
            HoldState::Confirmed => {
                return Err(HoldError::Conflict {
                    rule: "hold_confirmed",
                    message: format!(
                        "hold {} was confirmed by order {}: its seats are sold — void the order to free them",
                        h.id,
                        h.order_id.clone().unwrap_or_default()
                    ),
                })
            }
            HoldState::Released | HoldState::Expired => hold_response(h, true),
        };
        tx.commit().await?;
        Ok(out)
    }

    /// Expires the holds whose time is up at `now`; how many.
    pub async fn expire_holds(&self, now: Timestamp) -> Result<u32, HoldError> {
        let c = self.client().await?;
        let due: bool = c
            .query_one(
                "SELECT EXISTS(SELECT 1 FROM holds WHERE state = 'live' AND expires_ms <= $1)",
                &[&millis(now)],
            )
            .await?
            .get(0);
        if !due {
            return Ok(0);
        }
        drop(c);
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let n = expire_in(&tx, now).await?;
        tx.commit().await?;
        Ok(n)
    }
}
