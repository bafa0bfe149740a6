//! Prometheus metrics in the text format, counted by a middleware.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;

/// Counters.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    orders_sold: AtomicU64,
    orders_duplicate: AtomicU64,
    orders_refused: AtomicU64,
    /// Latency, refusals, devices seen, and the store's gauges (metrics_ops.rs).
    pub ops: super::metrics_ops::Ops,
}

impl Metrics {
    /// Counts one order attempt: Ok(false) sold, Ok(true) duplicate, Err refused or failed.
    pub fn order<E>(&self, r: Result<bool, E>) {
        let c = match r {
            Ok(false) => &self.orders_sold,
            Ok(true) => &self.orders_duplicate,
            Err(_) => &self.orders_refused,
        };
        c.fetch_add(1, Ordering::Relaxed);
    }
}

/// Middleware: counts requests by route and status.
pub async fn count(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched".to_string(), |p| p.as_str().to_string());
    let started = std::time::Instant::now();
    let res = next.run(req).await;
    st.metrics.ops.observe(
        &route,
        started.elapsed(),
        res.extensions().get::<super::metrics_ops::Refusal>(),
    );
    let mut m = st
        .metrics
        .requests
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    *m.entry((route, res.status().as_u16())).or_default() += 1;
    res
}

/// Prometheus metrics in the text format (no token needed).
#[utoipa::path(get, path = "/metrics", responses((status = 200, description = "request and order counters",
    body = String, content_type = "text/plain")))]
pub async fn render(State(st): State<Arc<AppState>>) -> impl IntoResponse {
    let mut out = String::new();
    out.push_str("# HELP guichet_http_requests_total HTTP requests by route and status.\n");
    out.push_str("# TYPE guichet_http_requests_total counter\n");
    for ((route, status), n) in st
        .metrics
        .requests
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
    {
        out.push_str(&format!(
            "guichet_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}\n"
        ));
    }
    out.push_str("# HELP guichet_orders_total Online order attempts by result.\n");
    out.push_str("# TYPE guichet_orders_total counter\n");
    for (result, c) in [
        ("sold", &st.metrics.orders_sold),
        ("duplicate", &st.metrics.orders_duplicate),
        ("refused", &st.metrics.orders_refused),
    ] {
        out.push_str(&format!(
            "guichet_orders_total{{result=\"{result}\"}} {}\n",
            c.load(Ordering::Relaxed)
        ));
    }
    st.metrics.ops.render(&mut out);
    // The console's gauges (conflicts, devices, sync lag), read from either store.
    let mut g = String::new();
    match st
        .metrics
        .ops
        .render_store(st.backend.as_ref(), &mut g)
        .await
    {
        Ok(()) => out.push_str(&g),
        Err(e) => tracing::error!(error = %e, "metrics: the store's gauges could not be read"),
    }
    // PostgreSQL: how far the change feed is behind (a transaction still open holds back
    // what committed after it began); SQLite's feed is never behind.
    if let Ok(Some(lag)) = st.backend.feed_lag_seconds().await {
        out.push_str(
            "# HELP guichet_feed_lag_seconds Age of the oldest change a pull cannot serve yet.\n",
        );
        out.push_str("# TYPE guichet_feed_lag_seconds gauge\n");
        out.push_str(&format!("guichet_feed_lag_seconds {lag}\n"));
    }
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        out,
    )
}
