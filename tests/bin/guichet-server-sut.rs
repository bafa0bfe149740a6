//! The server under test: exactly `guichet-server`'s entry point, plus one test-only flag the
//! real binary does not have. `serve --no-guard-for-tests ...` serves with the availability
//! guard switched off (check, then act: the race the system race test must see oversell, so that
//! its run with the guard means something).

use clap::Parser;
use guichet_server::cli::{instant, Args, Command};

const NO_GUARD: &str = "--no-guard-for-tests";

fn main() -> std::process::ExitCode {
    let argv: Vec<String> = std::env::args().collect();
    if !argv.iter().any(|a| a == NO_GUARD) {
        return guichet_server::cli::main();
    }
    let args = Args::parse_from(argv.into_iter().filter(|a| a != NO_GUARD));
    match serve_unguarded(args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("guichet-server-sut: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

/// `serve` as the real command runs it (the built-in catalogue and configuration), with the
/// guard off.
fn serve_unguarded(args: Args) -> Result<(), String> {
    let Command::Serve {
        db,
        listen,
        now,
        pull_page,
        hold_seconds,
    } = args.command
    else {
        return Err(format!("{NO_GUARD} goes with `serve` only"));
    };
    let mut store = guichet_server::store::Store::open(
        &db.db,
        guichet_domain::SaleConfig::paris2024(),
        guichet_server::store::Durability::Full,
    )
    .map_err(|e| format!("{}: {e}", db.db.display()))?;
    store.set_pull_page(pull_page);
    store.set_hold_seconds(hold_seconds);
    store.set_guard_for_tests(false);
    if store.catalogue().sessions().next().is_none() {
        store
            .import_catalogue(&guichet_domain::Catalogue::paris2024())
            .map_err(|e| e.to_string())?;
    }
    let clock = match now {
        Some(s) => guichet_domain::Clock::shifted(instant(&s)?),
        None => guichet_domain::Clock::System,
    };
    guichet_server::serve::run(store, clock, &listen).map_err(|e| e.to_string())
}
