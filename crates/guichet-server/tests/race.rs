//! 64 clients buy the last 100 tickets of a session over real HTTP on 127.0.0.1. With the
//! guard switched off (test-only), the check-then-act race oversells; with it on, exactly
//! 100 are sold. The first half proves the race exists, so the second half means something.

use std::sync::Arc;

use guichet_domain::{Catalogue, Clock, PriceCategory, SaleConfig, SessionCode};
use guichet_server::api::{app, AppState};
use guichet_server::store::{Durability, Store};
use serde_json::json;

const CLIENTS: usize = 64;
const LAST: u32 = 100;

struct Run {
    sold_by_responses: u32,
    sold_in_store: u32,
    capacity_left_before: u32,
}

async fn run(guard: bool) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(
        &dir.path().join("s.sqlite"),
        SaleConfig::paris2024(),
        Durability::Normal,
    )
    .unwrap();
    store.import_catalogue(&Catalogue::paris2024()).unwrap();
    store.set_guard_for_tests(guard);
    let ath07 = SessionCode::parse("ATH07").unwrap();
    store.set_available(&ath07, PriceCategory::D, LAST).unwrap();
    let now = guichet_domain::config::parse_instant("2024-01-10T10:00:00[Europe/Paris]").unwrap();
    let code = store.new_enrolment_code("box-office", now).unwrap();
    let state = AppState::new(store, Clock::fixed(now));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = app(Arc::clone(&state));
    let server = tokio::spawn(async move { axum::serve(listener, router).await });

    let http = reqwest::Client::new();
    let enrol: serde_json::Value = http
        .post(format!("{base}/v1/devices/enrol"))
        .json(&json!({"code": code, "name": "race", "public_key_hex": "ab".repeat(32)}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = enrol["token"].as_str().unwrap().to_string();
    for i in 0..CLIENTS {
        let r = http
            .post(format!("{base}/v1/accounts"))
            .bearer_auth(&token)
            .json(&json!({"id": format!("RACE-{i:03}"), "name": format!("Fan {i}"), "email": format!("fan{i}@example.org"), "country": "FR"}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
    }
    let mut tasks = Vec::new();
    for i in 0..CLIENTS {
        let (http, base, token) = (http.clone(), base.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let mut bought = 0u32;
            // Each client tries to buy 2 at a time until refused (sold out or its own cap of 6).
            for _ in 0..3 {
                let r = http
                    .post(format!("{base}/v1/orders"))
                    .bearer_auth(&token)
                    .json(&json!({"idempotency_key": uuid::Uuid::now_v7().to_string(), "account_id": format!("RACE-{i:03}"),
                                  "kind": "single", "lines": [{"session": "ATH07", "category": "D", "quantity": 2}]}))
                    .send()
                    .await
                    .unwrap();
                if r.status().as_u16() == 201 {
                    bought += 2;
                } else {
                    let v: serde_json::Value = r.json().await.unwrap();
                    assert!(
                        v["details"]["violations"][0]["code"] == "AVAILABILITY" || v["code"] == "CONFLICT",
                        "only sold-out refusals are expected: {v}"
                    );
                    break;
                }
            }
            bought
        }));
    }
    let mut sold = 0;
    for t in tasks {
        sold += t.await.unwrap();
    }
    server.abort();
    let a = state
        .store
        .as_deref()
        .expect("a SQLite server")
        .availability(Some(&ath07))
        .unwrap();
    let d = a.iter().find(|x| x.category == "D").unwrap();
    Run {
        sold_by_responses: sold,
        sold_in_store: d.sold - (d.capacity - LAST),
        capacity_left_before: LAST,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn without_the_guard_the_race_oversells_and_with_it_exactly_100_sell() {
    // The race needs requests to interleave; on a loaded machine one run may happen to
    // serialise, so try a few times before concluding the race is absent.
    let mut oversold = 0;
    for _ in 0..5 {
        let r = run(false).await;
        oversold = r.sold_by_responses.saturating_sub(r.capacity_left_before);
        if oversold > 0 {
            break;
        }
    }
    assert!(
        oversold > 0,
        "with the guard off, 64 clients should oversell the last 100 tickets"
    );
    println!("guard off: oversold by {oversold}");

    let r = run(true).await;
    assert_eq!(
        r.sold_by_responses, LAST,
        "with the guard, exactly the last 100 are sold"
    );
    assert_eq!(r.sold_in_store, LAST, "and the store counts the same");
}
