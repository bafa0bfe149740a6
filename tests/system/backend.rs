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

impl Drop for PgDb {
    fn drop(&mut self) {
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
