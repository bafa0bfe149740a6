//! `guichet-server draw …`: register, commit, close, export, run, verify (docs/draw.md).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use guichet_domain::AccountId;
use guichet_draw::hex::{decode, decode32, encode};
use guichet_draw::{registration, Transcript, Verdict};
use jiff::Timestamp;

use crate::backend_draws::Blocking;
use crate::cli::{instant, CliError, DbArg};

/// Exit code of `draw verify` when something differs.
pub const DIFFERS: u8 = 1;

/// The draw's steps.
#[derive(Debug, Subcommand)]
pub enum DrawCommand {
    /// Register an account for a draw (inside its registration window, once).
    Register {
        /// The database.
        #[command(flatten)]
        db: DbArg,
        /// Draw id, e.g. pack-draw.
        #[arg(long)]
        draw: String,
        /// Account id.
        #[arg(long)]
        account: String,
        /// The instant (Paris time) instead of now.
        #[arg(long)]
        at: Option<String>,
    },
    /// Before registration closes: make a secret (kept in FILE, outside the database, never
    /// printed) and publish SHA-256(secret) and the beacon round named.
    Commit {
        /// The database.
        #[command(flatten)]
        db: DbArg,
        /// Draw id.
        #[arg(long)]
        draw: String,
        /// The drand quicknet round whose randomness the draw will use (after the close;
        /// default: the first round after it).
        #[arg(long)]
        round: Option<u64>,
        /// Where to keep the secret (created, mode 0600; refused if it exists).
        #[arg(long)]
        secret_out: PathBuf,
        /// The instant (Paris time) instead of now.
        #[arg(long)]
        at: Option<String>,
    },
    /// After registration closes: freeze the list, publish its count and fingerprint.
    Close {
        /// The database.
        #[command(flatten)]
        db: DbArg,
        /// Draw id.
        #[arg(long)]
        draw: String,
        /// The instant (Paris time) instead of now.
        #[arg(long)]
        at: Option<String>,
    },
    /// Write the registration list as REGISTRATIONS.csv (the canonical form).
    Export {
        /// The database.
        #[command(flatten)]
        db: DbArg,
        /// Draw id.
        #[arg(long)]
        draw: String,
        /// The CSV to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Run the next wave: reveal the secret, give the committed round's signature; writes the
    /// results into the accounts and the transcript into TRANSCRIPT.
    Run {
        /// The database.
        #[command(flatten)]
        db: DbArg,
        /// Draw id.
        #[arg(long)]
        draw: String,
        /// The secret file `draw commit` wrote.
        #[arg(long)]
        secret: PathBuf,
        /// The committed round's signature (hex, from any drand relay's /public/ROUND).
        #[arg(long)]
        signature: String,
        /// Where to write the transcript (JSON).
        #[arg(long)]
        out: PathBuf,
        /// A later wave's slots start no earlier than this (Paris time).
        #[arg(long)]
        slots_from: Option<String>,
        /// Tickets this wave serves, instead of the phase's whole inventory.
        #[arg(long)]
        inventory: Option<u64>,
        /// The instant (Paris time) instead of now.
        #[arg(long)]
        at: Option<String>,
    },
    /// Recompute a transcript from the registration list: MATCH or the first difference.
    Verify {
        /// The transcript `draw run` wrote.
        transcript: PathBuf,
        /// The list (`draw export`).
        registrations: PathBuf,
    },
}

fn read(p: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))
}

fn write_new_secret(p: &Path, secret: &[u8; 32]) -> Result<(), CliError> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let mut f = o.open(p).map_err(|e| {
        format!(
            "cannot create the secret file {} ({e}); it must not exist yet — choose a new path",
            p.display()
        )
    })?;
    writeln!(f, "{}", encode(secret)).map_err(|e| e.to_string())
}

/// Runs one draw step; `open` opens the store (SQLite or PostgreSQL).
pub fn run(
    cmd: DrawCommand,
    now: Timestamp,
    open: &dyn Fn(&DbArg) -> Result<Blocking, CliError>,
    out: &mut dyn Write,
) -> Result<u8, CliError> {
    let w = |e: std::io::Error| e.to_string();
    let at = |a: &Option<String>| {
        a.as_deref()
            .map(instant)
            .transpose()
            .map(|t| t.unwrap_or(now))
    };
    let e = |e: crate::store::DrawStoreError| e.to_string();
    match cmd {
        DrawCommand::Register {
            db,
            draw,
            account,
            at: when,
        } => {
            let store = open(&db)?;
            let account = AccountId::parse(&account).map_err(|x| x.to_string())?;
            let r = store
                .block_on(
                    store
                        .backend()
                        .register_for_draw(draw, account, None, at(&when)?),
                )
                .map_err(e)?;
            writeln!(
                out,
                "registered {} for {} as registration {}",
                r.account_id, r.draw, r.registration_id
            )
            .map_err(w)?;
        }
        DrawCommand::Commit {
            db,
            draw,
            round,
            secret_out,
            at: when,
        } => {
            let store = open(&db)?;
            let closes = store
                .config()
                .draws
                .iter()
                .find(|d| d.id == draw)
                .map(|d| d.registration_closes.as_second())
                .ok_or_else(|| format!("DRAW_UNKNOWN: there is no draw {draw:?}"))?;
            let round = round.unwrap_or_else(|| guichet_draw::beacon::first_round_after(closes));
            let mut secret = [0u8; 32];
            getrandom::fill(&mut secret)
                .map_err(|x| format!("the system's random source failed: {x}"))?;
            let commitment = guichet_draw::commitment(&secret);
            // Refuse before writing anything if the step is out of order, then keep the secret
            // before publishing: a commitment without its secret could never be revealed.
            write_new_secret(&secret_out, &secret)?;
            let done = store.block_on(store.backend().commit_draw(
                draw.clone(),
                commitment,
                round,
                at(&when)?,
            ));
            if let Err(x) = done {
                let _ = std::fs::remove_file(&secret_out);
                return Err(e(x));
            }
            writeln!(out, "committed {draw}: commitment {} (SHA-256 of the secret kept in {}), beacon drand quicknet round {round}", encode(&commitment), secret_out.display()).map_err(w)?;
        }
        DrawCommand::Close { db, draw, at: when } => {
            let store = open(&db)?;
            let c = store
                .block_on(store.backend().close_draw(draw.clone(), at(&when)?))
                .map_err(e)?;
            writeln!(
                out,
                "closed {draw}: {} registrations ({} carried over), fingerprint {}",
                c.count, c.carried, c.fingerprint
            )
            .map_err(w)?;
        }
        DrawCommand::Export {
            db,
            draw,
            out: path,
        } => {
            let store = open(&db)?;
            let regs = store
                .block_on(store.backend().draw_registrations(draw.clone()))
                .map_err(e)?;
            std::fs::write(&path, registration::canonical(&regs))
                .map_err(|x| format!("{}: {x}", path.display()))?;
            writeln!(
                out,
                "wrote {} registrations of {draw} to {}",
                regs.len(),
                path.display()
            )
            .map_err(w)?;
        }
        DrawCommand::Run {
            db,
            draw,
            secret,
            signature,
            out: path,
            slots_from,
            inventory,
            at: when,
        } => {
            let store = open(&db)?;
            let secret = decode32(&read(&secret)?, "secret file").map_err(|x| x.to_string())?;
            let sig = decode(&signature, "signature").map_err(|x| x.to_string())?;
            let from = slots_from.as_deref().map(instant).transpose()?;
            let t = store
                .block_on(store.backend().run_draw(
                    draw.clone(),
                    secret,
                    sig,
                    from,
                    inventory,
                    at(&when)?,
                ))
                .map_err(e)?;
            std::fs::write(&path, t.to_json() + "\n")
                .map_err(|x| format!("{}: {x}", path.display()))?;
            writeln!(out, "ran {draw} wave {}: {} registrations, {} winners, results hash {}; transcript in {}", t.wave, t.count, t.settings.winners, t.results_hash, path.display()).map_err(w)?;
        }
        DrawCommand::Verify {
            transcript,
            registrations,
        } => {
            let t = Transcript::from_json(&read(&transcript)?).map_err(|x| x.to_string())?;
            let regs =
                registration::parse_csv(&read(&registrations)?).map_err(|x| x.to_string())?;
            let v = guichet_draw::verify(&t, &regs).map_err(|x| x.to_string())?;
            writeln!(out, "{v}").map_err(w)?;
            return Ok(if v == Verdict::Match { 0 } else { DIFFERS });
        }
    }
    Ok(0)
}
