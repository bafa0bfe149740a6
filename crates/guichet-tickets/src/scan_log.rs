//! The gate's scan log: which tickets this gate has let in, and when.
//!
//! A plain append-only text file, one line per admission: `<ticket id> <RFC 3339 instant>
//! <gate>`. Each admission is appended and synced before the gate says VALID, so a restart (or a
//! crash) never forgets a ticket that went through. A line cut by a crash has not been confirmed
//! to anyone; it is dropped when the log is next opened. Chosen over SQLite because a gate needs
//! nothing but "seen before?": the whole log of a stadium (80,000 lines, ~5 MB) loads in
//! milliseconds, can be read with `grep`, and merged from several gates with `cat`.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use crate::claims::TicketId;
use crate::error::ScanLogError;

/// An open scan log.
#[derive(Debug)]
pub struct ScanLog {
    path: PathBuf,
    file: Option<File>,
    first_scans: HashMap<TicketId, Timestamp>,
}

impl ScanLog {
    /// Opens (or creates) the log at `path` and reads what it holds.
    pub fn open(path: &Path) -> Result<Self, ScanLogError> {
        let io = |source| ScanLogError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(io)?;
        let mut text = String::new();
        file.read_to_string(&mut text).map_err(io)?;
        let complete = text.rfind('\n').map_or(0, |i| i + 1);
        if complete < text.len() {
            // A torn last line: never confirmed, drop it so the next line starts clean.
            file.set_len(complete as u64).map_err(io)?;
            file.seek(SeekFrom::End(0)).map_err(io)?;
        }
        let mut first_scans = HashMap::new();
        for (i, line) in text[..complete].lines().enumerate() {
            let corrupt = |reason: &str| ScanLogError::Corrupt {
                path: path.to_path_buf(),
                line: i + 1,
                reason: reason.to_string(),
            };
            if line.trim().is_empty() {
                continue;
            }
            let mut parts = line.split(' ');
            let id = parts
                .next()
                .and_then(TicketId::parse)
                .ok_or_else(|| corrupt("ticket id"))?;
            let at: Timestamp = parts
                .next()
                .and_then(|t| t.parse().ok())
                .ok_or_else(|| corrupt("instant"))?;
            first_scans.entry(id).or_insert(at);
        }
        Ok(ScanLog {
            path: path.to_path_buf(),
            file: Some(file),
            first_scans,
        })
    }

    /// A log kept in memory only (benchmarks, dry runs): forgotten when dropped.
    pub fn in_memory() -> Self {
        ScanLog {
            path: PathBuf::from(":memory:"),
            file: None,
            first_scans: HashMap::new(),
        }
    }

    /// When this ticket was first let in, if it was.
    pub fn first_scan(&self, id: &TicketId) -> Option<Timestamp> {
        self.first_scans.get(id).copied()
    }

    /// Records an admission; returns once the line is on disk.
    pub fn record(&mut self, id: TicketId, at: Timestamp, gate: &str) -> Result<(), ScanLogError> {
        if let Some(f) = self.file.as_mut() {
            let io = |source| ScanLogError::Io {
                path: self.path.clone(),
                source,
            };
            // Gate labels are for people; keep the line format (space-separated) intact.
            let gate: String = gate
                .chars()
                .map(|c| if c.is_whitespace() { '_' } else { c })
                .collect();
            f.write_all(format!("{id} {at} {gate}\n").as_bytes())
                .map_err(io)?;
            f.sync_data().map_err(io)?;
        }
        self.first_scans.entry(id).or_insert(at);
        Ok(())
    }

    /// Number of tickets let in.
    pub fn len(&self) -> usize {
        self.first_scans.len()
    }
    /// Whether no ticket was let in yet.
    pub fn is_empty(&self) -> bool {
        self.first_scans.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_survives_a_restart_and_keeps_the_first_scan_time() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("scans.log");
        let id = TicketId::from_bytes([1; 16]);
        let t1: Timestamp = "2024-08-03T17:00:00Z".parse().unwrap();
        let t2: Timestamp = "2024-08-03T17:05:00Z".parse().unwrap();
        {
            let mut log = ScanLog::open(&p).unwrap();
            log.record(id, t1, "gate 3").unwrap();
            log.record(id, t2, "gate 4").unwrap();
        }
        let log = ScanLog::open(&p).unwrap();
        assert_eq!(
            log.first_scan(&id),
            Some(t1),
            "reopened log remembers the first scan"
        );
    }

    #[test]
    fn a_line_torn_by_a_crash_is_dropped_and_the_log_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("scans.log");
        let a = TicketId::from_bytes([1; 16]);
        let b = TicketId::from_bytes([2; 16]);
        std::fs::write(&p, format!("{a} 2024-08-03T17:00:00Z g\n0102")).unwrap();
        let mut log = ScanLog::open(&p).unwrap();
        assert_eq!(log.len(), 1, "the torn line is not an admission");
        log.record(b, "2024-08-03T18:00:00Z".parse().unwrap(), "g")
            .unwrap();
        let log = ScanLog::open(&p).unwrap();
        assert!(
            log.first_scan(&b).is_some(),
            "the line after the torn one reads back"
        );
    }

    #[test]
    fn a_damaged_complete_line_is_reported_not_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("scans.log");
        std::fs::write(&p, "not-a-ticket 2024-08-03T17:00:00Z g\n").unwrap();
        assert!(matches!(
            ScanLog::open(&p),
            Err(ScanLogError::Corrupt { line: 1, .. })
        ));
    }
}
