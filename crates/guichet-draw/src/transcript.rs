//! Running a wave and checking its transcript (docs/draw.md §6, §8, §9).

use sha2::{Digest, Sha256};

use crate::hex::{decode, decode32, encode};
use crate::{
    assign_slots, fingerprint, Beacon, DrawError, Entry, Ranker, Registration, Result, SlotSettings,
};

/// The transcript's `format`.
pub const FORMAT: &str = "guichet-draw/1";

/// The settings a wave ran with.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Settings {
    /// Tickets on sale in the phase.
    pub inventory: u64,
    /// Tickets one winner is expected to buy.
    pub expected_tickets_per_winner: u64,
    /// Winners of earlier waves.
    pub skip: u64,
    /// Winners of this wave (section 6's formula).
    pub winners: u64,
    /// Where slots start.
    #[serde(flatten)]
    pub slots: SlotSettings,
}

/// The beacon round as the transcript writes it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BeaconRecord {
    /// Chain hash.
    pub chain: String,
    /// Round.
    pub round: u64,
    /// Signature (hex).
    pub signature: String,
    /// SHA-256 of the signature (hex).
    pub randomness: String,
}

/// What `draw run` writes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Transcript {
    /// Always [`FORMAT`].
    pub format: String,
    /// The draw.
    pub draw: String,
    /// 1 for the first wave.
    pub wave: u32,
    /// SHA-256 of the secret, published before close (hex).
    pub commitment: String,
    /// The named beacon round.
    pub beacon: BeaconRecord,
    /// The list's fingerprint (hex).
    pub fingerprint: String,
    /// Registrations in the list.
    pub count: u64,
    /// The secret, revealed (hex).
    pub reveal: String,
    /// Settings.
    pub settings: Settings,
    /// `[position, registration_id, slot_start]` of each winner, in draw order.
    pub results: Vec<(u64, u64, i64)>,
    /// SHA-256 of the results text (hex).
    pub results_hash: String,
}

impl Transcript {
    /// Reads a transcript.
    pub fn from_json(text: &str) -> Result<Transcript> {
        serde_json::from_str(text).map_err(|e| DrawError::Transcript(e.to_string()))
    }
    /// The transcript as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Everything a wave needs, passed in.
#[derive(Debug, Clone)]
pub struct DrawInputs<'a> {
    /// Draw id.
    pub draw: &'a str,
    /// Wave number (1 first).
    pub wave: u32,
    /// The secret kept since `draw commit`.
    pub secret: [u8; 32],
    /// The commitment published then.
    pub commitment: [u8; 32],
    /// The named round, as the chain published it.
    pub beacon: &'a Beacon,
    /// The closed list.
    pub registrations: &'a [Registration],
    /// Tickets on sale in the phase.
    pub inventory: u64,
    /// Tickets one winner is expected to buy (≥ 1).
    pub expected_tickets_per_winner: u64,
    /// Winners of earlier waves.
    pub skip: u64,
    /// Where slots start.
    pub slots: SlotSettings,
}

/// `min(floor(inventory / expected), count − skip)`.
pub fn winners_count(inventory: u64, expected: u64, count: u64, skip: u64) -> Result<u64> {
    if expected == 0 {
        return Err(DrawError::Settings(
            "expected_tickets_per_winner must be at least 1".into(),
        ));
    }
    Ok((inventory / expected).min(count.saturating_sub(skip)))
}

/// The wave's winners in draw order and their slot starts: the part the benchmark times.
pub fn draw_wave(
    entries: &[Entry],
    seed: &[u8; 32],
    draw: &str,
    skip: u64,
    winners: u64,
    slots: &SlotSettings,
) -> Result<(Vec<Entry>, Vec<i64>)> {
    let (skip_n, take) = (usize::try_from(skip), usize::try_from(winners));
    let (Ok(skip_n), Ok(take)) = (skip_n, take) else {
        return Err(DrawError::Settings(
            "skip or winners do not fit in memory".into(),
        ));
    };
    let top = Ranker::new(seed, draw).top(entries, skip_n, take);
    let starts = assign_slots(&top, skip + 1, slots)?;
    Ok((top, starts))
}

/// SHA-256 of the results text: `position,registration_id,slot_start\n` per winner.
pub fn results_hash(results: &[(u64, u64, i64)]) -> [u8; 32] {
    let mut h = Sha256::new();
    for (p, id, start) in results {
        h.update(format!("{p},{id},{start}\n").as_bytes());
    }
    h.finalize().into()
}

/// Runs a wave: checks the reveal and the beacon, then ranks, picks and gives slots.
pub fn run(i: &DrawInputs<'_>) -> Result<Transcript> {
    let got = crate::commitment(&i.secret);
    if got != i.commitment {
        return Err(DrawError::RevealMismatch {
            commitment: encode(&i.commitment),
            got: encode(&got),
        });
    }
    i.beacon.verify()?;
    let fp = fingerprint(i.registrations)?;
    let randomness = i.beacon.randomness();
    let seed = crate::seed(&i.secret, &fp, &randomness);
    let count = i.registrations.len() as u64;
    let winners = winners_count(i.inventory, i.expected_tickets_per_winner, count, i.skip)?;
    let entries: Vec<Entry> = i.registrations.iter().map(Entry::from).collect();
    let (top, starts) = draw_wave(&entries, &seed, i.draw, i.skip, winners, &i.slots)?;
    let results: Vec<(u64, u64, i64)> = top
        .iter()
        .zip(&starts)
        .enumerate()
        .map(|(n, (e, s))| (i.skip + 1 + n as u64, e.id, *s))
        .collect();
    Ok(Transcript {
        format: FORMAT.into(),
        draw: i.draw.into(),
        wave: i.wave,
        commitment: encode(&i.commitment),
        beacon: BeaconRecord {
            chain: i.beacon.chain.clone(),
            round: i.beacon.round,
            signature: encode(&i.beacon.signature),
            randomness: encode(&randomness),
        },
        fingerprint: encode(&fp),
        count,
        reveal: encode(&i.secret),
        settings: Settings {
            inventory: i.inventory,
            expected_tickets_per_winner: i.expected_tickets_per_winner,
            skip: i.skip,
            winners,
            slots: i.slots,
        },
        results_hash: encode(&results_hash(&results)),
        results,
    })
}

/// What `draw verify` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Everything recomputed equals the transcript.
    Match,
    /// The first field that differs.
    Differs {
        /// The field, as docs/draw.md §9 names it.
        field: String,
        /// What the transcript has.
        transcript: String,
        /// What the recomputation gives.
        recomputed: String,
    },
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verdict::Match => write!(f, "MATCH"),
            Verdict::Differs {
                field,
                transcript,
                recomputed,
            } => {
                write!(
                    f,
                    "DIFFERS at {field}: transcript has {transcript}, recomputed {recomputed}"
                )
            }
        }
    }
}

fn differs(field: &str, transcript: impl ToString, recomputed: impl ToString) -> Verdict {
    Verdict::Differs {
        field: field.into(),
        transcript: transcript.to_string(),
        recomputed: recomputed.to_string(),
    }
}

/// Recomputes a transcript from the registration list, in docs/draw.md §9's order.
pub fn verify(t: &Transcript, regs: &[Registration]) -> Result<Verdict> {
    let secret = decode32(&t.reveal, "reveal")?;
    let commitment = encode(&crate::commitment(&secret));
    if commitment != t.commitment {
        return Ok(differs("commitment", &t.commitment, commitment));
    }
    if regs.len() as u64 != t.count {
        return Ok(differs("count", t.count, regs.len()));
    }
    let fp = encode(&fingerprint(regs)?);
    if fp != t.fingerprint {
        return Ok(differs("fingerprint", &t.fingerprint, fp));
    }
    let beacon = Beacon {
        chain: t.beacon.chain.clone(),
        round: t.beacon.round,
        signature: decode(&t.beacon.signature, "beacon.signature")?,
    };
    let randomness = encode(&beacon.randomness());
    if randomness != t.beacon.randomness {
        return Ok(differs(
            "beacon.randomness",
            &t.beacon.randomness,
            randomness,
        ));
    }
    if let Err(e) = beacon.verify() {
        return Ok(differs(
            "beacon.signature",
            format!("a signature for round {}", t.beacon.round),
            e,
        ));
    }
    let s = &t.settings;
    let winners = winners_count(s.inventory, s.expected_tickets_per_winner, t.count, s.skip)?;
    if winners != s.winners {
        return Ok(differs("settings.winners", s.winners, winners));
    }
    let seed = crate::seed(
        &secret,
        &decode32(&fp, "fingerprint")?,
        &decode32(&randomness, "randomness")?,
    );
    let entries: Vec<Entry> = regs.iter().map(Entry::from).collect();
    let (top, starts) = draw_wave(&entries, &seed, &t.draw, s.skip, winners, &s.slots)?;
    let results: Vec<(u64, u64, i64)> = top
        .iter()
        .zip(&starts)
        .enumerate()
        .map(|(n, (e, st))| (s.skip + 1 + n as u64, e.id, *st))
        .collect();
    for (n, mine) in results.iter().enumerate() {
        let theirs = t.results.get(n);
        if theirs != Some(mine) {
            let show = |r: Option<&(u64, u64, i64)>| {
                r.map_or("nothing".to_string(), |(p, id, st)| {
                    format!("[{p}, {id}, {st}]")
                })
            };
            return Ok(differs(
                &format!("results[{n}]"),
                show(theirs),
                show(Some(mine)),
            ));
        }
    }
    if t.results.len() != results.len() {
        return Ok(differs(
            "results",
            format!("{} entries", t.results.len()),
            results.len(),
        ));
    }
    let hash = encode(&results_hash(&results));
    if hash != t.results_hash {
        return Ok(differs("results_hash", &t.results_hash, hash));
    }
    Ok(Verdict::Match)
}
