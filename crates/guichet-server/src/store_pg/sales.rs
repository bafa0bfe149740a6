//! Online sales on PostgreSQL: a group commit per replica (every order waiting goes in one
//! transaction), seats sold from this replica's own bucket of each offer, the per-account caps
//! under the accounts' row locks, and the idempotency keys written first.
//!
//! A batch costs about a dozen statements whatever its size: the keys are claimed in one (each
//! with the id its order will have), the buyers' standings and the offers' stock read in four
//! more, the orders decided in turn in memory (each on what the earlier ones of the batch
//! took), and the bucket decrements, orders, tickets and feed rows written together in one
//! statement ([`SALE_WRITES`]). Only an order confirming a hold goes alone, in a savepoint.
//! Every statement that names rows of a table that grows (buckets, keys) finds each row by its
//! primary key, so its plan, made once a connection, stays an index lookup.
//!
//! Lock order in a batch (docs/postgres.md): the batch's accounts (`FOR NO KEY UPDATE`, sorted
//! by id), then per offer in (session, category) order this replica's bucket; the pool row and
//! other replicas' buckets only in short refills before (`SKIP LOCKED` on buckets, never
//! waited on). An order whose bucket runs short is retried once in the next batch after a
//! rebalance that waits on other buckets holding nothing else; short again, it is sold out.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use deadpool_postgres::GenericClient;
use guichet_domain::{PriceCategory, SessionCode, ValidOrder};
use guichet_wire::orders::{OrderRequest, OrderResponse, TicketDto};
use jiff::Timestamp;

use super::{accounts::standing, PgStore};
use crate::store::decide::{self, ParsedOrder};
use crate::store::{lost_sale, Result, SaleError, SaleOutcome, StoreError};

/// Seats a replica takes from the pool at a time when its bucket runs short (fewer when the
/// pool is low, so the last seats stay where any replica can reach them).
const CHUNK: i64 = 64;

/// This replica's ($1) buckets of offers ($2 sessions, $3 categories) and their seats, one
/// primary-key lookup an offer in the arrays' order. A join of `buckets` to `unnest` was
/// planned once a connection while the table was nearly empty, and that plan (a scan of
/// every bucket) stayed as the table grew (BENCHMARKS.md, run 7); a `LATERAL` lookup has no
/// other plan. `OFFSET 0` keeps the subquery from being flattened back into a join.
macro_rules! my_buckets {
    ($lock:literal) => {
        concat!(
            "SELECT b.session, b.category, b.seats_left
             FROM unnest($2::TEXT[], $3::TEXT[]) AS t(s, c)
             CROSS JOIN LATERAL (SELECT session, category, seats_left FROM buckets
                 WHERE session = t.s AND category = t.c AND replica_id = $1 OFFSET 0",
            $lock,
            ") b"
        )
    };
}
const MY_BUCKETS: &str = my_buckets!("");
/// The same, locked one by one in the arrays' order, which the caller sorts by (session,
/// category): a bucket is locked before its pool row.
const MY_BUCKETS_LOCKED: &str = my_buckets!(" FOR UPDATE");

/// This replica's ($4) buckets of offers ($1 sessions, $2 categories) lose $3 seats each, sold,
/// only where they hold them; [`GUARDED_DECREMENT`] answers how many buckets did (all, or the
/// caller backs out). Each bucket is found by its primary key, then updated by its row's
/// address (`ctid`, read in this statement, under this transaction's lock): the plan cannot
/// turn into a scan of the table, as a join to `unnest` did.
macro_rules! guarded_decrement {
    () => {
        "UPDATE buckets b SET seats_left = b.seats_left - y.n, sold = b.sold + y.n
         FROM (SELECT x.tid, t.n FROM unnest($1::TEXT[], $2::TEXT[], $3::BIGINT[]) AS t(s, c, n)
               CROSS JOIN LATERAL (SELECT ctid AS tid FROM buckets
                   WHERE session = t.s AND category = t.c AND replica_id = $4 OFFSET 0) x) y
         WHERE b.ctid = y.tid AND b.seats_left >= y.n
         RETURNING 1"
    };
}
const GUARDED_DECREMENT: &str = concat!(
    "WITH d AS (",
    guarded_decrement!(),
    ") SELECT COUNT(*) FROM d"
);

/// A batch's sales written in one statement: the guarded decrement of this replica's ($4)
/// buckets ($1–$3, as in [`GUARDED_DECREMENT`]), the orders ($5–$12), their tickets
/// ($13–$18, in order, so their `seq` follows the orders' lines) and the feed's rows ($19
/// kinds, $20 keys). Answers how many buckets were decremented. The foreign keys from tickets
/// to orders are checked at the end of the statement, when both are written.
const SALE_WRITES: &str = concat!(
    "WITH d AS (",
    guarded_decrement!(),
    "), o AS (
         INSERT INTO orders(id, idempotency_key, account_id, device_id, kind, phase, total_cents, channel, sold_at, received_at)
         SELECT t.id, t.k, t.a, t.d, t.kind, t.phase, t.total, 'online', t.at, t.at
         FROM unnest($5::TEXT[], $6::TEXT[], $7::TEXT[], $8::TEXT[], $9::TEXT[], $10::TEXT[], $11::BIGINT[], $12::TEXT[])
             AS t(id, k, a, d, kind, phase, total, at)
     ), tk AS (
         INSERT INTO tickets(id, order_id, account_id, session, category, price_cents)
         SELECT t.id, t.o, t.a, t.s, t.c, t.p
         FROM unnest($13::TEXT[], $14::TEXT[], $15::TEXT[], $16::TEXT[], $17::TEXT[], $18::BIGINT[])
             WITH ORDINALITY AS t(id, o, a, s, c, p, n)
         ORDER BY t.n
     ), f AS (
         INSERT INTO changes(kind, key) SELECT * FROM unnest($19::TEXT[], $20::TEXT[])
     )
     SELECT COUNT(*) FROM d"
);

struct Job {
    order: ParsedOrder,
    body: String,
    device: String,
    now: Timestamp,
    /// Sent back once already because its bucket was short.
    deferred: bool,
}

type Answer = std::result::Result<SaleOutcome, SaleError>;
type Reply = tokio::sync::oneshot::Sender<Answer>;

#[derive(Default)]
pub(super) struct SaleQueue(std::sync::Mutex<QueueState>);

#[derive(Default)]
struct QueueState {
    jobs: Vec<(Job, Reply)>,
    /// Batches running now (at most [`LEADERS`]), each on its own connection.
    leaders: usize,
}

/// Batches one replica runs at once. Four (while one waits on its COMMIT, the next one sells)
/// hung a replica now and then in the 3-replica race: one batch idle in transaction holding its
/// bucket row while another batch of the same replica waited on it (BENCHMARKS.md, issue #13).
/// One batch a replica until that is understood; replicas still sell side by side.
const LEADERS: usize = 1;

impl SaleQueue {
    fn lock(&self) -> std::sync::MutexGuard<'_, QueueState> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// What became of one order in a batch.
enum Done {
    Answer(Answer),
    /// Its bucket was short: sold again in the next batch, after a rebalance.
    Defer,
}

/// Seats per offer, from rows of (session, category, seats).
fn buckets_of(rows: Vec<tokio_postgres::Row>) -> BTreeMap<(String, String), i64> {
    rows.iter()
        .map(|r| ((r.get(0), r.get(1)), r.get(2)))
        .collect()
}

fn offer_key(s: &str, c: &str) -> String {
    format!("{s}|{c}")
}

impl PgStore {
    /// Sells one online order through this replica's group commit; the store must be shared
    /// (`Arc`) because the batch runs on its own task, so a caller that goes away cannot
    /// abandon the others' sales.
    pub async fn sell(
        self: &Arc<Self>,
        req: &OrderRequest,
        device: &str,
        now: Timestamp,
    ) -> Answer {
        let order = decide::parse_order(req)?;
        if !self.guard {
            return self.sell_unguarded(&order, device, now).await;
        }
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job = Job {
            body: order.body.clone(),
            order,
            device: device.to_string(),
            now,
            deferred: false,
        };
        let lead = {
            let mut q = self.sales.lock();
            q.jobs.push((job, reply));
            let lead = q.leaders < LEADERS;
            if lead {
                q.leaders += 1;
            }
            lead
        };
        if lead {
            let me = Arc::clone(self);
            tokio::spawn(async move { me.lead_sales().await });
        }
        answer.await.unwrap_or_else(|_| Err(lost_sale()))
    }

    async fn lead_sales(&self) {
        /// Steps down if the leader's task ends early (panic), so the next sale leads.
        struct Leading<'a>(&'a SaleQueue, bool);
        impl Drop for Leading<'_> {
            fn drop(&mut self) {
                if self.1 {
                    let mut q = self.0.lock();
                    q.leaders = q.leaders.saturating_sub(1);
                }
            }
        }
        let mut leading = Leading(&self.sales, true);
        loop {
            let jobs = {
                let mut q = self.sales.lock();
                if q.jobs.is_empty() {
                    q.leaders = q.leaders.saturating_sub(1);
                    leading.1 = false;
                    return;
                }
                std::mem::take(&mut q.jobs)
            };
            let deferred = self.sell_batch(jobs).await;
            if !deferred.is_empty() {
                let mut offers: BTreeMap<(String, String), i64> = BTreeMap::new();
                for l in deferred
                    .iter()
                    .flat_map(|(j, _)| j.order.draft.lines.iter())
                {
                    *offers
                        .entry((l.session.to_string(), l.category.to_string()))
                        .or_default() += i64::from(l.quantity);
                }
                for ((s, c), need) in offers {
                    if let Err(e) = self.rebalance(&s, &c, need).await {
                        tracing::warn!(error = %e, "rebalance of {s} {c} failed");
                    }
                }
                self.sales.lock().jobs.extend(deferred);
            }
        }
    }

    /// Runs a batch, again on a deadlock or serialization failure (up to five times).
    async fn run_with_retries(&self, jobs: &[(Job, Reply)]) -> Result<Vec<Done>> {
        let mut tries = 0;
        loop {
            tries += 1;
            match self.run_batch(jobs).await {
                Ok(r) => return Ok(r),
                Err(BatchError::Retry(e)) if tries < 5 => {
                    tracing::info!(error = %e, tries, "sale batch retried");
                }
                Err(BatchError::Retry(e)) => return Err(StoreError::from(e)),
                Err(BatchError::Store(e)) => return Err(e),
            }
        }
    }

    /// Sells a batch; answers every order and gives back those to sell again. A batch that
    /// fails for another reason than a lock conflict (one order's rows refused by the
    /// database) is sold again one order a transaction, so the others stand and only the
    /// faulty one fails.
    async fn sell_batch(&self, jobs: Vec<(Job, Reply)>) -> Vec<(Job, Reply)> {
        let results: Vec<Result<Done>> = match self.run_with_retries(&jobs).await {
            Ok(r) => r.into_iter().map(Ok).collect(),
            Err(e) if jobs.len() > 1 => {
                tracing::warn!(error = %e, orders = jobs.len(), "sale batch failed: selling its orders one by one");
                let mut v = Vec::with_capacity(jobs.len());
                for j in &jobs {
                    v.push(
                        self.run_with_retries(std::slice::from_ref(j))
                            .await
                            .and_then(|mut r| {
                                r.pop()
                                    .ok_or_else(|| StoreError::Invalid("no answer".into()))
                            }),
                    );
                }
                v
            }
            Err(e) => vec![Err(e)],
        };
        let mut again = Vec::new();
        for ((mut job, reply), done) in jobs.into_iter().zip(results) {
            match done {
                Ok(Done::Answer(a)) => {
                    let _ = reply.send(a);
                }
                Ok(Done::Defer) => {
                    job.deferred = true;
                    again.push((job, reply));
                }
                Err(e) => {
                    tracing::error!(error = %e, "sale failed");
                    let _ = reply.send(Err(SaleError::Store(StoreError::Postgres(e.to_string()))));
                }
            }
        }
        again
    }

    async fn run_batch(&self, jobs: &[(Job, Reply)]) -> std::result::Result<Vec<Done>, BatchError> {
        // 1. Per offer, in order: this replica's bucket holds what the batch asks, if the pool
        //    (then other replicas' free buckets) has it. Each refill is its own short
        //    transaction, before the batch locks anything: a pool row is never held for a
        //    whole batch.
        let mut demand: BTreeMap<(String, String), i64> = BTreeMap::new();
        for (j, _) in jobs {
            for l in &j.order.draft.lines {
                *demand
                    .entry((l.session.to_string(), l.category.to_string()))
                    .or_default() += i64::from(l.quantity);
            }
        }
        self.refill_all(&demand).await?;
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        // 2. The buyers' rows, sorted: their caps are decided under these locks. Then this
        //    replica's buckets of the batch's offers, sorted: another batch of this replica
        //    queues behind them, and no order of the batch waits on a lock after. Sent
        //    together: the database runs them in this order.
        let accounts: Vec<String> = jobs
            .iter()
            .map(|(j, _)| j.order.account.to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let lock = tx
            .prepare_cached(
                "SELECT id FROM accounts WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE",
            )
            .await?;
        let (ss, cs): (Vec<String>, Vec<String>) = demand.keys().cloned().unzip();
        let mine = tx.prepare_cached(MY_BUCKETS_LOCKED).await?;
        let lock_args: [&(dyn tokio_postgres::types::ToSql + Sync); 1] = [&accounts];
        let mine_args: [&(dyn tokio_postgres::types::ToSql + Sync); 3] = [&self.replica, &ss, &cs];
        let (locked, mine) = tokio::join!(tx.query(&lock, &lock_args), tx.query(&mine, &mine_args));
        locked?;
        let mut bucket = buckets_of(mine?);
        let mut out: Vec<Option<Done>> = (0..jobs.len()).map(|_| None).collect();
        let mut w = Writes::default();
        // 3. Orders confirming a hold, each in its savepoint (they move held seats, not the
        //    bucket's): few, and first, so the others are decided on what they wrote.
        for (i, (j, _)) in jobs.iter().enumerate() {
            if j.order.hold.is_none() {
                continue;
            }
            out[i] = Some(match self.sell_one(&tx, j).await {
                Ok(Done::Answer(Ok(o))) => {
                    tx.batch_execute("RELEASE SAVEPOINT sale").await?;
                    if !o.response.duplicate {
                        w.buyers.insert(j.order.account.to_string());
                        for l in &j.order.draft.lines {
                            w.moved
                                .insert(offer_key(l.session.as_str(), &l.category.to_string()));
                        }
                    }
                    Done::Answer(Ok(o))
                }
                Ok(Done::Answer(Err(refused))) => {
                    // A refusal by the rules is kept with the key (written in sell_one); any
                    // other (a hold that cannot be used) goes with its key.
                    if matches!(refused, SaleError::Rules(_)) {
                        tx.batch_execute("RELEASE SAVEPOINT sale").await?;
                    } else {
                        tx.batch_execute("ROLLBACK TO SAVEPOINT sale; RELEASE SAVEPOINT sale")
                            .await?;
                    }
                    Done::Answer(Err(refused))
                }
                Ok(Done::Defer) => {
                    tx.batch_execute("ROLLBACK TO SAVEPOINT sale; RELEASE SAVEPOINT sale")
                        .await?;
                    Done::Defer
                }
                Err(BatchError::Retry(e)) => return Err(BatchError::Retry(e)),
                Err(BatchError::Store(e)) => {
                    tx.batch_execute("ROLLBACK TO SAVEPOINT sale; RELEASE SAVEPOINT sale")
                        .await?;
                    Done::Answer(Err(SaleError::Store(e)))
                }
            });
        }
        // 4. Every other order together, without savepoints: the keys claimed in one
        //    statement, the buyers' standings and the offers' stock read in three more, the
        //    orders decided here in turn on what the earlier ones took, and the writes sent
        //    in one go. A second order with a key already in the batch goes to the next batch,
        //    which answers it from what the first one left.
        let mut first: BTreeMap<&str, usize> = BTreeMap::new();
        let mut primaries = Vec::new();
        for (i, (j, _)) in jobs.iter().enumerate() {
            if out[i].is_some() {
                continue;
            }
            if first.contains_key(j.order.key.as_str()) {
                out[i] = Some(Done::Defer);
            } else {
                first.insert(&j.order.key, i);
                primaries.push(i);
            }
        }
        if !primaries.is_empty() {
            self.sell_together(&tx, jobs, &primaries, &mut bucket, &mut out, &mut w)
                .await?;
        }
        w.write(&tx, &self.replica).await?;
        self.before_commit().await;
        tx.commit().await?;
        Ok(out.into_iter().map(|d| d.unwrap_or(Done::Defer)).collect())
    }

    /// Decides the batch's orders that confirm no hold (see [`PgStore::run_batch`], step 4)
    /// and gathers their writes.
    async fn sell_together(
        &self,
        tx: &impl GenericClient,
        jobs: &[(Job, Reply)],
        primaries: &[usize],
        bucket: &mut BTreeMap<(String, String), i64>,
        out: &mut [Option<Done>],
        w: &mut Writes,
    ) -> std::result::Result<(), BatchError> {
        let claim = tx
            .prepare_cached(
                "INSERT INTO order_keys(key, body_sha256, recorded_at, order_id)
                 SELECT * FROM unnest($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[])
                 ON CONFLICT (key) DO NOTHING RETURNING key",
            )
            .await?;
        // Each key is claimed with the id its order will have if it is sold: a sale then
        // writes nothing more to its key row. A refusal clears the id and keeps its text;
        // an order not answered for good gives its key up (`Writes::write`).
        let (mut keys, mut bodies, mut times, mut ids) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut buyers = BTreeSet::new();
        let mut offers = BTreeSet::new();
        for &i in primaries {
            let j = &jobs[i].0;
            keys.push(j.order.key.clone());
            bodies.push(j.body.clone());
            times.push(j.now.to_string());
            ids.push(crate::store::new_id());
            buyers.insert(j.order.account.to_string());
            for l in &j.order.draft.lines {
                offers.insert((l.session.to_string(), l.category.to_string()));
            }
        }
        let buyers: Vec<String> = buyers.into_iter().collect();
        let claim_args: [&(dyn tokio_postgres::types::ToSql + Sync); 4] =
            [&keys, &bodies, &times, &ids];
        let (claimed, standings, stock) = tokio::join!(
            tx.query(&claim, &claim_args),
            super::accounts::standings(tx, &buyers),
            stock_of_offers(tx, &offers),
        );
        let fresh: BTreeSet<String> = claimed?.iter().map(|r| r.get(0)).collect();
        let mut standings = standings?;
        let mut stock = stock?;
        for (&i, order_id) in primaries.iter().zip(ids) {
            let j = &jobs[i].0;
            let o = &j.order;
            if !fresh.contains(&o.key) {
                // Another transaction wrote the key first and has committed (the INSERT
                // waited on it): its answer is this one's.
                out[i] = Some(Done::Answer(stored_answer(tx, &o.key, &j.body).await?));
                continue;
            }
            // An unknown account is not kept with the key: it may be created, then the order
            // sent again.
            let Some(acc) = standings.get_mut(o.account.as_str()) else {
                w.forget.push(o.key.clone());
                out[i] = Some(Done::Answer(Err(SaleError::Store(StoreError::NotFound(
                    format!("no account {}", o.account),
                )))));
                continue;
            };
            let left: BTreeMap<(SessionCode, PriceCategory), u32> = o
                .draft
                .lines
                .iter()
                .map(|l| {
                    let k = (l.session.to_string(), l.category.to_string());
                    let n = stock.get(&k).copied().unwrap_or(0);
                    ((l.session.clone(), l.category), super::count(n))
                })
                .collect();
            let valid = match decide::decide_order(
                &o.draft,
                acc,
                left,
                None,
                &self.config,
                &self.catalogue,
                j.now,
            ) {
                Ok(v) => v,
                Err(SaleError::Rules(r)) => {
                    w.refused_keys.push(o.key.clone());
                    w.refusals.push(decide::refusal_text(&r));
                    out[i] = Some(Done::Answer(Err(SaleError::Rules(r))));
                    continue;
                }
                // Not kept: the key goes, so it can be sent again.
                Err(e) => {
                    w.forget.push(o.key.clone());
                    let e = match e {
                        SaleError::Store(e) => e,
                        e => StoreError::Invalid(e.to_string()),
                    };
                    out[i] = Some(Done::Answer(Err(SaleError::Store(e))));
                    continue;
                }
            };
            // Seats per offer (an order may name one offer on two lines), from this replica's
            // bucket, whose row this transaction holds.
            let mut per_offer: BTreeMap<(String, String), i64> = BTreeMap::new();
            for l in &valid.lines {
                *per_offer
                    .entry((l.session.to_string(), l.category.to_string()))
                    .or_default() += i64::from(l.quantity);
            }
            let short: Vec<String> = per_offer
                .iter()
                .filter(|(k, n)| bucket.get(*k).copied().unwrap_or(0) < **n)
                .map(|((s, c), _)| format!("{s} {c}"))
                .collect();
            if !short.is_empty() {
                w.forget.push(o.key.clone());
                out[i] = Some(if j.deferred {
                    Done::Answer(Err(SaleError::Store(StoreError::Conflict(format!(
                        "{} sold out during the sale",
                        short.join(", ")
                    )))))
                } else {
                    Done::Defer
                });
                continue;
            }
            for (k, n) in per_offer {
                w.moved.insert(offer_key(&k.0, &k.1));
                *bucket.entry(k.clone()).or_default() -= n;
                *stock.entry(k.clone()).or_default() -= n;
                *w.taken.entry(k).or_default() += n;
            }
            decide::add_order(acc, &valid);
            let first_ticket = w.ticket_ids.len();
            for l in &valid.lines {
                for _ in 0..l.quantity {
                    w.ticket_ids.push(crate::store::new_id());
                    w.ticket_orders.push(order_id.clone());
                    w.ticket_accounts.push(o.account.to_string());
                    w.ticket_sessions.push(l.session.to_string());
                    w.ticket_categories.push(l.category.to_string());
                    w.ticket_prices.push(l.unit_price.cents());
                }
            }
            let response = decide::order_response(
                &valid,
                order_id.clone(),
                w.ticket_ids[first_ticket..].to_vec(),
            );
            w.order_ids.push(order_id);
            w.order_keys.push(o.key.clone());
            w.order_accounts.push(o.account.to_string());
            w.order_devices.push(j.device.clone());
            w.order_kinds
                .push(decide::kind_text(valid.kind).to_string());
            w.order_phases.push(valid.phase.clone());
            w.order_totals.push(valid.total.cents());
            w.order_times.push(j.now.to_string());
            w.buyers.insert(o.account.to_string());
            out[i] = Some(Done::Answer(Ok(SaleOutcome { response })));
        }
        Ok(())
    }

    /// Makes this replica's buckets hold what a batch asks of each offer, if the pool (then
    /// other replicas' free buckets) has it: one read of the buckets, then one transaction for
    /// every short offer, so a batch costs one COMMIT of refills at most, not one an offer.
    /// In that transaction each step is one round trip for all the short offers, not one an
    /// offer: their buckets locked in (session, category) order (a batch of this replica
    /// selling meanwhile is waited for), then the pools taken from (each row locked by its
    /// own statement, sent in the same order), then what other replicas' free buckets give,
    /// then the buckets credited. (One statement for all the short offers instead of one an
    /// offer and a step was measured slower with one replica: BENCHMARKS.md, session 10.)
    async fn refill_all(
        &self,
        demand: &BTreeMap<(String, String), i64>,
    ) -> std::result::Result<(), BatchError> {
        let mut c = self.client().await?;
        let (ss, cs): (Vec<String>, Vec<String>) = demand.keys().cloned().unzip();
        let mine = c.prepare_cached(MY_BUCKETS).await?;
        let have = buckets_of(c.query(&mine, &[&self.replica, &ss, &cs]).await?);
        let wanted: Vec<(&(String, String), i64)> = demand
            .iter()
            .filter(|(k, n)| have.get(*k).copied().unwrap_or(0) < **n)
            .map(|(k, n)| (k, *n))
            .collect();
        if wanted.is_empty() {
            return Ok(());
        }
        let (ss, cs): (Vec<String>, Vec<String>) = wanted.iter().map(|(k, _)| (*k).clone()).unzip();
        let tx = c.transaction().await?;
        let (locked, take, add) = tokio::join!(
            tx.prepare_cached(MY_BUCKETS_LOCKED),
            tx.prepare_cached(
                "WITH o AS (SELECT pool FROM offers WHERE session = $1 AND category = $2 FOR UPDATE)
                 UPDATE offers SET pool = offers.pool - LEAST(o.pool, GREATEST($3, LEAST($4, o.pool / 4)))
                 FROM o WHERE offers.session = $1 AND offers.category = $2 AND o.pool > 0
                 RETURNING LEAST(o.pool, GREATEST($3, LEAST($4, o.pool / 4)))",
            ),
            tx.prepare_cached(
                "INSERT INTO buckets(session, category, replica_id, seats_left) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (session, category, replica_id) DO UPDATE SET seats_left = buckets.seats_left + $4",
            ),
        );
        let (locked, take, add) = (locked?, take?, add?);
        // 1. This replica's buckets of the short offers, locked: what they hold now.
        let have = buckets_of(tx.query(&locked, &[&self.replica, &ss, &cs]).await?);
        let short: Vec<(&String, &String, i64)> = wanted
            .iter()
            .filter_map(|&(k, need)| {
                let short = need - have.get(k).copied().unwrap_or(0);
                (short > 0).then_some((&k.0, &k.1, short))
            })
            .collect();
        // 2. From the pools.
        let (q, take, add) = (&tx, &take, &add);
        let taken =
            futures_util::future::join_all(short.iter().map(|(s, cat, short)| async move {
                q.query_opt(take, &[s, cat, short, &CHUNK]).await
            }))
            .await;
        let mut got = Vec::with_capacity(short.len());
        for ((s, cat, short), t) in short.iter().zip(taken) {
            let mut n: i64 = t?.map_or(0, |r| r.get(0));
            // 3. From other replicas' buckets that no running transaction holds (rare: only
            //    when the pool runs low).
            if n < *short {
                n += self.take_from_others(&tx, s, cat, short - n).await?;
            }
            got.push(n);
        }
        // 4. Credited to this replica's buckets.
        let credited =
            futures_util::future::join_all(short.iter().zip(&got).filter(|(_, n)| **n > 0).map(
                |((s, cat, _), n)| async move { q.execute(add, &[s, cat, &self.replica, n]).await },
            ))
            .await;
        for r in credited {
            r?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Up to `want` seats of an offer from other replicas' buckets that no running transaction
    /// holds (`SKIP LOCKED`: never waited on, so no lock cycle can close), taken out of them.
    async fn take_from_others(
        &self,
        tx: &impl GenericClient,
        s: &str,
        cat: &str,
        want: i64,
    ) -> std::result::Result<i64, BatchError> {
        let others = tx
            .prepare_cached(
                "SELECT replica_id, seats_left FROM buckets
                 WHERE session = $1 AND category = $2 AND replica_id <> $3 AND seats_left > 0
                 ORDER BY replica_id FOR UPDATE SKIP LOCKED",
            )
            .await?;
        let give = tx
            .prepare_cached(
                "UPDATE buckets SET seats_left = seats_left - $4
                 WHERE session = $1 AND category = $2 AND replica_id = $3",
            )
            .await?;
        let mut got = 0;
        for r in tx.query(&others, &[&s, &cat, &self.replica]).await? {
            let (rep, left): (String, i64) = (r.get(0), r.get(1));
            let n = left.min(want - got);
            tx.execute(&give, &[&s, &cat, &rep, &n]).await?;
            got += n;
            if got >= want {
                break;
            }
        }
        Ok(got)
    }

    /// Between batches, holding no other lock: gives back to the pool up to `need` seats of
    /// another replica's bucket of an offer, waiting on it if a running transaction holds it
    /// (its owner sells from it meanwhile; what is left after its commit is taken). The next
    /// batch's refill finds them in the pool. Bucket rows are always locked before pool rows,
    /// and a transaction holding a pool row never waits on a bucket (`SKIP LOCKED`), so these
    /// waits cannot close a cycle.
    async fn rebalance(&self, s: &str, cat: &str, need: i64) -> Result<()> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let rows = tx
            .query(
                "SELECT replica_id, seats_left FROM buckets
                 WHERE session = $1 AND category = $2 AND replica_id <> $3 AND seats_left > 0
                 ORDER BY replica_id LIMIT 1 FOR UPDATE",
                &[&s, &cat, &self.replica],
            )
            .await?;
        for r in rows {
            let (rep, left): (String, i64) = (r.get(0), r.get(1));
            let n = left.min(need.max(1));
            tx.execute(
                "UPDATE buckets SET seats_left = seats_left - $4 WHERE session = $1 AND category = $2 AND replica_id = $3",
                &[&s, &cat, &rep, &n],
            )
            .await?;
            tx.execute(
                "UPDATE offers SET pool = pool + $3 WHERE session = $1 AND category = $2",
                &[&s, &cat, &n],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// One order confirming a hold, inside its savepoint (opened here): the key first, then the
    /// rules, then the hold's seats (or, if the hold has ended, the guarded decrement of this
    /// replica's buckets) and the rows. Statements that do not
    /// depend on each other's answers are sent together (tokio-postgres pipelines the
    /// futures polled at once, in order), so an order costs three round trips, not a dozen.
    async fn sell_one(
        &self,
        tx: &impl GenericClient,
        j: &Job,
    ) -> std::result::Result<Done, BatchError> {
        let o = &j.order;
        let claim = tx
            .prepare_cached(
                "INSERT INTO order_keys(key, body_sha256, recorded_at) VALUES ($1, $2, $3)
                 ON CONFLICT (key) DO NOTHING",
            )
            .await?;
        let recorded = j.now.to_string();
        let claim_args: [&(dyn tokio_postgres::types::ToSql + Sync); 3] =
            [&o.key, &j.body, &recorded];
        let (savepoint, fresh, acc, left) = tokio::join!(
            tx.batch_execute("SAVEPOINT sale"),
            tx.execute(&claim, &claim_args),
            standing(tx, &o.account),
            stock(tx, o),
        );
        savepoint?;
        if fresh? == 0 {
            return Ok(Done::Answer(stored_answer(tx, &o.key, &j.body).await?));
        }
        // An unknown account is not kept with the key: it may be created, then the order
        // sent again.
        let acc = acc?;
        // A live hold's seats are this order's (they count as free for it, and move from held
        // to sold); an ended one's order is sold from what is free.
        let hold = match &o.hold {
            Some((id, req)) => {
                let view = crate::store::OrderLineView {
                    account: &req.account_id,
                    kind: &req.kind,
                    lines: &req.lines,
                };
                match super::holds::for_order(tx, id, &j.device, &view).await {
                    Ok(lines) => lines.map(|l| (id.clone(), l)),
                    Err(e) => return Ok(Done::Answer(Err(SaleError::Hold(e)))),
                }
            }
            None => None,
        };
        let valid = match decide::decide_order(
            &o.draft,
            &acc,
            left?,
            hold.as_ref().map(|(_, l)| l.as_slice()),
            &self.config,
            &self.catalogue,
            j.now,
        ) {
            Ok(v) => v,
            Err(SaleError::Rules(r)) => {
                let keep = tx
                    .prepare_cached("UPDATE order_keys SET refusal = $2 WHERE key = $1")
                    .await?;
                let refusal = decide::refusal_text(&r);
                tx.execute(&keep, &[&o.key, &refusal]).await?;
                return Ok(Done::Answer(Err(SaleError::Rules(r))));
            }
            // Not kept: the savepoint (and the key row) is rolled back, so the key can be
            // sent again.
            Err(SaleError::Store(e)) => return Err(BatchError::Store(e)),
            Err(e) => return Err(BatchError::Store(StoreError::Invalid(e.to_string()))),
        };
        // Seats per offer (an order may name one offer on two lines).
        let mut per_offer: BTreeMap<(String, String), i64> = BTreeMap::new();
        for l in &valid.lines {
            *per_offer
                .entry((l.session.to_string(), l.category.to_string()))
                .or_default() += i64::from(l.quantity);
        }
        let (ss, cs, ns): (Vec<String>, Vec<String>, Vec<i64>) = {
            let mut v = (Vec::new(), Vec::new(), Vec::new());
            for ((s, c), n) in &per_offer {
                v.0.push(s.clone());
                v.1.push(c.clone());
                v.2.push(*n);
            }
            v
        };
        let guard = tx.prepare_cached(GUARDED_DECREMENT).await?;
        let done = tx
            .prepare_cached("UPDATE order_keys SET order_id = $2 WHERE key = $1")
            .await?;
        let order_id = crate::store::new_id();
        let guard_args: [&(dyn tokio_postgres::types::ToSql + Sync); 4] =
            [&ss, &cs, &ns, &self.replica];
        let done_args: [&(dyn tokio_postgres::types::ToSql + Sync); 2] = [&o.key, &order_id];
        if let Some((hold_id, lines)) = &hold {
            let (response, kept) = tokio::join!(
                record(tx, &valid, o, &order_id, &j.device, j.now, "online"),
                tx.execute(&done, &done_args),
            );
            let (response, _) = (response?, kept?);
            if !super::holds::confirm(tx, hold_id, lines, &order_id, j.now).await? {
                return Err(BatchError::Store(StoreError::Conflict(format!(
                    "hold {hold_id} ended during the sale"
                ))));
            }
            return Ok(Done::Answer(Ok(SaleOutcome { response })));
        }
        let (moved, response, kept) = tokio::join!(
            tx.query_one(&guard, &guard_args),
            record(tx, &valid, o, &order_id, &j.device, j.now, "online"),
            tx.execute(&done, &done_args),
        );
        let moved: i64 = moved?.get(0);
        let (response, _) = (response?, kept?);
        if moved != i64::try_from(per_offer.len()).unwrap_or(i64::MAX) {
            // The caller rolls the savepoint back: the rows written above go with it.
            if j.deferred {
                let names: Vec<String> =
                    per_offer.keys().map(|(s, c)| format!("{s} {c}")).collect();
                return Err(BatchError::Store(StoreError::Conflict(format!(
                    "{} sold out during the sale",
                    names.join(", ")
                ))));
            }
            return Ok(Done::Defer);
        }
        Ok(Done::Answer(Ok(SaleOutcome { response })))
    }

    /// The race the guard prevents: availability and the account read without locks, the
    /// counts written unconditionally. Reached only when a test switches the guard off.
    async fn sell_unguarded(&self, o: &ParsedOrder, device: &str, now: Timestamp) -> Answer {
        let (acc, left) = {
            let c = self.client().await.map_err(SaleError::Store)?;
            let acc = standing(&c, &o.account).await?;
            let left = stock(&c, o).await.map_err(|e| match e {
                BatchError::Store(e) => SaleError::Store(e),
                BatchError::Retry(e) => SaleError::Store(e.into()),
            })?;
            (acc, left)
        };
        let valid = decide::decide_order(
            &o.draft,
            &acc,
            left,
            None,
            &self.config,
            &self.catalogue,
            now,
        )?;
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(StoreError::from)?;
        for l in &valid.lines {
            tx.execute(
                "UPDATE offers SET pool = pool - $3, sold = sold + $3 WHERE session = $1 AND category = $2",
                &[&l.session.as_str(), &l.category.to_string(), &i64::from(l.quantity)],
            )
            .await
            .map_err(StoreError::from)?;
            tx.execute(
                "INSERT INTO changes(kind, key) VALUES ('offer', $1)",
                &[&offer_key(l.session.as_str(), &l.category.to_string())],
            )
            .await
            .map_err(StoreError::from)?;
        }
        let order_id = crate::store::new_id();
        let response = record(&tx, &valid, o, &order_id, device, now, "online")
            .await
            .map_err(|e| match e {
                BatchError::Store(e) => SaleError::Store(e),
                BatchError::Retry(e) => SaleError::Store(e.into()),
            })?;
        tx.execute(
            "INSERT INTO changes(kind, key) VALUES ('account', $1)",
            &[&o.account.as_str()],
        )
        .await
        .map_err(StoreError::from)?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(SaleOutcome { response })
    }
}

/// Seats online per line of the order: the pool and every bucket (read without a lock; the
/// guard is the bucket's decrement).
pub(super) async fn stock(
    c: &impl GenericClient,
    o: &ParsedOrder,
) -> std::result::Result<BTreeMap<(SessionCode, PriceCategory), u32>, BatchError> {
    stock_of(c, &o.draft).await
}

/// Seats online per line of a draft (see [`stock`]).
pub(super) async fn stock_of(
    c: &impl GenericClient,
    draft: &guichet_domain::DraftOrder,
) -> std::result::Result<BTreeMap<(SessionCode, PriceCategory), u32>, BatchError> {
    let st = c
        .prepare_cached(
            "SELECT o.pool + COALESCE((SELECT SUM(b.seats_left) FROM buckets b
                                       WHERE b.session = o.session AND b.category = o.category), 0)::BIGINT
             FROM offers o WHERE o.session = $1 AND o.category = $2",
        )
        .await?;
    let mut out = BTreeMap::new();
    for l in &draft.lines {
        let left: i64 = c
            .query_opt(&st, &[&l.session.as_str(), &l.category.to_string()])
            .await?
            .map_or(0, |r| r.get(0));
        out.insert((l.session.clone(), l.category), super::count(left));
    }
    Ok(out)
}

/// What a batch's orders decided together write, as one column per statement parameter.
#[derive(Default)]
struct Writes {
    /// Seats taken from this replica's bucket, per offer.
    taken: BTreeMap<(String, String), i64>,
    order_ids: Vec<String>,
    order_keys: Vec<String>,
    order_accounts: Vec<String>,
    order_devices: Vec<String>,
    order_kinds: Vec<String>,
    order_phases: Vec<String>,
    order_totals: Vec<i64>,
    order_times: Vec<String>,
    ticket_ids: Vec<String>,
    ticket_orders: Vec<String>,
    ticket_accounts: Vec<String>,
    ticket_sessions: Vec<String>,
    ticket_categories: Vec<String>,
    ticket_prices: Vec<i64>,
    /// Keys kept with the rules' refusal.
    refused_keys: Vec<String>,
    refusals: Vec<String>,
    /// Keys given up (the order is not answered for good: sent again, it is sold again).
    forget: Vec<String>,
    /// Offers and accounts that changed, for the feed.
    moved: BTreeSet<String>,
    buyers: BTreeSet<String>,
}

impl Writes {
    /// Sends every write at once (the database runs them in order); the bucket's decrement is
    /// still guarded, and must match what was decided under its lock.
    async fn write(
        self,
        tx: &impl GenericClient,
        replica: &str,
    ) -> std::result::Result<(), BatchError> {
        let Writes {
            taken,
            order_ids,
            order_keys,
            order_accounts,
            order_devices,
            order_kinds,
            order_phases,
            order_totals,
            order_times,
            ticket_ids,
            ticket_orders,
            ticket_accounts,
            ticket_sessions,
            ticket_categories,
            ticket_prices,
            refused_keys,
            refusals,
            forget,
            moved,
            buyers,
        } = self;
        let sale = tx.prepare_cached(SALE_WRITES).await?;
        // The keys' rows are found by their primary key one by one and changed by address,
        // like the buckets' (see GUARDED_DECREMENT): `order_keys` grows all day.
        let refused = tx
            .prepare_cached(
                "UPDATE order_keys k SET order_id = NULL, refusal = y.r
                 FROM (SELECT x.tid, t.r FROM unnest($1::TEXT[], $2::TEXT[]) AS t(k, r)
                       CROSS JOIN LATERAL (SELECT ctid AS tid FROM order_keys WHERE key = t.k OFFSET 0) x) y
                 WHERE k.ctid = y.tid",
            )
            .await?;
        let forgotten = tx
            .prepare_cached(
                "DELETE FROM order_keys k
                 USING (SELECT x.tid FROM unnest($1::TEXT[]) AS t(k)
                        CROSS JOIN LATERAL (SELECT ctid AS tid FROM order_keys WHERE key = t.k OFFSET 0) x) y
                 WHERE k.ctid = y.tid",
            )
            .await?;
        let (mut ss, mut cs, mut ns) = (Vec::new(), Vec::new(), Vec::new());
        for ((s, c), n) in &taken {
            ss.push(s.clone());
            cs.push(c.clone());
            ns.push(*n);
        }
        // The feed: the offers that moved, then the buyers.
        let (mut kinds, mut changed) = (Vec::new(), Vec::new());
        for m in moved {
            kinds.push("offer");
            changed.push(m);
        }
        for b in buyers {
            kinds.push("account");
            changed.push(b);
        }
        type Args<'a> = Vec<&'a (dyn tokio_postgres::types::ToSql + Sync)>;
        let sale_args: Args<'_> = vec![
            &ss,
            &cs,
            &ns,
            &replica,
            &order_ids,
            &order_keys,
            &order_accounts,
            &order_devices,
            &order_kinds,
            &order_phases,
            &order_totals,
            &order_times,
            &ticket_ids,
            &ticket_orders,
            &ticket_accounts,
            &ticket_sessions,
            &ticket_categories,
            &ticket_prices,
            &kinds,
            &changed,
        ];
        // The key rows to change, each sent only when it has rows.
        let keys: [(bool, &tokio_postgres::Statement, Args<'_>); 2] = [
            (
                !refused_keys.is_empty(),
                &refused,
                vec![&refused_keys, &refusals],
            ),
            (!forget.is_empty(), &forgotten, vec![&forget]),
        ];
        let (g, written) = tokio::join!(
            async {
                // Every sale moves an offer: no feed row, nothing else to write either.
                if changed.is_empty() {
                    Ok::<_, tokio_postgres::Error>(0)
                } else {
                    let n: i64 = tx.query_one(&sale, &sale_args).await?.get(0);
                    Ok(n)
                }
            },
            futures_util::future::join_all(
                keys.iter()
                    .filter(|(on, ..)| *on)
                    .map(|(_, st, args)| tx.execute(*st, args)),
            ),
        );
        let g = g?;
        for w in written {
            w?;
        }
        if g != i64::try_from(taken.len()).unwrap_or(i64::MAX) {
            return Err(BatchError::Store(StoreError::Invalid(format!(
                "this replica's buckets moved under their locks ({g} of {} decremented)",
                taken.len()
            ))));
        }
        Ok(())
    }
}

/// Seats online per offer (the pool and every bucket, read without a lock: the guard is the
/// bucket's decrement), for a set of offers in one statement.
async fn stock_of_offers(
    c: &impl GenericClient,
    offers: &BTreeSet<(String, String)>,
) -> std::result::Result<BTreeMap<(String, String), i64>, BatchError> {
    let st = c
        .prepare_cached(
            "SELECT o.session, o.category,
                    o.pool + COALESCE((SELECT SUM(b.seats_left) FROM buckets b
                                       WHERE b.session = o.session AND b.category = o.category), 0)::BIGINT
             FROM offers o JOIN unnest($1::TEXT[], $2::TEXT[]) AS t(s, c)
                 ON o.session = t.s AND o.category = t.c",
        )
        .await?;
    let (ss, cs): (Vec<String>, Vec<String>) = offers.iter().cloned().unzip();
    Ok(c.query(&st, &[&ss, &cs])
        .await?
        .iter()
        .map(|r| ((r.get(0), r.get(1)), r.get(2)))
        .collect())
}

/// The answer kept with a key another sale wrote first (its transaction has committed: the
/// INSERT waited on it).
async fn stored_answer(
    c: &impl GenericClient,
    key: &str,
    body: &str,
) -> std::result::Result<Answer, BatchError> {
    let st = c
        .prepare_cached("SELECT body_sha256, order_id, refusal FROM order_keys WHERE key = $1")
        .await?;
    let r = c.query_one(&st, &[&key]).await?;
    let (hash, order, refusal): (String, Option<String>, Option<String>) =
        (r.get(0), r.get(1), r.get(2));
    if hash != body {
        return Ok(Err(decide::key_reused(key)));
    }
    if let Some(r) = refusal.as_deref().and_then(decide::stored_refusal) {
        return Ok(Err(SaleError::Rules(r)));
    }
    let Some(order) = order else {
        return Ok(Err(SaleError::Store(StoreError::Conflict(format!(
            "idempotency key {key} has no answer yet: send it again"
        )))));
    };
    Ok(Ok(SaleOutcome {
        response: existing(c, &order).await?,
    }))
}

/// An order as first answered, marked `duplicate`.
pub(super) async fn existing(
    c: &impl GenericClient,
    order_id: &str,
) -> std::result::Result<OrderResponse, BatchError> {
    let st = c
        .prepare_cached("SELECT phase, total_cents FROM orders WHERE id = $1")
        .await?;
    let r = c.query_one(&st, &[&order_id]).await?;
    let st = c
        .prepare_cached(
            "SELECT id, session, category, price_cents FROM tickets WHERE order_id = $1 ORDER BY seq",
        )
        .await?;
    let tickets = c
        .query(&st, &[&order_id])
        .await?
        .iter()
        .map(|t| TicketDto {
            id: t.get(0),
            session: t.get(1),
            category: t.get(2),
            price_cents: t.get(3),
        })
        .collect();
    Ok(OrderResponse {
        order_id: order_id.to_string(),
        phase: r.get(0),
        total_cents: r.get(1),
        tickets,
        duplicate: true,
    })
}

/// Writes an accepted order and its tickets (one statement for the tickets, sent with the
/// order's).
async fn record(
    c: &impl GenericClient,
    valid: &ValidOrder,
    o: &ParsedOrder,
    order_id: &str,
    device: &str,
    now: Timestamp,
    channel: &str,
) -> std::result::Result<OrderResponse, BatchError> {
    let ins_order = c
        .prepare_cached(
            "INSERT INTO orders(id, idempotency_key, account_id, device_id, kind, phase, total_cents, channel, sold_at, received_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        )
        .await?;
    let ins_tickets = c
        .prepare_cached(
            "INSERT INTO tickets(id, order_id, account_id, session, category, price_cents)
             SELECT t.id, $2, $3, t.s, t.c, t.p
             FROM unnest($1::TEXT[], $4::TEXT[], $5::TEXT[], $6::BIGINT[]) WITH ORDINALITY AS t(id, s, c, p, n)
             ORDER BY t.n",
        )
        .await?;
    let (mut ids, mut sessions, mut cats, mut prices) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for l in &valid.lines {
        for _ in 0..l.quantity {
            ids.push(crate::store::new_id());
            sessions.push(l.session.to_string());
            cats.push(l.category.to_string());
            prices.push(l.unit_price.cents());
        }
    }
    let at = now.to_string();
    let kind = decide::kind_text(valid.kind);
    let total = valid.total.cents();
    let account = o.account.as_str();
    let order_args: [&(dyn tokio_postgres::types::ToSql + Sync); 9] = [
        &order_id,
        &o.key,
        &account,
        &device,
        &kind,
        &valid.phase,
        &total,
        &channel,
        &at,
    ];
    let ticket_args: [&(dyn tokio_postgres::types::ToSql + Sync); 6] =
        [&ids, &order_id, &account, &sessions, &cats, &prices];
    let (a, b) = tokio::join!(
        c.execute(&ins_order, &order_args),
        c.execute(&ins_tickets, &ticket_args),
    );
    a?;
    b?;
    Ok(decide::order_response(valid, order_id.to_string(), ids))
}

/// Why a batch did not commit.
pub(super) enum BatchError {
    /// A deadlock or serialization failure: run the batch again.
    Retry(tokio_postgres::Error),
    /// Anything else.
    Store(StoreError),
}

impl From<tokio_postgres::Error> for BatchError {
    fn from(e: tokio_postgres::Error) -> Self {
        if super::retriable(&e) {
            BatchError::Retry(e)
        } else {
            BatchError::Store(e.into())
        }
    }
}

impl From<StoreError> for BatchError {
    fn from(e: StoreError) -> Self {
        BatchError::Store(e)
    }
}

impl From<deadpool_postgres::PoolError> for BatchError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        BatchError::Store(e.into())
    }
}

impl From<BatchError> for SaleError {
    fn from(e: BatchError) -> Self {
        match e {
            BatchError::Store(e) => SaleError::Store(e),
            BatchError::Retry(e) => SaleError::Store(e.into()),
        }
    }
}
