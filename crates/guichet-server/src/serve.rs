//! The server process: tracing, bind, serve until Ctrl-C or SIGTERM, then drain.

use std::sync::Arc;

use guichet_domain::Clock;

use crate::api::{app, AppState};
use crate::store::{Store, StoreError};
use crate::store_pg::PgStore;
use guichet_domain::SaleConfig;

/// `--log-format`: true for `json`, false for `text` or none; anything else is refused.
pub fn json_logs(format: Option<String>) -> Result<bool, String> {
    match format.as_deref() {
        None | Some("text") => Ok(false),
        Some("json") => Ok(true),
        Some(other) => Err(format!(
            "log format {other:?} is not known: use --log-format text or json (or GUICHET_SERVER_LOG_FORMAT)"
        )),
    }
}

/// Serves until a shutdown signal; logs as JSON lines when `json`.
pub fn run(store: Store, clock: Clock, listen: &str, json: bool) -> std::io::Result<()> {
    serve(listen, clock.is_simulated(), json, move || async move {
        Ok(AppState::new(store, clock))
    })
}

/// Pool connections a PostgreSQL replica opens at most (`GUICHET_SERVER_PG_POOL`, default 16).
fn pool_size() -> usize {
    std::env::var("GUICHET_SERVER_PG_POOL")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16)
}

/// Where a PostgreSQL server keeps the account-card key (`GUICHET_SERVER_CARD_KEY_DIR`,
/// default `guichet-server.card-key` in the working directory): replicas share one.
pub(crate) fn card_key_dir() -> std::path::PathBuf {
    std::env::var_os("GUICHET_SERVER_CARD_KEY_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from("guichet-server.card-key"))
}

/// Runs `f` on a connected PostgreSQL store (command-line work: import, enrol).
pub fn on_postgres<T, F, Fut>(url: &str, config: &SaleConfig, f: F) -> Result<T, StoreError>
where
    F: FnOnce(PgStore) -> Fut,
    Fut: std::future::Future<Output = Result<T, StoreError>>,
{
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| StoreError::Invalid(format!("runtime: {e}")))?;
    rt.block_on(async move {
        let pg = PgStore::connect(url, config.clone(), 2, card_key_dir()).await?;
        f(pg).await
    })
}

/// `serve`'s settings besides the store, the clock and the address.
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    /// Change-feed rows one pull reads at most.
    pub pull_page: usize,
    /// How long a hold sets its seats aside, in seconds.
    pub hold_seconds: u32,
    /// Logs as JSON lines.
    pub json: bool,
}

/// Serves from a PostgreSQL database as one replica: its lease is renewed in the
/// background; at a clean stop its buckets go back to the pool.
pub fn run_postgres(
    url: &str,
    config: SaleConfig,
    catalogue: guichet_domain::Catalogue,
    clock: Clock,
    listen: &str,
    tuning: Tuning,
) -> std::io::Result<()> {
    let Tuning {
        pull_page,
        hold_seconds,
        json,
    } = tuning;
    let url = url.to_string();
    let simulated = clock.is_simulated();
    serve(listen, simulated, json, move || async move {
        let mut pg = PgStore::connect(&url, config, pool_size(), card_key_dir()).await?;
        pg.set_pull_page(pull_page);
        pg.set_hold_seconds(hold_seconds);
        if pg.catalogue().sessions().next().is_none() {
            pg.import_catalogue(&catalogue).await?;
        }
        let pg = Arc::new(pg);
        tracing::info!(replica = pg.replica_id(), "PostgreSQL store");
        tokio::spawn(renew_lease(Arc::clone(&pg)));
        Ok(AppState::postgres(pg, clock))
    })
}

async fn renew_lease(pg: Arc<PgStore>) {
    let mut tick = tokio::time::interval(crate::store_pg::LEASE / 3);
    loop {
        tick.tick().await;
        match pg.renew_lease().await {
            Ok(n) if n > 0 => tracing::info!(seats = n, "dead replicas' seats back in the pool"),
            Err(e) => tracing::warn!(error = %e, "lease renewal failed; the next one tries again"),
            _ => {}
        }
    }
}

fn serve<F, Fut>(listen: &str, simulated: bool, json: bool, make: F) -> std::io::Result<()>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<Arc<AppState>, StoreError>>,
{
    let filter = || {
        tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"))
    };
    let _ = if json {
        tracing_subscriber::fmt()
            .json()
            .with_current_span(false)
            .with_env_filter(filter())
            .try_init()
    } else {
        tracing_subscriber::fmt()
            // No colour codes in journald (the installed service) or in a file.
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
            .with_env_filter(filter())
            .try_init()
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let state = make().await.map_err(std::io::Error::other)?;
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        tracing::info!(%addr, simulated_clock = simulated, now = %state.clock.now(), "guichet-server listening");
        tokio::spawn(sweep_holds(Arc::clone(&state)));
        tokio::spawn(forget_revoked_tokens(Arc::clone(&state)));
        // A line on stdout that scripts and tests wait for.
        println!("listening on http://{addr}");
        axum::serve(listener, app(Arc::clone(&state)))
            .with_graceful_shutdown(shutdown())
            .await?;
        if let Some(Err(e)) = state.backend.retire().await {
            tracing::warn!(error = %e, "buckets not given back; the lease expiry will");
        }
        tracing::info!("stopped");
        Ok(())
    })
}

/// Every second, holds past their time give their seats back (reads and writes that look at
/// stock also do it first; the sweep frees them when nobody asks).
async fn sweep_holds(state: Arc<AppState>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        tick.tick().await;
        match state.backend.expire_holds(state.clock.now()).await {
            Ok(n) if n > 0 => tracing::info!(expired = n, "holds expired"),
            Err(e) => tracing::warn!(error = %e, "hold sweep failed; the next one tries again"),
            _ => {}
        }
    }
}

/// Four times a second, tokens of devices revoked by another process (the `device revoke`
/// command) leave the token cache: a revoked desk's requests are refused within 250 ms.
/// A revocation made through this process is forgotten at once.
async fn forget_revoked_tokens(state: Arc<AppState>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(250));
    loop {
        tick.tick().await;
        match state.backend.forget_revoked_tokens().await {
            Ok(n) if n > 0 => tracing::info!(tokens = n, "revoked devices' tokens forgotten"),
            Err(e) => {
                tracing::warn!(error = %e, "revoked-token sweep failed; the next one tries again")
            }
            _ => {}
        }
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
