//! The second location (a USB stick, a second disk): a journal of every write, appended and
//! fsynced there before the write commits, and a full copy made at shift close. Together they
//! rebuild the desk when its own disk dies (`replay.rs`; format in docs/backups.md).
//!
//! The journal file starts with a header line `GUICHET-DESK-JOURNAL 1 <store id>\n`, then holds
//! records `b"REC1"`, sequence (u64 LE), length (u32 LE), CRC-32 of sequence, length and body
//! (u32 LE), body: the SQLite session changeset of one write transaction (every row it
//! inserted, updated or deleted: the order, its tickets, payments, the allotment taken, the
//! ledger row and the outbox event).

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension};

use crate::error::{Context, Error, Result};

/// The journal's file name inside the mirror directory.
pub const JOURNAL_FILE: &str = "guichet-desk.journal";
/// The last full copy's file name inside the mirror directory.
pub const COPY_FILE: &str = "guichet-desk-copy.sqlite";
/// The variable that overrides the mirror directory stored in the desk's file.
pub const MIRROR_ENV: &str = "GUICHET_DESK_MIRROR_DIR";

const HEADER_PREFIX: &str = "GUICHET-DESK-JOURNAL 1 ";
const RECORD_MAGIC: &[u8; 4] = b"REC1";
const RECORD_HEAD: usize = 4 + 8 + 4 + 4;

/// The mirror this store writes to.
#[derive(Debug, Clone)]
pub(crate) struct Mirror {
    pub(crate) dir: PathBuf,
    pub(crate) store_id: String,
    /// The journal's header was read and names this store (checked once per open).
    pub(crate) header_checked: bool,
}

/// The mirror's settings as stored in the desk's file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MirrorSetting {
    /// The directory stored in the file (`guichet-desk mirror set`).
    pub stored_dir: Option<PathBuf>,
    /// The directory in use: the environment's override, else the stored one.
    pub dir: Option<PathBuf>,
    /// Names this store in the journal's header.
    pub store_id: String,
    /// The last journal record written.
    pub journal_seq: i64,
}

/// Reads the mirror row (schema 6 and later); `override_dir` wins over the stored directory.
pub fn setting(conn: &Connection, override_dir: Option<&Path>) -> Result<MirrorSetting> {
    let (dir, store_id, journal_seq): (Option<String>, String, i64) = conn
        .query_row(
            "SELECT dir, store_id, journal_seq FROM mirror WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .ctx("read the mirror setting")?;
    let stored_dir = dir.map(PathBuf::from);
    Ok(MirrorSetting {
        dir: override_dir.map(Path::to_path_buf).or(stored_dir.clone()),
        stored_dir,
        store_id,
        journal_seq,
    })
}

/// The last journal record a desk file holds (0 before schema 6, or before any mirror).
pub fn journal_seq_of(conn: &Connection) -> Result<i64> {
    let has: Option<String> = conn
        .query_row(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'mirror'",
            [],
            |r| r.get(0),
        )
        .optional()
        .ctx("look for the mirror table")?;
    if has.is_none() {
        return Ok(0);
    }
    conn.query_row("SELECT journal_seq FROM mirror WHERE id = 1", [], |r| {
        r.get(0)
    })
    .ctx("read the journal sequence")
}

pub(crate) fn unwritable(dir: &Path, action: &'static str, source: std::io::Error) -> Error {
    Error::MirrorUnwritable {
        dir: dir.to_path_buf(),
        action,
        source,
    }
}

/// fsyncs a directory, so a file created or renamed in it survives a power cut.
pub(crate) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

fn crc(seq: u64, body: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(&seq.to_le_bytes());
    h.update(&u32::try_from(body.len()).unwrap_or(u32::MAX).to_le_bytes());
    h.update(body);
    h.finalize()
}

/// Appends one record and fsyncs it; writes the header first into a new journal, and refuses a
/// journal that belongs to another store.
pub(crate) fn append(m: &mut Mirror, seq: i64, body: &[u8]) -> Result<()> {
    let path = m.dir.join(JOURNAL_FILE);
    let io = |action, e| unwritable(&m.dir, action, e);
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .read(true)
        .open(&path)
        .map_err(|e| io("open the journal", e))?;
    let len = file
        .metadata()
        .map_err(|e| io("stat the journal", e))?
        .len();
    let mut out = Vec::with_capacity(RECORD_HEAD + body.len() + 64);
    if len == 0 {
        out.extend_from_slice(format!("{HEADER_PREFIX}{}\n", m.store_id).as_bytes());
    } else if !m.header_checked {
        let found = read_header(&mut file).map_err(|e| io("read the journal's header", e))?;
        if found.as_deref() != Some(m.store_id.as_str()) {
            return Err(Error::BadJournal {
                path,
                reason: format!(
                    "it belongs to another desk (store {}), this desk is store {}",
                    found.unwrap_or_else(|| "unreadable".into()),
                    m.store_id
                ),
                way_out: "give each desk its own mirror directory (`guichet-desk mirror set DIR`)",
            });
        }
    }
    let seq = u64::try_from(seq).unwrap_or(0);
    let body_len = u32::try_from(body.len()).map_err(|_| {
        io(
            "size a journal record",
            std::io::Error::other("a write larger than 4 GiB"),
        )
    })?;
    out.extend_from_slice(RECORD_MAGIC);
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(&body_len.to_le_bytes());
    out.extend_from_slice(&crc(seq, body).to_le_bytes());
    out.extend_from_slice(body);
    // One write call under the store's write lock: records of two processes never interleave.
    file.write_all(&out)
        .map_err(|e| io("append to the journal", e))?;
    file.sync_data().map_err(|e| io("fsync the journal", e))?;
    if len == 0 {
        sync_dir(&m.dir).map_err(|e| io("fsync the mirror directory", e))?;
    }
    m.header_checked = true;
    Ok(())
}

fn read_header(file: &mut File) -> std::io::Result<Option<String>> {
    use std::io::Seek;
    file.seek(std::io::SeekFrom::Start(0))?;
    let mut buf = vec![0u8; HEADER_PREFIX.len() + 64];
    let n = file.read(&mut buf)?;
    let text = String::from_utf8_lossy(&buf[..n]);
    Ok(text
        .strip_prefix(HEADER_PREFIX)
        .and_then(|rest| rest.split('\n').next())
        .map(str::to_string))
}

/// Starts a new, empty journal (header only) in place of the old one: called under the write
/// lock right after a full copy made the old records redundant.
pub(crate) fn restart(m: &mut Mirror) -> Result<()> {
    let tmp = m.dir.join(format!("{JOURNAL_FILE}.new"));
    let io = |action, e| unwritable(&m.dir, action, e);
    let mut f = File::create(&tmp).map_err(|e| io("create the new journal", e))?;
    f.write_all(format!("{HEADER_PREFIX}{}\n", m.store_id).as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| io("write the new journal", e))?;
    std::fs::rename(&tmp, m.dir.join(JOURNAL_FILE)).map_err(|e| io("replace the journal", e))?;
    sync_dir(&m.dir).map_err(|e| io("fsync the mirror directory", e))?;
    m.header_checked = true;
    Ok(())
}

/// A journal as read back.
#[derive(Debug)]
pub struct Journal {
    /// The store its header names.
    pub store_id: String,
    /// Records in file order: sequence and changeset.
    pub records: Vec<(i64, Vec<u8>)>,
    /// Bytes at the end that are not a whole record (a crash during an append: that write
    /// never committed, since the record is fsynced before the commit).
    pub torn_tail: usize,
}

/// Reads a journal. A record cut short at the very end is reported in `torn_tail`; a record
/// with a bad checksum followed by more data is damage and refused.
pub fn read(path: &Path) -> Result<Journal> {
    let bad = |reason: String| {
        Error::BadJournal {
        path: path.to_path_buf(),
        reason,
        way_out: "restore from the copy alone with `guichet-desk restore FILE`, then count the sales since the copy by hand",
    }
    };
    let bytes = std::fs::read(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
    let Some(nl) = bytes.iter().position(|&b| b == b'\n') else {
        return Err(bad("no header line".into()));
    };
    let header = String::from_utf8_lossy(&bytes[..nl]);
    let Some(store_id) = header.strip_prefix(HEADER_PREFIX) else {
        return Err(bad(format!(
            "its header {header:?} is not a Guichet desk journal's"
        )));
    };
    let mut records = Vec::new();
    let mut at = nl + 1;
    while at < bytes.len() {
        let rest = &bytes[at..];
        if rest.len() < RECORD_HEAD {
            break;
        }
        let word = |i: usize| u32::from_le_bytes([rest[i], rest[i + 1], rest[i + 2], rest[i + 3]]);
        let seq = u64::from_le_bytes(rest[4..12].try_into().unwrap_or([0; 8]));
        let len = word(12) as usize;
        if &rest[..4] != RECORD_MAGIC {
            return Err(bad(format!("no record starts at byte {at}")));
        }
        if rest.len() < RECORD_HEAD + len {
            break;
        }
        let body = &rest[RECORD_HEAD..RECORD_HEAD + len];
        if crc(seq, body) != word(16) {
            if rest.len() == RECORD_HEAD + len {
                break;
            }
            return Err(bad(format!(
                "record {seq} at byte {at} fails its checksum and more records follow"
            )));
        }
        records.push((i64::try_from(seq).unwrap_or(i64::MAX), body.to_vec()));
        at += RECORD_HEAD + len;
    }
    Ok(Journal {
        store_id: store_id.to_string(),
        records,
        torn_tail: bytes.len() - at,
    })
}

/// Moves a mirror's copy and journal to `<name>.before-restore-<at>`: a restore gives the mirror
/// a new copy and journal, and the old ones are kept, never overwritten.
pub fn set_aside(dir: &Path, at: jiff::Timestamp) -> Result<Vec<PathBuf>> {
    let stamp = at.strftime("%Y%m%dT%H%M%SZ").to_string();
    let mut moved = Vec::new();
    for name in [COPY_FILE, JOURNAL_FILE] {
        let from = dir.join(name);
        if from.exists() {
            let to = dir.join(format!("{name}.before-restore-{stamp}"));
            std::fs::rename(&from, &to)
                .map_err(|e| unwritable(dir, "set the old files aside", e))?;
            moved.push(to);
        }
    }
    Ok(moved)
}
