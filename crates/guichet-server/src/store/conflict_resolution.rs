//! A supervisor resolves a conflict (an offline sale the server found over a limit): keep it,
//! or void and refund it. A void goes through the desk's own void path (`apply_one` with a
//! `refund` event), so the tickets are revoked, the seats go back on sale, and gates and desks
//! learn of it at their next pull; the decision is kept on the conflict and in the audit log,
//! with who and why, in the same transaction.

use std::collections::BTreeSet;

use guichet_wire::sync::{SyncEvent, VoidPayload};
use jiff::Timestamp;
use rusqlite::{params, OptionalExtension};

use super::staff::audit;
use super::sync::changed_many;
use super::{Result, Store, StoreError};

/// What a supervisor decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The sale stands.
    Keep,
    /// The tickets are voided and the fan refunded.
    VoidAndRefund,
}

impl Decision {
    /// `keep` or `void`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Keep => "keep",
            Decision::VoidAndRefund => "void",
        }
    }
}

/// A conflict as the console shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConflictRow {
    /// Id.
    pub id: i64,
    /// The desk that sold.
    pub device_id: String,
    /// Its name.
    pub device_name: String,
    /// The buyer.
    pub account_id: String,
    /// The order.
    pub order_id: String,
    /// What the desk said (sold at, offline) and which limits the server found broken, with
    /// the numbers.
    pub details: serde_json::Value,
    /// When the server recorded it.
    pub recorded_at: String,
    /// The order's tickets: (id, session, category, status).
    pub tickets: Vec<(String, String, String, String)>,
    /// `(decision, by, reason, at)` once resolved.
    pub resolution: Option<(String, String, String, String)>,
}

type Head = (i64, String, String, String, String, String, String);

impl Store {
    /// Conflicts, unresolved first then newest first; resolved ones too when `all`.
    pub fn console_conflicts(&self, all: bool) -> Result<Vec<ConflictRow>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT k.id, k.device_id, coalesce(d.name, ''), k.account_id, k.order_id,
                        k.violations, k.recorded_at, k.resolution, k.resolved_by,
                        k.resolution_reason, k.resolved_at
                 FROM conflicts k LEFT JOIN devices d ON d.id = k.device_id
                 WHERE ?1 OR k.resolved_at IS NULL
                 ORDER BY k.resolved_at IS NOT NULL, k.id DESC LIMIT 500",
            )?;
            let heads = stmt
                .query_map([all], |r| {
                    let head: Head = (
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    );
                    let res: Option<String> = r.get(7)?;
                    let res = res.map(|d| -> rusqlite::Result<_> {
                        Ok((
                            d,
                            r.get::<_, Option<String>>(8)?.unwrap_or_default(),
                            r.get::<_, Option<String>>(9)?.unwrap_or_default(),
                            r.get::<_, Option<String>>(10)?.unwrap_or_default(),
                        ))
                    });
                    Ok((head, res.transpose()?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut tickets = c.prepare(
                "SELECT id, session, category, status FROM tickets WHERE order_id = ?1 ORDER BY id",
            )?;
            let mut out = Vec::with_capacity(heads.len());
            for ((id, device_id, device_name, account_id, order_id, v, recorded_at), resolution) in
                heads
            {
                let t = tickets
                    .query_map([&order_id], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                out.push(ConflictRow {
                    id,
                    device_id,
                    device_name,
                    account_id,
                    order_id,
                    details: serde_json::from_str(&v).unwrap_or_default(),
                    recorded_at,
                    tickets: t,
                    resolution,
                });
            }
            Ok(out)
        })
    }

    /// Resolves conflict `id`: keep the sale, or void and refund its valid tickets through the
    /// desk's void path. Refused when already resolved, unknown, or without a reason.
    pub fn resolve_conflict(
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
        self.write(|tx| {
            let row: Option<(String, Option<String>, Option<String>)> = tx
                .query_row(
                    "SELECT order_id, resolved_at, resolved_by FROM conflicts WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let order_id = match row {
                None => return Err(StoreError::NotFound(format!("no conflict has id {id}: reload the conflicts page"))),
                Some((_, Some(at), by)) => {
                    return Err(StoreError::Conflict(format!(
                        "conflict {id} was already resolved on {at} by {}: nothing to do",
                        by.unwrap_or_default()
                    )))
                }
                Some((order, None, _)) => order,
            };
            let mut voided = Vec::new();
            if decision == Decision::VoidAndRefund {
                let mut stmt = tx.prepare(
                    "SELECT id FROM tickets WHERE order_id = ?1 AND status = 'valid' ORDER BY id",
                )?;
                voided = stmt
                    .query_map([&order_id], |r| r.get::<_, String>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
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
                let mut feed: BTreeSet<(&'static str, String)> = BTreeSet::new();
                let ack = self.apply_one(tx, &format!("console:{by}"), &event, now, &mut feed)?;
                if ack.status != "applied" {
                    return Err(StoreError::Conflict(format!(
                        "the void of order {order_id} was refused: {}",
                        ack.reason.unwrap_or_default()
                    )));
                }
                for kind in ["offer", "account", "revocation"] {
                    changed_many(
                        tx,
                        kind,
                        feed.iter().filter(|(k, _)| *k == kind).map(|(_, key)| key.as_str()),
                    )?;
                }
            }
            tx.execute(
                "UPDATE conflicts SET resolved_at = ?2, resolution = ?3, resolved_by = ?4, resolution_reason = ?5
                 WHERE id = ?1",
                params![id, now.to_string(), decision.as_str(), by, reason],
            )?;
            let details = serde_json::json!({
                "decision": decision.as_str(), "order_id": order_id, "reason": reason, "voided": voided,
            });
            audit(tx, now, by, "conflict.resolve", &id.to_string(), details)?;
            Ok(voided)
        })
    }
}
