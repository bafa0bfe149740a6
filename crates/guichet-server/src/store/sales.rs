//! Online sales: the rules and the inventory guard in one `IMMEDIATE` transaction.

use std::collections::{BTreeMap, BTreeSet};

use guichet_domain::{AccountId, DraftOrder, PriceCategory, Rejection, SessionCode, ValidOrder};
use guichet_wire::orders::{OrderLineDto, OrderRequest, OrderResponse, TicketDto};
use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

use super::accounts::standing;
use super::holds::{self, HoldError, OrderLineView};
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
    /// The hold the order names cannot be used.
    #[error(transparent)]
    Hold(#[from] HoldError),
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
    /// The hold the order confirms, and the order's lines as sent (compared with the hold's).
    hold: Option<(String, OrderRequest)>,
    /// The request's body, hashed (kept with the key).
    body: String,
}

type Answer = Result<SaleOutcome, SaleError>;

/// A sale decided by reads only.
enum Decided {
    /// The key was sold before: its first answer.
    Duplicate(OrderResponse),
    /// Accepted by the rules, to be written; with the live hold whose seats it takes.
    Sell(ValidOrder, Option<(String, Vec<OrderLineDto>)>),
}

/// Why a batch's transaction did not commit.
enum BatchError {
    /// A write failed in the fast pass: sell the batch again with savepoints.
    Redo,
    /// SQLite failed for the whole transaction.
    Sql(rusqlite::Error),
}

impl From<rusqlite::Error> for BatchError {
    fn from(e: rusqlite::Error) -> Self {
        BatchError::Sql(e)
    }
}
type Reply = tokio::sync::oneshot::Sender<Answer>;

/// The queue of sales waiting for the writer, and whether a leader is draining it.
#[derive(Default)]
pub(super) struct SaleQueue(std::sync::Mutex<QueueState>);

#[derive(Default)]
struct QueueState {
    jobs: Vec<(Job, Reply)>,
    leading: bool,
}

impl SaleQueue {
    fn lock(&self) -> std::sync::MutexGuard<'_, QueueState> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A sale in the queue (see [`Store::queue_sale`]).
pub struct QueuedSale {
    /// The answer, sent once the batch holding the sale is committed (or refused).
    pub answer: tokio::sync::oneshot::Receiver<Result<SaleOutcome, SaleError>>,
    /// The caller became the leader: it must run [`Store::lead_sales`] on a thread that may
    /// block (nobody else will until it has).
    pub lead: bool,
}

/// The answer when a sale's batch was lost (its leader panicked).
pub fn lost_sale() -> SaleError {
    SaleError::Store(StoreError::Conflict(
        "the sale was lost in the queue: nothing was sold — try again with the same key".into(),
    ))
}

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

pub(super) fn stock(
    c: &Connection,
    draft: &DraftOrder,
) -> rusqlite::Result<BTreeMap<(SessionCode, PriceCategory), u32>> {
    let mut out = BTreeMap::new();
    let mut stmt = c.prepare_cached(
        "SELECT capacity - sold - lent - held FROM offers WHERE session = ?1 AND category = ?2",
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

/// The first answer to an online order's key: its order, or the rules' refusal kept with it;
/// the key sent with another body than the first is refused. `None` for a new key.
fn answered(c: &Connection, key: &str, body: &str) -> Result<Option<OrderResponse>, SaleError> {
    let row: Option<(String, String, i64, Option<String>)> = c
        .prepare_cached(
            "SELECT id, phase, total_cents, body_sha256 FROM orders WHERE idempotency_key = ?1",
        )?
        .query_row([key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    let Some((order_id, phase, total_cents, first)) = row else {
        let refused: Option<(String, String)> = c
            .prepare_cached(
                "SELECT body_sha256, refusal FROM order_refusals WHERE idempotency_key = ?1",
            )?
            .query_row([key], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        return match refused {
            None => Ok(None),
            Some((first, _)) if first != body => Err(super::decide::key_reused(key)),
            Some((_, text)) => match super::decide::stored_refusal(&text) {
                Some(r) => Err(SaleError::Rules(r)),
                None => Ok(None),
            },
        };
    };
    // An order sold before its body was kept (schema 12 and older) is not compared.
    if first.is_some_and(|h| h != body) {
        return Err(super::decide::key_reused(key));
    }
    Ok(Some(existing(c, order_id, phase, total_cents)?))
}

fn existing(
    c: &Connection,
    order_id: String,
    phase: String,
    total_cents: i64,
) -> rusqlite::Result<OrderResponse> {
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
    Ok(OrderResponse {
        order_id,
        phase,
        total_cents,
        tickets,
        duplicate: true,
    })
}

type Parsed = (
    DraftOrder,
    AccountId,
    String,
    Option<(String, OrderRequest)>,
    String,
);

fn parse(req: &OrderRequest) -> Result<Parsed, SaleError> {
    let p = super::decide::parse_order(req)?;
    Ok((p.draft, p.account, p.key, p.hold, p.body))
}

impl Store {
    /// Sells an order online for a device, at `now`, waiting for the answer on this thread
    /// (which must not be an async task's). The same idempotency key twice returns the first
    /// answer with `duplicate: true` and changes nothing. The server's handler uses
    /// [`Store::queue_sale`] instead, so that no thread waits per order.
    pub fn sell_online(
        &self,
        req: &OrderRequest,
        device: &str,
        now: Timestamp,
    ) -> Result<SaleOutcome, SaleError> {
        if !self.guard {
            let (draft, account, key, _, body) = parse(req)?;
            return self.sell_unguarded(&draft, &account, (&key, &body), device, now);
        }
        let q = self.queue_sale(req, device, now)?;
        if q.lead {
            self.lead_sales();
        }
        q.answer
            .blocking_recv()
            .unwrap_or_else(|_| Err(lost_sale()))
    }

    /// Whether online sales go through the guarded queue (always, except in a race test).
    pub fn guarded(&self) -> bool {
        self.guard
    }

    /// Group commit, first half: checks the request's form and queues the sale. If no leader
    /// is draining the queue, the caller becomes it (`lead`) and must call
    /// [`Store::lead_sales`] on a thread that may block; every caller then awaits `answer`.
    pub fn queue_sale(
        &self,
        req: &OrderRequest,
        device: &str,
        now: Timestamp,
    ) -> Result<QueuedSale, SaleError> {
        let (draft, account, key, hold, body) = parse(req)?;
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job = Job {
            draft,
            account,
            key,
            device: device.to_string(),
            now,
            hold,
            body,
        };
        let mut q = self.sale_queue.lock();
        q.jobs.push((job, reply));
        let lead = !q.leading;
        q.leading = true;
        Ok(QueuedSale { answer, lead })
    }

    /// Group commit, second half: the leader takes every queued sale and sells them in one
    /// `IMMEDIATE` transaction, each inside its own savepoint (a refused order changes
    /// nothing), commits once, and only then answers each seller; it repeats while sales
    /// wait, then steps down. Under load one fsync covers many orders (those that arrived
    /// during the previous commit); alone, a batch is just this order.
    pub fn lead_sales(&self) {
        /// Steps down if the leader panics, so that the next sale leads.
        struct Leading<'a>(&'a SaleQueue, bool);
        impl Drop for Leading<'_> {
            fn drop(&mut self) {
                if self.1 {
                    self.0.lock().leading = false;
                }
            }
        }
        let mut leading = Leading(&self.sale_queue, true);
        loop {
            let jobs = {
                let mut q = self.sale_queue.lock();
                if q.jobs.is_empty() {
                    q.leading = false;
                    leading.1 = false;
                    return;
                }
                std::mem::take(&mut q.jobs)
            };
            self.sell_batch(jobs);
        }
    }

    fn sell_batch(&self, jobs: Vec<(Job, Reply)>) {
        let mut conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let mut outcome = self.run_batch(&mut conn, &jobs, false);
        if matches!(outcome, Err(BatchError::Redo)) {
            tracing::warn!(
                orders = jobs.len(),
                "an order failed after its checks passed: the batch is sold again, a savepoint per order"
            );
            outcome = self.run_batch(&mut conn, &jobs, true);
        }
        drop(conn);
        match outcome {
            Ok(results) => {
                for ((_, reply), r) in jobs.into_iter().zip(results) {
                    let _ = reply.send(r);
                }
            }
            Err(e) => {
                let e = match e {
                    BatchError::Sql(e) => e,
                    BatchError::Redo => rusqlite::Error::InvalidQuery,
                };
                for (_, reply) in jobs {
                    let _ = reply.send(Err(SaleError::Store(StoreError::Sql(clone_err(&e)))));
                }
            }
        }
    }

    /// One transaction for the batch. Each order is first decided by reads only (its key, the
    /// account's holdings, the stock, the rules): a refusal writes nothing. Only an accepted
    /// order writes (the guarded UPDATEs, the order, its tickets).
    ///
    /// Fast pass (`careful = false`): no savepoints. A write that fails then (the guard finding
    /// fewer seats than the stock read in this same transaction, or SQLite failing) leaves a
    /// half-written order, so the whole transaction is rolled back and the batch is sold again
    /// carefully, each order inside its own savepoint, before anyone is answered. Savepoints
    /// on every order cost a copy of each page it touched that an earlier order of the batch
    /// had already changed (callgrind: ~40k instructions per order in the statement journal).
    fn run_batch(
        &self,
        conn: &mut Connection,
        jobs: &[(Job, Reply)],
        careful: bool,
    ) -> Result<Vec<Answer>, BatchError> {
        let mut results = Vec::with_capacity(jobs.len());
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Offers whose counts moved: one change-feed row each per batch (pull reads the
        // feed as a set of keys, and a batch becomes visible at once).
        let mut moved: BTreeSet<(String, String)> = BTreeSet::new();
        // Accounts whose holdings moved: a desk that has one cached learns it at its next
        // pull, as it does for sales pushed by other desks.
        let mut buyers: BTreeSet<&str> = BTreeSet::new();
        // Holds past their time give their seats back before any order reads the stock.
        if let Some(now) = jobs.iter().map(|(j, _)| j.now).max() {
            holds::expire_in(&tx, now)?;
        }
        for (job, _) in jobs {
            let r = if careful {
                tx.prepare_cached("SAVEPOINT sale")?.execute([])?;
                let r = self.sell_in(&tx, job);
                if r.is_ok() {
                    tx.prepare_cached("RELEASE sale")?.execute([])?;
                } else {
                    tx.prepare_cached("ROLLBACK TO sale")?.execute([])?;
                    tx.prepare_cached("RELEASE sale")?.execute([])?;
                }
                r
            } else {
                match self.decide(&tx, job) {
                    Err(refused) => Err(refused),
                    Ok(Decided::Duplicate(response)) => Ok(SaleOutcome { response }),
                    Ok(Decided::Sell(valid, hold)) => match self.write_sale(&tx, job, &valid, hold)
                    {
                        Ok(o) => Ok(o),
                        Err(_) => return Err(BatchError::Redo),
                    },
                }
            };
            if let Ok(o) = &r {
                if !o.response.duplicate {
                    buyers.insert(job.account.as_str());
                    for t in &o.response.tickets {
                        if !moved
                            .iter()
                            .any(|(s, c)| *s == t.session && *c == t.category)
                        {
                            moved.insert((t.session.clone(), t.category.clone()));
                        }
                    }
                }
            }
            if let Err(SaleError::Rules(refusal)) = &r {
                // Kept with its key, outside the order's savepoint (the refusal stands).
                tx.prepare_cached(
                    "INSERT OR IGNORE INTO order_refusals(idempotency_key, body_sha256, refusal, recorded_at)
                     VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![
                    job.key,
                    job.body,
                    super::decide::refusal_text(refusal),
                    job.now.to_string()
                ])?;
            }
            results.push(r);
        }
        let keys: Vec<String> = moved.iter().map(|(s, c)| format!("{s}|{c}")).collect();
        super::sync::changed_many(&tx, "offer", keys.iter().map(String::as_str))?;
        super::sync::changed_many(&tx, "account", buyers)?;
        tx.commit()?;
        Ok(results)
    }

    /// Decides a sale by reads only: the first answer to its key, or the priced order.
    fn decide(&self, tx: &Connection, job: &Job) -> Result<Decided, SaleError> {
        if let Some(response) = answered(tx, &job.key, &job.body)? {
            return Ok(Decided::Duplicate(response));
        }
        let acc = standing(tx, &job.account)?;
        let left = stock(tx, &job.draft)?;
        let hold = match &job.hold {
            Some((id, req)) => {
                let view = OrderLineView {
                    account: &req.account_id,
                    kind: &req.kind,
                    lines: &req.lines,
                };
                holds::for_order(tx, id, &job.device, &view)?.map(|lines| (id.clone(), lines))
            }
            None => None,
        };
        // A live hold's seats are this order's: `decide_order` counts them as free for it.
        let valid = super::decide::decide_order(
            &job.draft,
            &acc,
            left,
            hold.as_ref().map(|(_, l)| l.as_slice()),
            &self.config,
            &self.catalogue,
            job.now,
        )?;
        Ok(Decided::Sell(valid, hold))
    }

    fn sell_in(&self, tx: &Connection, job: &Job) -> Result<SaleOutcome, SaleError> {
        match self.decide(tx, job)? {
            Decided::Duplicate(response) => Ok(SaleOutcome { response }),
            Decided::Sell(valid, hold) => self.write_sale(tx, job, &valid, hold),
        }
    }

    /// Writes a decided sale: the guarded count per line, then the order and its tickets.
    fn write_sale(
        &self,
        tx: &Connection,
        job: &Job,
        valid: &ValidOrder,
        hold: Option<(String, Vec<OrderLineDto>)>,
    ) -> Result<SaleOutcome, SaleError> {
        if let Some((hold_id, lines)) = hold {
            // The seats were set aside for this order: they move from held to sold.
            let response = record(
                tx,
                valid,
                &job.account,
                (&job.key, &job.body),
                &job.device,
                job.now,
            )?;
            if !holds::confirm(tx, &hold_id, &lines, &response.order_id, job.now)? {
                return Err(
                    StoreError::Conflict(format!("hold {hold_id} ended during the sale")).into(),
                );
            }
            return Ok(SaleOutcome { response });
        }
        let mut guard = tx.prepare_cached(
            "UPDATE offers SET sold = sold + ?3
             WHERE session = ?1 AND category = ?2 AND capacity - sold - lent - held >= ?3",
        )?;
        for l in &valid.lines {
            // The guard: the count moves only if the seats are still there.
            let n = guard.execute(params![
                l.session.as_str(),
                l.category.to_string(),
                l.quantity
            ])?;
            if n != 1 {
                return Err(StoreError::Conflict(format!(
                    "{} {} sold out during the sale",
                    l.session, l.category
                ))
                .into());
            }
        }
        let response = record(
            tx,
            valid,
            &job.account,
            (&job.key, &job.body),
            &job.device,
            job.now,
        )?;
        Ok(SaleOutcome { response })
    }

    /// The check-then-act bug the guard exists to prevent: availability is read outside the
    /// write transaction and the count is raised unconditionally. Reached only when a test
    /// switches the guard off.
    fn sell_unguarded(
        &self,
        draft: &DraftOrder,
        account: &AccountId,
        key: (&str, &str),
        device: &str,
        now: Timestamp,
    ) -> Result<SaleOutcome, SaleError> {
        let (acc, left) =
            self.read(|c| Ok::<_, SaleError>((standing(c, account)?, stock(c, draft)?)))?;
        let valid = super::decide::decide_order(
            draft,
            &acc,
            left,
            None,
            &self.config,
            &self.catalogue,
            now,
        )?;
        self.write(|tx| {
            for l in &valid.lines {
                tx.execute(
                    "UPDATE offers SET sold = sold + ?3 WHERE session = ?1 AND category = ?2",
                    params![l.session.as_str(), l.category.to_string(), l.quantity],
                )?;
            }
            let response = record(tx, &valid, account, key, device, now)?;
            for l in &valid.lines {
                super::sync::changed(tx, "offer", &format!("{}|{}", l.session, l.category))?;
            }
            super::sync::changed(tx, "account", account.as_str())?;
            Ok(SaleOutcome { response })
        })
    }
}

/// A UUIDv7 for an order or a ticket: the time from the system clock, as `Uuid::now_v7`,
/// and 74 random bits from the OS generator, read 4 KiB at a time per thread (`now_v7`
/// makes one `getrandom` call per id: 4 per pack order, 5 syscalls per order with the key's
/// check, seen in strace). Falls back to `now_v7` if the OS generator fails.
pub(crate) fn new_id() -> String {
    use std::cell::RefCell;
    const POOL: usize = 4096;
    thread_local! {
        static RANDOM: RefCell<(Vec<u8>, usize)> = RefCell::new((vec![0; POOL], POOL));
    }
    const BITS: usize = 10;
    let mut bits = [0u8; BITS];
    let ok = RANDOM.with(|r| {
        let (pool, at) = &mut *r.borrow_mut();
        if *at + BITS > pool.len() {
            if getrandom::fill(pool).is_err() {
                return false;
            }
            *at = 0;
        }
        bits.copy_from_slice(&pool[*at..*at + BITS]);
        *at += BITS;
        true
    });
    if !ok {
        return uuid::Uuid::now_v7().to_string();
    }
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    uuid::Builder::from_unix_timestamp_millis(ms, &bits)
        .into_uuid()
        .to_string()
}

/// Writes an accepted order, with its key and the body's hash, and its tickets (the change
/// feed is the caller's).
fn record(
    tx: &Connection,
    valid: &guichet_domain::ValidOrder,
    account: &AccountId,
    (key, body): (&str, &str),
    device: &str,
    now: Timestamp,
) -> rusqlite::Result<OrderResponse> {
    let order_id = new_id();
    let kind = super::decide::kind_text(valid.kind);
    tx.prepare_cached(
        "INSERT INTO orders(id, idempotency_key, account_id, device_id, kind, phase, total_cents, channel, sold_at, received_at, body_sha256)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'online', ?8, ?8, ?9)",
    )?
    .execute(params![order_id, key, account.as_str(), device, kind, valid.phase, valid.total.cents(), now.to_string(), body])?;
    let mut ins = tx.prepare_cached(
        "INSERT INTO tickets(id, order_id, account_id, session, category, price_cents) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut tickets = Vec::new();
    for l in &valid.lines {
        for _ in 0..l.quantity {
            let id = new_id();
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
