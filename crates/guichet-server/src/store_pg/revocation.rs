//! Revoking a lost or stolen device on PostgreSQL, as on SQLite (`store::revocation`): from the
//! commit on its token is refused and counted, its key is marked revoked in the gates' key
//! list, and its outstanding allotment waits "at risk" for a supervisor.
//!
//! Several replicas may share the database: a revocation made through another replica (or by
//! `guichet-server device revoke`) reaches this one's token cache through
//! [`PgStore::forget_revoked_tokens`], which the server runs every quarter of a second.

use deadpool_postgres::GenericClient;
use jiff::Timestamp;

use super::staff::audit;
use super::PgStore;
use crate::store::devices::sha256_hex;
use crate::store::{
    refusal_reason, AtRisk, DeviceRefusals, DeviceRevocation, DeviceRow, GateKey, Result,
    Settlement, StoreError, REVOCATION_SELECT,
};

fn ts(s: &str) -> Result<Timestamp> {
    s.parse()
        .map_err(|e| StoreError::Invalid(format!("stored instant {s:?}: {e}")))
}

fn revocation_row(r: &tokio_postgres::Row) -> Result<DeviceRevocation> {
    Ok(DeviceRevocation {
        device_id: r.get(0),
        device_name: r.get(1),
        kind: r.get(2),
        revoked_after: ts(r.get(3))?,
        reason: r.get(4),
        revoked_by: r.get(5),
        recorded_at: ts(r.get(6))?,
    })
}

/// The numbered form of [`REVOCATION_SELECT`]'s filters: the same columns on either store.
async fn revocation_where(
    c: &impl GenericClient,
    filter: &str,
    arg: &str,
) -> Result<Option<DeviceRevocation>> {
    c.query_opt(
        format!("{REVOCATION_SELECT} WHERE {filter} = $1").as_str(),
        &[&arg],
    )
    .await?
    .as_ref()
    .map(revocation_row)
    .transpose()
}

impl PgStore {
    /// Revokes a device as of `revoked_after` (now, or earlier: when it went missing). Its token
    /// is refused from the commit on; the token cache of this process forgets it at once.
    pub async fn revoke_device(
        &self,
        device_id: &str,
        reason: &str,
        revoked_after: Timestamp,
        by: &str,
        now: Timestamp,
    ) -> Result<DeviceRevocation> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(StoreError::Invalid(
                "reason: say why the device is revoked (lost, stolen, …), 1 to 500 characters"
                    .into(),
            ));
        }
        if revoked_after > now {
            return Err(StoreError::Invalid(format!(
                "revoked as of {revoked_after}, which is after now ({now}): a device is revoked as of now or an earlier instant"
            )));
        }
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let device = tx
            .query_opt(
                "SELECT token_hash FROM devices WHERE id = $1 FOR UPDATE",
                &[&device_id],
            )
            .await?;
        let Some(token_hash) = device.map(|r| r.get::<_, String>(0)) else {
            return Err(StoreError::NotFound(format!(
                "no enrolled device has id {device_id}: list the devices to find its id"
            )));
        };
        let inserted = tx
            .execute(
                "INSERT INTO device_revocations(device_id, revoked_after, reason, revoked_by, recorded_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (device_id) DO NOTHING",
                &[&device_id, &revoked_after.to_string(), &reason, &by, &now.to_string()],
            )
            .await?;
        let r = revocation_where(&tx, "r.device_id", device_id)
            .await?
            .ok_or_else(|| StoreError::Invalid(format!("device {device_id}: revocation lost")))?;
        if inserted == 0 {
            return Err(StoreError::Conflict(format!(
                "device {device_id} was already revoked on {} by {} ({}): nothing to do",
                r.recorded_at, r.revoked_by, r.reason
            )));
        }
        let details = serde_json::json!({
            "revoked_after": revoked_after.to_string(), "reason": reason, "name": r.device_name,
        });
        audit(&tx, now, by, "device.revoke", device_id, details).await?;
        tx.commit().await?;
        self.tokens.forget(vec![token_hash]);
        Ok(r)
    }

    /// Every revoked device, latest first.
    pub async fn device_revocations(&self) -> Result<Vec<DeviceRevocation>> {
        self.client()
            .await?
            .query(
                format!("{REVOCATION_SELECT} ORDER BY r.recorded_at DESC").as_str(),
                &[],
            )
            .await?
            .iter()
            .map(revocation_row)
            .collect()
    }

    /// The revocation of the device this token belonged to, if it was revoked; the refused
    /// request (`METHOD /path`) is counted for the console.
    pub async fn refuse_revoked_token(
        &self,
        token: &str,
        request: &str,
        now: Timestamp,
    ) -> Result<Option<DeviceRevocation>> {
        let c = self.client().await?;
        let Some(r) = revocation_where(&c, "d.token_hash", &sha256_hex(token)).await? else {
            return Ok(None);
        };
        let reason = refusal_reason(&r);
        c.execute(
            "INSERT INTO device_refusals AS f(device_id, count, first_at, last_at, last_request, reason)
             VALUES ($1, 1, $2, $2, $3, $4)
             ON CONFLICT (device_id) DO UPDATE SET count = f.count + 1, last_at = EXCLUDED.last_at,
                last_request = EXCLUDED.last_request, reason = EXCLUDED.reason",
            &[&r.device_id, &now.to_string(), &request, &reason],
        )
        .await?;
        Ok(Some(r))
    }

    /// What revoked devices' tokens asked and were refused, per device.
    pub async fn device_refusals(&self) -> Result<Vec<DeviceRefusals>> {
        self.client()
            .await?
            .query(
                "SELECT device_id, count, first_at, last_at, last_request, reason FROM device_refusals
                 ORDER BY last_at DESC",
                &[],
            )
            .await?
            .iter()
            .map(|r| -> Result<DeviceRefusals> {
                Ok(DeviceRefusals {
                    device_id: r.get(0),
                    count: u64::try_from(r.get::<_, i64>(1)).unwrap_or(0),
                    first_at: ts(r.get(2))?,
                    last_at: ts(r.get(3))?,
                    last_request: r.get(4),
                    reason: r.get(5),
                })
            })
            .collect()
    }

    /// Revoked devices' seats not yet sold, returned or written off.
    pub async fn allotments_at_risk(&self) -> Result<Vec<AtRisk>> {
        Ok(self
            .client()
            .await?
            .query(
                "SELECT a.device_id, d.name, a.session, a.category,
                        a.granted - a.sold - a.returned - a.written_off
                 FROM allotments a JOIN device_revocations r ON r.device_id = a.device_id
                 JOIN devices d ON d.id = a.device_id
                 WHERE a.granted - a.sold - a.returned - a.written_off > 0
                 ORDER BY d.name, a.session, a.category",
                &[],
            )
            .await?
            .iter()
            .map(|r| AtRisk {
                device_id: r.get(0),
                device_name: r.get(1),
                session: r.get(2),
                category: r.get(3),
                seats: super::count(r.get(4)),
            })
            .collect())
    }

    /// A supervisor's decision on `seats` of a revoked device's allotment of one offer: write
    /// them off (they stay out of sale) or return them to the pool. Returns what is left at
    /// risk of that offer.
    #[allow(clippy::too_many_arguments)] // each is one fact of the decision, named at the call
    pub async fn settle_at_risk(
        &self,
        device_id: &str,
        session: &str,
        category: &str,
        action: Settlement,
        seats: u32,
        reason: &str,
        by: &str,
        now: Timestamp,
    ) -> Result<u32> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::Invalid(
                "reason: say why these seats are written off or returned".into(),
            ));
        }
        if seats == 0 {
            return Err(StoreError::Invalid("seats: at least 1".into()));
        }
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let revoked: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM device_revocations WHERE device_id = $1)",
                &[&device_id],
            )
            .await?
            .get(0);
        if !revoked {
            return Err(StoreError::Conflict(format!(
                "device {device_id} is not revoked: only a revoked device's allotment is settled here; a working device returns its own seats"
            )));
        }
        let at_risk = tx
            .query_opt(
                "SELECT granted - sold - returned - written_off FROM allotments
                 WHERE device_id = $1 AND session = $2 AND category = $3 FOR UPDATE",
                &[&device_id, &session, &category],
            )
            .await?
            .map_or(0, |r| super::count(r.get(0)));
        if seats > at_risk {
            return Err(StoreError::Conflict(format!(
                "{session} category {category}: device {device_id} has {at_risk} seats at risk, cannot settle {seats} — settle {at_risk} or fewer"
            )));
        }
        let n = i64::from(seats);
        match action {
            Settlement::WriteOff => {
                tx.execute(
                    "UPDATE allotments SET written_off = written_off + $4
                     WHERE device_id = $1 AND session = $2 AND category = $3",
                    &[&device_id, &session, &category, &n],
                )
                .await?;
            }
            Settlement::Return => {
                // Back to the pool, as a device's own return gives them back.
                tx.execute(
                    "UPDATE offers SET lent = lent - $3, pool = pool + $3
                     WHERE session = $1 AND category = $2",
                    &[&session, &category, &n],
                )
                .await?;
                tx.execute(
                    "INSERT INTO changes(kind, key) VALUES ('offer', $1)",
                    &[&format!("{session}|{category}")],
                )
                .await?;
                tx.execute(
                    "UPDATE allotments SET returned = returned + $4
                     WHERE device_id = $1 AND session = $2 AND category = $3",
                    &[&device_id, &session, &category, &n],
                )
                .await?;
            }
        }
        tx.execute(
            "INSERT INTO allotment_settlements(device_id, session, category, action, seats, reason, settled_by, settled_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[&device_id, &session, &category, &action.column(), &n, &reason, &by, &now.to_string()],
        )
        .await?;
        let details = serde_json::json!({
            "session": session, "category": category, "seats": seats, "reason": reason,
        });
        let what = format!("allotment.{}", action.column());
        audit(&tx, now, by, &what, device_id, details).await?;
        self.before_commit().await;
        tx.commit().await?;
        Ok(at_risk - seats)
    }

    /// Every enrolled device, newest first, for the console.
    pub async fn console_devices(&self) -> Result<Vec<DeviceRow>> {
        Ok(self
            .client()
            .await?
            .query(
                "SELECT d.id, d.kind, d.name, d.enrolled_at,
                    (SELECT max(received_at) FROM sync_events e WHERE e.device_id = d.id),
                    (SELECT coalesce(sum(granted - sold - returned - written_off), 0)::BIGINT
                       FROM allotments a WHERE a.device_id = d.id),
                    r.revoked_after, r.reason
                 FROM devices d LEFT JOIN device_revocations r ON r.device_id = d.id
                 ORDER BY d.enrolled_at DESC",
                &[],
            )
            .await?
            .iter()
            .map(|r| {
                let after: Option<String> = r.get(6);
                let reason: Option<String> = r.get(7);
                DeviceRow {
                    id: r.get(0),
                    kind: r.get(1),
                    name: r.get(2),
                    enrolled_at: r.get(3),
                    last_push: r.get(4),
                    allotment: r.get(5),
                    revoked: after.zip(reason),
                }
            })
            .collect())
    }

    /// Every device's ticket key for gates, with the instant a revoked device's key stops.
    pub async fn gate_keys(&self) -> Result<Vec<GateKey>> {
        self.client()
            .await?
            .query(
                "SELECT d.key_id, d.public_key_hex, d.kind, r.revoked_after FROM devices d
                 LEFT JOIN device_revocations r ON r.device_id = d.id ORDER BY d.enrolled_at, d.id",
                &[],
            )
            .await?
            .iter()
            .map(|r| -> Result<GateKey> {
                Ok(GateKey {
                    key_id: r.get(0),
                    public_key_hex: r.get(1),
                    kind: r.get(2),
                    revoked_after: r.get::<_, Option<&str>>(3).map(ts).transpose()?,
                })
            })
            .collect()
    }

    /// Every revoked ticket id with its reason (void, refund, reissue), for gates.
    pub async fn revocations_with_reasons(&self) -> Result<Vec<(String, String)>> {
        Ok(self
            .client()
            .await?
            .query(
                "SELECT ticket_id, reason FROM revocations ORDER BY revoked_at, ticket_id",
                &[],
            )
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
    }

    /// Forgets, in this process's token cache, every revoked device's token, including those
    /// revoked through another replica since: the server runs it every quarter of a second.
    pub async fn forget_revoked_tokens(&self) -> Result<usize> {
        let hashes: Vec<String> = self
            .client()
            .await?
            .query(
                "SELECT d.token_hash FROM device_revocations r JOIN devices d ON d.id = r.device_id",
                &[],
            )
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        Ok(self.tokens.forget(hashes))
    }
}
