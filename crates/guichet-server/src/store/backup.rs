//! The server's backups: SQLite's online backup API while the server serves, a check before a
//! restore uses a file, and a restore that keeps the file it replaces aside.

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

/// `PRAGMA application_id` of a Guichet server database ("GUIS", migration 0007).
pub const APPLICATION_ID: i64 = 0x4755_4953;

/// What a checked backup holds.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BackupInfo {
    /// The file.
    pub path: PathBuf,
    /// Its schema version.
    pub schema_version: i64,
    /// Orders in it.
    pub orders: i64,
    /// Devices enrolled.
    pub devices: i64,
}

/// Copies the database at `src` to `dest` (written to `dest.tmp`, fsynced, renamed): one
/// committed state, taken while the server keeps writing.
pub fn backup(src: &Path, dest: &Path) -> Result<BackupInfo, String> {
    let from = Connection::open_with_flags(src, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| format!("cannot open {}: {e}", src.display()))?;
    copy(&from, dest)?;
    check(dest)
}

fn copy(from: &Connection, dest: &Path) -> Result<(), String> {
    let tmp = PathBuf::from(format!("{}.tmp", dest.display()));
    let _ = std::fs::remove_file(&tmp);
    let fail = |e: &dyn std::fmt::Display| format!("cannot write {}: {e}", tmp.display());
    {
        let mut out = Connection::open(&tmp).map_err(|e| fail(&e))?;
        let b = Backup::new(from, &mut out).map_err(|e| fail(&e))?;
        let mut waits = 0;
        loop {
            match b.step(-1).map_err(|e| fail(&e))? {
                StepResult::Done => break,
                _ if waits < 1000 => {
                    waits += 1;
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                other => return Err(fail(&format!("the database stayed {other:?} for 10 s"))),
            }
        }
        drop(b);
        out.execute_batch("PRAGMA journal_mode = DELETE;")
            .map_err(|e| fail(&e))?;
    }
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .and_then(|()| std::fs::rename(&tmp, dest))
        .map_err(|e| fail(&e))?;
    Ok(())
}

/// Checks a file before a restore uses it: a Guichet server database, whole, of a schema this
/// server knows. Each refusal names the problem and the way out.
pub fn check(path: &Path) -> Result<BackupInfo, String> {
    let refuse = |why: String, way_out: &str| {
        format!("{} cannot be restored: {why} — {way_out}", path.display())
    };
    let other = "give a file made by `guichet-server backup FILE`";
    if !path.is_file() {
        return Err(refuse("there is no such file".into(), other));
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| refuse(format!("SQLite cannot open it ({e})"), other))?;
    let int = |sql: &str| -> Result<i64, String> {
        conn.query_row(sql, [], |r| r.get(0))
            .map_err(|e| refuse(format!("SQLite cannot read it ({e})"), other))
    };
    let version = int("PRAGMA user_version")?;
    let app = int("PRAGMA application_id")?;
    // Files made before migration 0007 carry no id: they are known by their tables.
    let ours = app == APPLICATION_ID
        || (app == 0
            && version > 0
            && int("SELECT count(*) FROM sqlite_master WHERE name IN ('orders', 'sync_events')")?
                == 2);
    if !ours {
        return Err(refuse(
            format!("it is not a Guichet server database (application id {app:#x})"),
            other,
        ));
    }
    let supported = super::schema_version();
    if version > supported {
        return Err(refuse(
            format!("a newer server wrote it (schema {version}, this one knows up to {supported})"),
            "restore it with that newer server, or upgrade this one first",
        ));
    }
    let integrity: String = conn
        .query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))
        .map_err(|e| refuse(format!("SQLite cannot check it ({e})"), other))?;
    if integrity != "ok" {
        return Err(refuse(
            format!("it is damaged ({integrity})"),
            "use an older backup",
        ));
    }
    Ok(BackupInfo {
        path: path.to_path_buf(),
        schema_version: version,
        orders: int("SELECT count(*) FROM orders")?,
        devices: int("SELECT count(*) FROM devices")?,
    })
}

/// Restores `from` as the server's database `live`, after [`check`]; the live file (with its
/// WAL) is moved to `<live>.before-restore-<at>`, never overwritten. Run with the server
/// stopped. Returns what was restored and where the old file went.
pub fn restore(
    from: &Path,
    live: &Path,
    at: Timestamp,
) -> Result<(BackupInfo, Option<PathBuf>), String> {
    let info = check(from)?;
    let staged = PathBuf::from(format!("{}.restoring", live.display()));
    let src = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| format!("cannot open {}: {e}", from.display()))?;
    copy(&src, &staged)?;
    let mut aside = None;
    if live.exists() {
        let stamp = at.strftime("%Y%m%dT%H%M%SZ").to_string();
        let to = PathBuf::from(format!("{}.before-restore-{stamp}", live.display()));
        for suffix in ["-wal", "-shm"] {
            let f = PathBuf::from(format!("{}{suffix}", live.display()));
            if f.exists() {
                std::fs::rename(&f, format!("{}{suffix}", to.display()))
                    .map_err(|e| format!("cannot set {} aside: {e}", f.display()))?;
            }
        }
        std::fs::rename(live, &to)
            .map_err(|e| format!("cannot set {} aside: {e}", live.display()))?;
        aside = Some(to);
    }
    std::fs::rename(&staged, live)
        .map_err(|e| format!("cannot put the restored file at {}: {e}", live.display()))?;
    Ok((info, aside))
}
