//! Registrations and the list's fingerprint (docs/draw.md §1, §3).

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hasher};
use std::io::Write;

use rayon::prelude::*;
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

fn check_one(r: &Registration) -> Result<()> {
    if r.id == 0 || r.id >= 1 << 63 {
        return Err(DrawError::Registrations(format!(
            "registration id {} is out of range (1 to 2^63 − 1)",
            r.id
        )));
    }
    let ok_account = !r.account.is_empty()
        && r.account
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_');
    if !ok_account {
        return Err(DrawError::Registrations(format!(
            "registration {}: account id {:?} may hold only letters, digits, '-' and '_'",
            r.id, r.account
        )));
    }
    Ok(())
}

/// The list in id order, checked: `None` when it is in that order already (how the server
/// reads it), else the positions sorted by id (16 bytes a registration). Duplicate ids are
/// found next to each other in that order.
fn id_order(regs: &[Registration]) -> Result<Option<Vec<usize>>> {
    if let Some(bad) = regs.par_iter().find_first(|r| check_one(r).is_err()) {
        check_one(bad)?;
    }
    if regs.windows(2).all(|w| w[0].id < w[1].id) {
        return Ok(None);
    }
    let mut keys: Vec<(u64, usize)> = regs.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    keys.par_sort_unstable();
    if let Some(w) = keys.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(DrawError::Registrations(format!(
            "registration id {} appears twice",
            w[0].0
        )));
    }
    Ok(Some(keys.into_iter().map(|k| k.1).collect()))
}

fn account_hash(account: &str) -> u64 {
    let mut h = DefaultHasher::new();
    h.write(account.as_bytes());
    h.finish()
}

/// Refuses an account registered twice: 64-bit hashes of the accounts (8 bytes a
/// registration) sorted, equal neighbours compared as text (a collision is not a duplicate).
fn check_accounts(regs: &[Registration], order: Option<&[usize]>) -> Result<()> {
    let mut hashes: Vec<u64> = regs.par_iter().map(|r| account_hash(&r.account)).collect();
    hashes.par_sort_unstable();
    let twice: HashSet<u64> = hashes
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect();
    drop(hashes);
    if twice.is_empty() {
        return Ok(());
    }
    let mut seen: HashMap<&str, u64> = HashMap::new();
    for r in in_order(regs, order) {
        if twice.contains(&account_hash(&r.account)) && seen.insert(&r.account, r.id).is_some() {
            return Err(DrawError::Registrations(format!(
                "account {} is registered twice (registration {})",
                r.account, r.id
            )));
        }
    }
    Ok(())
}

fn in_order<'a>(
    regs: &'a [Registration],
    order: Option<&'a [usize]>,
) -> Box<dyn Iterator<Item = &'a Registration> + 'a> {
    match order {
        None => Box::new(regs.iter()),
        Some(o) => Box::new(o.iter().map(|&i| &regs[i])),
    }
}

/// Checks ids (positive, below 2^63, unique) and accounts (unique, of the allowed characters).
pub fn check(regs: &[Registration]) -> Result<()> {
    let order = id_order(regs)?;
    check_accounts(regs, order.as_deref())
}

/// Appends `n` in decimal.
fn push_decimal(buf: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[at..]);
}

fn push_line(buf: &mut Vec<u8>, r: &Registration) {
    push_decimal(buf, r.id);
    buf.push(b',');
    buf.extend_from_slice(r.account.as_bytes());
    buf.extend_from_slice(if r.club { b",1\n" } else { b",0\n" });
}

/// Registrations a chunk of canonical text holds (about 2 MB of text).
const CHUNK: usize = 1 << 16;

/// Feeds the canonical list to `sink` in chunks, formatting the next chunk while `sink` takes
/// the last (two cores: one formats, one hashes or writes).
fn stream_canonical(
    regs: &[Registration],
    order: Option<&[usize]>,
    sink: &mut (dyn FnMut(&[u8]) -> std::io::Result<()> + Send),
) -> std::io::Result<()> {
    let format = |from: usize, buf: &mut Vec<u8>| {
        buf.clear();
        let to = (from + CHUNK).min(regs.len());
        match order {
            None => regs[from..to].iter().for_each(|r| push_line(buf, r)),
            Some(o) => o[from..to].iter().for_each(|&i| push_line(buf, &regs[i])),
        }
    };
    let mut ready = Vec::with_capacity(CHUNK * 32);
    ready.extend_from_slice(HEADER.as_bytes());
    ready.push(b'\n');
    let mut next = Vec::with_capacity(CHUNK * 32);
    let mut from = 0;
    loop {
        let more = from < regs.len();
        let (sent, ()) = rayon::join(
            || sink(&ready),
            || {
                if more {
                    format(from, &mut next)
                }
            },
        );
        sent?;
        if !more {
            return Ok(());
        }
        std::mem::swap(&mut ready, &mut next);
        from += CHUNK;
    }
}

/// The canonical list's bytes, written to `out` (the list is not checked).
pub fn write_canonical(
    regs: &[Registration],
    out: &mut (impl Write + Send),
) -> std::io::Result<()> {
    let order = if regs.windows(2).all(|w| w[0].id < w[1].id) {
        None
    } else {
        let mut o: Vec<usize> = (0..regs.len()).collect();
        o.par_sort_unstable_by_key(|&i| regs[i].id);
        Some(o)
    };
    stream_canonical(regs, order.as_deref(), &mut |b| out.write_all(b))
}

/// The canonical list as text (the file `draw verify` reads is one such).
pub fn canonical(regs: &[Registration]) -> String {
    let mut v = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write_canonical(regs, &mut v);
    String::from_utf8(v).unwrap_or_default()
}

/// SHA-256 of the canonical list (the list is checked first). Working memory: 8 bytes a
/// registration for the account check, 16 more only if the list is not in id order, and two
/// chunks of text; the text is hashed as it is made.
pub fn fingerprint(regs: &[Registration]) -> Result<[u8; 32]> {
    let order = id_order(regs)?;
    check_accounts(regs, order.as_deref())?;
    let mut h = Sha256::new();
    stream_canonical(regs, order.as_deref(), &mut |b| {
        h.update(b);
        Ok(())
    })
    .map_err(|e| DrawError::Registrations(e.to_string()))?;
    Ok(h.finalize().into())
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
