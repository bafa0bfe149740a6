//! `guichet-desk`: the desk's use cases without a window, for scripted use and tests.
//! Each command signs in (`--as`, `--pin`), does one thing, prints JSON on stdout; a refusal
//! prints `{code, message}` on stderr and exits 1.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use guichet_desk::demo::{seed_accounts, seed_allotment};
use guichet_desk::{
    Clock, Connectivity, Desk, DeskParts, DeskSettings, DeviceKey, Error, FixedClock, Layout,
    OrderRequest, PaymentTerminalSimulator, RequestLine, SystemClock, Tender, WalkIn,
};
use guichet_domain::{
    AccountId, Catalogue, Money, OrderKind, PriceCategory, SaleConfig, SessionCode,
};
use guichet_store::operators::Role;
use jiff::Timestamp;

#[derive(Parser)]
#[command(name = "guichet-desk", about = "Box-office desk use cases, headless")]
struct Cli {
    /// The desk's SQLite file (default: the OS data directory).
    #[arg(long, global = true)]
    db: Option<PathBuf>,
    /// Stand at this instant instead of the machine clock (RFC 3339, or
    /// `2023-02-20T10:00[Europe/Paris]`); also read from `GUICHET_NOW`.
    #[arg(long, global = true)]
    at: Option<String>,
    /// Sell against the online availability cache instead of this desk's allotment.
    #[arg(long, global = true)]
    online: bool,
    /// Staff id to sign in as.
    #[arg(long = "as", global = true)]
    operator: Option<String>,
    /// That operator's PIN.
    #[arg(long, global = true)]
    pin: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Creates the desk's first operator, a supervisor (on a box office's or a kiosk's file: a
    /// kiosk's supervisors open its maintenance screen).
    Init {
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        #[arg(long = "new-pin")]
        new_pin: String,
    },
    /// Adds an operator (a supervisor must be signed in); on a kiosk's file, a supervisor is
    /// who may unlock its maintenance screen.
    AddOperator {
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        /// seller or supervisor.
        #[arg(long)]
        role: String,
        #[arg(long = "new-pin")]
        new_pin: String,
    },
    /// Loads generated accounts (drawn, timeslot from --slot-start) and an allotment.
    Seed {
        #[arg(long, default_value_t = 100)]
        accounts: u32,
        #[arg(long, default_value = "2023-02-19T10:00[Europe/Paris]")]
        slot_start: String,
        /// Sessions to allot, comma-separated.
        #[arg(long, default_value = "FBL01,FBL02,RU701,HBL01,ARC01")]
        sessions: String,
        #[arg(long, default_value_t = 100)]
        per_category: u32,
    },
    /// Looks accounts up by number, email, name prefix or account QR text.
    LookUp { query: String },
    /// Creates a walk-in account.
    WalkIn {
        #[arg(long)]
        given: String,
        #[arg(long)]
        family: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        country: String,
        #[arg(long)]
        club: Option<String>,
    },
    /// Opens a shift with a cash float (euros).
    OpenShift {
        #[arg(long)]
        float: String,
    },
    /// Sells an order. Lines: `SESSION:CATEGORY:QTY[:Holder One;Holder Two]`.
    Sell {
        /// The buyer's account number (P24-…) or a walk-in's id.
        #[arg(long)]
        account: String,
        /// pack or single.
        #[arg(long, default_value = "pack")]
        kind: String,
        /// One line of the order, `SESSION:CATEGORY:QTY[:Holder One;Holder Two]`; repeat it
        /// for each session (a pack has three).
        #[arg(long = "line", required = true)]
        lines: Vec<String>,
        /// Cash tendered, euros.
        #[arg(long, default_value = "0")]
        cash: String,
        /// Amount charged on the card, euros.
        #[arg(long, default_value = "0")]
        card: String,
        /// Write the order's tickets here as a PDF (A4).
        #[arg(long)]
        pdf: Option<PathBuf>,
        /// Then send that PDF to this CUPS queue.
        #[arg(long, requires = "pdf")]
        print: Option<String>,
    },
    /// Voids an order with a supervisor's PIN.
    Void {
        /// The order's id (from the sale's output or the account's orders).
        #[arg(long)]
        order: String,
        #[command(flatten)]
        by: Supervision,
    },
    /// Refunds some tickets of an order with a supervisor's PIN.
    Refund {
        /// The order's id.
        #[arg(long)]
        order: String,
        /// A ticket id to refund; repeat it for each ticket.
        #[arg(long = "ticket", required = true)]
        tickets: Vec<String>,
        #[command(flatten)]
        by: Supervision,
    },
    /// Closes the shift with the cash counted (euros) and prints the Z report.
    CloseShift {
        #[arg(long)]
        counted: String,
        /// Also write the Z report as a PDF here.
        #[arg(long)]
        pdf: Option<PathBuf>,
    },
    /// Enrols this desk with the central server: trades a one-time code (made by
    /// `guichet-server enrol`) for a device id and a token (kept in the desk's file, never
    /// printed), registering this desk's ticket-signing key.
    Enrol {
        /// The server's base URL, e.g. http://127.0.0.1:8080.
        #[arg(long)]
        server: String,
        /// The one-time code.
        #[arg(long)]
        code: String,
        /// A name for people ("Desk 3, Stade de France").
        #[arg(long)]
        name: String,
    },
    /// Pushes the outbox and pulls what changed, once; prints the status.
    Sync,
    /// Borrows seats from the server to sell offline: SESSION:CATEGORY:QTY.
    Allot {
        /// e.g. FBL01:D:20.
        #[arg(long)]
        line: String,
    },
    /// Copies the desk's file to FILE with SQLite's online backup API; the desk may be selling
    /// meanwhile.
    Backup { file: PathBuf },
    /// Restores the desk's file from FILE, or rebuilds it from a mirror (its last copy plus its
    /// journal). The file is checked first; the current desk file is kept aside, never
    /// overwritten. Stop the desk first.
    Restore {
        /// A file made by `guichet-desk backup`.
        #[arg(required_unless_present = "from_mirror")]
        file: Option<PathBuf>,
        /// A mirror directory (`guichet-desk mirror set DIR`).
        #[arg(long = "from-mirror", conflicts_with = "file")]
        from_mirror: Option<PathBuf>,
    },
    /// The second location (a USB stick, a second disk) every sale is journaled to before its
    /// receipt appears.
    Mirror {
        #[command(subcommand)]
        action: MirrorAction,
    },
    /// Sells walk-in single-ticket orders in a loop (crash-safety tests): prints `ready`, then
    /// `sold <order id>` after each commit.
    #[command(hide = true)]
    SaleLoop {
        #[arg(long, default_value_t = u32::MAX)]
        count: u32,
        #[arg(long, default_value = "FBL01,FBL02")]
        sessions: String,
    },
}

/// What to do with the mirror.
#[derive(Subcommand)]
enum MirrorAction {
    /// Journal every write to DIR from now on (a full copy is made there at once).
    Set { dir: PathBuf },
    /// Stop journaling to a second location.
    Off,
    /// Print the setting (the environment's GUICHET_DESK_MIRROR_DIR wins over the stored one).
    Show,
    /// Make a full copy to the mirror now and start its journal afresh.
    Copy,
}

/// Backup, restore and mirror commands: no operator, and `restore` runs without opening the
/// desk (its file may be gone).
fn maintenance(db: &Path, command: &Command) -> Result<Option<serde_json::Value>, Error> {
    let now = Timestamp::now();
    let v = match command {
        Command::Backup { file } => {
            let store = guichet_store::Store::open(db)?;
            store.backup_to(file)?;
            let info = guichet_store::backup::check_backup(file)?;
            serde_json::to_value(info).unwrap_or_default()
        }
        Command::Restore { file: Some(f), .. } => {
            let r = guichet_store::backup::restore_file(f, db, now)?;
            let mirror = restart_mirror(db, now)?;
            serde_json::json!({ "restored": r, "mirror_kept_aside": mirror })
        }
        Command::Restore {
            from_mirror: Some(dir),
            ..
        } => {
            let r = guichet_store::replay::restore_from_mirror(dir, db, now)?;
            let mirror = restart_mirror(db, now)?;
            serde_json::json!({ "restored": r, "mirror_kept_aside": mirror })
        }
        Command::Restore { .. } => return Err(bad("restore", "give FILE or --from-mirror DIR")),
        Command::Mirror { action } => {
            let mut store = guichet_store::Store::open(db)?;
            let s = match action {
                MirrorAction::Set { dir } => store.set_mirror(Some(dir))?,
                MirrorAction::Off => store.set_mirror(None)?,
                MirrorAction::Show => store.mirror_setting()?,
                MirrorAction::Copy => {
                    store.copy_to_mirror()?;
                    store.mirror_setting()?
                }
            };
            serde_json::to_value(s).unwrap_or_default()
        }
        _ => return Ok(None),
    };
    Ok(Some(v))
}

/// After a restore the mirror starts afresh from the restored file (a new copy, an empty
/// journal); its old copy and journal are kept aside, never overwritten.
fn restart_mirror(db: &Path, now: Timestamp) -> Result<Vec<PathBuf>, Error> {
    let mut store = guichet_store::Store::open(db)?;
    let Some(dir) = store.mirror_setting()?.dir else {
        return Ok(Vec::new());
    };
    let moved = guichet_store::mirror::set_aside(&dir, now)?;
    store.copy_to_mirror()?;
    Ok(moved)
}

/// Who allows a void or a refund, and why.
#[derive(clap::Args, Debug)]
struct Supervision {
    /// The supervisor's staff id.
    #[arg(long)]
    supervisor: String,
    /// That supervisor's PIN.
    #[arg(long = "supervisor-pin")]
    supervisor_pin: String,
    /// Why (kept in the ledger).
    #[arg(long)]
    reason: String,
}

fn bad(field: &'static str, problem: impl Into<String>) -> Error {
    Error::BadInput {
        field,
        problem: guichet_desk::Problem::Other(problem.into()),
    }
}

fn euros(field: &'static str, s: &str) -> Result<Money, Error> {
    Money::parse_euros(s).map_err(|e| bad(field, e.to_string()))
}

fn instant(s: &str) -> Result<Timestamp, Error> {
    s.parse::<Timestamp>()
        .or_else(|_| s.parse::<jiff::Zoned>().map(|z| z.timestamp()))
        .map_err(|e| {
            bad(
                "instant",
                format!("{s:?}: {e} (e.g. 2023-02-20T10:00[Europe/Paris])"),
            )
        })
}

fn key_seed(db: &Path) -> Result<[u8; 32], Error> {
    let path = db.with_extension("key");
    let io = |e: std::io::Error| bad("device key", format!("{}: {e}", path.display()));
    if let Ok(bytes) = std::fs::read(&path) {
        return bytes
            .try_into()
            .map_err(|_| bad("device key", "the key file is not 32 bytes"));
    }
    let seed = random_seed()?;
    std::fs::write(&path, seed).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The signing key is readable by the desk's user only.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
    }
    Ok(seed)
}

fn random_seed() -> Result<[u8; 32], Error> {
    let mut seed = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut seed))
        .map_err(|e| bad("device key", format!("/dev/urandom: {e}")))?;
    Ok(seed)
}

fn line(s: &str) -> Result<RequestLine, Error> {
    let parts: Vec<&str> = s.splitn(4, ':').collect();
    let [session, category, qty, rest @ ..] = parts.as_slice() else {
        return Err(bad(
            "line",
            format!("{s:?}: SESSION:CATEGORY:QTY[:Holder;Holder]"),
        ));
    };
    Ok(RequestLine {
        session: SessionCode::parse(session).map_err(|e| bad("line", e.to_string()))?,
        category: PriceCategory::parse(category).map_err(|e| bad("line", e.to_string()))?,
        quantity: qty
            .parse()
            .map_err(|_| bad("line", format!("{qty:?} is not a number of tickets")))?,
        holders: rest
            .first()
            .map(|h| h.split(';').map(str::to_string).collect())
            .unwrap_or_default(),
    })
}

fn run(cli: Cli) -> Result<serde_json::Value, Error> {
    let db = cli.db.clone().unwrap_or_else(guichet_store::default_path);
    if let Some(v) = maintenance(&db, &cli.command)? {
        return Ok(v);
    }
    let at = cli.at.clone().or_else(|| std::env::var("GUICHET_NOW").ok());
    let clock: Box<dyn Clock> = match &at {
        Some(s) => Box::new(FixedClock::at(instant(s)?)),
        None => Box::new(SystemClock),
    };
    let settings = DeskSettings {
        connectivity: if cli.online {
            Connectivity::Online
        } else {
            Connectivity::Offline
        },
        ..DeskSettings::default()
    };
    // Operators sign nothing: adding one (on a kiosk's file too) never leaves a signing key
    // beside the file; the app keeps its own in `desk.keys/`.
    let seed = match cli.command {
        Command::Init { .. } | Command::AddOperator { .. } => random_seed()?,
        _ => key_seed(&db)?,
    };
    let mut desk = Desk::open(
        &db,
        DeskParts {
            clock,
            signer: Box::new(DeviceKey::from_seed(seed)),
            terminal: Box::new(PaymentTerminalSimulator::default()),
            settings,
            catalogue: Catalogue::paris2024(),
            config: SaleConfig::paris2024(),
        },
    )?;
    if cli.online {
        // Enrolled: sales go to the server, with the offline fallback.
        desk.connect_server(guichet_desk::sync::Timeouts::counter())?;
    }
    if let Command::Init { id, name, new_pin } = &cli.command {
        desk.add_operator(id, name, Role::Supervisor, new_pin)?;
        return Ok(serde_json::json!({ "operator": id, "role": "supervisor" }));
    }
    let (Some(op), Some(pin)) = (&cli.operator, &cli.pin) else {
        return Err(Error::NotSignedIn);
    };
    desk.sign_in(op, pin)?;
    let out = match cli.command {
        Command::Init { .. } => unreachable!("handled above"),
        Command::AddOperator {
            id,
            name,
            role,
            new_pin,
        } => {
            let role = Role::parse(&role).ok_or_else(|| bad("role", "seller or supervisor"))?;
            desk.add_operator(&id, &name, role, &new_pin)?;
            serde_json::json!({ "operator": id, "role": role })
        }
        Command::Seed {
            accounts,
            slot_start,
            sessions,
            per_category,
        } => {
            let now = desk.now();
            seed_accounts(&mut desk, 1, accounts, instant(&slot_start)?, now)?;
            let list: Vec<&str> = sessions.split(',').collect();
            seed_allotment(&mut desk, &list, per_category)?;
            serde_json::json!({ "accounts": accounts, "sessions": list })
        }
        Command::Enrol { server, code, name } => {
            let device = desk.enrol(&server, &code, &name, &DeviceKey::from_seed(seed))?;
            serde_json::json!({ "device_id": device, "key_id": desk.signer_key_id() })
        }
        Command::Sync => {
            let mut cfg = guichet_desk::SyncConfig::new(&db);
            if let Some(s) = &at {
                cfg.clock = Box::new(FixedClock::at(instant(s)?));
            }
            serde_json::to_value(guichet_desk::sync::sync_once(cfg)).unwrap_or_default()
        }
        Command::Allot { line: l } => {
            let l = line(&l)?;
            desk.connect_server(guichet_desk::sync::Timeouts::counter())?;
            let a = desk.ask_allotment(&l.session, l.category, l.quantity)?;
            serde_json::to_value(a).unwrap_or_default()
        }
        Command::LookUp { query } => {
            let (by, found) = desk.look_up(&query)?;
            serde_json::json!({ "by": by, "accounts": found })
        }
        Command::WalkIn {
            given,
            family,
            email,
            country,
            club,
        } => {
            let a = desk.create_walk_in(&WalkIn {
                given_name: given,
                family_name: family,
                email,
                country,
                club_number: club,
            })?;
            serde_json::to_value(a).unwrap_or_default()
        }
        Command::OpenShift { float } => {
            serde_json::to_value(desk.open_shift(euros("float", &float)?)?).unwrap_or_default()
        }
        Command::Sell {
            account,
            kind,
            lines,
            cash,
            card,
            pdf,
            print,
        } => {
            let kind = match kind.as_str() {
                "pack" => OrderKind::Pack,
                "single" => OrderKind::Single,
                _ => return Err(bad("kind", "pack or single")),
            };
            let req = OrderRequest {
                account: AccountId::parse(&account).map_err(|e| bad("account", e.to_string()))?,
                kind,
                lines: lines.iter().map(|l| line(l)).collect::<Result<_, _>>()?,
            };
            let tender = Tender {
                card: euros("card", &card)?,
                cash_tendered: euros("cash", &cash)?,
            };
            let receipt = desk.sell(&req, tender)?;
            let mut v = serde_json::to_value(&receipt).unwrap_or_default();
            if let Some(path) = pdf {
                let bytes = desk.order_pdf(&receipt.order_id, Layout::A4)?;
                std::fs::write(&path, bytes)
                    .map_err(|e| bad("pdf", format!("{}: {e}", path.display())))?;
                if let Some(queue) = print {
                    let opts = guichet_tickets::PrintOptions {
                        title: receipt.order_id.clone(),
                        media: None,
                    };
                    let job = guichet_tickets::print_pdf(&queue, &path, &opts)
                        .map_err(|e| Error::Print(e.into()))?;
                    v["print_job"] = serde_json::Value::String(job.to_string());
                }
            }
            v
        }
        Command::Void { order, by } => {
            let r = desk.void_order(&order, &by.supervisor, &by.supervisor_pin, &by.reason)?;
            serde_json::to_value(r).unwrap_or_default()
        }
        Command::Refund { order, tickets, by } => {
            let r = desk.refund_tickets(
                &order,
                &tickets,
                &by.supervisor,
                &by.supervisor_pin,
                &by.reason,
            )?;
            serde_json::to_value(r).unwrap_or_default()
        }
        Command::CloseShift { counted, pdf } => {
            let r = desk.close_shift(euros("counted", &counted)?)?;
            if let Some(p) = pdf {
                let bytes = guichet_desk::shift::z_report_pdf(&r, |t| desk.paris(t))?;
                std::fs::write(&p, bytes)
                    .map_err(|e| bad("pdf", format!("{}: {e}", p.display())))?;
            }
            serde_json::json!({ "report": r, "text": guichet_desk::shift::z_report_text(&r) })
        }
        Command::SaleLoop { count, sessions } => sale_loop(&mut desk, count, &sessions)?,
        Command::Backup { .. } | Command::Restore { .. } | Command::Mirror { .. } => {
            unreachable!("handled by maintenance")
        }
    };
    Ok(out)
}

fn sale_loop(desk: &mut Desk, count: u32, sessions: &str) -> Result<serde_json::Value, Error> {
    let codes: Vec<SessionCode> = sessions
        .split(',')
        .map(|s| SessionCode::parse(s).map_err(|e| bad("sessions", e.to_string())))
        .collect::<Result<_, _>>()?;
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "ready");
    let _ = stdout.flush();
    for i in 0..count {
        let a = desk.create_walk_in(&WalkIn {
            given_name: format!("Loop{i}"),
            family_name: "Crash".into(),
            email: format!("loop{i}@example.org"),
            country: "FR".into(),
            club_number: None,
        })?;
        let req = OrderRequest {
            account: a.id,
            kind: OrderKind::Single,
            lines: codes
                .iter()
                .map(|c| RequestLine {
                    session: c.clone(),
                    category: PriceCategory::D,
                    quantity: 2,
                    holders: vec![],
                })
                .collect(),
        };
        let total = desk.quote(&req)?.order.total;
        // Alternate cash, card and split payments so every payment shape is crash-tested.
        let tender = match i % 3 {
            0 => Tender {
                card: Money::ZERO,
                cash_tendered: total + Money::from_euros(5),
            },
            1 => Tender {
                card: total,
                cash_tendered: Money::ZERO,
            },
            _ => Tender {
                card: Money::from_euros(10),
                cash_tendered: total,
            },
        };
        let r = desk.sell(&req, tender)?;
        let _ = writeln!(stdout, "sold {}", r.order_id);
        let _ = stdout.flush();
    }
    Ok(serde_json::json!({ "sold": count }))
}

fn main() {
    let cli = Cli::parse();
    match run(cli) {
        Ok(v) => {
            // A closed pipe (`| head`) is not an error of the sale.
            let _ = writeln!(
                std::io::stdout(),
                "{}",
                serde_json::to_string_pretty(&v).unwrap_or_default()
            );
        }
        Err(e) => {
            let v = serde_json::json!({ "code": e.code(), "message": e.to_string() });
            eprintln!("{v}");
            std::process::exit(1);
        }
    }
}
