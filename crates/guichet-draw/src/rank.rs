//! Seed and rank (docs/draw.md §5): every registration's rank is a keyed hash of its id, so the
//! draw order depends on the list's content only, never on storage or insertion order.

use std::cmp::Ordering;

use hmac::{Hmac, Mac};
use rayon::prelude::*;
use sha2::digest::generic_array::GenericArray;
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
    fast: Option<OneBlock>,
}

/// SHA-256's initial state (FIPS 180-4 §5.3.3).
const SHA256_IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// The same HMAC-SHA256 (RFC 2104) with the key's padded blocks absorbed once: when the draw
/// id and the 8-byte registration id fit one block with SHA-256's padding (draw ids up to 47
/// bytes), a rank is two compressions, with no buffering or allocation.
#[derive(Clone)]
struct OneBlock {
    inner: [u32; 8],
    outer: [u32; 8],
    /// draw id ‖ 8 bytes for the id ‖ padding ‖ bit length.
    message: [u8; 64],
    id_at: usize,
}

fn compress(state: &mut [u32; 8], block: &[u8; 64]) {
    sha2::compress256(state, std::slice::from_ref(GenericArray::from_slice(block)));
}

impl OneBlock {
    fn new(seed: &[u8; 32], draw: &[u8]) -> Option<OneBlock> {
        let len = draw.len() + 8;
        if len + 9 > 64 {
            return None;
        }
        let pad = |x: u8| {
            let mut b = [x; 64];
            b.iter_mut().zip(seed).for_each(|(b, k)| *b ^= k);
            b
        };
        let (mut inner, mut outer) = (SHA256_IV, SHA256_IV);
        compress(&mut inner, &pad(0x36));
        compress(&mut outer, &pad(0x5c));
        let mut message = [0u8; 64];
        message[..draw.len()].copy_from_slice(draw);
        message[len] = 0x80;
        message[56..].copy_from_slice(&(((64 + len) as u64) * 8).to_be_bytes());
        Some(OneBlock {
            inner,
            outer,
            message,
            id_at: draw.len(),
        })
    }

    /// The rank's first 16 bytes as two big-endian numbers.
    fn rank_hi_lo(&self, id: u64) -> (u64, u64) {
        let mut m = self.message;
        m[self.id_at..self.id_at + 8].copy_from_slice(&id.to_be_bytes());
        let mut inner = self.inner;
        compress(&mut inner, &m);
        let mut o = [0u8; 64];
        for (c, w) in o.chunks_exact_mut(4).zip(inner) {
            c.copy_from_slice(&w.to_be_bytes());
        }
        o[32] = 0x80;
        o[56..].copy_from_slice(&((64u64 + 32) * 8).to_be_bytes());
        let mut outer = self.outer;
        compress(&mut outer, &o);
        let w = |i: usize| u64::from(outer[i]);
        ((w(0) << 32) | w(1), (w(2) << 32) | w(3))
    }
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
            fast: OneBlock::new(seed, draw.as_bytes()),
        }
    }

    /// `HMAC-SHA256(seed, draw id ‖ u64be(id))`.
    pub fn rank(&self, id: u64) -> [u8; 32] {
        let mut m = self.keyed.clone();
        m.update(&self.draw);
        m.update(&id.to_be_bytes());
        m.finalize().into_bytes().into()
    }

    /// The rank's first 16 bytes as two big-endian numbers.
    pub fn rank_hi_lo(&self, id: u64) -> (u64, u64) {
        if let Some(f) = &self.fast {
            return f.rank_hi_lo(id);
        }
        let r = self.rank(id);
        let (hi, lo) = r.split_at(8);
        (
            u64::from_be_bytes(hi.try_into().unwrap_or_default()),
            u64::from_be_bytes(lo[..8].try_into().unwrap_or_default()),
        )
    }

    fn key(&self, e: &Entry) -> Key {
        let (hi, lo) = self.rank_hi_lo(e.id);
        Key {
            hi,
            lo,
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
        let upto = skip.saturating_add(take).min(entries.len());
        if upto == 0 {
            return Vec::new();
        }
        let mut keys = self
            .below_a_bound(entries, upto)
            .unwrap_or_else(|| entries.par_iter().map(|e| self.key(e)).collect());
        if upto < keys.len() {
            keys.select_nth_unstable_by(upto - 1, |a, b| self.cmp(a, b));
            keys.truncate(upto);
        }
        keys.par_sort_unstable_by(|a, b| self.cmp(a, b));
        keys.iter().skip(skip).map(|k| k.entry()).collect()
    }

    /// Ranks are uniform: the lowest `upto` of `n` have their first 8 bytes below about
    /// `upto / n × 2^64`. Keeps only the keys below a bound set a little above that (6 standard
    /// deviations and 1024 more), so the selection sorts a few more than `upto` keys instead of
    /// `n`; `None` (then every key is kept) if fewer than `upto` fall below it, which the margin
    /// makes all but impossible. Exact either way: every key left out is above every key kept.
    fn below_a_bound(&self, entries: &[Entry], upto: usize) -> Option<Vec<Key>> {
        let n = entries.len() as f64;
        let want = upto as f64 + 6.0 * (upto as f64).sqrt() + 1024.0;
        if want >= n / 2.0 {
            return None;
        }
        // f64 to u64 saturates; want / n < 1/2, so the bound is below 2^63.
        let bound = (want / n * 18_446_744_073_709_551_616.0) as u64;
        let keys: Vec<Key> = entries
            .par_iter()
            .filter_map(|e| Some(self.key(e)).filter(|k| k.hi < bound))
            .collect();
        (keys.len() >= upto).then_some(keys)
    }

    /// The whole draw order (tests and small lists).
    pub fn order(&self, entries: &[Entry]) -> Vec<Entry> {
        self.top(entries, 0, entries.len())
    }
}
