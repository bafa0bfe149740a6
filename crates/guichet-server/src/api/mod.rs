//! The HTTP API: `app(state) -> Router`, so tests call it in-process and the binary only binds
//! it. Every error is `{ code, message, details }`.

mod auth;
mod devices;
mod draws;
mod error;
mod handlers;
pub mod metrics;
mod metrics_ops;
pub mod openapi;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post, put};
use axum::Router;
use guichet_domain::Clock;

pub use error::Error;

use crate::backend::Backend;
use crate::store::Store;
use crate::store_pg::PgStore;

/// Largest request body accepted (a sync batch of a few thousand events fits).
pub const MAX_BODY: usize = 4 * 1024 * 1024;

/// What every handler shares.
pub struct AppState {
    /// The store's use cases, on SQLite or PostgreSQL: what the sale, sync, accounts and
    /// devices routes call.
    pub backend: Arc<dyn Backend>,
    /// The draws and the notices' outbox, on the same store.
    pub draws: Arc<dyn crate::backend_draws::DrawsBackend>,
    /// The SQLite store itself, when the server runs on SQLite (`None` on PostgreSQL), for
    /// SQLite's own tools (the load generator, tests). No route reads it: every handler goes
    /// through `backend` or `draws`.
    pub store: Option<Arc<Store>>,
    /// Where "now" comes from.
    pub clock: Clock,
    /// Request and sale counters.
    pub metrics: metrics::Metrics,
}

impl AppState {
    /// State over a SQLite store and a clock.
    pub fn new(store: Store, clock: Clock) -> Arc<AppState> {
        let store = Arc::new(store);
        Arc::new(AppState {
            backend: Arc::new(crate::backend::Sqlite(Arc::clone(&store))),
            draws: Arc::new(crate::backend::Sqlite(Arc::clone(&store))),
            store: Some(store),
            clock,
            metrics: metrics::Metrics::default(),
        })
    }

    /// State over a PostgreSQL store and a clock.
    pub fn postgres(pg: Arc<PgStore>, clock: Clock) -> Arc<AppState> {
        Arc::new(AppState {
            backend: Arc::new(Arc::clone(&pg)),
            draws: Arc::new(pg),
            store: None,
            clock,
            metrics: metrics::Metrics::default(),
        })
    }

    /// Whether the store is PostgreSQL.
    pub fn on_postgres(&self) -> bool {
        self.backend.name() == "postgres"
    }
}

/// The whole router.
pub fn app(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/healthz", get(handlers::healthz))
        .route("/metrics", get(metrics::render))
        .route("/openapi.json", get(openapi::serve))
        .route("/v1/devices", get(devices::list))
        .route("/v1/devices/enrol", post(handlers::enrol))
        .route("/v1/devices/self/state", put(devices::report_state))
        .route("/v1/catalogue", get(handlers::catalogue))
        .route("/v1/availability", get(handlers::availability))
        .route(
            "/v1/accounts",
            get(handlers::search_accounts).post(handlers::create_account),
        )
        .route("/v1/accounts/{id}", get(handlers::get_account))
        .route("/v1/orders", post(handlers::create_order))
        .route("/v1/holds", post(handlers::create_hold))
        .route("/v1/holds/{id}", delete(handlers::release_hold))
        .route("/v1/gate/lists", get(handlers::gate_lists))
        .route(
            "/v1/allotments",
            get(handlers::allotments).post(handlers::allot),
        )
        .route("/v1/allotments/return", post(handlers::return_allotment))
        .route("/v1/sync/push", post(handlers::push))
        .route("/v1/sync/pull", get(handlers::pull))
        .route("/v1/conflicts", get(handlers::conflicts))
        .route("/v1/draws/{draw}/registrations", post(draws::register))
        .merge(crate::console::routes())
        .fallback(handlers::not_found)
        .method_not_allowed_fallback(handlers::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::count,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}
