//! The demo's pack draw, run for real by `seed-demo` with the same store steps as
//! `guichet-server draw commit | close | export | run` (docs/draw.md): a commitment naming the
//! recorded quicknet round 123, four registrations at simulated instants inside the window,
//! the close and its fingerprint, and a first wave of 3 winners. Its files (secret,
//! registration list, transcript) go to a folder, so `draw verify` and `docs/draw_check.py`
//! can recompute it.
//!
//! **The secret is DEMO-ONLY and fixed**, chosen so that the demo accounts keep the roles the
//! README gives them (DEMO-0003 loses). A real draw's secret is 32 random bytes made by
//! `draw commit` and published only as its hash before the close; choosing it is possible here
//! only because the beacon round is already known — the very thing the beacon stops in a real
//! draw, where the round comes out after the close. Round 123 came out on 23 Aug 2023, after
//! the demo's simulated dates: it is the one recorded round whose signature the tests carry.

use std::path::{Path, PathBuf};

use guichet_domain::config::parse_instant;
use guichet_draw::beacon::RECORDED_ROUND_123;
use guichet_draw::hex::{decode, encode};
use guichet_draw::registration;
use guichet_wire::accounts::AccountDto;
use jiff::Timestamp;
use sha2::{Digest, Sha256};

use crate::demo::ACCOUNTS;
use crate::store::{DrawStoreError, Store, StoreError};

/// The draw the demo runs.
pub const DEMO_DRAW: &str = "pack-draw";
/// The recorded beacon round the demo's commitment names.
pub const DEMO_ROUND: (u64, &str) = RECORDED_ROUND_123;
/// The DEMO-ONLY secret is SHA-256 of this text: the first `… secret K` (K = 0, 1, …) under
/// which DEMO-0003 ranks last of the four registrations.
pub const DEMO_SECRET_TEXT: &str = "guichet demo-only draw secret 14";
/// The demo's steps, Paris time: commit before registration opens, close at the window's end,
/// run a week later.
const COMMIT_AT: &str = "2022-11-30T12:00:00";
const CLOSE_AT: &str = "2023-02-01T00:00:00";
const RUN_AT: &str = "2023-02-08T10:00:00";
/// The wave serves 36 tickets: 3 winners at 12 expected tickets each (of 4 registrants).
const INVENTORY: u64 = 36;
/// Slots start no earlier than this, so the Club winners' slots are open at the demo's clock.
const SLOTS_FROM: &str = "2023-02-16T09:00:00";
/// The demo's simulated clock (`cargo xtask demo`'s server and desk).
const DEMO_CLOCK: &str = "2023-02-17T12:00:00";

/// Where `seed-demo` keeps the draw's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoDrawFiles {
    /// The DEMO-ONLY secret (64 hex characters and a newline).
    pub secret: PathBuf,
    /// The registration list (`draw export`'s canonical CSV).
    pub registrations: PathBuf,
    /// The first wave's transcript (`draw run`'s JSON).
    pub transcript: PathBuf,
}

impl DemoDrawFiles {
    /// The files' names in `dir`.
    pub fn in_dir(dir: &Path) -> DemoDrawFiles {
        DemoDrawFiles {
            secret: dir.join("pack-draw.secret"),
            registrations: dir.join("pack-draw.registrations.csv"),
            transcript: dir.join("pack-draw.wave-1.json"),
        }
    }
}

/// The DEMO-ONLY secret.
pub fn demo_secret() -> [u8; 32] {
    Sha256::digest(DEMO_SECRET_TEXT.as_bytes()).into()
}

/// A demo account's place in the README's story, at the demo's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Drawn, its timeslot open at 17 Feb 2023 12:00.
    DrawnOpenAtDemoClock,
    /// Drawn, its timeslot starting on 19 Feb 2023 (the first day after the Club days).
    DrawnFromDay5,
    /// Registered, not drawn.
    NotDrawn,
    /// Never registered.
    NotRegistered,
    /// Anything else (a story that changed).
    Other,
}

fn paris(s: &str) -> Result<Timestamp, StoreError> {
    parse_instant(&format!("{s}[Europe/Paris]")).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> DrawStoreError + '_ {
    move |e| StoreError::Invalid(format!("cannot write {}: {e}", path.display())).into()
}

/// Runs the demo's draw once (a database drawn already is left alone); one line per step.
pub fn run(store: &Store, dir: &Path) -> Result<Vec<String>, DrawStoreError> {
    if store.draw_transcript(DEMO_DRAW, 1)?.is_some() {
        return Ok(vec![format!(
            "{DEMO_DRAW} was drawn already in this database: no second demo draw"
        )]);
    }
    let files = DemoDrawFiles::in_dir(dir);
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut lines = Vec::new();
    let secret = demo_secret();
    let commitment = guichet_draw::commitment(&secret);
    // Keep the secret before publishing its hash, as `draw commit` does.
    std::fs::write(&files.secret, format!("{}\n", encode(&secret))).map_err(io(&files.secret))?;
    store.commit_draw(DEMO_DRAW, &commitment, DEMO_ROUND.0, paris(COMMIT_AT)?)?;
    lines.push(format!(
        "committed {DEMO_DRAW} on {COMMIT_AT}: commitment {} (SHA-256 of the DEMO-ONLY secret in {}), beacon drand quicknet round {}",
        encode(&commitment),
        files.secret.display(),
        DEMO_ROUND.0
    ));
    for a in ACCOUNTS {
        let Some(when) = a.registers_at else { continue };
        let id = guichet_domain::AccountId::parse(a.id)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let r = store.register_for_draw(DEMO_DRAW, &id, None, paris(when)?)?;
        lines.push(format!(
            "registered {} for {DEMO_DRAW} as registration {} on {when}",
            r.account_id, r.registration_id
        ));
    }
    let c = store.close_draw(DEMO_DRAW, paris(CLOSE_AT)?)?;
    lines.push(format!(
        "closed {DEMO_DRAW} on {CLOSE_AT}: {} registrations ({} carried over), fingerprint {}",
        c.count, c.carried, c.fingerprint
    ));
    let regs = store.draw_registrations(DEMO_DRAW)?;
    std::fs::write(&files.registrations, registration::canonical(&regs))
        .map_err(io(&files.registrations))?;
    lines.push(format!(
        "wrote {} registrations of {DEMO_DRAW} to {}",
        regs.len(),
        files.registrations.display()
    ));
    let sig = decode(DEMO_ROUND.1, "recorded round")?;
    let from = Some(paris(SLOTS_FROM)?);
    let t = store.run_draw(
        DEMO_DRAW,
        &secret,
        &sig,
        from,
        Some(INVENTORY),
        paris(RUN_AT)?,
    )?;
    std::fs::write(&files.transcript, t.to_json() + "\n").map_err(io(&files.transcript))?;
    lines.push(format!(
        "ran {DEMO_DRAW} wave {} on {RUN_AT}: {} registrations, {} winners, results hash {}; transcript in {}",
        t.wave,
        t.count,
        t.settings.winners,
        t.results_hash,
        files.transcript.display()
    ));
    Ok(lines)
}

fn slot(dto: &AccountDto) -> Option<(String, Timestamp, Timestamp)> {
    let d = dto.draws.iter().find(|d| d.draw == DEMO_DRAW)?;
    let start = d.slot_start.as_deref()?.parse::<Timestamp>().ok()?;
    let end = d.slot_end.as_deref()?.parse::<Timestamp>().ok()?;
    Some((d.status.clone(), start, end))
}

/// The account's role at the demo's clock.
pub fn role_of(store: &Store, dto: &AccountDto) -> Role {
    let Some(d) = dto.draws.iter().find(|d| d.draw == DEMO_DRAW) else {
        return Role::NotRegistered;
    };
    if d.status == "not_drawn" {
        return Role::NotDrawn;
    }
    let (Some((status, start, end)), Ok(clock)) = (slot(dto), paris(DEMO_CLOCK)) else {
        return Role::Other;
    };
    let day = start.to_zoned(store.config().time_zone()).date();
    match status.as_str() {
        "drawn" if start <= clock && clock < end => Role::DrawnOpenAtDemoClock,
        "drawn" if day == jiff::civil::date(2023, 2, 19) => Role::DrawnFromDay5,
        _ => Role::Other,
    }
}

/// The account's draw, in words, its slot in Paris time.
pub fn describe(store: &Store, dto: &AccountDto) -> String {
    let show = |t: Timestamp| {
        t.to_zoned(store.config().time_zone())
            .strftime("%-d %b %Y %H:%M")
            .to_string()
    };
    match (dto.draws.iter().find(|d| d.draw == DEMO_DRAW), slot(dto)) {
        (None, _) => "not registered for the draw".into(),
        (Some(_), Some((s, start, end))) if s == "drawn" => {
            format!("drawn, timeslot {} – {} (Paris)", show(start), show(end))
        }
        (Some(d), _) if d.status == "not_drawn" => "registered, not drawn".into(),
        (Some(d), _) => format!("registered, {}", d.status),
    }
}
