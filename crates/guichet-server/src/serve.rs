//! The server process: tracing, bind, serve until Ctrl-C or SIGTERM, then drain.

use std::sync::Arc;

use guichet_domain::Clock;

use crate::api::{app, AppState};
use crate::store::Store;

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
        let simulated = clock.is_simulated();
        let state = AppState::new(store, clock);
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
        let st = Arc::clone(&state);
        let done = tokio::task::spawn_blocking(move || st.store.expire_holds(st.clock.now())).await;
        match done {
            Ok(Ok(n)) if n > 0 => tracing::info!(expired = n, "holds expired"),
            Ok(Err(e)) => tracing::warn!(error = %e, "hold sweep failed; the next one tries again"),
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
        let st = Arc::clone(&state);
        let done = tokio::task::spawn_blocking(move || st.store.forget_revoked_tokens()).await;
        match done {
            Ok(Ok(n)) if n > 0 => tracing::info!(tokens = n, "revoked devices' tokens forgotten"),
            Ok(Err(e)) => {
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
