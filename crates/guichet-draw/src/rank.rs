//! Seed and rank (docs/draw.md §5): every registration's rank is a keyed hash of its id, so the
//! draw order depends on the list's content only, never on storage or insertion order.

use std::cmp::Ordering;

use hmac::{Hmac, Mac};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::Entry;

/// SHA-256 of the secret: what `draw commit` publishes.
pub fn commitment(secret: &[u8; 32]) -> [u8; 32] {
    Sha256::digest(secret).into()
}

/// `SHA256(secret ‖ fingerprint ‖ randomness)`.
pub fn seed(secret: &[u8; 32], fingerprint: &[u8; 32], randomness: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(secret);
    h.update(fingerprint);
    h.update(randomness);
    h.finalize().into()
}

/// Ranks registrations of one draw under one seed.
#[derive(Clone)]
pub struct Ranker {
    keyed: Hmac<Sha256>,
    draw: Vec<u8>,
}

/// A registration's place in the sort: the rank's first 16 bytes, then its id (shifted) and its
/// Club flag in the low bit. 24 bytes; the full rank is recomputed only when 16 bytes tie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key {
    hi: u64,
    lo: u64,
    id_club: u64,
}

impl Key {
    fn entry(self) -> Entry {
        Entry {
            id: self.id_club >> 1,
            club: self.id_club & 1 == 1,
        }
    }
}

impl Ranker {
    /// The ranker for `draw` under `seed`.
    pub fn new(seed: &[u8; 32], draw: &str) -> Ranker {
        Ranker {
            // HMAC takes a key of any length: this cannot fail.
            keyed: <Hmac<Sha256> as Mac>::new_from_slice(seed).unwrap_or_else(|_| unreachable!()),
            draw: draw.as_bytes().to_vec(),
        }
    }

    /// `HMAC-SHA256(seed, draw id ‖ u64be(id))`.
    pub fn rank(&self, id: u64) -> [u8; 32] {
        let mut m = self.keyed.clone();
        m.update(&self.draw);
        m.update(&id.to_be_bytes());
        m.finalize().into_bytes().into()
    }

    fn key(&self, e: &Entry) -> Key {
        let r = self.rank(e.id);
        let (hi, lo) = r.split_at(8);
        Key {
            hi: u64::from_be_bytes(hi.try_into().unwrap_or_default()),
            lo: u64::from_be_bytes(lo[..8].try_into().unwrap_or_default()),
            id_club: (e.id << 1) | u64::from(e.club),
        }
    }

    fn cmp(&self, a: &Key, b: &Key) -> Ordering {
        (a.hi, a.lo).cmp(&(b.hi, b.lo)).then_with(|| {
            // 128 bits equal: compare the whole ranks, then the ids (docs/draw.md §5).
            let (ea, eb) = (a.entry(), b.entry());
            self.rank(ea.id)
                .cmp(&self.rank(eb.id))
                .then(ea.id.cmp(&eb.id))
        })
    }

    /// Draw-order positions `skip + 1 … skip + take` (fewer if the list is shorter): ranks all
    /// entries (on every core), selects the lowest `skip + take` and sorts only those.
    pub fn top(&self, entries: &[Entry], skip: usize, take: usize) -> Vec<Entry> {
        let mut keys: Vec<Key> = entries.par_iter().map(|e| self.key(e)).collect();
        let upto = skip.saturating_add(take).min(keys.len());
        if upto == 0 {
            return Vec::new();
        }
        if upto < keys.len() {
            keys.select_nth_unstable_by(upto - 1, |a, b| self.cmp(a, b));
            keys.truncate(upto);
        }
        keys.par_sort_unstable_by(|a, b| self.cmp(a, b));
        keys.iter().skip(skip).map(|k| k.entry()).collect()
    }

    /// The whole draw order (tests and small lists).
    pub fn order(&self, entries: &[Entry]) -> Vec<Entry> {
        self.top(entries, 0, entries.len())
    }
}
