//! The server's store on PostgreSQL (docs/postgres.md): `tokio-postgres` through a
//! `deadpool-postgres` pool, hand-written SQL, its own forward-only migrations
//! (`migrations-pg/`, recorded in `schema_migrations`). Several server processes (replicas) may
//! share one database: each registers itself with a lease, sells from its own buckets of each
//! offer's seats, and takes the per-account caps under the account's row lock. The deciding is
//! `store::decide`'s, as on SQLite.

mod accounts;
mod catalogue;
mod console_reads;
mod device_states;
mod devices;
mod draws;
mod feed;
mod holds;
mod notices;
mod revocation;
mod sales;
mod staff;
mod sync;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use guichet_domain::{Catalogue, SaleConfig};
use tokio_postgres::NoTls;

use crate::store::{Result, StoreError};

pub use catalogue::{invariant_violations, INVARIANT_QUERY};
pub use feed::{decode_cursor, encode_cursor};

/// Migrations, numbered, forward only, compiled in.
const MIGRATIONS: &[(i32, &str)] = &[
    (1, include_str!("../../migrations-pg/0001_init.sql")),
    (
        2,
        include_str!("../../migrations-pg/0002_device_states.sql"),
    ),
    (3, include_str!("../../migrations-pg/0003_holds.sql")),
    (4, include_str!("../../migrations-pg/0004_draws.sql")),
    (5, include_str!("../../migrations-pg/0005_console.sql")),
];

/// How long a replica's lease lasts without renewal; renewed every third of it.
pub const LEASE: Duration = Duration::from_secs(10);

/// A statement running longer is cancelled (a stuck query never holds locks for ever).
const STATEMENT_TIMEOUT_MS: u64 = 30_000;
/// A session idle inside a transaction longer is ended by the database, which rolls the
/// transaction back: a stopped replica (SIGSTOP) does not hold its rows locked for ever.
const IDLE_IN_TRANSACTION_MS: u64 = 5_000;

/// Whether a database setting names PostgreSQL (`postgres://` or `postgresql://`).
pub fn is_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// The store on PostgreSQL, as one replica sees it.
pub struct PgStore {
    pool: Pool,
    catalogue: Catalogue,
    config: SaleConfig,
    replica: String,
    guard: bool,
    pull_page: usize,
    hold_seconds: u32,
    /// Test-only: milliseconds every write transaction sleeps before its COMMIT.
    commit_delay_ms: AtomicU64,
    sales: sales::SaleQueue,
    /// Devices already authenticated and tokens revoked, by token hash, in this replica.
    tokens: crate::store::token_cache::TokenCache,
    registered: AtomicBool,
    card_key_dir: std::path::PathBuf,
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        // tokio-postgres shows a server error as "db error" only: keep its code and message.
        match e.as_db_error() {
            Some(db) => StoreError::Postgres(format!(
                "{} ({}){}",
                db.message(),
                db.code().code(),
                db.detail().map(|d| format!(": {d}")).unwrap_or_default()
            )),
            None => StoreError::Postgres(e.to_string()),
        }
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        StoreError::Postgres(format!("connection pool: {e}"))
    }
}

pub(crate) type Client = deadpool_postgres::Object;

impl PgStore {
    /// Connects (a pool of up to `pool_size` connections), migrates, loads the catalogue and
    /// registers this process as a replica with a fresh random id.
    pub async fn connect(
        url: &str,
        config: SaleConfig,
        pool_size: usize,
        card_key_dir: std::path::PathBuf,
    ) -> Result<PgStore> {
        let mut pg: tokio_postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Invalid(format!("database URL: {e}")))?;
        pg.options(format!(
            "-c statement_timeout={STATEMENT_TIMEOUT_MS} -c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_MS} -c client_min_messages=warning"
        ));
        if pg.get_application_name().is_none() {
            pg.application_name("guichet-server");
        }
        let mgr = Manager::from_config(
            pg,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(mgr)
            .max_size(pool_size.max(2))
            .build()
            .map_err(|e| StoreError::Invalid(format!("connection pool: {e}")))?;
        let mut store = PgStore {
            pool,
            catalogue: Catalogue::new(Vec::new(), Vec::new()),
            config,
            replica: uuid::Uuid::now_v7().to_string(),
            guard: true,
            pull_page: 100_000,
            hold_seconds: crate::store::DEFAULT_HOLD_SECONDS,
            commit_delay_ms: AtomicU64::new(0),
            sales: Default::default(),
            tokens: Default::default(),
            registered: AtomicBool::new(false),
            card_key_dir,
        };
        {
            let mut c = store.client().await?;
            migrate(&mut c).await?;
            store.catalogue = catalogue::load(&c).await?;
        }
        store.renew_lease().await?;
        Ok(store)
    }

    pub(crate) async fn client(&self) -> Result<Client> {
        Ok(self.pool.get().await?)
    }

    /// This replica's id (random at start).
    pub fn replica_id(&self) -> &str {
        &self.replica
    }

    /// The catalogue as stored.
    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// The sale configuration.
    pub fn config(&self) -> &SaleConfig {
        &self.config
    }

    /// Test-only switch of the oversell guard: off, an online sale reads availability and the
    /// account outside any lock and writes unconditionally (the race the guard prevents).
    #[doc(hidden)]
    pub fn set_guard_for_tests(&mut self, on: bool) {
        self.guard = on;
    }

    /// Whether online sales are guarded (always, except in a race test).
    pub fn guarded(&self) -> bool {
        self.guard
    }

    /// Test-only: every write transaction of this store sleeps this long before its COMMIT
    /// (the late committer a feed must not skip). `None` for no delay.
    #[doc(hidden)]
    pub fn set_commit_delay_for_tests(&self, delay: Option<Duration>) {
        let ms = delay.map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        self.commit_delay_ms.store(ms, Ordering::Relaxed);
    }

    pub(crate) async fn before_commit(&self) {
        let ms = self.commit_delay_ms.load(Ordering::Relaxed);
        if ms > 0 {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
    }

    /// Change-feed transactions one pull reads at most, in rows (at least 1).
    pub fn set_pull_page(&mut self, rows: usize) {
        self.pull_page = rows.max(1);
    }

    /// Registers or renews this replica's lease, then gives the seats of dead replicas'
    /// buckets (lease passed) back to the pool. The server calls it every third of [`LEASE`].
    pub async fn renew_lease(&self) -> Result<u64> {
        let c = self.client().await?;
        c.execute(
            "INSERT INTO replicas(id, lease_until) VALUES ($1, now() + make_interval(secs => $2))
             ON CONFLICT (id) DO UPDATE SET lease_until = EXCLUDED.lease_until",
            &[&self.replica, &(LEASE.as_secs_f64())],
        )
        .await?;
        self.registered.store(true, Ordering::Relaxed);
        catalogue::reclaim_dead_buckets(c).await
    }

    /// Gives this replica's buckets back to the pool and ends its lease (a clean stop).
    pub async fn retire(&self) -> Result<()> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let rows = tx
            .query(
                "SELECT session, category, seats_left FROM buckets WHERE replica_id = $1 AND seats_left > 0
                 ORDER BY session, category FOR UPDATE",
                &[&self.replica],
            )
            .await?;
        for r in rows {
            let (s, cat, n): (String, String, i64) = (r.get(0), r.get(1), r.get(2));
            tx.execute(
                "UPDATE offers SET pool = pool + $3 WHERE session = $1 AND category = $2",
                &[&s, &cat, &n],
            )
            .await?;
            tx.execute(
                "UPDATE buckets SET seats_left = 0 WHERE session = $1 AND category = $2 AND replica_id = $3",
                &[&s, &cat, &self.replica],
            )
            .await?;
        }
        tx.execute("DELETE FROM replicas WHERE id = $1", &[&self.replica])
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Whether a database error is worth running the transaction again (deadlock, serialization).
pub(crate) fn retriable(e: &tokio_postgres::Error) -> bool {
    e.code().is_some_and(|c| {
        *c == tokio_postgres::error::SqlState::T_R_DEADLOCK_DETECTED
            || *c == tokio_postgres::error::SqlState::T_R_SERIALIZATION_FAILURE
    })
}

async fn migrate(c: &mut Client) -> Result<()> {
    // Two replicas starting at once: one migrates, the other waits on the lock.
    let tx = c.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock(7318008)", &[])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    )
    .await?;
    let found: i32 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            &[],
        )
        .await?
        .get(0);
    let supported = MIGRATIONS.last().map_or(0, |m| m.0);
    if found > supported {
        return Err(StoreError::NewerSchema {
            found: i64::from(found),
            supported: i64::from(supported),
        });
    }
    for (v, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > found) {
        tx.batch_execute(sql).await?;
        tx.execute("INSERT INTO schema_migrations(version) VALUES ($1)", &[v])
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// u32 from a count column (never negative in a consistent store; clamped if it were).
pub(crate) fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}
