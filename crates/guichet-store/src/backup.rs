//! Copies of the desk's file: SQLite's online backup API (a consistent snapshot while the desk
//! keeps selling), the checks a file passes before `restore` uses it, and a restore that keeps
//! the file it replaces aside.

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use crate::error::{Context, Error, Result};
use crate::mirror::{journal_seq_of, sync_dir};
use crate::store::{inspect, Found};

/// What a checked backup holds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BackupInfo {
    /// The file.
    pub path: PathBuf,
    /// Its schema version.
    pub schema_version: u32,
    /// Orders in it.
    pub orders: i64,
    /// Outbox events not yet accepted by the server.
    pub waiting_events: i64,
    /// The last mirror journal record it holds.
    pub journal_seq: i64,
}

fn io<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> Error + 'a {
    move |source| Error::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// Copies the database open on `src` to `dest` with SQLite's online backup API: written to
/// `dest.tmp`, fsynced, then renamed, so `dest` is always either the old copy or the whole new
/// one. Other connections keep writing meanwhile; the copy is one committed state.
pub fn backup_to(src: &Connection, dest: &Path) -> Result<()> {
    let tmp = PathBuf::from(format!("{}.tmp", dest.display()));
    let _ = std::fs::remove_file(&tmp);
    {
        let mut out = Connection::open(&tmp).ctx(format!("create {}", tmp.display()))?;
        let backup = Backup::new(src, &mut out).ctx("start the backup")?;
        // All pages in one step: a step restarts if a writer commits between steps, and one
        // step holds a read snapshot only, so writers are never blocked.
        let mut waits = 0;
        loop {
            match backup.step(-1).ctx("copy the pages")? {
                StepResult::Done => break,
                // Another connection holds a lock for a moment: wait, up to 10 s in all.
                _ if waits < 1000 => {
                    waits += 1;
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                other => {
                    return Err(Error::Io {
                        action: "copy the pages",
                        path: tmp.clone(),
                        source: std::io::Error::other(format!("still {other:?} after 10 s")),
                    })
                }
            }
        }
        drop(backup);
        // The copy stands alone: no WAL beside it.
        out.execute_batch("PRAGMA journal_mode = DELETE;")
            .ctx("make the copy self-contained")?;
    }
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(io("fsync", &tmp))?;
    std::fs::rename(&tmp, dest).map_err(io("rename the copy to", dest))?;
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        sync_dir(dir).map_err(io("fsync directory", dir))?;
    }
    Ok(())
}

/// Checks a file before a restore uses it: a Guichet desk database (application id), whole
/// (`integrity_check`), of a schema this build knows. Writes nothing.
pub fn check_backup(path: &Path) -> Result<BackupInfo> {
    let bad = |reason: String, way_out| Error::BadBackup {
        path: path.to_path_buf(),
        reason,
        way_out,
    };
    if !path.exists() {
        return Err(bad(
            "there is no such file".into(),
            "give the path of a file made by `guichet-desk backup FILE`",
        ));
    }
    match inspect(path, true) {
        Ok(Found::Ours) => {}
        Ok(Found::Fresh) => {
            return Err(bad(
                "it is empty, no desk is in it".into(),
                "give the path of a file made by `guichet-desk backup FILE`",
            ))
        }
        Err(Error::NewerSchema {
            found, supported, ..
        }) => {
            return Err(bad(
                format!(
                    "a newer Guichet wrote it (schema {found}, this one knows up to {supported})"
                ),
                "restore it with that newer Guichet, or update this one first",
            ))
        }
        Err(Error::NotADeskStore { reason, .. }) => {
            return Err(bad(
                reason,
                "use another copy (the mirror's copy, an older backup)",
            ))
        }
        Err(e) => return Err(e),
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .ctx(format!("open {}", path.display()))?;
    let count = |sql: &str| -> Result<i64> { conn.query_row(sql, [], |r| r.get(0)).ctx(sql) };
    let schema_version = u32::try_from(count("PRAGMA user_version")?).unwrap_or(0);
    Ok(BackupInfo {
        path: path.to_path_buf(),
        schema_version,
        orders: count("SELECT count(*) FROM sale_order")?,
        waiting_events: count(
            "SELECT count(*) FROM outbox WHERE pushed_at IS NULL AND rejected_at IS NULL",
        )?,
        journal_seq: journal_seq_of(&conn)?,
    })
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Restored {
    /// What the restored file holds.
    pub backup: BackupInfo,
    /// Where the file it replaced was put (none if there was no file).
    pub kept_aside: Option<PathBuf>,
}

/// Moves the live file (and its WAL) aside as `<live>.before-restore-<at>`; returns that path.
pub(crate) fn set_aside(live: &Path, at: Timestamp) -> Result<Option<PathBuf>> {
    if !live.exists() {
        return Ok(None);
    }
    let stamp = at.strftime("%Y%m%dT%H%M%SZ").to_string();
    let aside = PathBuf::from(format!("{}.before-restore-{stamp}", live.display()));
    for suffix in ["-wal", "-shm"] {
        let from = PathBuf::from(format!("{}{suffix}", live.display()));
        if from.exists() {
            let to = PathBuf::from(format!("{}{suffix}", aside.display()));
            std::fs::rename(&from, &to).map_err(io("set aside", &from))?;
        }
    }
    std::fs::rename(live, &aside).map_err(io("set aside", live))?;
    Ok(Some(aside))
}

/// Restores `from` as the desk's file `live`: checks it first (refusing with the reason and
/// the way out), keeps the live file aside, never overwrites it. Run with the desk stopped.
pub fn restore_file(from: &Path, live: &Path, at: Timestamp) -> Result<Restored> {
    let backup = check_backup(from)?;
    let src = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .ctx(format!("open {}", from.display()))?;
    let staged = PathBuf::from(format!("{}.restoring", live.display()));
    backup_to(&src, &staged)?;
    let kept_aside = set_aside(live, at)?;
    std::fs::rename(&staged, live).map_err(io("put the restored file at", live))?;
    Ok(Restored { backup, kept_aside })
}
