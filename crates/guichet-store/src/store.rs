//! Opening the desk's SQLite file: refuse what is not ours before writing a byte, then WAL,
//! busy timeout, `synchronous = FULL` (a committed sale is on disk), foreign keys, migrations.
//! One writer connection with `IMMEDIATE` transactions, one read-only reader; no pool, no mutex.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::error::{Context, Error, Result};
use crate::migrate::{self, latest_version, APPLICATION_ID};

/// Settings of the local store.
#[derive(Debug, Clone)]
pub struct StoreSettings {
    /// How long a write waits for another writer before failing.
    pub busy_timeout: Duration,
}

impl Default for StoreSettings {
    fn default() -> Self {
        StoreSettings {
            busy_timeout: Duration::from_secs(5),
        }
    }
}

/// The desk's local store: one writer, one reader, over one SQLite file.
pub struct Store {
    path: PathBuf,
    writer: Connection,
    reader: Connection,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// The default file: `<OS data directory>/guichet/desk.sqlite` (XDG on Linux, Application
/// Support on macOS, `%APPDATA%` on Windows). A setting may point elsewhere.
pub fn default_path() -> PathBuf {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let base = if cfg!(target_os = "windows") {
        std::env::var_os("APPDATA").map(PathBuf::from)
    } else if cfg!(target_os = "macos") {
        home.map(|h| h.join("Library/Application Support"))
    } else {
        std::env::var_os("XDG_DATA_HOME")
            .map(PathBuf::from)
            .or_else(|| home.map(|h| h.join(".local/share")))
    };
    base.unwrap_or_else(|| PathBuf::from("."))
        .join("guichet")
        .join("desk.sqlite")
}

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// What the file is, found by reading it without writing.
enum Found {
    Fresh,
    Ours,
}

fn not_ours(path: &Path, reason: impl Into<String>) -> Error {
    Error::NotADeskStore {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Reads the header and, read-only, the schema version, refusing foreign, truncated and newer
/// files. Writes nothing.
fn inspect(path: &Path) -> Result<Found> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Fresh),
        Err(source) => {
            return Err(Error::Io {
                action: "open",
                path: path.into(),
                source,
            })
        }
    };
    let len = file
        .metadata()
        .map_err(|source| Error::Io {
            action: "stat",
            path: path.into(),
            source,
        })?
        .len();
    if len == 0 {
        return Ok(Found::Fresh);
    }
    let mut header = [0u8; 100];
    if len < 100 || file.read_exact(&mut header).is_err() {
        return Err(not_ours(
            path,
            format!("only {len} bytes, shorter than a SQLite header"),
        ));
    }
    if &header[..16] != SQLITE_MAGIC {
        return Err(not_ours(path, "not a SQLite file: wrong header"));
    }
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536,
        n => u64::from(n),
    };
    let pages = u64::from(u32::from_be_bytes([
        header[28], header[29], header[30], header[31],
    ]));
    // A checkpoint cut short by a crash can leave the main file shorter than its header says
    // while the WAL beside it still holds those pages: SQLite completes it on open, and
    // `quick_check` below still catches real damage. Only without a WAL is short truncated.
    let wal_len = std::fs::metadata(format!("{}-wal", path.display())).map_or(0, |m| m.len());
    if pages > 0 && len < page_size * pages && wal_len == 0 {
        return Err(not_ours(
            path,
            format!("truncated: {len} bytes, its header says {pages} pages of {page_size}"),
        ));
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| not_ours(path, format!("SQLite cannot open it: {e}")))?;
    let read = |sql: &str| -> Result<i64> {
        conn.query_row(sql, [], |r| r.get(0))
            .map_err(|e| not_ours(path, format!("SQLite cannot read it: {e}")))
    };
    let app_id = read("PRAGMA application_id")?;
    let version = read("PRAGMA user_version")?;
    let objects = read("SELECT count(*) FROM sqlite_master")?;
    if app_id == i64::from(APPLICATION_ID) {
        let found = u32::try_from(version).unwrap_or(u32::MAX);
        if found > latest_version() {
            return Err(Error::NewerSchema {
                path: path.into(),
                found,
                supported: latest_version(),
            });
        }
        // A full pass over the b-trees finds damage the size check cannot.
        let check: String = conn
            .query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
            .map_err(|e| not_ours(path, format!("SQLite cannot check it: {e}")))?;
        if check != "ok" {
            return Err(not_ours(path, format!("damaged: {check}")));
        }
        return Ok(Found::Ours);
    }
    if app_id == 0 && version == 0 && objects == 0 {
        return Ok(Found::Fresh);
    }
    Err(not_ours(
        path,
        format!("another program's database: application id {app_id:#x}, {objects} schema objects"),
    ))
}

fn configure(conn: &Connection, settings: &StoreSettings) -> Result<()> {
    conn.busy_timeout(settings.busy_timeout)
        .ctx("set busy timeout")?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
    )
    .ctx("set connection pragmas")
}

impl Store {
    /// Opens (or creates) the store at `path` with default settings.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        Store::open_with(path, &StoreSettings::default())
    }

    /// Opens (or creates) the store at `path`. A foreign, truncated or newer-schema file is
    /// refused with a typed error before anything is written to it.
    pub fn open_with(path: impl AsRef<Path>, settings: &StoreSettings) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        let found = inspect(&path)?;
        if let (Found::Fresh, Some(dir)) = (&found, path.parent()) {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|source| Error::Io {
                    action: "create directory",
                    path: dir.into(),
                    source,
                })?;
            }
        }
        let mut writer = Connection::open(&path).ctx(format!("open {}", path.display()))?;
        configure(&writer, settings)?;
        migrate::migrate(&mut writer)?;
        let reader = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .ctx("open reader")?;
        reader
            .busy_timeout(settings.busy_timeout)
            .ctx("set reader busy timeout")?;
        reader
            .execute_batch("PRAGMA query_only = ON;")
            .ctx("set reader pragmas")?;
        Ok(Store {
            path,
            writer,
            reader,
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The read-only connection, for look-ups and reports.
    pub fn reader(&self) -> &Connection {
        &self.reader
    }

    /// Runs `f` in one `IMMEDIATE` transaction on the writer: committed (and fsynced) if `f`
    /// returns `Ok`, rolled back otherwise.
    pub fn write<T, E: From<Error>>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let tx = self
            .writer
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .ctx("begin write transaction")?;
        let out = f(&tx)?;
        tx.commit().ctx("commit")?;
        Ok(out)
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<u32> {
        self.reader
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .ctx("read schema version")
    }
}
