//! The change feed on PostgreSQL: a pull serves only what every older transaction has
//! committed (docs/postgres.md, "Change feed"); the cursor is opaque to desks.

use std::collections::BTreeSet;

use deadpool_postgres::GenericClient;
use guichet_domain::AccountId;
use guichet_wire::checks::FeedCursor;
use guichet_wire::sync::PullResponse;

use super::accounts::account_dto;
use super::catalogue::availability_rows;
use super::sync::allotments;
use super::PgStore;
use crate::store::{Result, StoreError};

/// How long a pull waits at most for transactions older than its start to end.
const FEED_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// Bits of an older desk's whole-number cursor that carried the transaction id; above them,
/// the database generation (`generation << 43 | xid`, served before the cursor was text).
const XID_BITS: u32 = 43;

/// The cursor given to a desk: `EPOCH:XID:ID`, this database's generation, the xid8 of the
/// last transaction served and the last change id served in it.
pub fn encode_cursor(generation: i64, xid: i64, id: i64) -> String {
    format!("{generation}:{xid}:{id}")
}

/// The (xid, id) after which a pull serves, for a cursor made on this database's generation;
/// `None` from the start, or for a cursor of another database (a restore, another cluster):
/// the pull is then a snapshot. An older desk's whole number (`generation << 43 | xid`, every
/// change of that transaction served) keeps its place.
pub fn decode_cursor(generation: i64, cursor: FeedCursor) -> Option<(i64, i64)> {
    match cursor {
        FeedCursor::Start => None,
        FeedCursor::Number(n) if n > 0 && n >> XID_BITS == generation => {
            Some((n & ((1 << XID_BITS) - 1), i64::MAX))
        }
        FeedCursor::Number(_) => None,
        FeedCursor::Xid { epoch, xid, id } if epoch == generation => Some((xid, id)),
        FeedCursor::Xid { .. } => None,
    }
}

impl PgStore {
    /// What changed after `cursor`: only changes of transactions older than every one still
    /// running (`pg_snapshot_xmin`), strictly after the cursor's (xid, id) in that order, so
    /// a transaction that commits late is served later, never skipped. A page may end inside
    /// a transaction: the ID part of the cursor lets the next pull go on within it. From
    /// cursor 0 (or a cursor of another database generation) it is a snapshot, as on SQLite.
    pub async fn pull(&self, device: &str, cursor: FeedCursor) -> Result<PullResponse> {
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
        let (after_xid, after_id) = after.unwrap_or((0, 0));
        let rows = tx
            .query(
                "SELECT xid::TEXT::BIGINT, id, kind, key FROM changes
                 WHERE (xid, id) > ($1::TEXT::XID8, $2) AND xid < $3::TEXT::XID8
                 ORDER BY xid, id LIMIT $4",
                &[
                    &after_xid.to_string(),
                    &after_id,
                    &xmin.to_string(),
                    &(page + 1),
                ],
            )
            .await?;
        let mut rows: Vec<(i64, i64, String, String)> = rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
            .collect();
        let more = rows.len() as i64 > page;
        rows.truncate(usize::try_from(page).unwrap_or(usize::MAX));
        // The last change served; with none, the cursor stays where it was.
        let (upto_xid, upto_id) = rows.last().map_or((after_xid, after_id), |r| (r.0, r.1));
        let keys: BTreeSet<(String, String)> =
            rows.into_iter().map(|(_, _, k, v)| (k, v)).collect();
        let mut out = PullResponse {
            cursor: encode_cursor(generation, upto_xid, upto_id),
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
