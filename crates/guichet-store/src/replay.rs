//! Rebuilding a desk from its mirror: the last full copy, then the journal's records after it
//! applied in order. Idempotent: records the copy already holds (by sequence) are skipped, and
//! a record whose outbox event is already in the file (by idempotency key) is skipped whole.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use rusqlite::session::{ConflictAction, ConflictType};
use rusqlite::{Connection, OpenFlags};

use crate::backup::{backup_to, check_backup, set_aside, BackupInfo};
use crate::error::{Context, Error, Result};
use crate::mirror::{self, COPY_FILE, JOURNAL_FILE};

/// What a restore from the mirror did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MirrorRestore {
    /// The copy it started from.
    pub copy: BackupInfo,
    /// Records read from the journal.
    pub journal_records: usize,
    /// Records applied on top of the copy.
    pub replayed: usize,
    /// Records the copy already held (sequence at or below the copy's).
    pub already_in_copy: usize,
    /// Idempotency keys of events already in the file: their records were skipped.
    pub skipped_by_key: Vec<String>,
    /// Records written again under the same number (a write whose commit never happened,
    /// followed by the next write): the later one is applied.
    pub superseded: usize,
    /// Bytes at the journal's end that are not a whole record (a crash mid-append).
    pub torn_tail_bytes: usize,
    /// The last record applied (or the copy's).
    pub last_seq: i64,
    /// Orders in the rebuilt file.
    pub orders: i64,
    /// Events waiting for the server in the rebuilt file.
    pub waiting_events: i64,
    /// Where the file it replaced was put.
    pub kept_aside: Option<PathBuf>,
}

fn bad(path: &Path, reason: String) -> Error {
    Error::BadJournal {
        path: path.to_path_buf(),
        reason,
        way_out: "restore from the copy alone with `guichet-desk restore FILE` and count the sales since it by hand",
    }
}

/// What the conflict handler saw.
#[derive(Default)]
struct Seen {
    outbox_key: Option<String>,
    other: Option<String>,
}

/// Applies one record; `Ok(Some(key))` when its outbox event is already in the file.
fn apply(conn: &Connection, jpath: &Path, seq: i64, body: &[u8]) -> Result<Option<String>> {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let handler = {
        let seen = Arc::clone(&seen);
        move |kind: ConflictType, item: rusqlite::session::ChangesetItem| {
            let mut s = seen.lock().unwrap_or_else(|p| p.into_inner());
            let table = item
                .op()
                .map(|o| o.table_name().to_string())
                .unwrap_or_default();
            let is_dup = matches!(
                kind,
                ConflictType::SQLITE_CHANGESET_CONFLICT | ConflictType::SQLITE_CHANGESET_CONSTRAINT
            );
            if table == "mirror" {
                // The journal position: set once at the end of the replay.
                return ConflictAction::SQLITE_CHANGESET_OMIT;
            }
            if table == "outbox" && is_dup {
                s.outbox_key = item
                    .new_value(1)
                    .ok()
                    .and_then(|v| v.as_str().ok().map(str::to_string));
            } else {
                s.other = Some(format!("{kind:?} on table {table}"));
            }
            ConflictAction::SQLITE_CHANGESET_ABORT
        }
    };
    let mut input: &[u8] = body;
    let result = conn.apply_strm(&mut input, None::<fn(&str) -> bool>, handler);
    let seen = seen.lock().unwrap_or_else(|p| p.into_inner());
    match (result, &seen.outbox_key, &seen.other) {
        (Ok(()), _, _) => Ok(None),
        (Err(_), Some(key), None) => {
            let present: i64 = conn
                .query_row(
                    "SELECT count(*) FROM outbox WHERE idempotency_key = ?1",
                    [key],
                    |r| r.get(0),
                )
                .ctx("look the event up")?;
            if present == 1 {
                Ok(Some(key.clone()))
            } else {
                Err(bad(jpath, format!("record {seq} conflicts on the outbox")))
            }
        }
        (Err(e), _, other) => Err(bad(
            jpath,
            format!(
                "record {seq} does not apply to the copy ({}: {e})",
                other.as_deref().unwrap_or("error")
            ),
        )),
    }
}

/// Rebuilds the desk's file `live` from the mirror `dir`: the copy is checked, staged beside
/// `live`, the journal replayed into it and the result checked; only then is the live file (if
/// any) moved aside and the rebuilt one put in its place. Run with the desk stopped.
pub fn restore_from_mirror(dir: &Path, live: &Path, at: Timestamp) -> Result<MirrorRestore> {
    let copy_path = dir.join(COPY_FILE);
    let copy = check_backup(&copy_path)?;
    let jpath = dir.join(JOURNAL_FILE);
    let journal = if jpath.exists() {
        Some(mirror::read(&jpath)?)
    } else {
        None
    };
    let staged = PathBuf::from(format!("{}.restoring", live.display()));
    {
        let src = Connection::open_with_flags(&copy_path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .ctx(format!("open {}", copy_path.display()))?;
        backup_to(&src, &staged)?;
    }
    let outcome = replay_into(&staged, &jpath, journal, copy);
    let mut report = match outcome {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            return Err(e);
        }
    };
    report.kept_aside = set_aside(live, at)?;
    std::fs::rename(&staged, live).map_err(|source| Error::Io {
        action: "put the rebuilt file at",
        path: live.to_path_buf(),
        source,
    })?;
    Ok(report)
}

fn replay_into(
    staged: &Path,
    jpath: &Path,
    journal: Option<mirror::Journal>,
    copy: BackupInfo,
) -> Result<MirrorRestore> {
    let conn = Connection::open(staged).ctx(format!("open {}", staged.display()))?;
    conn.execute_batch("PRAGMA foreign_keys = ON;")
        .ctx("set pragmas")?;
    let base = copy.journal_seq;
    let mut report = MirrorRestore {
        copy,
        journal_records: 0,
        replayed: 0,
        already_in_copy: 0,
        skipped_by_key: Vec::new(),
        superseded: 0,
        torn_tail_bytes: 0,
        last_seq: base,
        orders: 0,
        waiting_events: 0,
        kept_aside: None,
    };
    if let Some(j) = journal {
        let store_id = mirror::setting(&conn, None)?.store_id;
        if j.store_id != store_id {
            return Err(bad(
                jpath,
                format!(
                    "it belongs to store {}, the copy is store {store_id}",
                    j.store_id
                ),
            ));
        }
        report.journal_records = j.records.len();
        report.torn_tail_bytes = j.torn_tail;
        let mut by_seq = BTreeMap::new();
        for (seq, body) in j.records {
            if by_seq.insert(seq, body).is_some() {
                report.superseded += 1;
            }
        }
        report.already_in_copy = by_seq.range(..=base).count();
        conn.execute_batch("BEGIN IMMEDIATE;").ctx("begin replay")?;
        for (seq, body) in by_seq.range(base + 1..) {
            if *seq != report.last_seq + 1 {
                return Err(bad(
                    jpath,
                    format!("records {} to {} are missing", report.last_seq + 1, seq - 1),
                ));
            }
            match apply(&conn, jpath, *seq, body)? {
                Some(key) => report.skipped_by_key.push(key),
                None => report.replayed += 1,
            }
            report.last_seq = *seq;
        }
        conn.execute(
            "UPDATE mirror SET journal_seq = ?1 WHERE id = 1",
            [report.last_seq],
        )
        .ctx("record the journal position")?;
        conn.execute_batch("COMMIT;").ctx("commit replay")?;
    }
    let check: String = conn
        .query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))
        .ctx("check the rebuilt file")?;
    let fk: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .ctx("check the rebuilt file's references")?;
    if check != "ok" || fk != 0 {
        return Err(bad(
            jpath,
            format!("the rebuilt file fails its checks ({check}, {fk} broken references)"),
        ));
    }
    let count = |sql: &str| -> Result<i64> { conn.query_row(sql, [], |r| r.get(0)).ctx(sql) };
    report.orders = count("SELECT count(*) FROM sale_order")?;
    report.waiting_events =
        count("SELECT count(*) FROM outbox WHERE pushed_at IS NULL AND rejected_at IS NULL")?;
    drop(conn);
    std::fs::File::open(staged)
        .and_then(|f| f.sync_all())
        .map_err(|source| Error::Io {
            action: "fsync",
            path: staged.to_path_buf(),
            source,
        })?;
    Ok(report)
}
