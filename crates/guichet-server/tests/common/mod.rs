//! A server on a temporary SQLite file, driven in-process.
#![allow(dead_code, missing_docs)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use guichet_domain::{Catalogue, Clock, SaleConfig};
use guichet_server::api::{app, AppState};
use guichet_server::store::{Durability, Store};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

pub mod pg;

pub struct Server {
    pub _dir: Option<tempfile::TempDir>,
    pub state: Arc<AppState>,
    /// The PostgreSQL database of the test (dropped with the server), on that store.
    pub pg: Option<pg::TestDb>,
}

/// The store a conformance test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// A server on a new store of `kind`: a temporary SQLite file, or a new PostgreSQL database
/// on the cluster the PG* variables name (`pg_virtualenv`), with the Paris 2024 catalogue.
pub async fn server_on(kind: Kind) -> Server {
    match kind {
        Kind::Sqlite => server(),
        Kind::Postgres => {
            let db = pg::TestDb::create().await;
            let store = db.store().await;
            let state =
                AppState::postgres(Arc::new(store), Clock::fixed(at("2024-01-10T10:00:00")));
            Server {
                _dir: None,
                state,
                pg: Some(db),
            }
        }
    }
}

/// Runs each named `async fn NAME(s: Server)` on both stores: `NAME::sqlite` and
/// `NAME::postgres` (the latter fails, saying why, outside `pg_virtualenv`).
#[macro_export]
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::common::server_on($crate::common::Kind::Sqlite).await).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::common::server_on($crate::common::Kind::Postgres).await).await
                }
            }
        )*
    };
}

pub fn at(paris: &str) -> jiff::Timestamp {
    guichet_domain::config::parse_instant(&format!("{paris}[Europe/Paris]")).unwrap()
}

pub fn server() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(
        &dir.path().join("server.sqlite"),
        SaleConfig::paris2024(),
        Durability::Normal,
    )
    .unwrap();
    store.import_catalogue(&Catalogue::paris2024()).unwrap();
    let state = AppState::new(store, Clock::fixed(at("2024-01-10T10:00:00")));
    Server {
        _dir: Some(dir),
        state,
        pg: None,
    }
}

impl Server {
    pub async fn call(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: Option<String>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let req = match body {
            Some(b) => req
                .header("content-type", "application/json")
                .body(Body::from(b))
                .unwrap(),
            None => req.body(Body::empty()).unwrap(),
        };
        let res = app(self.state.clone()).oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let v = serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()));
        (status, v)
    }

    pub async fn enrol(&self) -> String {
        self.enrol_device().await.0
    }

    /// Enrols a desk: its token and its device id.
    pub async fn enrol_device(&self) -> (String, String) {
        self.enrol_kind("box-office").await
    }

    /// Enrols a device of `kind` (`box-office` or `kiosk`): its token and its device id.
    pub async fn enrol_kind(&self, kind: &str) -> (String, String) {
        let code = self
            .state
            .backend
            .new_enrolment_code(kind.to_string(), self.state.clock.now())
            .await
            .unwrap();
        let key: String = format!("{:064x}", rand_u128());
        let (s, v) = self
            .call(
                "POST",
                "/v1/devices/enrol",
                None,
                Some(json!({"code": code, "name": "Desk 1", "public_key_hex": key}).to_string()),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        (
            v["token"].as_str().unwrap().to_string(),
            v["device_id"].as_str().unwrap().to_string(),
        )
    }

    /// Tickets sold in all, as the store counts them (either store).
    pub async fn sold(&self) -> u32 {
        self.state
            .backend
            .availability(None)
            .await
            .unwrap()
            .iter()
            .map(|a| a.sold)
            .sum()
    }

    /// The ticket ids of an order, in sale order (either store).
    pub async fn tickets_of(&self, order: &str) -> Vec<String> {
        self.state
            .backend
            .tickets_of_order_for_tests(order.to_string())
            .await
    }

    /// Tickets sold in all, read from the SQLite store itself (SQLite only: [`Server::sold`]
    /// reads either store).
    pub fn orders(&self) -> u32 {
        self.state
            .store
            .as_ref()
            .expect("orders() reads the SQLite store: use sold() on either store")
            .availability(None)
            .unwrap()
            .iter()
            .map(|a| a.sold)
            .sum()
    }
}

pub fn rand_u128() -> u128 {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).unwrap();
    u128::from_le_bytes(b)
}

pub fn order(key: &str, account: &str, session: &str, q: i64) -> String {
    json!({"idempotency_key": key, "account_id": account, "kind": "single",
           "lines": [{"session": session, "category": "D", "quantity": q}]})
    .to_string()
}

pub async fn account(s: &Server, token: &str, id: &str) {
    let body = json!({"id": id, "name": "Élodie Martin", "email": format!("{id}@example.org"), "country": "FR"});
    let (st, v) = s
        .call("POST", "/v1/accounts", Some(token), Some(body.to_string()))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
}
