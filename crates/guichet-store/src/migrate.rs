//! Numbered, forward-only migrations embedded in the binary; `PRAGMA user_version` records the
//! last one applied. A released migration is never edited: add the next number instead.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{Context, Result};

/// `PRAGMA application_id` of a Guichet desk database ("GUI1"), so another program's SQLite
/// file is recognised and refused instead of being migrated.
pub const APPLICATION_ID: i32 = 0x4755_4931;

/// The migrations, in order; the number is the `user_version` after applying it.
pub const MIGRATIONS: &[(u32, &str)] = &[
    (1, include_str!("../migrations/0001_init.sql")),
    (2, include_str!("../migrations/0002_sync.sql")),
    (3, include_str!("../migrations/0003_card_keys.sql")),
    (4, include_str!("../migrations/0004_payment_intents.sql")),
    (5, include_str!("../migrations/0005_accessible.sql")),
    (6, include_str!("../migrations/0006_mirror.sql")),
    (7, include_str!("../migrations/0007_text_cursor.sql")),
];

/// The schema version this binary brings a file up to.
pub fn latest_version() -> u32 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}

/// Applies every migration newer than the file's version, each in its own `IMMEDIATE`
/// transaction together with its `user_version` bump, so a crash leaves a whole version.
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    for (version, sql) in MIGRATIONS {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .ctx("begin migration")?;
        let current: u32 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .ctx("read schema version")?;
        if current >= *version {
            continue;
        }
        tx.execute_batch(sql)
            .ctx(format!("apply migration {version:04}"))?;
        tx.execute_batch(&format!(
            "PRAGMA user_version = {version}; PRAGMA application_id = {APPLICATION_ID};"
        ))
        .ctx("record schema version")?;
        tx.commit().ctx(format!("commit migration {version:04}"))?;
    }
    Ok(())
}
