//! Devices on PostgreSQL: enrolment codes, enrolment, bearer tokens (stored as SHA-256).

use guichet_wire::devices::{EnrolRequest, EnrolResponse};
use jiff::Timestamp;

use super::PgStore;
use crate::store::devices::{random_hex, sha256_hex};
use crate::store::{key_id, Device, GateKey, Result, StoreError};

impl PgStore {
    /// Makes a one-time enrolment code for a device of `kind`.
    pub async fn new_enrolment_code(&self, kind: &str, now: Timestamp) -> Result<String> {
        if kind != "box-office" && kind != "kiosk" {
            return Err(StoreError::Invalid(format!(
                "device kind {kind:?}: expected box-office or kiosk"
            )));
        }
        let code = random_hex(10)?;
        self.client()
            .await?
            .execute(
                "INSERT INTO enrolment_codes(code_hash, kind, created_at) VALUES ($1, $2, $3)",
                &[&sha256_hex(&code), &kind, &now.to_string()],
            )
            .await?;
        Ok(code)
    }

    /// Trades a one-time code for a device id and a bearer token.
    pub async fn enrol(&self, req: &EnrolRequest, now: Timestamp) -> Result<EnrolResponse> {
        let (key, name) = crate::store::decide::enrol_form(req)?;
        let token = random_hex(32)?;
        let device_id = uuid::Uuid::now_v7().to_string();
        let kid = key_id(&key);
        let code_hash = sha256_hex(req.code.trim());
        let card_key =
            crate::store::cards::entry_of(&crate::store::cards::key_in(&self.card_key_dir)?);
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let row = tx
            .query_opt(
                "SELECT kind, used_at FROM enrolment_codes WHERE code_hash = $1 FOR UPDATE",
                &[&code_hash],
            )
            .await?;
        let kind: String = match row {
            None => {
                return Err(StoreError::NotFound(
                    "this enrolment code is unknown: ask an administrator for a new one".into(),
                ))
            }
            Some(r) => match r.get::<_, Option<String>>(1) {
                Some(used) => {
                    return Err(StoreError::Conflict(format!(
                        "this enrolment code was already used on {used}: ask an administrator for a new one"
                    )))
                }
                None => r.get(0),
            },
        };
        tx.execute(
            "UPDATE enrolment_codes SET used_at = $2, used_by_device = $3 WHERE code_hash = $1",
            &[&code_hash, &now.to_string(), &device_id],
        )
        .await?;
        let n = tx
            .execute(
                "INSERT INTO devices(id, kind, name, token_hash, public_key_hex, key_id, enrolled_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
                &[&device_id, &kind, &name, &sha256_hex(&token), &req.public_key_hex.to_lowercase(),
                  &kid, &now.to_string()],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::Conflict(
                "this public key is already enrolled for another device".into(),
            ));
        }
        tx.commit().await?;
        Ok(EnrolResponse {
            device_id,
            kind,
            token,
            key_id: kid,
            card_key,
        })
    }

    /// The device a token belongs to, if this process has seen it (no database read).
    pub fn cached_device(&self, token: &str) -> Option<Device> {
        self.tokens.get(&sha256_hex(token))
    }

    /// The device a bearer token belongs to; none for a revoked device's token.
    pub async fn device_by_token(&self, token: &str) -> Result<Option<Device>> {
        if let Some(d) = self.cached_device(token) {
            return Ok(Some(d));
        }
        let h = sha256_hex(token);
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT id, kind FROM devices WHERE token_hash = $1
                 AND id NOT IN (SELECT device_id FROM device_revocations)",
                &[&h],
            )
            .await?;
        let found = row.map(|r| Device {
            id: r.get(0),
            kind: r.get(1),
        });
        if let Some(d) = &found {
            self.tokens.remember(h, d);
        }
        Ok(found)
    }

    /// Every enrolled device's key (with the instant a revoked one's stops) and every revoked
    /// ticket id, for gates.
    pub async fn gate_lists(&self) -> Result<(Vec<GateKey>, Vec<String>)> {
        let keys = self.gate_keys().await?;
        let revoked = self
            .revocations_with_reasons()
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        Ok((keys, revoked))
    }

    /// The device that made an order, if the order exists.
    pub async fn order_device(&self, order_id: &str) -> Result<Option<String>> {
        let row = self
            .client()
            .await?
            .query_opt("SELECT device_id FROM orders WHERE id = $1", &[&order_id])
            .await?;
        Ok(row.and_then(|r| r.get(0)))
    }
}
