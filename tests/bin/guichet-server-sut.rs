//! The server under test: exactly `guichet-server`'s entry point, plus one test-only flag the
//! real binary does not have. `serve --no-guard-for-tests ...` serves with the availability
//! guard switched off (check, then act: the race the system race test must see oversell, so that
//! its run with the guard means something), on either store.

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
        log_format: _,
    } = args.command
    else {
        return Err(format!("{NO_GUARD} goes with `serve` only"));
    };
    let clock = match &now {
        Some(s) => guichet_domain::Clock::shifted(instant(s)?),
        None => guichet_domain::Clock::System,
    };
    if let Some(url) = db.postgres() {
        return serve_postgres_unguarded(url, clock, &listen, pull_page);
    }
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
    guichet_server::serve::run(store, clock, &listen, false).map_err(|e| e.to_string())
}

/// One PostgreSQL replica as `serve --db postgres://…` runs it (its lease renewed, the
/// catalogue imported into an empty database), its sales unguarded; until killed.
fn serve_postgres_unguarded(
    url: &str,
    clock: guichet_domain::Clock,
    listen: &str,
    pull_page: usize,
) -> Result<(), String> {
    use guichet_server::store_pg::{PgStore, LEASE};
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let key_dir = std::env::var_os("GUICHET_SERVER_CARD_KEY_DIR").map_or_else(
            || "guichet-server.card-key".into(),
            std::path::PathBuf::from,
        );
        let mut pg = PgStore::connect(url, guichet_domain::SaleConfig::paris2024(), 16, key_dir)
            .await
            .map_err(|e| e.to_string())?;
        pg.set_pull_page(pull_page);
        pg.set_guard_for_tests(false);
        if pg.catalogue().sessions().next().is_none() {
            pg.import_catalogue(&guichet_domain::Catalogue::paris2024())
                .await
                .map_err(|e| e.to_string())?;
        }
        let pg = std::sync::Arc::new(pg);
        let lease = std::sync::Arc::clone(&pg);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(LEASE / 3);
            loop {
                tick.tick().await;
                let _ = lease.renew_lease().await;
            }
        });
        let state = guichet_server::api::AppState::postgres(pg, clock);
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        println!("listening on http://{addr}");
        axum::serve(listener, guichet_server::api::app(state))
            .await
            .map_err(|e| e.to_string())
    })
}
