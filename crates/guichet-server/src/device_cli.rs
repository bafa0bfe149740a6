//! `guichet-server device …`: revoke a lost or stolen device, see and settle its allotment at
//! risk; `guichet-server gate-lists`: write the files a gate carries.

use std::io::Write;
use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use guichet_tickets::{KeyList, KeyListEntry, Revocation, RevocationList, TicketId};
use jiff::Timestamp;

use crate::cli::{instant, CliError, DbArg};
use crate::store::{Settlement, Store};

/// What to do with devices.
#[derive(Debug, Subcommand)]
pub enum DeviceCommand {
    /// Revoke a device (lost, stolen): its token is refused from now on, and a ticket its key
    /// signs after the instant (`--as-of`, default now) is REVOKED KEY at the gates. Its
    /// allotment is not given back: see `device at-risk`.
    Revoke {
        /// The database.
        #[command(flatten)]
        db: DbArg,
        /// The device's id.
        device: String,
        /// Why: lost, stolen, …
        #[arg(long)]
        reason: String,
        /// Revoked as of this instant (Paris time unless a zone is given), e.g. when the desk
        /// went missing; default: now.
        #[arg(long)]
        as_of: Option<String>,
        /// Who revokes it, for the record.
        #[arg(long, default_value = "guichet-server device revoke")]
        by: String,
    },
    /// List revoked devices, what their tokens asked since, and their seats at risk.
    AtRisk {
        /// The database.
        #[command(flatten)]
        db: DbArg,
    },
    /// Settle a revoked device's seats at risk of one offer: write them off (they stay out of
    /// sale) or return them to the pool.
    Settle {
        /// The database.
        #[command(flatten)]
        db: DbArg,
        /// The device's id.
        device: String,
        /// Session code.
        #[arg(long)]
        session: String,
        /// Price category.
        #[arg(long)]
        category: String,
        /// Write off or return.
        #[arg(long, value_enum)]
        action: SettleArg,
        /// How many seats.
        #[arg(long)]
        seats: u32,
        /// Why.
        #[arg(long)]
        reason: String,
        /// Who decides, for the record.
        #[arg(long, default_value = "guichet-server device settle")]
        by: String,
    },
}

/// `--action`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SettleArg {
    /// Keep the seats out of sale for good.
    WriteOff,
    /// Put the seats back on sale.
    Return,
}

/// Runs a device command.
pub fn run(
    cmd: DeviceCommand,
    now: Timestamp,
    open: &dyn Fn(&DbArg) -> Result<Store, CliError>,
    out: &mut dyn Write,
) -> Result<u8, CliError> {
    let w = |e: std::io::Error| e.to_string();
    match cmd {
        DeviceCommand::Revoke {
            db,
            device,
            reason,
            as_of,
            by,
        } => {
            let as_of = as_of.as_deref().map(instant).transpose()?.unwrap_or(now);
            let r = open(&db)?
                .revoke_device(device.trim(), &reason, as_of, &by, now)
                .map_err(|e| e.to_string())?;
            writeln!(
                out,
                "device {} ({}) revoked as of {}: its token is refused from now on (a running server forgets it within 250 ms); tickets its key signs after {} are REVOKED KEY — give the gates new lists (guichet-server gate-lists)",
                r.device_id, r.device_name, r.revoked_after, r.revoked_after
            )
            .map_err(w)?;
        }
        DeviceCommand::AtRisk { db } => {
            let store = open(&db)?;
            for r in store.device_revocations().map_err(|e| e.to_string())? {
                writeln!(
                    out,
                    "revoked {} {} ({}) as of {} by {}: {}",
                    r.kind, r.device_id, r.device_name, r.revoked_after, r.revoked_by, r.reason
                )
                .map_err(w)?;
            }
            for f in store.device_refusals().map_err(|e| e.to_string())? {
                writeln!(
                    out,
                    "refused {} request(s) of {} from {} to {}, last {}",
                    f.count, f.device_id, f.first_at, f.last_at, f.last_request
                )
                .map_err(w)?;
            }
            for a in store.allotments_at_risk().map_err(|e| e.to_string())? {
                writeln!(
                    out,
                    "at risk {} {} {}: {} seat(s) lent to {}",
                    a.device_id, a.session, a.category, a.seats, a.device_name
                )
                .map_err(w)?;
            }
        }
        DeviceCommand::Settle {
            db,
            device,
            session,
            category,
            action,
            seats,
            reason,
            by,
        } => {
            let action = match action {
                SettleArg::WriteOff => Settlement::WriteOff,
                SettleArg::Return => Settlement::Return,
            };
            let left = open(&db)?
                .settle_at_risk(
                    device.trim(),
                    session.trim(),
                    category.trim(),
                    action,
                    seats,
                    &reason,
                    &by,
                    now,
                )
                .map_err(|e| e.to_string())?;
            writeln!(
                out,
                "{seats} seat(s) of {session} {category} {}; {left} left at risk",
                match action {
                    Settlement::WriteOff => "written off",
                    Settlement::Return => "returned to the pool",
                }
            )
            .map_err(w)?;
        }
    }
    Ok(0)
}

/// What to do with console staff.
#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Add a staff member of the operations console. The password is read from the
    /// GUICHET_STAFF_PASSWORD environment variable, or else from the first line of stdin
    /// (never from the command line, which other users can see).
    Add {
        /// The database.
        #[command(flatten)]
        db: DbArg,
        /// Sign-in name (a-z, 0-9, '.', '-', '_').
        username: String,
        /// viewer, supervisor or admin.
        #[arg(long)]
        role: String,
    },
}

/// Runs a staff command, on the SQLite file or the PostgreSQL database `--db` names.
pub fn run_staff(
    cmd: StaffCommand,
    now: Timestamp,
    open: &dyn Fn(&DbArg) -> Result<Store, CliError>,
    config: &guichet_domain::SaleConfig,
    out: &mut dyn Write,
) -> Result<u8, CliError> {
    let StaffCommand::Add { db, username, role } = cmd;
    let role = crate::store::staff::Role::parse(&role).map_err(|e| e.to_string())?;
    let password = match std::env::var("GUICHET_STAFF_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    const BY: &str = "guichet-server staff add";
    let staff = match db.postgres() {
        Some(url) => crate::serve::on_postgres(url, config, |pg| async move {
            let added = pg.add_staff(&username, &password, role, BY, now).await;
            // A command is no replica: its lease goes at once.
            let _ = pg.retire().await;
            Ok(added)
        })
        .map_err(|e| e.to_string())?,
        None => open(&db)?.add_staff(&username, &password, role, BY, now),
    }
    .map_err(|e| e.to_string())?;
    writeln!(
        out,
        "staff member {} added as {}",
        staff.username,
        staff.role.as_str()
    )
    .map_err(|e| e.to_string())?;
    Ok(0)
}

/// Writes the gate's key list (`keys.json`, with `revoked_after` for revoked devices) and
/// revocation list (`revoked.json`) into `dir`, as `guichet-gate verify` reads them.
pub fn write_gate_lists(
    store: &Store,
    dir: &std::path::Path,
) -> Result<(PathBuf, PathBuf), CliError> {
    let keys = store.gate_keys().map_err(|e| e.to_string())?;
    let tickets = store
        .revocations_with_reasons()
        .map_err(|e| e.to_string())?;
    write_gate_files(keys, tickets, dir)
}

/// Writes `keys.json` and `revoked.json` into `dir` from what either store read: the devices'
/// keys and the revoked tickets with their reasons.
pub fn write_gate_files(
    keys: Vec<crate::store::GateKey>,
    tickets: Vec<(String, String)>,
    dir: &std::path::Path,
) -> Result<(PathBuf, PathBuf), CliError> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let entries: Vec<KeyListEntry> = keys
        .into_iter()
        .map(|k| KeyListEntry {
            key_id: k.key_id,
            public_key: k.public_key_hex,
            label: k.kind,
            revoked_after: k.revoked_after,
        })
        .collect();
    KeyList::from_entries(&entries)?;
    let keys = dir.join("keys.json");
    KeyList::save(&entries, &keys).map_err(|e| e.to_string())?;
    let tickets: Vec<Revocation> = tickets
        .into_iter()
        .filter_map(|(id, reason)| {
            Some(Revocation {
                ticket_id: TicketId::parse(&id)?,
                reason,
            })
        })
        .collect();
    let revoked = dir.join("revoked.json");
    RevocationList::save(&tickets, &revoked).map_err(|e| e.to_string())?;
    Ok((keys, revoked))
}
