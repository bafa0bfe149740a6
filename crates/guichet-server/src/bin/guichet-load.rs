//! Load generator for the central server. Starts its own server on 127.0.0.1 (a temporary
//! SQLite file, the Paris 2024 catalogue, a clock inside the pack sale), drives it over HTTP
//! with N concurrent clients for a fixed time, then stops by itself and prints:
//! online pack orders per second, p50/p99 latency, oversold seats; and the time to push and
//! ack 10,000 offline events.
//!
//! `cargo run --release -p guichet-server --bin guichet-load -- [--clients 64] [--seconds 10]
//!  [--durability full|normal]`

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use guichet_domain::rules::{DrawEntry, DrawStatus, Timeslot};
use guichet_domain::{AccountId, Catalogue, Clock, SaleConfig};
use guichet_server::api::{app, AppState};
use guichet_server::store::{Durability, Store};
use guichet_wire::accounts::NewAccount;
use serde_json::json;

const CATS: [&str; 4] = ["A", "B", "C", "D"];

/// Sessions the packs cycle through: every Olympic session on sale in the pack phase, so that
/// a run measures selling rather than selling out.
fn pack_sessions(cat: &Catalogue) -> Vec<String> {
    let held = ["CER-OPENING", "CER-CLOSING", "ATH07"];
    cat.sessions()
        .filter(|s| s.games == guichet_domain::Games::Olympic && s.sport != "Surfing")
        .filter(|s| !held.contains(&s.code.as_str()) && s.offers.len() == 4)
        .map(|s| s.code.to_string())
        .collect()
}

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_string())
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let clients: usize = arg("--clients", "64").parse()?;
    let seconds: u64 = arg("--seconds", "10").parse()?;
    let durability = if arg("--durability", "full") == "normal" {
        Durability::Normal
    } else {
        Durability::Full
    };
    let dir = tempfile::tempdir()?;
    let now = guichet_domain::config::parse_instant("2023-02-17T12:00:00[Europe/Paris]")?;
    let mut store = Store::open(
        &dir.path().join("load.sqlite"),
        SaleConfig::paris2024(),
        durability,
    )?;
    store.import_catalogue(&Catalogue::paris2024())?;
    let code = store.new_enrolment_code("box-office", now)?;
    let state = AppState::new(store, Clock::fixed(now));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let router = app(Arc::clone(&state));
        let server = tokio::spawn(async move { axum::serve(listener, router).await });
        let http = reqwest::Client::builder().pool_max_idle_per_host(clients).build()?;
        let enrol: serde_json::Value = http
            .post(format!("{base}/v1/devices/enrol"))
            .json(&json!({"code": code, "name": "load", "public_key_hex": "cd".repeat(32)}))
            .send()
            .await?
            .json()
            .await?;
        let token = enrol["token"].as_str().ok_or("no token")?.to_string();

        let sold = Arc::new(AtomicU64::new(0));
        let refused = Arc::new(AtomicU64::new(0));
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let sessions = Arc::new(pack_sessions(state.store.catalogue()));
        let mut tasks = Vec::new();
        for c in 0..clients {
            let sessions = sessions.clone();
            let (http, base, token, state) = (http.clone(), base.clone(), token.clone(), state.clone());
            let (sold, refused) = (sold.clone(), refused.clone());
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut n = 0usize;
                while Instant::now() < deadline {
                    // A drawn Club member in its timeslot; 10 packs of 3 tickets fill its 30.
                    let acc = format!("LOAD-{c:03}-{:06}", n / 10);
                    if n.is_multiple_of(10) {
                        let st = state.clone();
                        let id = acc.clone();
                        tokio::task::spawn_blocking(move || {
                            let new = NewAccount { id: Some(id.clone()), name: format!("Fan {id}"), email: format!("{id}@example.org"), country: "FR".into(), club_number: Some("C1".into()) };
                            st.store.create_account(&new, None, now).unwrap();
                            let slot = Timeslot { start: now - jiff::SignedDuration::from_hours(1), end: now + jiff::SignedDuration::from_hours(47) };
                            st.store.set_draw(&AccountId::parse(&id).unwrap(), "pack-draw", DrawEntry { status: DrawStatus::Drawn, timeslot: Some(slot) }).unwrap();
                        })
                        .await
                        .unwrap();
                    }
                    // Three different sessions, a different trio and category each time.
                    let m = sessions.len();
                    let k = (c * 7919 + n * 31) % m;
                    let lines: Vec<_> = (0..3)
                        .map(|j| json!({"session": sessions[(k + j * (m / 3)) % m], "category": CATS[n % 4], "quantity": 1}))
                        .collect();
                    let body = json!({"idempotency_key": uuid::Uuid::now_v7().to_string(), "account_id": acc, "kind": "pack", "lines": lines});
                    let t = Instant::now();
                    let r = http.post(format!("{base}/v1/orders")).bearer_auth(&token).json(&body).send().await;
                    lat.push(t.elapsed().as_micros() as u64);
                    match r {
                        Ok(r) if r.status().as_u16() == 201 => {
                            sold.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(r) => {
                            if refused.fetch_add(1, Ordering::Relaxed) == 0 {
                                eprintln!("first refusal: {}", r.text().await.unwrap_or_default());
                            }
                        }
                        Err(e) => {
                            if refused.fetch_add(1, Ordering::Relaxed) == 0 {
                                eprintln!("first refusal: {e}");
                            }
                        }
                    }
                    n += 1;
                }
                lat
            }));
        }
        let started = Instant::now();
        let mut lat = Vec::new();
        for t in tasks {
            lat.extend(t.await?);
        }
        let elapsed = started.elapsed().as_secs_f64();
        lat.sort_unstable();
        let oversold: u64 = state
            .store
            .availability(None)?
            .iter()
            .map(|a| u64::from((a.sold + a.lent).saturating_sub(a.capacity)))
            .sum();
        let sold = sold.load(Ordering::Relaxed);
        println!("durability: {durability:?}; clients: {clients}; duration: {elapsed:.1} s");
        println!("online pack orders: {sold} sold, {} refused", refused.load(Ordering::Relaxed));
        println!("throughput: {:.0} orders/s", sold as f64 / elapsed);
        println!("latency: p50 {:.2} ms, p99 {:.2} ms", percentile(&lat, 0.50), percentile(&lat, 0.99));
        println!("oversold seats: {oversold}");

        // 10,000 offline events: allot, then push in two batches of 5,000, acked.
        // 2,000 fans with 5 single tickets each: a busy counter's weeks offline.
        let st = state.clone();
        tokio::task::spawn_blocking(move || {
            for i in 0..2_000 {
                let id = format!("LOAD-PUSH-{i:05}");
                let new = NewAccount { id: Some(id.clone()), name: format!("Push {i}"), email: format!("{id}@example.org"), country: "FR".into(), club_number: None };
                st.store.create_account(&new, None, now).unwrap();
            }
        })
        .await?;
        http.post(format!("{base}/v1/allotments"))
            .bearer_auth(&token)
            .json(&json!({"session": "FBL03", "category": "C", "quantity": 10_000}))
            .send()
            .await?
            .error_for_status()?;
        let events: Vec<serde_json::Value> = (0..10_000)
            .map(|i| {
                let acc = format!("LOAD-PUSH-{:05}", i % 2_000);
                json!({"idempotency_key": uuid::Uuid::now_v7().to_string(), "kind": "sale", "created_at": "2023-02-17T11:00:00Z", "offline": true,
                       "payload": {"order_id": uuid::Uuid::now_v7().to_string(), "account_id": acc, "kind": "single", "phase": "pack-sale",
                                   "sold_at": "2023-02-17T11:00:00Z", "offline": true,
                                   "tickets": [{"id": uuid::Uuid::now_v7().to_string(), "session": "FBL03", "category": "C", "price": 3500}]}})
            })
            .collect();
        let t = Instant::now();
        let mut acked = 0;
        for chunk in events.chunks(5_000) {
            let v: serde_json::Value = http
                .post(format!("{base}/v1/sync/push"))
                .bearer_auth(&token)
                .json(&json!({"events": chunk}))
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            acked += v["acks"].as_array().map_or(0, Vec::len);
        }
        println!("push 10,000 offline events: {acked} acked in {:.2} s", t.elapsed().as_secs_f64());
        server.abort();
        Ok::<_, Box<dyn std::error::Error>>(())
    })
}
