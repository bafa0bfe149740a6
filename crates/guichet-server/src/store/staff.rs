//! Staff accounts of the operations console: username and Argon2id password, a role, sessions
//! kept as SHA-256 of their token, sign-in throttling with a lockout, and the append-only audit
//! log every change writes to in its own transaction.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use jiff::{SignedDuration, Timestamp};
use rusqlite::{params, Connection, OptionalExtension};

use super::devices::sha256_hex;
use super::{Store, StoreError};

/// Failed sign-ins in a row after which a username is locked.
pub const SIGN_IN_FAILURES_BEFORE_LOCK: u32 = 5;
/// How long a locked username stays locked.
pub const LOCKOUT: SignedDuration = SignedDuration::from_mins(15);
/// How long a console session lasts.
pub const SESSION_LIFETIME: SignedDuration = SignedDuration::from_hours(12);
/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// What a staff member may do: a viewer reads; a supervisor also decides (conflicts, revoking,
/// at-risk seats); an admin also manages staff and enrolment codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Reads every page.
    Viewer,
    /// Also resolves conflicts, revokes devices, settles seats at risk.
    Supervisor,
    /// Also adds staff and makes enrolment codes.
    Admin,
}

impl Role {
    /// `viewer`, `supervisor` or `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }
    /// Reads `viewer`, `supervisor` or `admin`.
    pub fn parse(s: &str) -> Result<Role, StaffError> {
        match s.trim() {
            "viewer" => Ok(Role::Viewer),
            "supervisor" => Ok(Role::Supervisor),
            "admin" => Ok(Role::Admin),
            other => Err(StaffError::UnknownRole(other.to_string())),
        }
    }
}

/// A staff member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    /// Sign-in name.
    pub username: String,
    /// Role.
    pub role: Role,
}

/// A session just opened: the token goes in the cookie, the CSRF token in every form.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The cookie's value (kept only hashed).
    pub token: String,
    /// This session's CSRF token.
    pub csrf: String,
    /// Who.
    pub staff: Staff,
}

/// A live session.
#[derive(Debug, Clone)]
pub struct StaffSession {
    /// Who.
    pub staff: Staff,
    /// Its CSRF token.
    pub csrf: String,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// Order of writing.
    pub id: i64,
    /// When.
    pub at: String,
    /// Who (a staff username, or the command that did it).
    pub actor: String,
    /// What, e.g. `device.revoke`.
    pub action: String,
    /// On what, e.g. a device id.
    pub subject: String,
    /// The decision's facts.
    pub details: serde_json::Value,
}

/// Why a staff operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    /// Bad username.
    #[error("username {0:?}: 3 to 40 characters among a-z, 0-9, '.', '-' and '_'")]
    BadUsername(String),
    /// Unknown role.
    #[error("role {0:?}: expected viewer, supervisor or admin")]
    UnknownRole(String),
    /// Password too short.
    #[error("the password has {found} characters; at least {MIN_PASSWORD_CHARS} are needed — choose a longer one")]
    WeakPassword {
        /// Characters given.
        found: usize,
    },
    /// Username taken.
    #[error("staff member {0} already exists: choose another username")]
    Exists(String),
    /// Wrong username or password.
    #[error("wrong username or password; {left} more tries before this username is locked for {} minutes", LOCKOUT.as_mins())]
    WrongPassword {
        /// Tries left before the lock.
        left: u32,
    },
    /// Locked after too many failures.
    #[error("too many wrong passwords: this username is locked until {until}; try again then, or ask an admin")]
    Locked {
        /// Until when.
        until: Timestamp,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for StaffError {
    fn from(e: rusqlite::Error) -> Self {
        StaffError::Store(e.into())
    }
}

impl StaffError {
    /// A stable code for the rule broken.
    pub fn code(&self) -> &'static str {
        match self {
            StaffError::BadUsername(_) => "bad_username",
            StaffError::UnknownRole(_) => "unknown_role",
            StaffError::WeakPassword { .. } => "weak_password",
            StaffError::Exists(_) => "staff_exists",
            StaffError::WrongPassword { .. } => "wrong_password",
            StaffError::Locked { .. } => "sign_in_locked",
            StaffError::Store(_) => "internal",
        }
    }
}

pub(crate) fn random_token() -> Result<String, StaffError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| StoreError::Invalid(format!("no randomness: {e}")))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

pub(crate) fn check_username(u: &str) -> Result<String, StaffError> {
    let u = u.trim().to_lowercase();
    let ok = (3..=40).contains(&u.len())
        && u.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    if ok {
        Ok(u)
    } else {
        Err(StaffError::BadUsername(u))
    }
}

/// A hash nobody's password matches, checked when the username is unknown so that the answer
/// takes as long as for a known one.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2Dd8M2v8wC0hV1rXoDZzZ7o0o8l3d7oL9Kq3m1kqNfA";

/// A new staff member's checked username and the Argon2id hash of their password; refused
/// when the username breaks its rule or the password is too short.
pub(crate) fn new_staff_credentials(
    username: &str,
    password: &str,
) -> Result<(String, String), StaffError> {
    let username = check_username(username)?;
    let found = password.chars().count();
    if found < MIN_PASSWORD_CHARS {
        return Err(StaffError::WeakPassword { found });
    }
    let salt = SaltString::generate(&mut OsRng);
    let hash = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| StoreError::Invalid(format!("cannot hash the password: {e}")))?
        .to_string();
    Ok((username, hash))
}

/// Whether `password` matches the stored hash; with no hash (an unknown username) a dummy one
/// is checked, so that the answer takes as long as for a known username.
pub(crate) fn password_matches(hash: Option<&str>, password: &str) -> bool {
    PasswordHash::new(hash.unwrap_or(DUMMY_HASH))
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Appends to the audit log inside the caller's transaction, so a change and its record are
/// one commit.
pub(super) fn audit(
    c: &Connection,
    at: Timestamp,
    actor: &str,
    action: &str,
    subject: &str,
    details: serde_json::Value,
) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO audit_log(at, actor, action, subject, details) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        at.to_string(),
        actor,
        action,
        subject,
        details.to_string()
    ])?;
    Ok(())
}

impl Store {
    /// Adds a staff member (`guichet-server staff add`, or an admin in the console).
    pub fn add_staff(
        &self,
        username: &str,
        password: &str,
        role: Role,
        by: &str,
        now: Timestamp,
    ) -> Result<Staff, StaffError> {
        let (username, hash) = new_staff_credentials(username, password)?;
        self.write(|tx| {
            let n = tx.execute(
                "INSERT INTO staff(username, password_hash, role, created_at, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(username) DO NOTHING",
                params![username, hash, role.as_str(), now.to_string(), by],
            )?;
            if n == 0 {
                return Err(StaffError::Exists(username.clone()));
            }
            let details = serde_json::json!({ "role": role.as_str() });
            audit(tx, now, by, "staff.add", &username, details)?;
            Ok(Staff {
                username: username.clone(),
                role,
            })
        })
    }

    /// Checks a password and opens a session. Five wrong passwords in a row lock the username
    /// for 15 minutes; while locked, even the right password is refused.
    pub fn sign_in(
        &self,
        username: &str,
        password: &str,
        now: Timestamp,
    ) -> Result<NewSession, StaffError> {
        let username = username.trim().to_lowercase();
        let (row, locked): (Option<(String, String)>, Option<String>) = self.read(|c| {
            let row = c
                .query_row(
                    "SELECT password_hash, role FROM staff WHERE username = ?1",
                    [&username],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let locked = c
                .query_row(
                    "SELECT locked_until FROM staff_sign_in_failures WHERE username = ?1",
                    [&username],
                    |r| r.get::<_, Option<String>>(0),
                )
                .optional()?
                .flatten();
            Ok::<_, StaffError>((row, locked))
        })?;
        if let Some(until) = locked.and_then(|t| t.parse::<Timestamp>().ok()) {
            if until > now {
                return Err(StaffError::Locked { until });
            }
        }
        let good = password_matches(row.as_ref().map(|(h, _)| h.as_str()), password);
        match row {
            Some((_, role)) if good => {
                let role = Role::parse(&role)?;
                let (token, csrf) = (random_token()?, random_token()?);
                let expires = now.checked_add(SESSION_LIFETIME).unwrap_or(now);
                self.write(|tx| {
                    tx.execute(
                        "DELETE FROM staff_sign_in_failures WHERE username = ?1",
                        [&username],
                    )?;
                    tx.execute(
                        "INSERT INTO staff_sessions(token_hash, username, csrf_token, created_at, expires_at)
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![sha256_hex(&token), username, csrf, now.to_string(), expires.to_string()],
                    )?;
                    audit(tx, now, &username, "staff.sign_in", &username, serde_json::json!({}))?;
                    Ok::<_, StaffError>(())
                })?;
                Ok(NewSession {
                    token,
                    csrf,
                    staff: Staff { username, role },
                })
            }
            // The refusal is the closure's value, not its error: an error would roll back the
            // count it must keep.
            _ => self.write(|tx| -> Result<Result<NewSession, StaffError>, StaffError> {
                let failures: u32 = tx.query_row(
                    "INSERT INTO staff_sign_in_failures(username, failures, last_failure_at)
                     VALUES (?1, 1, ?2)
                     ON CONFLICT(username) DO UPDATE SET
                        failures = CASE WHEN locked_until IS NOT NULL THEN 1 ELSE failures + 1 END,
                        locked_until = NULL, last_failure_at = ?2
                     RETURNING failures",
                    params![username, now.to_string()],
                    |r| r.get(0),
                )?;
                if failures >= SIGN_IN_FAILURES_BEFORE_LOCK {
                    let until = now.checked_add(LOCKOUT).unwrap_or(now);
                    tx.execute(
                        "UPDATE staff_sign_in_failures SET locked_until = ?2 WHERE username = ?1",
                        params![username, until.to_string()],
                    )?;
                    let details =
                        serde_json::json!({ "failures": failures, "until": until.to_string() });
                    audit(tx, now, &username, "staff.locked", &username, details)?;
                    return Ok(Err(StaffError::Locked { until }));
                }
                Ok(Err(StaffError::WrongPassword {
                    left: SIGN_IN_FAILURES_BEFORE_LOCK - failures,
                }))
            })?,
        }
    }

    /// The live session of a cookie's token, if any.
    pub fn staff_session(
        &self,
        token: &str,
        now: Timestamp,
    ) -> Result<Option<StaffSession>, StaffError> {
        let h = sha256_hex(token);
        let row: Option<(String, String, String, String)> = self.read(|c| {
            Ok::<_, StaffError>(
                c.prepare_cached(
                    "SELECT s.username, st.role, s.csrf_token, s.expires_at FROM staff_sessions s
                     JOIN staff st ON st.username = s.username WHERE s.token_hash = ?1",
                )?
                .query_row([&h], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .optional()?,
            )
        })?;
        let Some((username, role, csrf, expires)) = row else {
            return Ok(None);
        };
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
    pub fn sign_out(&self, token: &str, actor: &str, now: Timestamp) -> Result<(), StaffError> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM staff_sessions WHERE token_hash = ?1",
                [sha256_hex(token)],
            )?;
            audit(
                tx,
                now,
                actor,
                "staff.sign_out",
                actor,
                serde_json::json!({}),
            )?;
            Ok(())
        })
    }

    /// Writes one audit line on its own (for changes made outside the store's transactions).
    pub fn record_audit(
        &self,
        actor: &str,
        action: &str,
        subject: &str,
        details: serde_json::Value,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.write(|tx| Ok(audit(tx, now, actor, action, subject, details)?))
    }

    /// The latest `limit` audit lines, newest first.
    pub fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT id, at, actor, action, subject, details FROM audit_log ORDER BY id DESC LIMIT ?1",
            )?;
            let rows = stmt.query_map([limit], |r| {
                Ok(AuditEntry {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    action: r.get(3)?,
                    subject: r.get(4)?,
                    details: serde_json::from_str(&r.get::<_, String>(5)?)
                        .unwrap_or(serde_json::Value::Null),
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }
}
