//! Registrations and the list's fingerprint (docs/draw.md §1, §3).

use std::collections::HashSet;
use std::io::Write;

use sha2::{Digest, Sha256};

use crate::{DrawError, Result};

/// The header of the canonical list and of `REGISTRATIONS.csv`.
pub const HEADER: &str = "registration_id,account_id,club";

/// One registration as the list publishes it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Registration {
    /// Registration id, 1, 2, 3… per draw.
    pub id: u64,
    /// The account.
    pub account: String,
    /// Club Paris 2024 member when registering.
    pub club: bool,
}

/// What ranking and slots need of a registration: 16 bytes, so 10 M fit in 160 MB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Registration id.
    pub id: u64,
    /// Club member.
    pub club: bool,
}

impl From<&Registration> for Entry {
    fn from(r: &Registration) -> Entry {
        Entry {
            id: r.id,
            club: r.club,
        }
    }
}

/// Checks ids (positive, below 2^63, unique) and accounts (unique, of the allowed characters).
pub fn check(regs: &[Registration]) -> Result<()> {
    let mut ids = HashSet::with_capacity(regs.len());
    let mut accounts = HashSet::with_capacity(regs.len());
    for r in regs {
        if r.id == 0 || r.id >= 1 << 63 {
            return Err(DrawError::Registrations(format!(
                "registration id {} is out of range (1 to 2^63 − 1)",
                r.id
            )));
        }
        let ok_account = !r.account.is_empty()
            && r.account
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !ok_account {
            return Err(DrawError::Registrations(format!(
                "registration {}: account id {:?} may hold only letters, digits, '-' and '_'",
                r.id, r.account
            )));
        }
        if !ids.insert(r.id) {
            return Err(DrawError::Registrations(format!(
                "registration id {} appears twice",
                r.id
            )));
        }
        if !accounts.insert(r.account.as_str()) {
            return Err(DrawError::Registrations(format!(
                "account {} is registered twice (registration {})",
                r.account, r.id
            )));
        }
    }
    Ok(())
}

/// The canonical list's bytes, written to `out` (the fingerprint hashes them as they come).
pub fn write_canonical(regs: &[Registration], out: &mut impl Write) -> std::io::Result<()> {
    let mut order: Vec<&Registration> = regs.iter().collect();
    order.sort_unstable_by_key(|r| r.id);
    writeln!(out, "{HEADER}")?;
    for r in order {
        writeln!(out, "{},{},{}", r.id, r.account, u8::from(r.club))?;
    }
    Ok(())
}

/// The canonical list as text (the file `draw verify` reads is one such).
pub fn canonical(regs: &[Registration]) -> String {
    let mut v = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write_canonical(regs, &mut v);
    String::from_utf8(v).unwrap_or_default()
}

struct HashWriter(Sha256);
impl Write for HashWriter {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.update(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// SHA-256 of the canonical list (the list is checked first).
pub fn fingerprint(regs: &[Registration]) -> Result<[u8; 32]> {
    check(regs)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 16, HashWriter(Sha256::new()));
    write_canonical(regs, &mut w)
        .and_then(|()| w.flush())
        .map_err(|e| DrawError::Registrations(e.to_string()))?;
    let h = w
        .into_inner()
        .map_err(|e| DrawError::Registrations(e.to_string()))?;
    Ok(h.0.finalize().into())
}

/// Reads a `REGISTRATIONS.csv`: the header, then rows in any order.
pub fn parse_csv(text: &str) -> Result<Vec<Registration>> {
    let mut lines = text.lines();
    match lines.next() {
        Some(h) if h.trim() == HEADER => {}
        other => {
            return Err(DrawError::Registrations(format!(
                "the first line must be {HEADER:?}, not {:?}",
                other.unwrap_or("")
            )))
        }
    }
    let mut out = Vec::new();
    for (n, line) in lines.enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let bad = |why: &str| DrawError::Registrations(format!("line {}: {why}: {line:?}", n + 2));
        let mut f = line.trim().split(',');
        let (Some(id), Some(account), Some(club), None) = (f.next(), f.next(), f.next(), f.next())
        else {
            return Err(bad("expected 3 fields"));
        };
        let id = id
            .parse::<u64>()
            .map_err(|_| bad("the id is not a whole number"))?;
        let club = match club {
            "1" => true,
            "0" => false,
            _ => return Err(bad("club must be 1 or 0")),
        };
        out.push(Registration {
            id,
            account: account.to_string(),
            club,
        });
    }
    check(&out)?;
    Ok(out)
}
