//! The server process: tracing, bind, serve until Ctrl-C or SIGTERM, then drain.

use std::sync::Arc;

use guichet_domain::Clock;

use crate::api::{app, AppState};
use crate::store::Store;

/// Serves until a shutdown signal.
pub fn run(store: Store, clock: Clock, listen: &str) -> std::io::Result<()> {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .try_init();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let simulated = clock.is_simulated();
        let state = AppState::new(store, clock);
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        tracing::info!(%addr, simulated_clock = simulated, now = %state.clock.now(), "guichet-server listening");
        // A line on stdout that scripts and tests wait for.
        println!("listening on http://{addr}");
        axum::serve(listener, app(Arc::clone(&state)))
            .with_graceful_shutdown(shutdown())
            .await?;
        tracing::info!("stopped");
        Ok(())
    })
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
