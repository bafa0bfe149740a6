//! The server's database for one system test, on either store: a temporary SQLite file, or a
//! fresh PostgreSQL database (`CREATE DATABASE` on the cluster the PG* variables name, as
//! `pg_virtualenv` sets them for the README's `cargo xtask test`), dropped at the end. Plus the
//! replicas: several real server processes on one database, each on its own free port, that a
//! test kills, stops (SIGSTOP), resumes and restarts.

use std::ffi::OsStr;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{ServerProcess, NOW};

/// Which store the server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One test's database; what `--db` takes is its `AsRef<OsStr>`.
pub struct Db {
    pub backend: Backend,
    arg: String,
    _dir: Option<tempfile::TempDir>,
    pg: Option<PgDb>,
}

impl Db {
    pub fn new(backend: Backend) -> Db {
        match backend {
            Backend::Sqlite => {
                let (dir, path) = super::temp_db();
                Db {
                    backend,
                    arg: path.to_str().unwrap().to_string(),
                    _dir: Some(dir),
                    pg: None,
                }
            }
            Backend::Postgres => {
                let pg = PgDb::create();
                Db {
                    backend,
                    arg: pg.url.clone(),
                    _dir: None,
                    pg: Some(pg),
                }
            }
        }
    }

    /// Runs SQL on the database and returns its rows, one a line, columns joined by `|`:
    /// `psql` on PostgreSQL, the `sqlite3` shell on SQLite.
    pub fn sql(&self, query: &str) -> String {
        match &self.pg {
            Some(pg) => pg.sql(query),
            None => {
                let out = Command::new("sqlite3")
                    .args(["-bail", &self.arg, query])
                    .output()
                    .expect("this test needs the sqlite3 shell (apt-get install sqlite3)");
                assert!(
                    out.status.success(),
                    "sqlite3 {query}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                String::from_utf8(out.stdout).unwrap().trim().to_string()
            }
        }
    }

    /// A query answering one integer.
    pub fn count(&self, query: &str) -> i64 {
        let s = self.sql(query);
        s.parse()
            .unwrap_or_else(|_| panic!("{query} answered {s:?}, not one integer"))
    }
}

impl AsRef<OsStr> for Db {
    fn as_ref(&self) -> &OsStr {
        OsStr::new(&self.arg)
    }
}

/// A PG* variable; a test that needs PostgreSQL fails without it (never passes unseen).
fn pg_env(key: &str) -> String {
    std::env::var(key).unwrap_or_else(|_| {
        panic!(
            "this test needs PostgreSQL and {key} is not set: run it inside a throwaway cluster, \
             `pg_virtualenv -t -o fsync=on -o max_connections=400 cargo test -p guichet-system-tests` \
             (Debian's postgresql-common; the README's `cargo xtask test` does it)"
        )
    })
}

/// A database of its own on the cluster of the PG* variables; dropped (with its sessions)
/// when dropped.
pub struct PgDb {
    pub name: String,
    pub url: String,
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

impl PgDb {
    pub fn create() -> PgDb {
        let (host, user, password) = (pg_env("PGHOST"), pg_env("PGUSER"), pg_env("PGPASSWORD"));
        let port = std::env::var("PGPORT").unwrap_or_else(|_| "5432".into());
        let name = format!(
            "guichet_t{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        psql(&maintenance_db(), &format!("CREATE DATABASE {name}"));
        let url = format!("postgres://{user}:{password}@{host}:{port}/{name}");
        PgDb { name, url }
    }

    pub fn sql(&self, query: &str) -> String {
        psql(&self.name, query)
    }
}

/// Where a PostgreSQL server of the test keeps the account-card key the replicas share
/// (`GUICHET_SERVER_CARD_KEY_DIR`; by default it would be the working directory, the repo):
/// one directory a database, removed with it. None for a SQLite file (the key sits beside it).
pub fn card_key_dir(db: &OsStr) -> Option<std::path::PathBuf> {
    let url = db.to_str()?;
    if !url.starts_with("postgres://") {
        return None;
    }
    let name = url.rsplit('/').next()?;
    Some(std::env::temp_dir().join(format!("guichet-test-card-key-{name}")))
}

impl Drop for PgDb {
    fn drop(&mut self) {
        if let Some(dir) = card_key_dir(OsStr::new(&self.url)) {
            let _ = std::fs::remove_dir_all(dir);
        }
        let _ = Command::new("psql")
            .args(["-X", "-q", "-d", &maintenance_db(), "-c"])
            .arg(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .output();
    }
}

fn maintenance_db() -> String {
    std::env::var("PGDATABASE").unwrap_or_else(|_| "postgres".into())
}

fn psql(db: &str, query: &str) -> String {
    let out = Command::new("psql")
        .args([
            "-X",
            "-A",
            "-t",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            db,
            "-c",
            query,
        ])
        .output()
        .expect("this test needs psql (apt-get install postgresql-client-15)");
    assert!(
        out.status.success(),
        "psql on {db}: {query}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Server processes on one database, each on a free 127.0.0.1 port of its own.
pub struct Replicas {
    pub servers: Vec<Option<ServerProcess>>,
    pub listen: Vec<String>,
}

impl Replicas {
    /// `n` replicas, started one after the other (the first makes the schema and imports the
    /// catalogue), with more `serve` options.
    pub fn start(db: &Db, n: usize, more: &[&str]) -> Replicas {
        let mut servers = Vec::new();
        let mut listen = Vec::new();
        for _ in 0..n {
            let s = ServerProcess::start_with(db, "127.0.0.1:0", NOW, more);
            listen.push(s.base.trim_start_matches("http://").to_string());
            servers.push(Some(s));
        }
        Replicas { servers, listen }
    }

    /// The base URLs of the replicas (dead ones included: clients find them refusing).
    pub fn bases(&self) -> Vec<String> {
        self.listen.iter().map(|l| format!("http://{l}")).collect()
    }

    pub fn pid(&self, i: usize) -> u32 {
        self.servers[i]
            .as_ref()
            .unwrap_or_else(|| panic!("replica {i} is not running"))
            .child
            .id()
    }

    /// SIGKILL, no chance to tidy up.
    pub fn kill(&mut self, i: usize) {
        if let Some(s) = self.servers[i].take() {
            s.kill();
        }
    }

    /// Sends `sig` ("STOP", "CONT", ...) to replica `i`.
    pub fn signal(&self, i: usize, sig: &str) {
        let st = Command::new("kill")
            .args([&format!("-{sig}"), &self.pid(i).to_string()])
            .status()
            .unwrap();
        assert!(st.success(), "kill -{sig} replica {i}: {st}");
    }

    /// Starts replica `i` again on its own port.
    pub fn restart(&mut self, db: &Db, i: usize, more: &[&str]) {
        self.kill(i);
        self.servers[i] = Some(ServerProcess::start_with(db, &self.listen[i], NOW, more));
    }
}

/// Offers breaking the PostgreSQL store's invariant, one line each (empty: it holds). Every
/// seat is in one place: `pool + Σ buckets.seats_left + lent + sold + Σ buckets.sold =
/// capacity + oversold` (the same sum as `store_pg::invariant_violations`), the pool never
/// below 0, and the sold counts are the valid tickets.
pub fn pg_invariant_broken(db: &Db) -> String {
    db.sql(
        "WITH b AS (SELECT session, category, sum(seats_left) AS left_, sum(sold) AS sold
                   FROM buckets GROUP BY 1, 2),
              t AS (SELECT session, category, count(*) AS n FROM tickets
                   WHERE status = 'valid' GROUP BY 1, 2)
         SELECT o.session || ' ' || o.category || ': pool ' || o.pool || ' + buckets '
                || coalesce(b.left_, 0) || ' + lent ' || o.lent || ' + sold '
                || (o.sold + coalesce(b.sold, 0)) || ' vs capacity ' || o.capacity
                || ' + oversold ' || o.oversold || '; valid tickets ' || coalesce(t.n, 0)
         FROM offers o LEFT JOIN b USING (session, category) LEFT JOIN t USING (session, category)
         WHERE o.pool + coalesce(b.left_, 0) + o.lent + o.sold + coalesce(b.sold, 0)
               <> o.capacity + o.oversold
            OR o.pool < 0
            OR o.sold + coalesce(b.sold, 0) <> coalesce(t.n, 0)",
    )
}

/// Orders without a ticket, or whose account or offers have no row in the change feed, one
/// line each (empty: none).
pub fn pg_orphans(db: &Db) -> String {
    db.sql(
        "SELECT 'order ' || o.id || ' has no ticket' FROM orders o
         WHERE NOT EXISTS (SELECT 1 FROM tickets t WHERE t.order_id = o.id)
         UNION ALL
         SELECT 'order ' || o.id || ': no account change for ' || o.account_id FROM orders o
         WHERE NOT EXISTS (SELECT 1 FROM changes c WHERE c.kind = 'account' AND c.key = o.account_id)
         UNION ALL
         SELECT DISTINCT 'order ' || t.order_id || ': no offer change for ' || t.session || '|' || t.category
         FROM tickets t
         WHERE NOT EXISTS (SELECT 1 FROM changes c WHERE c.kind = 'offer'
                           AND c.key = t.session || '|' || t.category)",
    )
}
