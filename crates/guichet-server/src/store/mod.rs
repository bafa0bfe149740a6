//! The server's store: one SQLite file, WAL, one writer, `IMMEDIATE` write transactions,
//! readers on their own connections. Behind [`Store`]'s methods so that a PostgreSQL backend
//! can follow with the same operations.

mod accounts;
pub mod backup;
pub(crate) mod cards;
mod catalogue;
mod conflict_resolution;
mod console_reads;
pub mod decide;
mod device_states;
pub(crate) mod devices;
mod draws;
mod holds;
mod notices;
mod revocation;
mod sales;
pub mod staff;
mod sync;
pub(crate) mod token_cache;

pub use conflict_resolution::{ConflictRow, Decision};
pub use console_reads::{DeviceSync, DrawSummary, LentByDevice, OrderRow, SalesOverview};
pub use device_states::ReportTimes;
pub use devices::{key_id, Device};
pub(crate) use draws::decide as draw_rules;
pub use draws::{Closed, DrawStoreError, Rule};
pub(crate) use notices::{from_ms as notice_from_ms, ts as notice_ts};
pub use notices::{EnqueueReport, NoticeRow, NoticeState};
pub(crate) use revocation::REVOCATION_SELECT;
pub use revocation::{
    refusal_reason, AtRisk, DeviceRefusals, DeviceRevocation, DeviceRow, GateKey, Settlement,
};

pub use accounts::search_key;
pub(crate) use catalogue::games_text;
pub use catalogue::ImportReport;
pub(crate) use holds::{
    draft_of, millis, parse_state, response as hold_response, state_text, usable_for, HoldRow,
    OrderLineView,
};
pub use holds::{HoldError, DEFAULT_HOLD_SECONDS};
pub(crate) use sales::new_id;
pub use sales::{lost_sale, QueuedSale, SaleError, SaleOutcome};

use std::path::Path;
use std::sync::Mutex;

use guichet_domain::{Catalogue, SaleConfig};
use rusqlite::{Connection, OpenFlags};

/// Schema migrations, numbered, forward only, compiled in.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_init.sql"),
    include_str!("../../migrations/0002_sync.sql"),
    include_str!("../../migrations/0003_draws.sql"),
    include_str!("../../migrations/0004_notices.sql"),
    include_str!("../../migrations/0005_holds.sql"),
    include_str!("../../migrations/0006_accessible.sql"),
    include_str!("../../migrations/0007_application_id.sql"),
    include_str!("../../migrations/0008_draw_winners.sql"),
    include_str!("../../migrations/0009_device_revocation.sql"),
    include_str!("../../migrations/0010_staff.sql"),
    include_str!("../../migrations/0011_device_states.sql"),
    include_str!("../../migrations/0012_push_reports.sql"),
    include_str!("../../migrations/0013_order_keys.sql"),
];

/// The schema version this server brings a file up to.
pub fn schema_version() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}

/// Prepared statements kept per connection: every statement of a sale and of a push stays
/// compiled (rusqlite's default of 16 is fewer than a push uses).
const STATEMENT_CACHE: usize = 64;

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
    /// The file was made by a newer Guichet.
    #[error("the database is at schema version {found}, newer than this server's {supported}: upgrade the server")]
    NewerSchema {
        /// Version in the file.
        found: i64,
        /// Highest version this build knows.
        supported: i64,
    },
    /// The catalogue in the database does not load.
    #[error("catalogue in the database: {0}")]
    Catalogue(String),
    /// Not found.
    #[error("{0}")]
    NotFound(String),
    /// Conflicts with what exists.
    #[error("{0}")]
    Conflict(String),
    /// Bad value.
    #[error("{0}")]
    Invalid(String),
    /// PostgreSQL failed (the PostgreSQL store, `store_pg`).
    #[error("database: {0}")]
    Postgres(String),
    /// This part of the server does not run on the store chosen: the message says which
    /// part and the way out (503).
    #[error("{0}")]
    Unavailable(String),
}

/// Result of the store.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Durability of commits: `Full` fsyncs every commit; `Normal` (WAL) survives a process crash
/// but may lose the last commits on power loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous = FULL`.
    Full,
    /// `synchronous = NORMAL`.
    Normal,
}

/// The server store.
pub struct Store {
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    catalogue: Catalogue,
    config: SaleConfig,
    /// Test-only: when false, online sales check availability outside the write transaction
    /// and write the new count unconditionally, so that a race test can show the oversell the
    /// guard prevents. Always true in the server binary.
    pub(crate) guard: bool,
    /// Change-feed rows a pull reads at most; a desk further behind gets `more: true` and pulls
    /// again from the cursor it was given.
    pub(crate) pull_page: usize,
    /// How long a new hold sets its seats aside, in seconds.
    pub(crate) hold_seconds: u32,
    sale_queue: sales::SaleQueue,
    /// Devices already authenticated and tokens revoked, by token hash (see
    /// [`Store::device_by_token`] and `revocation.rs`).
    tokens: token_cache::TokenCache,
    /// Where the key that signs account cards lives (next to the database, never in it).
    card_key_dir: std::path::PathBuf,
    card_key: std::sync::OnceLock<guichet_tickets::DeviceKey>,
}

fn configure(conn: &Connection, durability: Durability) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let sync = match durability {
        Durability::Full => "FULL",
        Durability::Normal => "NORMAL",
    };
    conn.pragma_update(None, "synchronous", sync)?;
    // Statement journals (one per order's savepoint in a group commit) stay in memory: by
    // default one spills to a temporary file past 64 KiB and, once spilled, is not truncated
    // until the transaction ends, so every later page of the batch cost a pwrite (strace: 28
    // pwrites per order). They only serve a rollback inside the open transaction; durability
    // is the WAL's, unchanged.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(())
}

impl Store {
    /// Opens (creating and migrating if needed) the store at `path`.
    pub fn open(path: &Path, config: SaleConfig, durability: Durability) -> Result<Store> {
        let mut writer = Connection::open(path)?;
        configure(&writer, durability)?;
        migrate(&mut writer)?;
        let readers = (0..4)
            .map(|_| {
                let c = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                c.busy_timeout(std::time::Duration::from_secs(10))?;
                c.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
                Ok(Mutex::new(c))
            })
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let catalogue = catalogue::load(&writer)?;
        Ok(Store {
            writer: Mutex::new(writer),
            readers,
            catalogue,
            config,
            guard: true,
            pull_page: 100_000,
            hold_seconds: holds::DEFAULT_HOLD_SECONDS,
            sale_queue: Default::default(),
            tokens: Default::default(),
            card_key_dir: cards::key_dir(path),
            card_key: Default::default(),
        })
    }

    /// The catalogue as stored (empty before `import`).
    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// The sale configuration.
    pub fn config(&self) -> &SaleConfig {
        &self.config
    }

    /// Test-only switch of the oversell guard (see the field's doc).
    #[doc(hidden)]
    pub fn set_guard_for_tests(&mut self, on: bool) {
        self.guard = on;
    }

    /// Change-feed rows one pull reads at most (100,000 by default; at least 1).
    pub fn set_pull_page(&mut self, rows: usize) {
        self.pull_page = rows.max(1);
    }

    fn write<T, E: From<rusqlite::Error>>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    fn read<T, E>(&self, f: impl FnOnce(&Connection) -> Result<T, E>) -> Result<T, E> {
        // Take a free reader if there is one; otherwise wait on the first.
        for r in &self.readers {
            if let Ok(conn) = r.try_lock() {
                return f(&conn);
            }
        }
        let conn = self.readers[0].lock().unwrap_or_else(|p| p.into_inner());
        f(&conn)
    }
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let supported = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
    if version > supported {
        return Err(StoreError::NewerSchema {
            found: version,
            supported,
        });
    }
    for (i, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(version).unwrap_or(0))
    {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(
            None,
            "user_version",
            i64::try_from(i + 1).unwrap_or(i64::MAX),
        )?;
        tx.commit()?;
    }
    Ok(())
}
