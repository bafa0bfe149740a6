//! Staff accounts of the operations console on PostgreSQL, as on SQLite (`store::staff`): the
//! same rules, the same refusals and the same audit lines. Hashing and checking a password
//! (Argon2id, deliberately slow) run on a blocking thread, not on the async workers.

use deadpool_postgres::GenericClient;
use jiff::Timestamp;

use super::PgStore;
use crate::store::devices::sha256_hex;
use crate::store::staff::{
    new_staff_credentials, password_matches, random_token, AuditEntry, NewSession, Role, Staff,
    StaffError, StaffSession, LOCKOUT, SESSION_LIFETIME, SIGN_IN_FAILURES_BEFORE_LOCK,
};
use crate::store::{Result, StoreError};

/// Appends to the audit log inside the caller's transaction, so a change and its record are
/// one commit.
pub(super) async fn audit(
    c: &impl GenericClient,
    at: Timestamp,
    actor: &str,
    action: &str,
    subject: &str,
    details: serde_json::Value,
) -> Result<()> {
    c.execute(
        "INSERT INTO audit_log(at, actor, action, subject, details) VALUES ($1, $2, $3, $4, $5)",
        &[
            &at.to_string(),
            &actor,
            &action,
            &subject,
            &details.to_string(),
        ],
    )
    .await?;
    Ok(())
}

/// Runs CPU-heavy work (a password hash) on a blocking thread.
async fn off_thread<T: Send + 'static>(
    f: impl FnOnce() -> std::result::Result<T, StaffError> + Send + 'static,
) -> std::result::Result<T, StaffError> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| {
        Err(StoreError::Invalid(format!("the password's thread failed: {e}")).into())
    })
}

impl From<tokio_postgres::Error> for StaffError {
    fn from(e: tokio_postgres::Error) -> Self {
        StaffError::Store(e.into())
    }
}

impl PgStore {
    /// Adds a staff member (`guichet-server staff add`, or an admin in the console).
    pub async fn add_staff(
        &self,
        username: &str,
        password: &str,
        role: Role,
        by: &str,
        now: Timestamp,
    ) -> std::result::Result<Staff, StaffError> {
        let (u, p) = (username.to_string(), password.to_string());
        let (username, hash) = off_thread(move || new_staff_credentials(&u, &p)).await?;
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let n = tx
            .execute(
                "INSERT INTO staff(username, password_hash, role, created_at, created_by)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (username) DO NOTHING",
                &[&username, &hash, &role.as_str(), &now.to_string(), &by],
            )
            .await?;
        if n == 0 {
            return Err(StaffError::Exists(username));
        }
        let details = serde_json::json!({ "role": role.as_str() });
        audit(&tx, now, by, "staff.add", &username, details).await?;
        tx.commit().await?;
        Ok(Staff { username, role })
    }

    /// Checks a password and opens a session. Five wrong passwords in a row lock the username
    /// for 15 minutes; while locked, even the right password is refused.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        now: Timestamp,
    ) -> std::result::Result<NewSession, StaffError> {
        let username = username.trim().to_lowercase();
        let mut c = self.client().await?;
        let row = c
            .query_opt(
                "SELECT password_hash, role FROM staff WHERE username = $1",
                &[&username],
            )
            .await?
            .map(|r| (r.get::<_, String>(0), r.get::<_, String>(1)));
        let locked: Option<String> = c
            .query_opt(
                "SELECT locked_until FROM staff_sign_in_failures WHERE username = $1",
                &[&username],
            )
            .await?
            .and_then(|r| r.get(0));
        if let Some(until) = locked.and_then(|t| t.parse::<Timestamp>().ok()) {
            if until > now {
                return Err(StaffError::Locked { until });
            }
        }
        let hash = row.as_ref().map(|(h, _)| h.clone());
        let p = password.to_string();
        let good = off_thread(move || Ok(password_matches(hash.as_deref(), &p))).await?;
        let tx = c.transaction().await?;
        match row {
            Some((_, role)) if good => {
                let role = Role::parse(&role)?;
                let (token, csrf) = (random_token()?, random_token()?);
                let expires = now.checked_add(SESSION_LIFETIME).unwrap_or(now);
                tx.execute(
                    "DELETE FROM staff_sign_in_failures WHERE username = $1",
                    &[&username],
                )
                .await?;
                tx.execute(
                    "INSERT INTO staff_sessions(token_hash, username, csrf_token, created_at, expires_at)
                     VALUES ($1, $2, $3, $4, $5)",
                    &[&sha256_hex(&token), &username, &csrf, &now.to_string(), &expires.to_string()],
                )
                .await?;
                audit(
                    &tx,
                    now,
                    &username,
                    "staff.sign_in",
                    &username,
                    serde_json::json!({}),
                )
                .await?;
                tx.commit().await?;
                Ok(NewSession {
                    token,
                    csrf,
                    staff: Staff { username, role },
                })
            }
            _ => {
                // The failure is counted and committed before the refusal is answered.
                let failures: i64 = tx
                    .query_one(
                        "INSERT INTO staff_sign_in_failures AS f(username, failures, last_failure_at)
                         VALUES ($1, 1, $2)
                         ON CONFLICT (username) DO UPDATE SET
                            failures = CASE WHEN f.locked_until IS NOT NULL THEN 1 ELSE f.failures + 1 END,
                            locked_until = NULL, last_failure_at = EXCLUDED.last_failure_at
                         RETURNING failures",
                        &[&username, &now.to_string()],
                    )
                    .await?
                    .get(0);
                let failures = u32::try_from(failures.max(0)).unwrap_or(u32::MAX);
                let refusal = if failures >= SIGN_IN_FAILURES_BEFORE_LOCK {
                    let until = now.checked_add(LOCKOUT).unwrap_or(now);
                    tx.execute(
                        "UPDATE staff_sign_in_failures SET locked_until = $2 WHERE username = $1",
                        &[&username, &until.to_string()],
                    )
                    .await?;
                    let details =
                        serde_json::json!({ "failures": failures, "until": until.to_string() });
                    audit(&tx, now, &username, "staff.locked", &username, details).await?;
                    StaffError::Locked { until }
                } else {
                    StaffError::WrongPassword {
                        left: SIGN_IN_FAILURES_BEFORE_LOCK - failures,
                    }
                };
                tx.commit().await?;
                Err(refusal)
            }
        }
    }

    /// The live session of a cookie's token, if any.
    pub async fn staff_session(
        &self,
        token: &str,
        now: Timestamp,
    ) -> std::result::Result<Option<StaffSession>, StaffError> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT s.username, st.role, s.csrf_token, s.expires_at FROM staff_sessions s
                 JOIN staff st ON st.username = s.username WHERE s.token_hash = $1",
                &[&sha256_hex(token)],
            )
            .await?;
        let Some(r) = row else { return Ok(None) };
        let (username, role, csrf, expires): (String, String, String, String) =
            (r.get(0), r.get(1), r.get(2), r.get(3));
        if expires.parse::<Timestamp>().map_or(true, |e| e <= now) {
            return Ok(None);
        }
        Ok(Some(StaffSession {
            staff: Staff {
                username,
                role: Role::parse(&role)?,
            },
            csrf,
        }))
    }

    /// Ends a session.
    pub async fn sign_out(
        &self,
        token: &str,
        actor: &str,
        now: Timestamp,
    ) -> std::result::Result<(), StaffError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        tx.execute(
            "DELETE FROM staff_sessions WHERE token_hash = $1",
            &[&sha256_hex(token)],
        )
        .await?;
        audit(
            &tx,
            now,
            actor,
            "staff.sign_out",
            actor,
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Writes one audit line on its own (for changes made outside the store's transactions).
    pub async fn record_audit(
        &self,
        actor: &str,
        action: &str,
        subject: &str,
        details: serde_json::Value,
        now: Timestamp,
    ) -> Result<()> {
        let c = self.client().await?;
        audit(&c, now, actor, action, subject, details).await
    }

    /// The latest `limit` audit lines, newest first.
    pub async fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT id, at, actor, action, subject, details FROM audit_log ORDER BY id DESC LIMIT $1",
                &[&i64::from(limit)],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| AuditEntry {
                id: r.get(0),
                at: r.get(1),
                actor: r.get(2),
                action: r.get(3),
                subject: r.get(4),
                details: serde_json::from_str(r.get::<_, &str>(5))
                    .unwrap_or(serde_json::Value::Null),
            })
            .collect())
    }
}
