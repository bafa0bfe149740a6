//! `guichet-server notices …`: queue the winners' notices of a draw, send the due ones, show
//! the outbox.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use clap::Subcommand;
use guichet_domain::Clock;

use super::{send, EmlDir, NoticeSettings, Relay, SmtpRelay};
use crate::backend_draws::Blocking;
use crate::cli::DbArg;
use crate::store::NoticeState;

/// The notices' commands.
#[derive(Debug, Subcommand)]
pub enum NoticesCommand {
    /// Queue one notice per winner of a draw who has a slot (due 48 h before the slot
    /// opens). Running it again adds nothing.
    Enqueue {
        /// The database.
        #[command(flatten)]
        db: DbArg,
        /// Draw id, e.g. `pack-draw`.
        #[arg(long)]
        draw: String,
        /// Settings file with a `[notices]` section (default: config/notices.toml, built in).
        #[arg(long)]
        settings: Option<PathBuf>,
    },
    /// Send every notice due now (or at --now), at the configured rate, then stop. 4xx
    /// answers are tried again later (run it again, e.g. every minute); 5xx answers fail.
    Send {
        /// The database.
        #[command(flatten)]
        db: DbArg,
        /// Settings file with a `[notices]` section (default: config/notices.toml, built in).
        #[arg(long)]
        settings: Option<PathBuf>,
        /// SMTP relay `host:port` (overrides the file; plain SMTP).
        #[arg(long, conflicts_with = "eml_dir")]
        smtp: Option<String>,
        /// Write `.eml` files in this folder instead of sending (overrides the file).
        #[arg(long)]
        eml_dir: Option<PathBuf>,
        /// Messages per second (overrides the file).
        #[arg(long)]
        rate: Option<f64>,
        /// Run the clock from this instant (Paris time unless a zone is given).
        #[arg(long)]
        now: Option<String>,
    },
    /// Count the notices per state and list those that failed or were sent again.
    Status {
        /// The database.
        #[command(flatten)]
        db: DbArg,
        /// Only this draw.
        #[arg(long)]
        draw: Option<String>,
    },
}

fn settings(path: &Option<PathBuf>) -> Result<NoticeSettings, String> {
    match path {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| format!("cannot read {}: {e}", p.display()))?;
            NoticeSettings::from_toml(&text, &p.display().to_string())
        }
        None => NoticeSettings::from_toml(
            super::settings::DEFAULT_TOML,
            "config/notices.toml (built in)",
        ),
    }
}

/// Runs one notices command on `store`.
pub fn run(
    cmd: NoticesCommand,
    store: &Blocking,
    now: jiff::Timestamp,
    out: &mut dyn Write,
) -> Result<u8, String> {
    let w = |e: std::io::Error| e.to_string();
    match cmd {
        NoticesCommand::Enqueue {
            draw,
            settings: path,
            ..
        } => {
            if store.config().draw(&draw).is_none() {
                let known: Vec<&str> = store.config().draws.iter().map(|d| d.id.as_str()).collect();
                return Err(format!(
                    "no draw {draw:?} in the sale configuration; known: {}",
                    known.join(", ")
                ));
            }
            let s = settings(&path)?;
            let r = store
                .block_on(store.backend().enqueue_notices(
                    draw.clone(),
                    s.message_id_domain.clone(),
                    now,
                ))
                .map_err(|e| e.to_string())?;
            writeln!(
                out,
                "{draw}: {} notices queued, {} already queued, {} moved to a new slot, {} sent for an older slot (not sent again)",
                r.added, r.unchanged, r.moved, r.notified_of_an_older_slot
            )
            .map_err(w)?;
            Ok(0)
        }
        NoticesCommand::Send {
            settings: path,
            smtp,
            eml_dir,
            rate,
            now: start,
            ..
        } => {
            let mut s = settings(&path)?;
            if smtp.is_some() || eml_dir.is_some() {
                s.smtp = smtp;
                s.eml_dir = eml_dir;
            }
            if let Some(r) = rate {
                s.rate_per_second = r;
            }
            s.check()?;
            let clock = match start {
                Some(t) => Clock::shifted(crate::cli::instant(&t)?),
                None => Clock::System,
            };
            let mut relay: Box<dyn Relay> = match (&s.smtp, &s.eml_dir) {
                (Some(addr), _) => Box::new(SmtpRelay::new(
                    addr,
                    Duration::from_secs(u64::from(s.timeout_seconds)),
                )),
                (None, Some(dir)) => Box::new(
                    EmlDir::new(dir.clone()).map_err(|e| format!("{}: {e}", dir.display()))?,
                ),
                (None, None) => unreachable!("checked above"),
            };
            let mut log = std::io::stderr();
            let r = send(store, relay.as_mut(), &s, &clock, &mut log)?;
            writeln!(
                out,
                "sent {}, deferred {} (4xx, tried again later), failed {}, sent again after an interruption {}",
                r.sent, r.deferred, r.failed, r.resent_after_interruption.len()
            )
            .map_err(w)?;
            Ok(0)
        }
        NoticesCommand::Status { draw, .. } => {
            let rows = store
                .block_on(store.backend().notices(draw))
                .map_err(|e| e.to_string())?;
            for state in [
                NoticeState::Pending,
                NoticeState::Sending,
                NoticeState::Sent,
                NoticeState::Failed,
            ] {
                let n = rows.iter().filter(|r| r.state == state).count();
                writeln!(out, "{:<8} {n}", state.as_str()).map_err(w)?;
            }
            for r in rows
                .iter()
                .filter(|r| r.state == NoticeState::Failed || r.interrupted > 0)
            {
                writeln!(
                    out,
                    "  {} {} {} tries, sent again {}×: {}",
                    r.state.as_str(),
                    r.message_id,
                    r.attempts,
                    r.interrupted,
                    r.last_error.as_deref().unwrap_or("")
                )
                .map_err(w)?;
            }
            Ok(0)
        }
    }
}
