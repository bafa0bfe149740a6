//! Opening the desk's SQLite file: refuse what is not ours before writing a byte, then WAL,
//! busy timeout, `synchronous = FULL` (a committed sale is on disk), foreign keys, migrations.
//! One writer connection with `IMMEDIATE` transactions, one read-only reader; no pool, no mutex.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::session::Session;
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::error::{Context, Error, Result};
use crate::migrate::{self, latest_version, APPLICATION_ID};
use crate::mirror::{self, Mirror, MirrorSetting, COPY_FILE, MIRROR_ENV};

/// Settings of the local store.
#[derive(Debug, Clone)]
pub struct StoreSettings {
    /// How long a write waits for another writer before failing.
    pub busy_timeout: Duration,
    /// A mirror directory that wins over the one stored in the file (from
    /// `GUICHET_DESK_MIRROR_DIR` by default).
    pub mirror_override: Option<PathBuf>,
}

impl Default for StoreSettings {
    fn default() -> Self {
        StoreSettings {
            busy_timeout: Duration::from_secs(5),
            mirror_override: std::env::var_os(MIRROR_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
        }
    }
}

/// The desk's local store: one writer, one reader, over one SQLite file.
pub struct Store {
    path: PathBuf,
    writer: Connection,
    reader: Connection,
    mirror: Option<Mirror>,
    mirror_override: Option<PathBuf>,
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
pub(crate) enum Found {
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
/// files. Writes nothing. `full` runs `integrity_check` (every index against its table) instead
/// of `quick_check`.
pub(crate) fn inspect(path: &Path, full: bool) -> Result<Found> {
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
        let pragma = if full {
            "PRAGMA integrity_check(1)"
        } else {
            "PRAGMA quick_check(1)"
        };
        let check: String = conn
            .query_row(pragma, [], |r| r.get(0))
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
        let found = inspect(&path, false)?;
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
        let before: u32 = writer
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .ctx("read schema version")?;
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
        let mut store = Store {
            path,
            writer,
            reader,
            mirror: None,
            mirror_override: settings.mirror_override.clone(),
        };
        store.load_mirror()?;
        // Journal records after a migration no longer fit the copy made before it. Best
        // effort: an unplugged mirror must not keep the desk from opening, and its next write
        // says what is wrong.
        if before != latest_version() && matches!(found, Found::Ours) {
            let _ = store.copy_to_mirror();
        }
        Ok(store)
    }

    fn load_mirror(&mut self) -> Result<()> {
        let s = mirror::setting(&self.writer, self.mirror_override.as_deref())?;
        self.mirror = s.dir.map(|dir| Mirror {
            dir,
            store_id: s.store_id,
            header_checked: false,
        });
        Ok(())
    }

    /// The mirror setting: stored directory, the one in use, the journal's position.
    pub fn mirror_setting(&self) -> Result<MirrorSetting> {
        mirror::setting(&self.reader, self.mirror_override.as_deref())
    }

    /// Sets (or, with `None`, removes) the mirror directory stored in the file. A new directory
    /// is created if missing, proved writable, and given a full copy at once, so its journal
    /// starts from a copy.
    pub fn set_mirror(&mut self, dir: Option<&Path>) -> Result<MirrorSetting> {
        if let Some(dir) = dir {
            std::fs::create_dir_all(dir)
                .map_err(|e| mirror::unwritable(dir, "create the directory", e))?;
        }
        let text = dir.map(|d| d.display().to_string());
        self.write(|tx| {
            tx.execute("UPDATE mirror SET dir = ?1 WHERE id = 1", [&text])
                .ctx("store the mirror directory")
        })?;
        self.load_mirror()?;
        self.copy_to_mirror()?;
        self.mirror_setting()
    }

    /// Makes a full copy to the mirror (backup API), then starts its journal afresh: the copy
    /// holds every record so far. Holds the write lock meanwhile so no write falls between the
    /// copy and the new journal. Returns the copy's path (none without a mirror).
    pub fn copy_to_mirror(&mut self) -> Result<Option<PathBuf>> {
        let Some(m) = self.mirror.as_mut() else {
            return Ok(None);
        };
        let tx = Transaction::new_unchecked(&self.writer, TransactionBehavior::Immediate)
            .ctx("take the write lock for the mirror copy")?;
        let copy = make_copy(&self.reader, m)?;
        tx.commit().ctx("release the write lock")?;
        Ok(Some(copy))
    }

    /// Copies the file to `dest` with SQLite's online backup API while the desk may be selling.
    pub fn backup_to(&self, dest: &Path) -> Result<()> {
        crate::backup::backup_to(&self.reader, dest)
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
    ///
    /// With a mirror, the step's changes are also appended and fsynced to the mirror's journal
    /// before the commit; if that fails the step is rolled back and nothing of it is kept.
    pub fn write<T, E: From<Error>>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        if let Some(m) = self.mirror.as_mut() {
            return write_mirrored(&self.writer, &self.reader, m, f);
        }
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

/// The full copy to the mirror and a fresh journal; the caller holds the write lock.
fn make_copy(reader: &Connection, m: &mut Mirror) -> Result<PathBuf> {
    let copy = m.dir.join(COPY_FILE);
    crate::backup::backup_to(reader, &copy).map_err(|e| match e {
        Error::Io { action, source, .. } => mirror::unwritable(&m.dir, action, source),
        Error::Sqlite { source, .. } => mirror::unwritable(
            &m.dir,
            "write the full copy",
            std::io::Error::other(source.to_string()),
        ),
        other => other,
    })?;
    mirror::restart(m)?;
    Ok(copy)
}

fn write_mirrored<T, E: From<Error>>(
    writer: &Connection,
    reader: &Connection,
    m: &mut Mirror,
    f: impl FnOnce(&Transaction<'_>) -> std::result::Result<T, E>,
) -> std::result::Result<T, E> {
    let tx = Transaction::new_unchecked(writer, TransactionBehavior::Immediate)
        .ctx("begin write transaction")?;
    let mut session = Session::new(writer).ctx("record the step for the mirror")?;
    session
        .attach::<&str>(None)
        .ctx("record the step for the mirror")?;
    let out = f(&tx)?;
    if !session.is_empty() {
        if !m.dir.join(COPY_FILE).exists() {
            // A journal starts from a copy (a new or wiped mirror).
            make_copy(reader, m)?;
        }
        let seq: i64 = tx
            .query_row(
                "UPDATE mirror SET journal_seq = journal_seq + 1 WHERE id = 1
                 RETURNING journal_seq",
                [],
                |r| r.get(0),
            )
            .ctx("number the journal record")?;
        let mut body = Vec::new();
        session
            .changeset_strm(&mut body)
            .ctx("write the step's changes")?;
        drop(session);
        mirror::append(m, seq, &body)?;
    } else {
        drop(session);
    }
    tx.commit().ctx("commit")?;
    Ok(out)
}
