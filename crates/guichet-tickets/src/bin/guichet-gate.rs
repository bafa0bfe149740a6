//! `guichet-gate`: the gate's verifier, plus the small tools around it (device keys, key and
//! revocation lists, a demo order PDF, printing). Exit codes: 0 VALID (or success), 1 refused,
//! 2 usage or setup error.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use guichet_tickets::demo::{demo_order_for, DEMO_HOLDERS, DEMO_SESSIONS, WORLD_HOLDERS};
use guichet_tickets::{
    decode_qr_image, print_pdf, render_order, DeviceKey, Gate, KeyList, KeyListEntry, Layout,
    PrintOptions, Revocation, RevocationList, RevocationListFile, ScanLog, TicketId,
};
use jiff::{tz::TimeZone, Timestamp};

#[derive(Parser)]
#[command(
    name = "guichet-gate",
    version,
    about = "Guichet tickets: verify at the gate, keys, demo PDF, print"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Make this device's signing key in DIR (private key mode 600, public entry beside it).
    Keygen {
        /// Key directory.
        #[arg(long)]
        out: PathBuf,
        /// Name of the device, written in the public entry.
        #[arg(long, default_value = "device")]
        label: String,
    },
    /// Build a key list file from exported public entries (ticket-signing.pub.json files).
    Keylist {
        /// Key list file to write.
        #[arg(long)]
        out: PathBuf,
        /// Public entry files.
        #[arg(required = true)]
        entries: Vec<PathBuf>,
    },
    /// Add a ticket id to a revocation list file (created if missing).
    Revoke {
        /// Revocation list file.
        #[arg(long)]
        list: PathBuf,
        /// Why: void, reissued, ...
        #[arg(long, default_value = "void")]
        reason: String,
        /// Ticket id (UUID).
        ticket_id: String,
    },
    /// Check a ticket: VALID, FORGED, UNKNOWN KEY, REVOKED, WRONG DAY or ALREADY SCANNED.
    Verify {
        /// Key list file.
        #[arg(long)]
        keys: PathBuf,
        /// Revocation list file.
        #[arg(long)]
        revoked: PathBuf,
        /// This gate's scan log (created if missing).
        #[arg(long)]
        scan_log: PathBuf,
        /// The instant of the scan (RFC 3339); default: the clock.
        #[arg(long)]
        at: Option<Timestamp>,
        /// The venue's time zone: the ticket's day is compared with the day here.
        #[arg(long, default_value = "Europe/Paris")]
        tz: String,
        /// This gate's name, written in the scan log.
        #[arg(long, default_value = "gate")]
        gate: String,
        /// Read the QR code from a PNG or JPEG image instead of TEXT.
        #[arg(long, conflicts_with = "text")]
        image: Option<PathBuf>,
        /// The QR text. Base45 text may start with '-', so it is never read as an option.
        #[arg(required_unless_present = "image", allow_hyphen_values = true)]
        text: Option<String>,
    },
    /// Render an example order to PDF (signed with the key in --key-dir, made if missing).
    DemoPdf {
        /// PDF to write.
        #[arg(long)]
        out: PathBuf,
        /// Key directory of the issuing device.
        #[arg(long)]
        key_dir: PathBuf,
        /// Page layout.
        #[arg(long, value_enum, default_value = "a4")]
        layout: LayoutArg,
        /// Session codes from the demo set (ATH07, SWM02, FBL01, SRF01).
        #[arg(long, value_delimiter = ',', default_value = "ATH07,SWM02,FBL01")]
        sessions: Vec<String>,
        /// Tickets per session.
        #[arg(long, default_value_t = 6)]
        per_session: usize,
        /// Holders named in every script (Chinese, Arabic, Hebrew, Korean, Thai, Devanagari,
        /// Latin) instead of Latin, Greek and Cyrillic: needs fonts-noto-core, fonts-noto-cjk.
        #[arg(long)]
        world_names: bool,
        /// Issue instant (RFC 3339); default: the clock.
        #[arg(long)]
        at: Option<Timestamp>,
        /// Also write a key list holding the device's key here.
        #[arg(long)]
        keys_out: Option<PathBuf>,
    },
    /// Send a PDF to a CUPS queue and print the job id.
    Print {
        /// CUPS queue name.
        #[arg(long)]
        queue: String,
        /// CUPS media; default: none (the queue's own).
        #[arg(long)]
        media: Option<String>,
        /// Job title.
        #[arg(long, default_value = "Guichet tickets")]
        title: String,
        /// The PDF.
        file: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum LayoutArg {
    A4,
    Thermal,
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("guichet-gate: {msg}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    let s = |e: &dyn std::fmt::Display| e.to_string();
    match cli.cmd {
        Cmd::Keygen { out, label } => {
            let key = DeviceKey::create_in(&out, &label).map_err(|e| s(&e))?;
            println!("key id {} written to {}", key.key_id(), out.display());
        }
        Cmd::Keylist { out, entries } => {
            let mut list = Vec::new();
            for p in &entries {
                let text =
                    std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
                let e: KeyListEntry =
                    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))?;
                list.push(e);
            }
            KeyList::from_entries(&list)?;
            KeyList::save(&list, &out).map_err(|e| s(&e))?;
            println!("{} key(s) written to {}", list.len(), out.display());
        }
        Cmd::Revoke {
            list,
            reason,
            ticket_id,
        } => {
            let id = TicketId::parse(&ticket_id).ok_or(format!("not a ticket id: {ticket_id}"))?;
            let mut file = if list.exists() {
                let text = std::fs::read_to_string(&list).map_err(|e| s(&e))?;
                serde_json::from_str::<RevocationListFile>(&text).map_err(|e| s(&e))?
            } else {
                RevocationListFile::default()
            };
            file.tickets.push(Revocation {
                ticket_id: id,
                reason,
            });
            RevocationList::save(&file.tickets, &list).map_err(|e| s(&e))?;
            println!(
                "{id} revoked ({} in {})",
                file.tickets.len(),
                list.display()
            );
        }
        Cmd::Verify {
            keys,
            revoked,
            scan_log,
            at,
            tz,
            gate,
            image,
            text,
        } => {
            let zone = TimeZone::get(&tz).map_err(|e| format!("--tz {tz}: {e}"))?;
            let text = match (image, text) {
                (Some(img), _) => decode_qr_image(&img).map_err(|e| s(&e))?,
                (None, Some(t)) => t,
                (None, None) => return Err("give the QR text or --image".into()),
            };
            let mut g = Gate {
                keys: KeyList::load(&keys).map_err(|e| s(&e))?,
                revoked: RevocationList::load(&revoked).map_err(|e| s(&e))?,
                scan_log: ScanLog::open(&scan_log).map_err(|e| s(&e))?,
                zone,
                label: gate,
            };
            let verdict = g
                .scan(&text, at.unwrap_or_else(Timestamp::now))
                .map_err(|e| s(&e))?;
            println!("{verdict}");
            return Ok(if verdict.is_valid() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            });
        }
        Cmd::DemoPdf {
            out,
            key_dir,
            layout,
            sessions,
            per_session,
            world_names,
            at,
            keys_out,
        } => {
            let key = match DeviceKey::load_from(&key_dir) {
                Ok(k) => k,
                Err(_) if !key_dir.join(guichet_tickets::PRIVATE_KEY_FILE).exists() => {
                    DeviceKey::create_in(&key_dir, "demo").map_err(|e| s(&e))?
                }
                Err(e) => return Err(e.to_string()),
            };
            let mut chosen = Vec::new();
            for code in &sessions {
                let found = DEMO_SESSIONS
                    .iter()
                    .find(|d| d.code.eq_ignore_ascii_case(code));
                chosen.push(*found.ok_or(format!("{code} is not a demo session"))?);
            }
            let at = at.unwrap_or_else(Timestamp::now);
            let holders: &[&str] = if world_names {
                &WORLD_HOLDERS
            } else {
                &DEMO_HOLDERS
            };
            let order = demo_order_for(&key, at, &chosen, per_session, holders);
            let faces: Vec<_> = order.iter().map(|t| t.face.clone()).collect();
            let layout = match layout {
                LayoutArg::A4 => Layout::A4,
                LayoutArg::Thermal => Layout::Thermal,
            };
            let pdf = render_order(&faces, layout, "Guichet demo order").map_err(|e| s(&e))?;
            std::fs::write(&out, pdf).map_err(|e| format!("{}: {e}", out.display()))?;
            if let Some(k) = keys_out {
                KeyList::save(&[key.public_entry("demo")], &k).map_err(|e| s(&e))?;
            }
            for t in &order {
                println!("{} {}", t.signed.claims.ticket_id, t.face.qr_text);
            }
            eprintln!("{} ticket(s) written to {}", order.len(), out.display());
        }
        Cmd::Print {
            queue,
            media,
            title,
            file,
        } => {
            let job =
                print_pdf(&queue, &file, &PrintOptions { title, media }).map_err(|e| s(&e))?;
            println!("{job}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
