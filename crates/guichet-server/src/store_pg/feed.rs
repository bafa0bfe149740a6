//! The change feed on PostgreSQL: a pull serves only what every older transaction has
//! committed (docs/postgres.md, "Change feed"); the cursor is opaque to desks.

use std::collections::BTreeSet;

use deadpool_postgres::GenericClient;
use guichet_domain::AccountId;
use guichet_wire::sync::PullResponse;

use super::accounts::account_dto;
use super::catalogue::availability_rows;
use super::sync::allotments;
use super::PgStore;
use crate::store::{Result, StoreError};

/// How long a pull waits at most for transactions older than its start to end.
const FEED_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// Bits of a cursor that carry the transaction id; above them, the database generation.
const XID_BITS: u32 = 43;

/// The cursor given to a desk: `generation << 43 | xid`, a whole number below 2^53 (exact as
/// a JSON number, so the desks' integer cursor is kept). `xid` is the last transaction whose
/// changes were served.
pub fn encode_cursor(generation: i64, xid: i64) -> i64 {
    (generation << XID_BITS) | (xid & ((1 << XID_BITS) - 1))
}

/// The transaction id of a cursor made on this database's generation; `None` for 0, or a
/// cursor of another database (a restore, another cluster): the pull is then a snapshot.
pub fn decode_cursor(generation: i64, cursor: i64) -> Option<i64> {
    if cursor <= 0 || cursor >> XID_BITS != generation {
        return None;
    }
    Some(cursor & ((1 << XID_BITS) - 1))
}

impl PgStore {
    /// What changed after `cursor`: only changes of transactions older than every one still
    /// running (`pg_snapshot_xmin`), in (xid, id) order, whole transactions per page, so a
    /// transaction that commits late is served later, never skipped. From cursor 0 (or a
    /// cursor of another database generation) it is a snapshot, as on SQLite.
    pub async fn pull(&self, device: &str, cursor: i64) -> Result<PullResponse> {
        // Transactions that committed before this pull are served by it unless an older one
        // is still running: wait a little (at most FEED_WAIT) for those to end, so a desk
        // usually sees at once what was just written. The connection goes back to the pool
        // between looks: waiting pulls never starve the sales of connections.
        let target: i64 = self
            .client()
            .await?
            .query_one(
                "SELECT pg_snapshot_xmax(pg_current_snapshot())::TEXT::BIGINT",
                &[],
            )
            .await?
            .get(0);
        let started = std::time::Instant::now();
        loop {
            let xmin: i64 = self
                .client()
                .await?
                .query_one(
                    "SELECT pg_snapshot_xmin(pg_current_snapshot())::TEXT::BIGINT",
                    &[],
                )
                .await?
                .get(0);
            if xmin >= target || started.elapsed() >= FEED_WAIT {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let mut cl = self.client().await?;
        let tx = cl
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await?;
        let generation = generation(&tx).await?;
        let after = decode_cursor(generation, cursor);
        let xmin: i64 = tx
            .query_one(
                "SELECT pg_snapshot_xmin(pg_current_snapshot())::TEXT::BIGINT",
                &[],
            )
            .await?
            .get(0);
        let page = i64::try_from(self.pull_page).unwrap_or(i64::MAX);
        let rows = tx
            .query(
                "SELECT xid::TEXT::BIGINT, kind, key FROM changes
                 WHERE xid > $1::TEXT::XID8 AND xid < $2::TEXT::XID8 ORDER BY xid, id LIMIT $3",
                &[
                    &after.unwrap_or(0).to_string(),
                    &xmin.to_string(),
                    &(page + 1),
                ],
            )
            .await?;
        let mut rows: Vec<(i64, String, String)> = rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        let more = rows.len() as i64 > page;
        let upto = if more {
            // End the page on a whole transaction: its last one may continue past the limit.
            let last = rows[rows.len() - 1].0;
            rows.retain(|r| r.0 != last);
            if rows.is_empty() {
                let all = tx
                    .query(
                        "SELECT xid::TEXT::BIGINT, kind, key FROM changes WHERE xid = $1::TEXT::XID8 ORDER BY id",
                        &[&last.to_string()],
                    )
                    .await?;
                rows = all.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect();
                last
            } else {
                rows[rows.len() - 1].0
            }
        } else {
            // Every transaction below xmin has ended, and all of theirs were read.
            xmin - 1
        };
        let keys: BTreeSet<(String, String)> = rows.into_iter().map(|(_, k, v)| (k, v)).collect();
        let mut out = PullResponse {
            cursor: encode_cursor(generation, upto),
            more,
            availability: Vec::new(),
            allotments: allotments(&tx, device).await?,
            revocations: Vec::new(),
            accounts: Vec::new(),
        };
        let snapshot = after.is_none();
        if snapshot {
            out.availability = availability_rows(&tx, None, None).await?;
            out.revocations = tx
                .query("SELECT ticket_id FROM revocations ORDER BY ticket_id", &[])
                .await?
                .iter()
                .map(|r| r.get(0))
                .collect();
        }
        for (kind, key) in keys {
            match kind.as_str() {
                "offer" | "revocation" if snapshot => {}
                "offer" => {
                    let (s, cat) = key.split_once('|').unwrap_or((&key, ""));
                    out.availability
                        .extend(availability_rows(&tx, Some(s), Some(cat)).await?);
                }
                "revocation" => out.revocations.push(key),
                "account" => {
                    let id =
                        AccountId::parse(&key).map_err(|e| StoreError::Invalid(e.to_string()))?;
                    out.accounts.push(account_dto(&tx, self, &id).await?);
                }
                _ => {}
            }
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Seconds since the oldest change not yet servable was written (a transaction still
    /// open holds it back); 0 when every change is servable.
    pub async fn feed_lag_seconds(&self) -> Result<f64> {
        let c = self.client().await?;
        let lag: f64 = c
            .query_one(
                "SELECT COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - MIN(written_at)), 0)::FLOAT8
                 FROM changes WHERE xid >= pg_snapshot_xmin(pg_current_snapshot())",
                &[],
            )
            .await?
            .get(0);
        Ok(lag)
    }
}

/// This database's generation (made by the first migration).
pub(super) async fn generation(c: &impl GenericClient) -> Result<i64> {
    let g: String = c
        .query_one("SELECT value FROM store_meta WHERE key = 'generation'", &[])
        .await?
        .get(0);
    g.parse()
        .map_err(|_| StoreError::Catalogue(format!("store_meta generation {g:?} is not a number")))
}
