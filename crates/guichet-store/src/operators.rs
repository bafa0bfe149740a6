//! Staff rows. The PIN arrives here already hashed (Argon2 PHC string); checking it and the
//! lockout policy are the desk's use cases.

use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Context, Error, Result};
use crate::values::{parse_ts, ts};

/// What an operator may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Sells, looks up, reprints.
    Seller,
    /// Also approves voids, refunds and reissues with their PIN.
    Supervisor,
}

impl Role {
    /// Stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Seller => "seller",
            Role::Supervisor => "supervisor",
        }
    }
    /// Parses the stored text.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "seller" => Some(Role::Seller),
            "supervisor" => Some(Role::Supervisor),
            _ => None,
        }
    }
}

/// A stored operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorRow {
    /// Staff id, e.g. `S-0042`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Argon2 PHC string of the PIN.
    pub pin_hash: String,
    /// Wrong PINs in a row since the last success or lock.
    pub failed_attempts: u32,
    /// Refused until this instant, if locked.
    pub locked_until: Option<Timestamp>,
}

/// Inserts an operator.
pub fn insert_operator(conn: &Connection, op: &OperatorRow, created_at: Timestamp) -> Result<()> {
    conn.execute(
        "INSERT INTO operator (id, name, role, pin_hash, failed_attempts, locked_until, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            op.id,
            op.name,
            op.role.as_str(),
            op.pin_hash,
            op.failed_attempts,
            op.locked_until.map(ts),
            ts(created_at)
        ],
    )
    .ctx(format!("add operator {}", op.id))?;
    Ok(())
}

/// The operator with this id, if any.
pub fn operator(conn: &Connection, id: &str) -> Result<Option<OperatorRow>> {
    let row = conn
        .query_row(
            // Staff ids are read without regard to case ("s-sell" is S-SELL); the exact
            // spelling first, should two ids differ by case alone.
            "SELECT id, name, role, pin_hash, failed_attempts, locked_until FROM operator
             WHERE id = ?1 COLLATE NOCASE ORDER BY id = ?1 DESC LIMIT 1",
            [id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, u32>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            },
        )
        .optional()
        .ctx("read operator")?;
    let Some((id, name, role, pin_hash, failed_attempts, locked_until)) = row else {
        return Ok(None);
    };
    let role = Role::parse(&role).ok_or(Error::BadStoredValue {
        what: "role",
        value: role,
    })?;
    let locked_until = locked_until
        .map(|s| parse_ts("locked_until", &s))
        .transpose()?;
    Ok(Some(OperatorRow {
        id,
        name,
        role,
        pin_hash,
        failed_attempts,
        locked_until,
    }))
}

/// Records the PIN attempt counter and lock.
pub fn set_pin_state(
    conn: &Connection,
    id: &str,
    failed_attempts: u32,
    locked_until: Option<Timestamp>,
) -> Result<()> {
    conn.execute(
        "UPDATE operator SET failed_attempts = ?2, locked_until = ?3 WHERE id = ?1",
        params![id, failed_attempts, locked_until.map(ts)],
    )
    .ctx("record PIN attempt")?;
    Ok(())
}

/// Whether the desk has any operator yet.
pub fn any_operator(conn: &Connection) -> Result<bool> {
    conn.query_row("SELECT EXISTS (SELECT 1 FROM operator)", [], |r| r.get(0))
        .ctx("look for an operator")
}
