//! Online sales: the rules and the inventory guard in one `IMMEDIATE` transaction.

use std::collections::BTreeMap;

use guichet_domain::{check_order, AccountId, DraftOrder, PriceCategory, Rejection, SessionCode};
use guichet_wire::orders::{OrderRequest, OrderResponse, TicketDto};
use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

use super::accounts::standing;
use super::{Store, StoreError};

/// Why a sale did not happen.
#[derive(Debug, thiserror::Error)]
pub enum SaleError {
    /// The request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// The rules refuse it: every violation.
    #[error("{0}")]
    Rules(Rejection),
    /// The store failed or the account is unknown.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for SaleError {
    fn from(e: rusqlite::Error) -> Self {
        SaleError::Store(StoreError::Sql(e))
    }
}

/// One queued online sale.
pub(super) struct Job {
    draft: DraftOrder,
    account: AccountId,
    key: String,
    device: String,
    now: Timestamp,
}

/// The queue of sales waiting for the writer.
pub(super) type SaleQueue =
    std::sync::Mutex<Vec<(Job, std::sync::mpsc::Sender<Result<SaleOutcome, SaleError>>)>>;

fn clone_err(e: &rusqlite::Error) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(e.sqlite_error_code().map_or(1, |c| c as i32)),
        Some(e.to_string()),
    )
}

/// An accepted sale (or the first answer to the same idempotency key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleOutcome {
    /// The answer.
    pub response: OrderResponse,
}

fn stock(
    c: &Connection,
    draft: &DraftOrder,
) -> rusqlite::Result<BTreeMap<(SessionCode, PriceCategory), u32>> {
    let mut out = BTreeMap::new();
    let mut stmt = c.prepare_cached(
        "SELECT capacity - sold - lent FROM offers WHERE session = ?1 AND category = ?2",
    )?;
    for l in &draft.lines {
        let left: Option<i64> = stmt
            .query_row(params![l.session.as_str(), l.category.to_string()], |r| {
                r.get(0)
            })
            .optional()?;
        let left = u32::try_from(left.unwrap_or(0).max(0)).unwrap_or(u32::MAX);
        out.insert((l.session.clone(), l.category), left);
    }
    Ok(out)
}

fn existing(c: &Connection, key: &str) -> rusqlite::Result<Option<OrderResponse>> {
    let row: Option<(String, String, i64)> = c
        .query_row(
            "SELECT id, phase, total_cents FROM orders WHERE idempotency_key = ?1",
            [key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((order_id, phase, total_cents)) = row else {
        return Ok(None);
    };
    let mut stmt = c.prepare_cached(
        "SELECT id, session, category, price_cents FROM tickets WHERE order_id = ?1 ORDER BY rowid",
    )?;
    let tickets = stmt
        .query_map([&order_id], |r| {
            Ok(TicketDto {
                id: r.get(0)?,
                session: r.get(1)?,
                category: r.get(2)?,
                price_cents: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Some(OrderResponse {
        order_id,
        phase,
        total_cents,
        tickets,
        duplicate: true,
    }))
}

impl Store {
    /// Sells an order online for a device, at `now`. The same idempotency key twice returns the
    /// first answer with `duplicate: true` and changes nothing.
    pub fn sell_online(
        &self,
        req: &OrderRequest,
        device: &str,
        now: Timestamp,
    ) -> Result<SaleOutcome, SaleError> {
        let draft = DraftOrder::try_from(req).map_err(SaleError::BadRequest)?;
        let account =
            AccountId::parse(&req.account_id).map_err(|e| SaleError::BadRequest(e.to_string()))?;
        let key = uuid::Uuid::parse_str(&req.idempotency_key)
            .map_err(|_| SaleError::BadRequest("idempotency_key: expected a UUID (v7)".into()))?
            .to_string();
        if !self.guard {
            return self.sell_unguarded(&draft, &account, &key, device, now);
        }
        self.group_commit(Job {
            draft,
            account,
            key,
            device: device.to_string(),
            now,
        })
    }

    /// Group commit: a seller queues its job, then takes the writer. Whoever holds the writer
    /// sells every queued job in one `IMMEDIATE` transaction, each inside its own savepoint
    /// (a refused order changes nothing), commits once, and only then answers each seller.
    /// Under load one fsync then covers many orders; alone, a batch is just this order.
    fn group_commit(&self, job: Job) -> Result<SaleOutcome, SaleError> {
        let (reply, answer) = std::sync::mpsc::channel();
        self.sale_queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((job, reply));
        let mut conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        if let Ok(done) = answer.try_recv() {
            return done; // an earlier holder of the writer sold it in its batch
        }
        let jobs = std::mem::take(&mut *self.sale_queue.lock().unwrap_or_else(|p| p.into_inner()));
        let mut results = Vec::with_capacity(jobs.len());
        let committed = (|| -> rusqlite::Result<()> {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            for (job, reply) in jobs.iter() {
                tx.execute_batch("SAVEPOINT sale")?;
                let r = self.sell_in(&tx, job);
                match &r {
                    Ok(_) => tx.execute_batch("RELEASE sale")?,
                    Err(_) => tx.execute_batch("ROLLBACK TO sale; RELEASE sale")?,
                }
                results.push((reply.clone(), r));
            }
            tx.commit()
        })();
        drop(conn);
        match committed {
            Ok(()) => {
                for (reply, r) in results {
                    let _ = reply.send(r);
                }
            }
            Err(e) => {
                for (_, reply) in jobs.iter() {
                    let _ = reply.send(Err(SaleError::Store(StoreError::Sql(clone_err(&e)))));
                }
            }
        }
        answer.recv().unwrap_or_else(|_| {
            Err(SaleError::Store(StoreError::Conflict(
                "the sale was lost in the queue".into(),
            )))
        })
    }

    fn sell_in(&self, tx: &Connection, job: &Job) -> Result<SaleOutcome, SaleError> {
        if let Some(response) = existing(tx, &job.key)? {
            return Ok(SaleOutcome { response });
        }
        let acc = standing(tx, &job.account)?;
        let left = stock(tx, &job.draft)?;
        let valid = check_order(
            &job.draft,
            &acc,
            &self.config,
            &self.catalogue,
            &left,
            job.now,
        )
        .map_err(SaleError::Rules)?;
        for l in &valid.lines {
            // The guard: the count moves only if the seats are still there.
            let n = tx.execute(
                "UPDATE offers SET sold = sold + ?3
                 WHERE session = ?1 AND category = ?2 AND capacity - sold - lent >= ?3",
                params![l.session.as_str(), l.category.to_string(), l.quantity],
            )?;
            if n != 1 {
                return Err(StoreError::Conflict(format!(
                    "{} {} sold out during the sale",
                    l.session, l.category
                ))
                .into());
            }
        }
        let response = record(tx, &valid, &job.account, &job.key, &job.device, job.now)?;
        Ok(SaleOutcome { response })
    }

    /// The check-then-act bug the guard exists to prevent: availability is read outside the
    /// write transaction and the count is raised unconditionally. Reached only when a test
    /// switches the guard off.
    fn sell_unguarded(
        &self,
        draft: &DraftOrder,
        account: &AccountId,
        key: &str,
        device: &str,
        now: Timestamp,
    ) -> Result<SaleOutcome, SaleError> {
        let (acc, left) =
            self.read(|c| Ok::<_, SaleError>((standing(c, account)?, stock(c, draft)?)))?;
        let valid = check_order(draft, &acc, &self.config, &self.catalogue, &left, now)
            .map_err(SaleError::Rules)?;
        self.write(|tx| {
            for l in &valid.lines {
                tx.execute(
                    "UPDATE offers SET sold = sold + ?3 WHERE session = ?1 AND category = ?2",
                    params![l.session.as_str(), l.category.to_string(), l.quantity],
                )?;
            }
            let response = record(tx, &valid, account, key, device, now)?;
            Ok(SaleOutcome { response })
        })
    }
}

fn record(
    tx: &Connection,
    valid: &guichet_domain::ValidOrder,
    account: &AccountId,
    key: &str,
    device: &str,
    now: Timestamp,
) -> rusqlite::Result<OrderResponse> {
    let order_id = uuid::Uuid::now_v7().to_string();
    let kind = match valid.kind {
        guichet_domain::OrderKind::Pack => "pack",
        guichet_domain::OrderKind::Single => "single",
    };
    tx.execute(
        "INSERT INTO orders(id, idempotency_key, account_id, device_id, kind, phase, total_cents, channel, sold_at, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'online', ?8, ?8)",
        params![order_id, key, account.as_str(), device, kind, valid.phase, valid.total.cents(), now.to_string()],
    )?;
    let mut ins = tx.prepare_cached(
        "INSERT INTO tickets(id, order_id, account_id, session, category, price_cents) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut tickets = Vec::new();
    for l in &valid.lines {
        super::sync::changed(tx, "offer", &format!("{}|{}", l.session, l.category))?;
        for _ in 0..l.quantity {
            let id = uuid::Uuid::now_v7().to_string();
            ins.execute(params![
                id,
                order_id,
                account.as_str(),
                l.session.as_str(),
                l.category.to_string(),
                l.unit_price.cents()
            ])?;
            tickets.push(TicketDto {
                id,
                session: l.session.to_string(),
                category: l.category.to_string(),
                price_cents: l.unit_price.cents(),
            });
        }
    }
    Ok(OrderResponse {
        order_id,
        phase: valid.phase.clone(),
        total_cents: valid.total.cents(),
        tickets,
        duplicate: false,
    })
}
