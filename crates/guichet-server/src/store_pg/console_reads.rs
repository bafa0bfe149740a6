//! The operations console's reads on PostgreSQL (sale overview, lent seats per device,
//! devices' sync, an account's orders, draws, conflicts), the push reports the devices page
//! shows, and a supervisor's decision on a conflict: the same queries and the same rules as on
//! SQLite (`store::console_reads`, `store::conflict_resolution`).

use guichet_wire::sync::{SyncEvent, VoidPayload};
use jiff::Timestamp;

use super::staff::audit;
use super::sync::{changed, Feed, Retry};
use super::PgStore;
use crate::store::{
    ConflictRow, Decision, DeviceSync, DrawSummary, LentByDevice, OrderRow, Result, SalesOverview,
    StoreError,
};

/// Seconds from `made` to `received` (both as stored), rounded; none when either is unreadable.
fn lag_seconds(received: &str, made: &str) -> Option<i64> {
    let (r, m) = (
        received.parse::<Timestamp>().ok()?,
        made.parse::<Timestamp>().ok()?,
    );
    Some(r.duration_since(m).as_secs_f64().round() as i64)
}

impl PgStore {
    /// Sales by hour (the last 24 hours that had one) and by sport.
    pub async fn sales_overview(&self) -> Result<SalesOverview> {
        let c = self.client().await?;
        let mut by_hour: Vec<(String, i64)> = c
            .query(
                "SELECT substr(o.sold_at, 1, 13), count(*) FROM tickets t
                 JOIN orders o ON o.id = t.order_id WHERE t.status = 'valid'
                 GROUP BY 1 ORDER BY 1 DESC LIMIT 24",
                &[],
            )
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        by_hour.reverse();
        let by_sport = c
            .query(
                "SELECT s.sport, count(*) FROM tickets t JOIN sessions s ON s.code = t.session
                 WHERE t.status = 'valid' GROUP BY 1 ORDER BY 2 DESC, 1",
                &[],
            )
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        Ok(SalesOverview { by_hour, by_sport })
    }

    /// Seats lent and not yet sold, returned nor written off, per (session, category): the
    /// devices holding them and how many each.
    pub async fn lent_by_device(&self) -> Result<LentByDevice> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT a.session, a.category, d.name,
                        a.granted - a.sold - a.returned - a.written_off
                 FROM allotments a JOIN devices d ON d.id = a.device_id
                 WHERE a.granted - a.sold - a.returned - a.written_off > 0
                 ORDER BY a.session, a.category, d.name",
                &[],
            )
            .await?;
        let mut out = LentByDevice::new();
        for r in rows {
            out.entry((r.get(0), r.get(1)))
                .or_default()
                .push((r.get(2), r.get(3)));
        }
        Ok(out)
    }

    /// Each device's last sync, by device id.
    pub async fn devices_sync(&self) -> Result<std::collections::BTreeMap<String, DeviceSync>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT d.id, s.app_version, last.received_at, last.created_at,
                   (SELECT count(*) FROM sync_events e WHERE e.device_id = d.id
                      AND e.status = 'rejected'),
                   p.waiting, p.batch
                 FROM devices d LEFT JOIN device_states s ON s.device_id = d.id
                 LEFT JOIN device_push_reports p ON p.device_id = d.id
                 LEFT JOIN LATERAL (SELECT e.received_at, e.created_at FROM sync_events e
                     WHERE e.device_id = d.id ORDER BY e.received_at DESC LIMIT 1) last ON true",
                &[],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| {
                let received: Option<&str> = r.get(2);
                let made: Option<&str> = r.get(3);
                (
                    r.get::<_, String>(0),
                    DeviceSync {
                        app_version: r.get(1),
                        last_event_lag_s: received.zip(made).and_then(|(a, b)| lag_seconds(a, b)),
                        rejected: r.get(4),
                        waiting_at_push: match (r.get(5), r.get(6)) {
                            (Some(w), Some(b)) => Some((w, b)),
                            _ => None,
                        },
                    },
                )
            })
            .collect())
    }

    /// Conflicts no supervisor has resolved yet.
    pub async fn open_conflicts(&self) -> Result<i64> {
        Ok(self
            .client()
            .await?
            .query_one(
                "SELECT count(*) FROM conflicts WHERE resolved_at IS NULL",
                &[],
            )
            .await?
            .get(0))
    }

    /// Records what a device said of its outbox at a push (one row a device, replaced).
    pub async fn record_push_report(
        &self,
        device: &str,
        waiting: u64,
        batch: usize,
        now: Timestamp,
    ) -> Result<()> {
        let w = i64::try_from(waiting).unwrap_or(i64::MAX);
        let b = i64::try_from(batch).unwrap_or(i64::MAX);
        self.client()
            .await?
            .execute(
                "INSERT INTO device_push_reports (device_id, waiting, batch, pushed_at)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (device_id) DO UPDATE SET waiting = EXCLUDED.waiting,
                    batch = EXCLUDED.batch, pushed_at = EXCLUDED.pushed_at",
                &[&device, &w, &b, &now.to_string()],
            )
            .await?;
        Ok(())
    }

    /// An account's orders, newest first (at most 100).
    pub async fn account_orders(&self, account: &str) -> Result<Vec<OrderRow>> {
        Ok(self
            .client()
            .await?
            .query(
                "SELECT o.id, o.kind, o.channel, o.sold_at, o.total_cents, d.name,
                   (SELECT count(*) FROM tickets t WHERE t.order_id = o.id AND t.status = 'valid'),
                   (SELECT count(*) FROM tickets t WHERE t.order_id = o.id AND t.status = 'void')
                 FROM orders o LEFT JOIN devices d ON d.id = o.device_id
                 WHERE o.account_id = $1 ORDER BY o.sold_at DESC LIMIT 100",
                &[&account],
            )
            .await?
            .iter()
            .map(|r| OrderRow {
                id: r.get(0),
                kind: r.get(1),
                channel: r.get(2),
                sold_at: r.get(3),
                total_cents: r.get(4),
                device: r.get(5),
                valid: r.get(6),
                void: r.get(7),
            })
            .collect())
    }

    /// What the console shows of `draw`.
    pub async fn draw_summary(&self, draw: &str) -> Result<DrawSummary> {
        let c = self.client().await?;
        let commitment = c
            .query_opt(
                "SELECT commitment, beacon_chain, beacon_round, committed_at
                 FROM draw_commitments WHERE draw = $1",
                &[&draw],
            )
            .await?
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)));
        let registrations = c
            .query_one(
                "SELECT count(*) FROM draw_registrations WHERE draw = $1",
                &[&draw],
            )
            .await?
            .get(0);
        let closed = c
            .query_opt(
                "SELECT fingerprint, count, closed_at FROM draw_closes WHERE draw = $1",
                &[&draw],
            )
            .await?
            .map(|r| (r.get(0), r.get(1), r.get(2)));
        let waves = c
            .query(
                "SELECT wave::BIGINT, winners, results_hash, run_at FROM draw_transcripts
                 WHERE draw = $1 ORDER BY wave",
                &[&draw],
            )
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
            .collect();
        let notices = c
            .query(
                "SELECT state, count(*) FROM notice_outbox WHERE draw = $1 GROUP BY 1",
                &[&draw],
            )
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        Ok(DrawSummary {
            commitment,
            registrations,
            closed,
            waves,
            notices,
        })
    }

    /// The stored transcript (JSON) of a draw's wave, if it was run.
    pub async fn draw_transcript(&self, draw: &str, wave: u32) -> Result<Option<String>> {
        let wave = i32::try_from(wave).unwrap_or(i32::MAX);
        Ok(self
            .client()
            .await?
            .query_opt(
                "SELECT transcript FROM draw_transcripts WHERE draw = $1 AND wave = $2",
                &[&draw, &wave],
            )
            .await?
            .map(|r| r.get(0)))
    }

    /// Conflicts, unresolved first then newest first; resolved ones too when `all`.
    pub async fn console_conflicts(&self, all: bool) -> Result<Vec<ConflictRow>> {
        let c = self.client().await?;
        let heads = c
            .query(
                "SELECT k.id, k.device_id, coalesce(d.name, ''), k.account_id, k.order_id,
                        k.violations, k.recorded_at, k.resolution, k.resolved_by,
                        k.resolution_reason, k.resolved_at
                 FROM conflicts k LEFT JOIN devices d ON d.id = k.device_id
                 WHERE $1 OR k.resolved_at IS NULL
                 ORDER BY k.resolved_at IS NOT NULL, k.id DESC LIMIT 500",
                &[&all],
            )
            .await?;
        let tickets = c
            .prepare(
                "SELECT id, session, category, status FROM tickets WHERE order_id = $1 ORDER BY id",
            )
            .await?;
        let mut out = Vec::with_capacity(heads.len());
        for r in heads {
            let order_id: String = r.get(4);
            let t = c
                .query(&tickets, &[&order_id])
                .await?
                .iter()
                .map(|t| (t.get(0), t.get(1), t.get(2), t.get(3)))
                .collect();
            let resolution = r.get::<_, Option<String>>(7).map(|d| {
                (
                    d,
                    r.get::<_, Option<String>>(8).unwrap_or_default(),
                    r.get::<_, Option<String>>(9).unwrap_or_default(),
                    r.get::<_, Option<String>>(10).unwrap_or_default(),
                )
            });
            out.push(ConflictRow {
                id: r.get(0),
                device_id: r.get(1),
                device_name: r.get(2),
                account_id: r.get(3),
                order_id,
                details: serde_json::from_str(r.get::<_, &str>(5)).unwrap_or_default(),
                recorded_at: r.get(6),
                tickets: t,
                resolution,
            });
        }
        Ok(out)
    }

    /// Resolves conflict `id`: keep the sale, or void and refund its valid tickets through the
    /// desk's void path. Refused when already resolved, unknown, or without a reason.
    pub async fn resolve_conflict(
        &self,
        id: i64,
        decision: Decision,
        reason: &str,
        by: &str,
        now: Timestamp,
    ) -> Result<Vec<String>> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::Invalid(
                "reason: say why the sale is kept or voided (it is recorded with your name)".into(),
            ));
        }
        let mut cl = self.client().await?;
        let tx = cl.transaction().await?;
        let row = tx
            .query_opt(
                "SELECT order_id, resolved_at, resolved_by FROM conflicts WHERE id = $1 FOR UPDATE",
                &[&id],
            )
            .await?;
        let order_id: String = match row {
            None => {
                return Err(StoreError::NotFound(format!(
                    "no conflict has id {id}: reload the conflicts page"
                )))
            }
            Some(r) => match r.get::<_, Option<String>>(1) {
                Some(at) => {
                    return Err(StoreError::Conflict(format!(
                        "conflict {id} was already resolved on {at} by {}: nothing to do",
                        r.get::<_, Option<String>>(2).unwrap_or_default()
                    )))
                }
                None => r.get(0),
            },
        };
        let mut voided = Vec::new();
        if decision == Decision::VoidAndRefund {
            voided = tx
                .query(
                    "SELECT id FROM tickets WHERE order_id = $1 AND status = 'valid' ORDER BY id",
                    &[&order_id],
                )
                .await?
                .iter()
                .map(|r| r.get::<_, String>(0))
                .collect();
            let event = SyncEvent {
                idempotency_key: uuid::Uuid::now_v7().to_string(),
                kind: "refund".into(),
                payload: serde_json::to_value(VoidPayload {
                    order_id: order_id.clone(),
                    ticket_ids: voided.clone(),
                })
                .map_err(|e| StoreError::Invalid(e.to_string()))?,
                created_at: now.to_string(),
                offline: false,
            };
            let mut feed = Feed::new();
            let ack = self
                .apply_one(&tx, &format!("console:{by}"), &event, now, &mut feed)
                .await
                .map_err(|e| match e {
                    Retry::Again(e) => StoreError::from(e),
                    Retry::Store(e) => e,
                })?;
            if ack.status != "applied" {
                return Err(StoreError::Conflict(format!(
                    "the void of order {order_id} was refused: {}",
                    ack.reason.unwrap_or_default()
                )));
            }
            changed(&tx, &feed).await?;
        }
        tx.execute(
            "UPDATE conflicts SET resolved_at = $2, resolution = $3, resolved_by = $4, resolution_reason = $5
             WHERE id = $1",
            &[&id, &now.to_string(), &decision.as_str(), &by, &reason],
        )
        .await?;
        let details = serde_json::json!({
            "decision": decision.as_str(), "order_id": order_id, "reason": reason, "voided": voided,
        });
        audit(&tx, now, by, "conflict.resolve", &id.to_string(), details).await?;
        self.before_commit().await;
        tx.commit().await?;
        Ok(voided)
    }
}
