//! One kiosk sale from the command line, against a real server, announcing each committed
//! step on stdout (`step intent <request id>`, `step authorised …`, …): the kill matrix runs
//! it and kills it at a step, then runs it again in `reconcile` mode.
//!
//! The card terminal is the simulator (its ledger in its own file) and the printer a folder.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use guichet_desk::{DeviceKey, Layout, SystemClock};
use guichet_domain::{AccountId, Catalogue, OrderKind, PriceCategory, SaleConfig, SessionCode};
use guichet_kiosk::{
    Basket, BasketLine, FileSinkPrinter, Kiosk, KioskParts, SimulatedOutcome, SimulatedTerminal,
};

#[derive(Debug, Parser)]
#[command(
    name = "guichet-kiosk-sale",
    about = "One kiosk card sale, step by step (simulated terminal)"
)]
struct Args {
    /// The kiosk's store (SQLite).
    #[arg(long)]
    store: PathBuf,
    /// The terminal simulator's ledger (JSON lines).
    #[arg(long)]
    terminal_ledger: PathBuf,
    /// Folder the tickets are printed into.
    #[arg(long)]
    print_dir: PathBuf,
    /// Server base URL (http://127.0.0.1:PORT); without it the kiosk sells offline.
    #[arg(long)]
    server: Option<String>,
    /// The kiosk's device token (or the GUICHET_KIOSK_TOKEN environment variable, which
    /// keeps it out of the process list).
    #[arg(long)]
    token: Option<String>,
    /// The printer fails every job ("out of paper"), to see the authorisation reversed.
    #[arg(long)]
    printer_out_of_paper: bool,
    /// Seed byte of the kiosk's signing key (tests).
    #[arg(long, default_value_t = 7)]
    key_seed: u8,
    #[command(subcommand)]
    command: Mode,
}

#[derive(Debug, Subcommand)]
enum Mode {
    /// Sell one basket by card.
    Sell {
        /// Account.
        #[arg(long)]
        account: String,
        /// Session code.
        #[arg(long)]
        session: String,
        /// Category A–D.
        #[arg(long, default_value = "D")]
        category: String,
        /// Tickets.
        #[arg(long, default_value_t = 1)]
        quantity: u32,
        /// What the simulated terminal does: approve, decline, timeout, cancel, power-loss,
        /// power-loss-after, disconnect:<ms>.
        #[arg(long, default_value = "approve")]
        script: String,
        /// Stop (wait on stdin for ever) right after announcing this step: intent, held,
        /// authorised, printed, captured.
        #[arg(long)]
        stop_at: Option<String>,
    },
    /// Settle every open intent by asking the terminal.
    Reconcile,
}

fn run(args: Args) -> Result<u8, String> {
    let err = |e: guichet_kiosk::Error| format!("{} ({})", e, e.code());
    let (script, stop_at) = match &args.command {
        Mode::Sell {
            script, stop_at, ..
        } => (vec![SimulatedOutcome::parse(script)?], stop_at.clone()),
        Mode::Reconcile => (Vec::new(), None),
    };
    let parts = KioskParts {
        clock: Box::new(SystemClock),
        signer: Box::new(DeviceKey::from_seed([args.key_seed; 32])),
        terminal: Box::new(SimulatedTerminal::new(&args.terminal_ledger).script(script)),
        printer: Box::new(FileSinkPrinter {
            dir: args.print_dir.clone(),
            fail_with: args
                .printer_out_of_paper
                .then(|| "the printer is out of paper (simulated)".to_string()),
        }),
        catalogue: Catalogue::paris2024(),
        config: SaleConfig::paris2024(),
        layout: Layout::Thermal,
    };
    let mut kiosk = Kiosk::open(&args.store, parts).map_err(err)?;
    if let Some(url) = &args.server {
        let token = args
            .token
            .clone()
            .or_else(|| std::env::var("GUICHET_KIOSK_TOKEN").ok())
            .ok_or("--server needs --token (or GUICHET_KIOSK_TOKEN)")?;
        kiosk.connect(url, &token).map_err(err)?;
    }
    kiosk.on_step(move |step, request_id| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "step {} {request_id}", step.as_str());
        let _ = out.flush();
        drop(out);
        if stop_at.as_deref() == Some(step.as_str()) {
            // Wait to be killed (or for stdin to close, then go on).
            let mut line = String::new();
            let _ = std::io::stdin().read_line(&mut line);
        }
    });
    match args.command {
        Mode::Sell {
            account,
            session,
            category,
            quantity,
            ..
        } => {
            let basket = Basket {
                account: AccountId::parse(&account).map_err(|e| format!("--account: {e}"))?,
                kind: OrderKind::Single,
                lines: vec![BasketLine {
                    session: SessionCode::parse(&session).map_err(|e| format!("--session: {e}"))?,
                    category: PriceCategory::parse(&category)
                        .map_err(|e| format!("--category: {e}"))?,
                    quantity,
                }],
                holder_name: format!("Fan {account}"),
            };
            let outcome = kiosk.sell(&basket).map_err(err)?;
            println!(
                "outcome {}",
                serde_json::to_string(&outcome).unwrap_or_default()
            );
            Ok(u8::from(!matches!(
                outcome,
                guichet_kiosk::SaleOutcome::Sold { .. }
            )))
        }
        Mode::Reconcile => {
            let settled = kiosk.reconcile().map_err(err)?;
            println!(
                "settled {}",
                serde_json::to_string(&settled).unwrap_or_default()
            );
            Ok(u8::from(settled.iter().any(|s| s.now.is_open())))
        }
    }
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("guichet-kiosk-sale: {e}");
            ExitCode::from(2)
        }
    }
}
