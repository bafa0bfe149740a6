//! Device enrolment and bearer tokens. Codes and tokens are random and stored only as SHA-256
//! hashes: a copy of the database gives no way in.

use guichet_wire::devices::{EnrolRequest, EnrolResponse};
use jiff::Timestamp;
use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};

use super::{Result, Store, StoreError};

/// An enrolled device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// Id.
    pub id: String,
    /// `box-office` or `kiosk`.
    pub kind: String,
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

pub(crate) fn sha256_hex(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

pub(crate) fn random_hex(n: usize) -> Result<String> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).map_err(|e| StoreError::Invalid(format!("no randomness: {e}")))?;
    Ok(hex(&buf))
}

/// The key id of a public key: the first 8 bytes of its SHA-256, hex.
pub fn key_id(public_key: &[u8]) -> String {
    hex(&Sha256::digest(public_key)[..8])
}

impl Store {
    /// Makes a one-time enrolment code for a device of `kind`.
    pub fn new_enrolment_code(&self, kind: &str, now: Timestamp) -> Result<String> {
        if kind != "box-office" && kind != "kiosk" {
            return Err(StoreError::Invalid(format!(
                "device kind {kind:?}: expected box-office or kiosk"
            )));
        }
        let code = random_hex(10)?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO enrolment_codes(code_hash, kind, created_at) VALUES (?1, ?2, ?3)",
                params![sha256_hex(&code), kind, now.to_string()],
            )?;
            Ok::<_, StoreError>(())
        })?;
        Ok(code)
    }

    /// Trades a one-time code for a device id and a bearer token.
    pub fn enrol(&self, req: &EnrolRequest, now: Timestamp) -> Result<EnrolResponse> {
        let (key, name) = crate::store::decide::enrol_form(req)?;
        let token = random_hex(32)?;
        let device_id = uuid::Uuid::now_v7().to_string();
        let kid = key_id(&key);
        let code_hash = sha256_hex(req.code.trim());
        let card_key = self.card_key_entry()?;
        let (device_id, kind, token, key_id) = self.write(|tx| {
            let row: Option<(String, Option<String>)> = tx
                .query_row("SELECT kind, used_at FROM enrolment_codes WHERE code_hash = ?1", [&code_hash], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            let kind = match row {
                None => return Err(StoreError::NotFound("this enrolment code is unknown: ask an administrator for a new one".into())),
                Some((_, Some(used))) => {
                    return Err(StoreError::Conflict(format!("this enrolment code was already used on {used}: ask an administrator for a new one")))
                }
                Some((kind, None)) => kind,
            };
            tx.execute(
                "UPDATE enrolment_codes SET used_at = ?2, used_by_device = ?3 WHERE code_hash = ?1",
                params![code_hash, now.to_string(), device_id],
            )?;
            tx.execute(
                "INSERT INTO devices(id, kind, name, token_hash, public_key_hex, key_id, enrolled_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![device_id, kind, name, sha256_hex(&token), req.public_key_hex.to_lowercase(), kid, now.to_string()],
            )
            .map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
                    StoreError::Conflict("this public key is already enrolled for another device".into())
                }
                e => StoreError::Sql(e),
            })?;
            Ok((device_id.clone(), kind, token.clone(), kid.clone()))
        })?;
        Ok(EnrolResponse {
            device_id,
            kind,
            token,
            key_id,
            card_key,
        })
    }

    /// Every enrolled device's ticket-signing key, for gates: `(key_id, public key hex, kind)`.
    pub fn key_list(&self) -> Result<Vec<(String, String, String)>> {
        self.read(|c| {
            let mut stmt =
                c.prepare("SELECT key_id, public_key_hex, kind FROM devices ORDER BY enrolled_at")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Every revoked ticket id, for gates.
    pub fn revocation_list(&self) -> Result<Vec<String>> {
        self.read(|c| {
            let mut stmt =
                c.prepare("SELECT ticket_id FROM revocations ORDER BY revoked_at, ticket_id")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// The device a bearer token belongs to, if this process has seen the token before: no
    /// database read, so the API answers it without a blocking thread. `None` means "ask
    /// [`Store::device_by_token`]", not "unknown".
    pub fn cached_device(&self, token: &str) -> Option<Device> {
        self.tokens.get(&sha256_hex(token))
    }

    /// The device a bearer token belongs to, unless it was revoked. Devices found are
    /// remembered by token hash for the life of the process; a revocation forgets them
    /// (`revocation.rs`), and a revoked token is never remembered again.
    pub fn device_by_token(&self, token: &str) -> Result<Option<Device>> {
        let h = sha256_hex(token);
        if let Some(d) = self.tokens.get(&h) {
            return Ok(Some(d));
        }
        let found = self.read(|c| {
            Ok::<_, StoreError>(
                c.prepare_cached(
                    "SELECT id, kind FROM devices WHERE token_hash = ?1
                     AND id NOT IN (SELECT device_id FROM device_revocations)",
                )?
                .query_row([&h], |r| {
                    Ok(Device {
                        id: r.get(0)?,
                        kind: r.get(1)?,
                    })
                })
                .optional()?,
            )
        })?;
        if let Some(d) = &found {
            self.tokens.remember(h, d);
        }
        Ok(found)
    }
}

pub(crate) fn decode_hex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}
