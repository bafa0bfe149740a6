//! Revoking a lost or stolen device. From the commit on, its token is refused (and forgotten
//! by the token cache), its key is marked revoked as of an instant in the gates' key list, and
//! what its token asks is refused and counted. Its outstanding allotment is not given back: the
//! device may have sold those seats offline, so they are "at risk" until a supervisor writes
//! them off (they stay out of sale) or returns them to the pool.
//!
//! A revocation made by another process (the `guichet-server device revoke` command while the
//! server runs) reaches the server's token cache through [`Store::forget_revoked_tokens`],
//! which the server runs every quarter of a second.

use jiff::Timestamp;
use rusqlite::{params, OptionalExtension};

use super::devices::sha256_hex;
use super::staff::audit;
use super::sync::changed;
use super::{Result, Store, StoreError};

/// A revoked device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRevocation {
    /// The device.
    pub device_id: String,
    /// Its name, as enrolled.
    pub device_name: String,
    /// `box-office` or `kiosk`.
    pub kind: String,
    /// Its key signs nothing a gate trusts after this instant.
    pub revoked_after: Timestamp,
    /// Why (lost, stolen, …).
    pub reason: String,
    /// Who revoked it.
    pub revoked_by: String,
    /// When the revocation was written.
    pub recorded_at: Timestamp,
}

/// Seats a revoked device still held when it was revoked, not yet settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtRisk {
    /// The device.
    pub device_id: String,
    /// Its name.
    pub device_name: String,
    /// Session code.
    pub session: String,
    /// Price category.
    pub category: String,
    /// Seats neither sold (pushed), returned nor written off.
    pub seats: u32,
}

/// What a supervisor decides for seats at risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    /// The seats stay out of sale for good (the device may have sold them offline).
    WriteOff,
    /// The seats go back to the pool, on sale again.
    Return,
}

impl Settlement {
    pub(crate) fn column(self) -> &'static str {
        match self {
            Settlement::WriteOff => "write_off",
            Settlement::Return => "return",
        }
    }
}

/// What a revoked device's token asked after its revocation, refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRefusals {
    /// The device.
    pub device_id: String,
    /// Requests refused.
    pub count: u64,
    /// The first.
    pub first_at: Timestamp,
    /// The last.
    pub last_at: Timestamp,
    /// The last one, as `METHOD /path`.
    pub last_request: String,
    /// The reason given.
    pub reason: String,
}

/// A gate's view of one device key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateKey {
    /// Key id (in each ticket).
    pub key_id: String,
    /// Ed25519 public key, hex.
    pub public_key_hex: String,
    /// `box-office` or `kiosk`.
    pub kind: String,
    /// Set when the device was revoked: tickets signed after it are refused.
    pub revoked_after: Option<Timestamp>,
}

/// A device as the console lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    /// Id.
    pub id: String,
    /// `box-office` or `kiosk`.
    pub kind: String,
    /// Name, as enrolled.
    pub name: String,
    /// When it enrolled.
    pub enrolled_at: String,
    /// Its last push received (server time), if any.
    pub last_push: Option<String>,
    /// Seats lent to it and not sold, returned or written off.
    pub allotment: i64,
    /// `(revoked_after, reason)` when revoked.
    pub revoked: Option<(String, String)>,
}

fn ts(s: String) -> rusqlite::Result<Timestamp> {
    s.parse().map_err(|e: jiff::Error| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn revocation_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DeviceRevocation> {
    Ok(DeviceRevocation {
        device_id: r.get(0)?,
        device_name: r.get(1)?,
        kind: r.get(2)?,
        revoked_after: ts(r.get(3)?)?,
        reason: r.get(4)?,
        revoked_by: r.get(5)?,
        recorded_at: ts(r.get(6)?)?,
    })
}

pub(crate) const REVOCATION_SELECT: &str = "SELECT d.id, d.name, d.kind, r.revoked_after, r.reason,
    r.revoked_by, r.recorded_at FROM device_revocations r JOIN devices d ON d.id = r.device_id";

/// The words a revoked device's token is refused with.
pub fn refusal_reason(r: &DeviceRevocation) -> String {
    format!(
        "device {} ({}) was revoked on {} by {} ({}); its token is refused — enrol the device again with a new code if it is found",
        r.device_id, r.device_name, r.recorded_at, r.revoked_by, r.reason
    )
}

impl Store {
    /// Revokes a device as of `revoked_after` (now, or earlier: when it went missing). Its token
    /// is refused from the commit on; the token cache of this process forgets it at once.
    pub fn revoke_device(
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
        let (revocation, token_hash) = self.write(|tx| {
            let device: Option<String> = tx
                .query_row("SELECT token_hash FROM devices WHERE id = ?1", [device_id], |r| r.get(0))
                .optional()?;
            let Some(token_hash) = device else {
                return Err(StoreError::NotFound(format!(
                    "no enrolled device has id {device_id}: list the devices to find its id"
                )));
            };
            let inserted = tx.execute(
                "INSERT INTO device_revocations(device_id, revoked_after, reason, revoked_by, recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(device_id) DO NOTHING",
                params![device_id, revoked_after.to_string(), reason, by, now.to_string()],
            )?;
            let r = tx.query_row(&format!("{REVOCATION_SELECT} WHERE r.device_id = ?1"), [device_id], revocation_row)?;
            if inserted == 0 {
                return Err(StoreError::Conflict(format!(
                    "device {device_id} was already revoked on {} by {} ({}): nothing to do",
                    r.recorded_at, r.revoked_by, r.reason
                )));
            }
            let details = serde_json::json!({
                "revoked_after": revoked_after.to_string(), "reason": reason, "name": r.device_name,
            });
            audit(tx, now, by, "device.revoke", device_id, details)?;
            Ok((r, token_hash))
        })?;
        self.tokens.forget([token_hash]);
        Ok(revocation)
    }

    /// Every revoked device, latest first.
    pub fn device_revocations(&self) -> Result<Vec<DeviceRevocation>> {
        self.read(|c| {
            let mut stmt =
                c.prepare(&format!("{REVOCATION_SELECT} ORDER BY r.recorded_at DESC"))?;
            let rows = stmt.query_map([], revocation_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// The revocation of the device this token belonged to, if it was revoked; the refused
    /// request (`METHOD /path`) is counted for the console.
    pub fn refuse_revoked_token(
        &self,
        token: &str,
        request: &str,
        now: Timestamp,
    ) -> Result<Option<DeviceRevocation>> {
        let h = sha256_hex(token);
        let found = self.read(|c| {
            Ok::<_, StoreError>(
                c.prepare_cached(&format!("{REVOCATION_SELECT} WHERE d.token_hash = ?1"))?
                    .query_row([&h], revocation_row)
                    .optional()?,
            )
        })?;
        let Some(r) = found else { return Ok(None) };
        let reason = refusal_reason(&r);
        self.write(|tx| {
            tx.execute(
                "INSERT INTO device_refusals(device_id, count, first_at, last_at, last_request, reason)
                 VALUES (?1, 1, ?2, ?2, ?3, ?4)
                 ON CONFLICT(device_id) DO UPDATE SET count = count + 1, last_at = ?2, last_request = ?3, reason = ?4",
                params![r.device_id, now.to_string(), request, reason],
            )?;
            Ok::<_, StoreError>(())
        })?;
        Ok(Some(r))
    }

    /// What revoked devices' tokens asked and were refused, per device.
    pub fn device_refusals(&self) -> Result<Vec<DeviceRefusals>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT device_id, count, first_at, last_at, last_request, reason FROM device_refusals
                 ORDER BY last_at DESC",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(DeviceRefusals {
                    device_id: r.get(0)?,
                    count: r.get(1)?,
                    first_at: ts(r.get(2)?)?,
                    last_at: ts(r.get(3)?)?,
                    last_request: r.get(4)?,
                    reason: r.get(5)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Revoked devices' seats not yet sold, returned or written off.
    pub fn allotments_at_risk(&self) -> Result<Vec<AtRisk>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT a.device_id, d.name, a.session, a.category,
                        a.granted - a.sold - a.returned - a.written_off
                 FROM allotments a JOIN device_revocations r ON r.device_id = a.device_id
                 JOIN devices d ON d.id = a.device_id
                 WHERE a.granted - a.sold - a.returned - a.written_off > 0
                 ORDER BY d.name, a.session, a.category",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(AtRisk {
                    device_id: r.get(0)?,
                    device_name: r.get(1)?,
                    session: r.get(2)?,
                    category: r.get(3)?,
                    seats: r.get(4)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// A supervisor's decision on `seats` of a revoked device's allotment of one offer: write
    /// them off (they stay out of sale) or return them to the pool. Returns what is left at
    /// risk of that offer.
    #[allow(clippy::too_many_arguments)] // each is one fact of the decision, named at the call
    pub fn settle_at_risk(
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
        self.write(|tx| {
            let revoked: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM device_revocations WHERE device_id = ?1)",
                [device_id],
                |r| r.get(0),
            )?;
            if !revoked {
                return Err(StoreError::Conflict(format!(
                    "device {device_id} is not revoked: only a revoked device's allotment is settled here; a working device returns its own seats"
                )));
            }
            let at_risk: Option<u32> = tx
                .query_row(
                    "SELECT granted - sold - returned - written_off FROM allotments
                     WHERE device_id = ?1 AND session = ?2 AND category = ?3",
                    params![device_id, session, category],
                    |r| r.get(0),
                )
                .optional()?;
            let at_risk = at_risk.unwrap_or(0);
            if seats > at_risk {
                return Err(StoreError::Conflict(format!(
                    "{session} category {category}: device {device_id} has {at_risk} seats at risk, cannot settle {seats} — settle {at_risk} or fewer"
                )));
            }
            match action {
                Settlement::WriteOff => tx.execute(
                    "UPDATE allotments SET written_off = written_off + ?4
                     WHERE device_id = ?1 AND session = ?2 AND category = ?3",
                    params![device_id, session, category, seats],
                )?,
                Settlement::Return => {
                    tx.execute(
                        "UPDATE offers SET lent = lent - ?3 WHERE session = ?1 AND category = ?2",
                        params![session, category, seats],
                    )?;
                    changed(tx, "offer", &format!("{session}|{category}"))?;
                    tx.execute(
                        "UPDATE allotments SET returned = returned + ?4
                         WHERE device_id = ?1 AND session = ?2 AND category = ?3",
                        params![device_id, session, category, seats],
                    )?
                }
            };
            tx.execute(
                "INSERT INTO allotment_settlements(device_id, session, category, action, seats, reason, settled_by, settled_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![device_id, session, category, action.column(), seats, reason, by, now.to_string()],
            )?;
            let details = serde_json::json!({
                "session": session, "category": category, "seats": seats, "reason": reason,
            });
            let what = format!("allotment.{}", action.column());
            audit(tx, now, by, &what, device_id, details)?;
            Ok(at_risk - seats)
        })
    }

    /// Every enrolled device, newest first, for the console.
    pub fn console_devices(&self) -> Result<Vec<DeviceRow>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT d.id, d.kind, d.name, d.enrolled_at,
                    (SELECT max(received_at) FROM sync_events e WHERE e.device_id = d.id),
                    (SELECT coalesce(sum(granted - sold - returned - written_off), 0)
                       FROM allotments a WHERE a.device_id = d.id),
                    r.revoked_after, r.reason
                 FROM devices d LEFT JOIN device_revocations r ON r.device_id = d.id
                 ORDER BY d.enrolled_at DESC",
            )?;
            let rows = stmt.query_map([], |r| {
                let after: Option<String> = r.get(6)?;
                let reason: Option<String> = r.get(7)?;
                Ok(DeviceRow {
                    id: r.get(0)?,
                    kind: r.get(1)?,
                    name: r.get(2)?,
                    enrolled_at: r.get(3)?,
                    last_push: r.get(4)?,
                    allotment: r.get(5)?,
                    revoked: after.zip(reason),
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Every device's ticket key for gates, with the instant a revoked device's key stops.
    pub fn gate_keys(&self) -> Result<Vec<GateKey>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT d.key_id, d.public_key_hex, d.kind, r.revoked_after FROM devices d
                 LEFT JOIN device_revocations r ON r.device_id = d.id ORDER BY d.enrolled_at",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(GateKey {
                    key_id: r.get(0)?,
                    public_key_hex: r.get(1)?,
                    kind: r.get(2)?,
                    revoked_after: r.get::<_, Option<String>>(3)?.map(ts).transpose()?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Every revoked ticket id with its reason (void, refund, reissue), for gates.
    pub fn revocations_with_reasons(&self) -> Result<Vec<(String, String)>> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT ticket_id, reason FROM revocations ORDER BY revoked_at, ticket_id",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Forgets, in this process's token cache, every revoked device's token, including those
    /// revoked by another process since: the server runs it every quarter of a second.
    pub fn forget_revoked_tokens(&self) -> Result<usize> {
        let hashes = self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT d.token_hash FROM device_revocations r JOIN devices d ON d.id = r.device_id",
            )?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            Ok::<_, StoreError>(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })?;
        Ok(self.tokens.forget(hashes))
    }
}
