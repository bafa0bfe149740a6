//! The operators' commands. `run` takes the instant and an output, so tests drive it
//! in-process as well as through the binary.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};
use guichet_domain::catalogue::{format_offset, import::load_dir, stats::games_stats};
use guichet_domain::config::parse_instant;
use guichet_domain::rules::words::when_en;
use guichet_domain::{
    check_order, AccountStanding, Catalogue, DraftOrder, Games, PriceCategory, SaleConfig,
};
use jiff::Timestamp;
use serde::Deserialize;

/// Exit code of an accepted check.
pub const ACCEPTED: u8 = 0;
/// Exit code of a refused check.
pub const REFUSED: u8 = 1;

/// Guichet central server and operators' tools.
#[derive(Debug, Parser)]
#[command(name = "guichet-server", version, about)]
pub struct Args {
    /// Catalogue directory (default: the Paris 2024 catalogue built into the binary).
    #[arg(long, global = true)]
    pub catalogue: Option<PathBuf>,
    /// Sale configuration TOML (default: the Paris 2024 configuration built in).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Output language.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Lang {
    /// English.
    En,
    /// French.
    Fr,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the catalogue: sessions (filtered) or its numbers (--stats).
    Catalogue {
        /// Only this Games.
        #[arg(long, value_enum)]
        games: Option<GamesArg>,
        /// Only this sport (case-insensitive).
        #[arg(long)]
        sport: Option<String>,
        /// Only sessions starting on this local day (YYYY-MM-DD).
        #[arg(long)]
        day: Option<String>,
        /// Print sessions per sport, seats per category and total inventory instead.
        #[arg(long)]
        stats: bool,
    },
    /// Print the sale phases and which are open at an instant.
    Phases {
        /// The instant (see `check --at`); default: now.
        #[arg(long)]
        at: Option<String>,
    },
    /// Copy the server's database to FILE with SQLite's online backup API; the server may be
    /// serving meanwhile.
    Backup {
        /// The database.
        #[command(flatten)]
        db: DbArg,
        /// Where the copy goes.
        file: PathBuf,
    },
    /// Restore the server's database from FILE: checked first (a Guichet server database,
    /// whole, not newer); the current file is kept aside, never overwritten. Stop the server
    /// first.
    Restore {
        /// The database.
        #[command(flatten)]
        db: DbArg,
        /// A file made by `guichet-server backup`.
        file: PathBuf,
    },
    /// Import the catalogue (and its inventory) into the server's database. Importing twice
    /// changes nothing; sold and lent counts are kept.
    Import {
        /// The database.
        #[command(flatten)]
        db: DbArg,
    },
    /// Import the catalogue, add demo accounts and run the demo's pack draw for real (commit,
    /// registrations, close, run; a DEMO-ONLY fixed secret): a drawn Club member in its
    /// timeslot on 17 Feb 2023, a drawn non-member whose slot starts on 19 Feb, a registered
    /// account that was not drawn, and one that never registered.
    SeedDemo {
        /// The database.
        #[command(flatten)]
        db: DbArg,
        /// Where to write the draw's secret, registration list and transcript (default: the
        /// database's folder).
        #[arg(long)]
        draw_dir: Option<PathBuf>,
    },
    /// Make a one-time enrolment code for a device.
    Enrol {
        /// The database.
        #[command(flatten)]
        db: DbArg,
        /// `box-office` or `kiosk`.
        #[arg(long, default_value = "box-office")]
        kind: String,
    },
    /// Print an account's card: the signed QR text a fan shows at a kiosk (sent with the
    /// confirmation email). `--png` also writes it as a QR image.
    AccountCard {
        /// The database.
        #[command(flatten)]
        db: DbArg,
        /// Account id (`P24-0000002`).
        account: String,
        /// Last day the card is valid (YYYY-MM-DD); default: the last day of the last sale phase.
        #[arg(long)]
        valid_until: Option<String>,
        /// Also write the QR as a PNG here.
        #[arg(long)]
        png: Option<PathBuf>,
    },
    /// Run the HTTP server.
    Serve {
        /// The database (imported first if empty).
        #[command(flatten)]
        db: DbArg,
        /// Address to listen on; loopback by default.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Run the server's clock from this instant (Paris time), e.g. a day of the pack sale.
        #[arg(long)]
        now: Option<String>,
        /// Change-feed rows one pull carries at most; a desk further behind is told `more` and
        /// pulls again at once.
        #[arg(long, default_value_t = 100_000)]
        pull_page: usize,
        /// Seconds a kiosk's hold sets its seats aside before they go back on sale by
        /// themselves (at least 1).
        #[arg(long, default_value_t = crate::store::DEFAULT_HOLD_SECONDS)]
        hold_seconds: u32,
        /// Log lines as `text` (the default) or `json` (one JSON object a line, for a log
        /// collector); GUICHET_SERVER_LOG_FORMAT sets it when this is not given.
        #[arg(long)]
        log_format: Option<String>,
    },
    /// Run the HTTP server from a settings file (the installed service's command:
    /// `/etc/guichet/server.toml`); each key has an environment override `GUICHET_SERVER_<KEY>`.
    Service {
        /// The settings file.
        #[arg(long, default_value = "/etc/guichet/server.toml")]
        settings: PathBuf,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// The draw, step by step (docs/draw.md): register, commit, close, export, run, verify.
    Draw {
        /// The step.
        #[command(subcommand)]
        step: crate::draw_cli::DrawCommand,
    },
    /// Devices: revoke a lost or stolen one, see and settle its seats at risk.
    Device {
        /// What to do.
        #[command(subcommand)]
        action: crate::device_cli::DeviceCommand,
    },
    /// Staff of the operations console (`/console`).
    Staff {
        /// What to do.
        #[command(subcommand)]
        action: crate::device_cli::StaffCommand,
    },
    /// Write the files a gate carries into DIR: keys.json (every device's key, with
    /// revoked_after for revoked ones) and revoked.json (revoked tickets).
    GateLists {
        /// The database.
        #[command(flatten)]
        db: DbArg,
        /// Where to write them.
        #[arg(long)]
        out_dir: PathBuf,
    },
    /// Winners' notices: queue them from a draw's results, send the due ones, show the outbox.
    Notices {
        /// What to do.
        #[command(subcommand)]
        action: crate::notices::cli::NoticesCommand,
    },
    /// Would this sale be allowed? Checks a draft order (JSON file, or - for stdin) for an
    /// account at an instant; prints the priced order or every violation.
    /// Exit code: 0 accepted, 1 refused, 2 bad input.
    Check {
        /// JSON: `{"at": "...", "account": {...}, "order": {"kind": "pack", "lines": [...]}}`.
        file: PathBuf,
        /// The instant: `2023-02-17T10:00:00` (Paris time), with a zone
        /// `...[Europe/Paris]`, or RFC 3339 with an offset. Overrides the file's `at`.
        #[arg(long)]
        at: Option<String>,
        /// Language of the messages.
        #[arg(long, value_enum, default_value = "en")]
        lang: Lang,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

impl DbArg {
    /// The PostgreSQL URL, when `--db` is one (`postgres://…`); `None` for a SQLite file.
    pub fn postgres(&self) -> Option<&str> {
        self.db.to_str().filter(|d| crate::store_pg::is_url(d))
    }
}

/// Where the server keeps its data.
#[derive(Debug, Clone, clap::Args)]
pub struct DbArg {
    /// SQLite file of the server, or a PostgreSQL URL (`postgres://user@host/db`) for the
    /// PostgreSQL store (docs/postgres.md).
    #[arg(long, default_value = "guichet-server.sqlite")]
    pub db: PathBuf,
}

/// Games filter.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GamesArg {
    /// Olympic.
    Olympic,
    /// Paralympic.
    Paralympic,
}

/// A check request as a file holds it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    /// The instant, if the file fixes one.
    #[serde(default)]
    pub at: Option<String>,
    /// The account's standing (default: a new account, no draw).
    #[serde(default)]
    pub account: AccountStanding,
    /// The draft.
    pub order: DraftOrder,
}

/// Errors of the command line: bad input, said plainly.
pub type CliError = String;

/// Reads an instant: Paris wall-clock time unless a zone or offset is given.
pub fn instant(s: &str) -> Result<Timestamp, CliError> {
    let s = s.trim();
    let has_zone =
        s.contains('[') || s.ends_with('Z') || s.rfind(['+', '-']).is_some_and(|i| i > 10);
    let text = if has_zone {
        s.to_string()
    } else {
        format!("{s}[Europe/Paris]")
    };
    parse_instant(&text).map_err(|e| {
        format!("cannot read the instant {s:?} ({e}); write e.g. 2023-02-17T10:00:00 (Paris time)")
    })
}

/// The binary's entry point: parses the arguments, reads the clock (here and nowhere else),
/// runs the command, and says what went wrong on stderr.
pub fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let now = Timestamp::now();
    let mut out = std::io::stdout().lock();
    match run(args, now, &mut out) {
        Ok(code) => std::process::ExitCode::from(code),
        Err(e) => {
            eprintln!("guichet-server: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

/// Runs a command; returns the exit code.
pub fn run(args: Args, now: Timestamp, out: &mut dyn Write) -> Result<u8, CliError> {
    let args = crate::settings::expand(args, &|k| std::env::var(k).ok())?;
    let catalogue = match &args.catalogue {
        Some(dir) => load_dir(dir).map_err(|e| e.to_string())?,
        None => Catalogue::paris2024(),
    };
    let config = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            SaleConfig::from_toml(&text, &path.display().to_string()).map_err(|e| e.to_string())?
        }
        None => SaleConfig::paris2024(),
    };
    let w = |e: std::io::Error| e.to_string();
    let open = |db: &DbArg| {
        if db.postgres().is_some() {
            return Err(crate::store::StoreError::Unavailable(
                "this command is not available on the PostgreSQL store in this version: run it with --db FILE (SQLite); on PostgreSQL, import, seed-demo (the catalogue), enrol and serve work".into(),
            )
            .to_string());
        }
        crate::store::Store::open(&db.db, config.clone(), crate::store::Durability::Full)
            .map_err(|e| format!("{}: {e}", db.db.display()))
    };
    // Draws and notices run on either store.
    let open_draws = |db: &DbArg| match db.postgres() {
        Some(url) => crate::backend_draws::Blocking::postgres(url, &config),
        None => crate::backend_draws::Blocking::new(Arc::new(crate::backend::Sqlite(Arc::new(
            open(db)?,
        )))),
    };
    match args.command {
        Command::Backup { db, file } => {
            let info = crate::store::backup::backup(&db.db, &file)?;
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&info).unwrap_or_default()
            )
            .map_err(w)?;
            Ok(0)
        }
        Command::Restore { db, file } => {
            let (info, aside) = crate::store::backup::restore(&file, &db.db, now)?;
            let v = serde_json::json!({ "restored": info, "kept_aside": aside });
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&v).unwrap_or_default()
            )
            .map_err(w)?;
            Ok(0)
        }
        Command::Import { db } | Command::SeedDemo { db, .. } if db.postgres().is_some() => {
            let url = db.postgres().unwrap_or_default();
            let r = crate::serve::on_postgres(url, &config, |mut pg| async move {
                let r = pg.import_catalogue(&catalogue).await;
                let _ = pg.retire().await;
                r
            })
            .map_err(|e| e.to_string())?;
            writeln!(
                out,
                "imported {} sessions, {} offers, {} seats into the PostgreSQL database",
                r.sessions, r.offers, r.seats
            )
            .map_err(w)?;
            Ok(0)
        }
        Command::Enrol { db, kind } if db.postgres().is_some() => {
            let url = db.postgres().unwrap_or_default();
            let code = crate::serve::on_postgres(url, &config, |pg| async move {
                let r = pg.new_enrolment_code(&kind, now).await;
                let _ = pg.retire().await;
                r
            })
            .map_err(|e| e.to_string())?;
            writeln!(out, "{code}").map_err(w)?;
            Ok(0)
        }
        Command::Serve {
            db,
            listen,
            now: start,
            pull_page,
            hold_seconds,
            log_format,
        } if db.postgres().is_some() => {
            let env = std::env::var("GUICHET_SERVER_LOG_FORMAT").ok();
            let json = crate::serve::json_logs(log_format.or(env.filter(|v| !v.is_empty())))?;
            let clock = match start {
                Some(s) => guichet_domain::Clock::shifted(instant(&s)?),
                None => guichet_domain::Clock::System,
            };
            let url = db.postgres().unwrap_or_default().to_string();
            crate::serve::run_postgres(
                &url,
                config,
                catalogue,
                clock,
                &listen,
                crate::serve::Tuning {
                    pull_page,
                    hold_seconds,
                    json,
                },
            )
            .map_err(|e| e.to_string())?;
            Ok(0)
        }
        Command::Import { db } => {
            let mut store = open(&db)?;
            let r = store
                .import_catalogue(&catalogue)
                .map_err(|e| e.to_string())?;
            writeln!(
                out,
                "imported {} sessions, {} offers, {} seats into {}",
                r.sessions,
                r.offers,
                r.seats,
                db.db.display()
            )
            .map_err(w)?;
            Ok(0)
        }
        Command::SeedDemo { db, draw_dir } => {
            let mut store = open(&db)?;
            store
                .import_catalogue(&catalogue)
                .map_err(|e| e.to_string())?;
            let dir = draw_dir.unwrap_or_else(|| match db.db.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            });
            for line in crate::demo::seed(&store, now, &dir).map_err(|e| e.to_string())? {
                writeln!(out, "{line}").map_err(w)?;
            }
            Ok(0)
        }
        Command::Enrol { db, kind } => {
            let store = open(&db)?;
            let code = store
                .new_enrolment_code(&kind, now)
                .map_err(|e| e.to_string())?;
            writeln!(out, "{code}").map_err(w)?;
            Ok(0)
        }
        Command::AccountCard {
            db,
            account,
            valid_until,
            png,
        } => {
            let id = guichet_domain::AccountId::parse(&account).map_err(|e| e.to_string())?;
            let until = match valid_until {
                Some(d) => d
                    .parse::<jiff::civil::Date>()
                    .map_err(|e| format!("--valid-until {d:?}: expected YYYY-MM-DD ({e})"))?,
                None => last_sale_day(&config),
            };
            let store = open(&db)?;
            let card = store.account_card(&id, until).map_err(|e| e.to_string())?;
            if let Some(path) = png {
                guichet_tickets::qr_png(&card, &path).map_err(|e| e.to_string())?;
            }
            writeln!(out, "{card}").map_err(w)?;
            Ok(0)
        }
        Command::Draw { step } => crate::draw_cli::run(step, now, &open_draws, out),
        Command::Device { action } => crate::device_cli::run(action, now, &open, out),
        Command::Staff { action } => crate::device_cli::run_staff(action, now, &open, &config, out),
        Command::GateLists { db, out_dir } => {
            let (keys, revoked) = crate::device_cli::write_gate_lists(&open(&db)?, &out_dir)?;
            writeln!(out, "{}\n{}", keys.display(), revoked.display()).map_err(w)?;
            Ok(0)
        }
        Command::Notices { action } => {
            use crate::notices::cli::NoticesCommand as N;
            let db = match &action {
                N::Enqueue { db, .. } | N::Send { db, .. } | N::Status { db, .. } => db.clone(),
            };
            let store = open_draws(&db)?;
            crate::notices::cli::run(action, &store, now, out)
        }
        Command::Service { .. } => Err("the settings were not expanded".into()),
        Command::Openapi => {
            writeln!(out, "{}", crate::api::openapi::document()).map_err(w)?;
            Ok(0)
        }
        Command::Serve {
            db,
            listen,
            now: start,
            pull_page,
            hold_seconds,
            log_format,
        } => {
            let env = std::env::var("GUICHET_SERVER_LOG_FORMAT").ok();
            let json = crate::serve::json_logs(log_format.or(env.filter(|v| !v.is_empty())))?;
            let mut store = open(&db)?;
            store.set_pull_page(pull_page);
            store.set_hold_seconds(hold_seconds);
            if store.catalogue().sessions().next().is_none() {
                store
                    .import_catalogue(&catalogue)
                    .map_err(|e| e.to_string())?;
            }
            let clock = match start {
                Some(s) => guichet_domain::Clock::shifted(instant(&s)?),
                None => guichet_domain::Clock::System,
            };
            crate::serve::run(store, clock, &listen, json).map_err(|e| e.to_string())?;
            Ok(0)
        }
        Command::Catalogue {
            games,
            sport,
            day,
            stats,
        } => {
            print_catalogue(&catalogue, games, sport, day, stats, out).map_err(w)?;
            Ok(0)
        }
        Command::Phases { at } => {
            let at = at.as_deref().map(instant).transpose()?.unwrap_or(now);
            let tz = config.time_zone();
            writeln!(out, "Phases at {} (Paris time):", when_en(at, &tz)).map_err(w)?;
            for p in &config.phases {
                let state = if p.is_open(at) { "OPEN  " } else { "closed" };
                writeln!(
                    out,
                    "  {state} {:<16} {} – {}  sells {} ({}){}",
                    p.id,
                    p.opens.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M"),
                    p.closes.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M"),
                    p.sells.en(),
                    p.games,
                    p.draw
                        .as_ref()
                        .map(|d| format!(", drawn accounts of {d}"))
                        .unwrap_or_default()
                )
                .map_err(w)?;
            }
            Ok(0)
        }
        Command::Check {
            file,
            at,
            lang,
            json,
        } => {
            let text = if file.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin()).map_err(|e| e.to_string())?
            } else {
                std::fs::read_to_string(&file)
                    .map_err(|e| format!("cannot read {}: {e}", file.display()))?
            };
            let req: CheckRequest = serde_json::from_str(&text)
                .map_err(|e| format!("{} is not a valid check request: {e}", file.display()))?;
            let at = match at.or(req.at) {
                Some(s) => instant(&s)?,
                None => now,
            };
            let result = check_order(
                &req.order,
                &req.account,
                &config,
                &catalogue,
                &catalogue,
                at,
            );
            if json {
                let v = match &result {
                    Ok(o) => serde_json::json!({ "accepted": true, "order": o }),
                    Err(r) => serde_json::json!({ "accepted": false, "violations": r.violations }),
                };
                writeln!(out, "{v:#}").map_err(w)?;
            } else {
                print_check(&catalogue, &config, at, &result, lang, out).map_err(w)?;
            }
            Ok(if result.is_ok() { ACCEPTED } else { REFUSED })
        }
    }
}

/// The last Paris day on which some phase still sells.
fn last_sale_day(config: &SaleConfig) -> jiff::civil::Date {
    let tz = jiff::tz::TimeZone::get("Europe/Paris").unwrap_or(jiff::tz::TimeZone::UTC);
    config
        .phases
        .iter()
        .map(|p| p.closes)
        .max()
        .map(|c| (c - jiff::SignedDuration::from_secs(1)).to_zoned(tz).date())
        .unwrap_or(jiff::civil::date(2024, 9, 8))
}

fn print_check(
    catalogue: &Catalogue,
    config: &SaleConfig,
    at: Timestamp,
    result: &Result<guichet_domain::ValidOrder, guichet_domain::Rejection>,
    lang: Lang,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let tz = config.time_zone();
    let fr = matches!(lang, Lang::Fr);
    let when = at.to_zoned(tz).strftime("%Y-%m-%d %H:%M:%S");
    match result {
        Ok(o) => {
            let phase = config.phases.iter().find(|p| p.id == o.phase);
            let (name, total) = match (fr, phase) {
                (true, Some(p)) => (p.name_fr.clone(), o.total.fr()),
                (false, Some(p)) => (p.name_en.clone(), o.total.to_string()),
                _ => (o.phase.clone(), o.total.to_string()),
            };
            if fr {
                writeln!(
                    out,
                    "ACCEPTÉE le {when} (heure de Paris) — {name}, {} billets, total {total}",
                    o.tickets()
                )?;
            } else {
                writeln!(
                    out,
                    "ACCEPTED at {when} (Paris time) — {name}, {} tickets, total {total}",
                    o.tickets()
                )?;
            }
            for l in &o.lines {
                let s = catalogue.session(&l.session);
                let what = s
                    .map(|s| format!("{} — {}", s.sport, s.description))
                    .unwrap_or_default();
                let what: String = what.chars().take(48).collect();
                let (unit, amount) = if fr {
                    (l.unit_price.fr(), l.amount.fr())
                } else {
                    (l.unit_price.to_string(), l.amount.to_string())
                };
                writeln!(
                    out,
                    "  {:<11} {what:<48} cat {}  {} × {unit} = {amount}",
                    l.session, l.category, l.quantity
                )?;
            }
        }
        Err(r) => {
            let n = r.violations.len();
            if fr {
                writeln!(
                    out,
                    "REFUSÉE le {when} (heure de Paris) — {n} motif{}",
                    if n > 1 { "s" } else { "" }
                )?;
            } else {
                writeln!(
                    out,
                    "REFUSED at {when} (Paris time) — {n} reason{}",
                    if n > 1 { "s" } else { "" }
                )?;
            }
            for v in &r.violations {
                writeln!(
                    out,
                    "  ✗ {:<22} {}",
                    v.code.as_str(),
                    if fr { &v.fr } else { &v.en }
                )?;
            }
        }
    }
    Ok(())
}

fn print_catalogue(
    cat: &Catalogue,
    games: Option<GamesArg>,
    sport: Option<String>,
    day: Option<String>,
    stats: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let games_list: Vec<Games> = match games {
        Some(GamesArg::Olympic) => vec![Games::Olympic],
        Some(GamesArg::Paralympic) => vec![Games::Paralympic],
        None => vec![Games::Olympic, Games::Paralympic],
    };
    if stats {
        for g in games_list {
            let st = games_stats(cat, g);
            writeln!(
                out,
                "{g} Games: {} sessions, {} sellable seats, face value {}",
                st.sessions, st.seats, st.face_value
            )?;
            writeln!(out, "  prices {} – {}", st.price_range.0, st.price_range.1)?;
            for c in PriceCategory::ALL {
                writeln!(
                    out,
                    "  category {c}: {} seats",
                    st.seats_per_category.get(&c).copied().unwrap_or(0)
                )?;
            }
            let pct = |n: u64| {
                if st.seats == 0 {
                    0.0
                } else {
                    n as f64 * 100.0 / st.seats as f64
                }
            };
            writeln!(
                out,
                "  at the floor price: {} ({:.1} %); ≤ 50 €: {:.1} %; ≤ 200 €: {:.1} %",
                st.seats_at_floor,
                pct(st.seats_at_floor),
                pct(st.seats_at_most_50),
                pct(st.seats_at_most_200)
            )?;
            writeln!(out, "  sessions per sport:")?;
            for (sp, n) in &st.sessions_per_sport {
                writeln!(out, "    {sp:<28} {n:>4}")?;
            }
        }
        return Ok(());
    }
    let sport = sport.map(|s| s.to_lowercase());
    let mut n = 0;
    for s in cat.sessions().filter(|s| games_list.contains(&s.games)) {
        if sport
            .as_ref()
            .is_some_and(|sp| s.sport.to_lowercase() != *sp)
        {
            continue;
        }
        let local = s.local_start();
        if day.as_ref().is_some_and(|d| local.date().to_string() != *d) {
            continue;
        }
        let prices: Vec<String> = s
            .offers
            .iter()
            .map(|o| format!("{}:{}", o.category, o.price.cents() / 100))
            .collect();
        writeln!(
            out,
            "{:<11} {} {} {:<6} {:<18} {:<36} {:<26} {} seats  {}",
            s.code,
            local.date(),
            local.time().strftime("%H:%M"),
            format_offset(s.utc_offset),
            s.sport.chars().take(18).collect::<String>(),
            s.description.chars().take(36).collect::<String>(),
            s.venue_name.chars().take(26).collect::<String>(),
            s.capacity(),
            prices.join(" ")
        )?;
        n += 1;
    }
    writeln!(out, "{n} sessions")
}
