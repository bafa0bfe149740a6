//! Faults of one replica among three on one PostgreSQL database.
//! - SIGKILL one replica while it sells, clients retrying the same idempotency keys on the
//!   others: every key is exactly one sale, and in SQL no order lacks its tickets or its change
//!   row.
//! - SIGSTOP one replica inside an open transaction for 60 s: the others keep selling; after
//!   SIGCONT and a kill the store's invariant holds.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::backend::{pg_invariant_broken, pg_orphans, Backend, Db, Replicas};
use super::{cli, enrol};

const REPLICAS: usize = 3;

/// Football sessions FBL01–FBL30: an account's 30 tickets, one a session, never pass a cap.
fn session(n: usize) -> String {
    format!("FBL{:02}", 1 + n % 30)
}

struct Shop {
    http: reqwest::blocking::Client,
    token: String,
    bases: Vec<String>,
}

impl Shop {
    /// Posts an order to replica `i`; None when that replica does not answer.
    fn order(&self, i: usize, body: &Value) -> Option<(u16, Value)> {
        let r = self
            .http
            .post(format!("{}/v1/orders", self.bases[i]))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .ok()?;
        let status = r.status().as_u16();
        Some((status, r.json().unwrap_or(Value::Null)))
    }

    fn account(&self, i: usize, id: &str) {
        for k in 0..REPLICAS {
            let r = self
                .http
                .post(format!("{}/v1/accounts", self.bases[(i + k) % REPLICAS]))
                .bearer_auth(&self.token)
                .json(&json!({"id": id, "name": format!("Fan {id}"), "email": format!("{id}@example.org"), "country": "FR"}))
                .send();
            if let Ok(r) = r {
                assert!(r.status().is_success(), "account {id}: {}", r.status());
                return;
            }
        }
        panic!("no replica made account {id}");
    }
}

fn shop(db: &Db, servers: &Replicas, timeout: Duration) -> Shop {
    let bases = servers.bases();
    let desk = enrol(&bases[0], db, "cd");
    Shop {
        http: reqwest::blocking::Client::builder()
            .timeout(timeout)
            .build()
            .unwrap(),
        token: desk.token,
        bases,
    }
}

/// Online orders in the store, and their keys' rows, counted in SQL.
fn orders_in_store(db: &Db) -> (i64, i64) {
    (
        db.count("SELECT count(*) FROM orders WHERE channel = 'online'"),
        db.count("SELECT count(*) FROM order_keys WHERE order_id IS NOT NULL"),
    )
}

#[test]
fn on_postgres_a_replica_killed_mid_batch_loses_no_key_and_doubles_none() {
    const CLIENTS: usize = 24;
    const PER_CLIENT: usize = 60;
    let db = Db::new(Backend::Postgres);
    cli(&db, &["import"]);
    let mut servers = Replicas::start(&db, REPLICAS, &[]);
    let shop = Arc::new(shop(&db, &servers, Duration::from_secs(10)));
    for c in 0..CLIENTS {
        for a in 0..PER_CLIENT.div_ceil(10) {
            shop.account(c, &format!("KILL-{c:02}-{a}"));
        }
    }
    // Every order has its key before the run; a client sends it to its replica and, when that
    // one does not answer, the same body to the next, until an answer.
    let answered = Arc::new(AtomicU64::new(0));
    // key → (the body sent, the answer's status, the answer)
    let answers = Arc::new(Mutex::new(BTreeMap::<String, (Value, u16, Value)>::new()));
    let threads: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (shop, answered, answers) = (shop.clone(), answered.clone(), answers.clone());
            std::thread::spawn(move || {
                for n in 0..PER_CLIENT {
                    let key = uuid::Uuid::now_v7().to_string();
                    let body = json!({"idempotency_key": key, "account_id": format!("KILL-{c:02}-{}", n / 10),
                        "kind": "single", "lines": [{"session": session(n), "category": "C", "quantity": 1 + n % 3}]});
                    let mut tries = 0;
                    let answer = loop {
                        if let Some(a) = shop.order((c + tries) % REPLICAS, &body) {
                            if a.0 < 500 {
                                break a;
                            }
                        }
                        tries += 1;
                        assert!(tries < 30, "key {key}: no replica answered in 30 tries");
                        std::thread::sleep(Duration::from_millis(20));
                    };
                    answered.fetch_add(1, Ordering::Relaxed);
                    answers.lock().unwrap().insert(key, (body, answer.0, answer.1));
                }
            })
        })
        .collect();
    // Killed with a third of the orders answered: the others are in flight, some inside the
    // replica's batch.
    let total = (CLIENTS * PER_CLIENT) as u64;
    while answered.load(Ordering::Relaxed) < total / 3 {
        std::thread::sleep(Duration::from_millis(1));
    }
    servers.kill(0);
    for t in threads {
        t.join().unwrap();
    }
    let answers = Arc::try_unwrap(answers).unwrap().into_inner().unwrap();
    assert_eq!(answers.len() as u64, total, "every key got an answer");
    // 200 is a key the store already had: committed by the killed replica, its answer lost.
    let refused: Vec<_> = answers
        .values()
        .filter(|(_, s, _)| *s != 201 && *s != 200)
        .collect();
    let committed_unanswered = answers.values().filter(|(_, s, _)| *s == 200).count();
    assert!(
        refused.is_empty(),
        "every order sells (no cap or stock limit is near): {refused:?}"
    );
    // The killed replica comes back on its port, stateless: asked again at any replica, each
    // key gives the same order back: one sale a key.
    servers.restart(&db, 0, &[]);
    for (i, (key, (body, _, first))) in answers.iter().enumerate().step_by(7) {
        let again = shop
            .order(i % REPLICAS, body)
            .expect("a live replica answers");
        assert_eq!(
            (again.0, &again.1["order_id"], &again.1["duplicate"]),
            (200, &first["order_id"], &json!(true)),
            "key {key} again is the same sale, said to be a duplicate"
        );
    }
    assert_eq!(
        orders_in_store(&db),
        (total as i64, total as i64),
        "one order and one key row in the store per key, none doubled, none lost"
    );
    let o = pg_orphans(&db);
    assert!(
        o.is_empty(),
        "no order without its tickets or change row: {o}"
    );
    let broken = pg_invariant_broken(&db);
    assert!(
        broken.is_empty(),
        "the invariant holds after the kill: {broken}"
    );
    println!(
        "replica kill: {total} keys over {REPLICAS} replicas, replica 0 SIGKILLed at a third; \
         {committed_unanswered} committed there before the kill came back as duplicates elsewhere; one sale a key"
    );
}

#[test]
fn on_postgres_a_replica_stopped_inside_a_transaction_for_60_s_does_not_stop_the_others() {
    const CLIENTS: usize = 18;
    let db = Db::new(Backend::Postgres);
    cli(&db, &["import"]);
    let mut servers = Replicas::start(&db, REPLICAS, &[]);
    let shop = Arc::new(shop(&db, &servers, Duration::from_secs(2)));
    let stop = Arc::new(AtomicBool::new(false));
    // Sales per replica, by the second since the start.
    let sold: Arc<Vec<Mutex<Vec<u64>>>> =
        Arc::new((0..REPLICAS).map(|_| Mutex::new(vec![0; 600])).collect());
    let t0 = Instant::now();
    let threads: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (shop, stop, sold) = (shop.clone(), stop.clone(), sold.clone());
            std::thread::spawn(move || {
                let r = c % REPLICAS;
                let mut n = 0usize;
                while !stop.load(Ordering::Relaxed) {
                    let account = format!("STOP-{c:02}-{}", n / 30);
                    if n.is_multiple_of(30) {
                        shop.account(r, &account);
                    }
                    let body = json!({"idempotency_key": uuid::Uuid::now_v7().to_string(), "account_id": account,
                        "kind": "single", "lines": [{"session": session(n), "category": "D", "quantity": 1}]});
                    match shop.order(r, &body) {
                        Some((201, _)) => {
                            let s = t0.elapsed().as_secs() as usize;
                            sold[r].lock().unwrap()[s.min(599)] += 1;
                            n += 1;
                        }
                        Some((st, v)) => {
                            assert!(st < 500, "replica {r}: {st} {v}");
                            n += 1;
                        }
                        None => std::thread::sleep(Duration::from_millis(50)),
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(3));
    // Stopped while it serves the load; it is inside a transaction when the database shows a
    // transaction open for more than a second (the others commit in milliseconds).
    let open_since = |db: &Db| {
        db.count(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
             AND pid <> pg_backend_pid() AND xact_start < now() - interval '900 milliseconds'",
        )
    };
    let mut inside = false;
    for _ in 0..20 {
        servers.signal(1, "STOP");
        std::thread::sleep(Duration::from_millis(1_000));
        if open_since(&db) > 0 {
            inside = true;
            break;
        }
        servers.signal(1, "CONT");
        std::thread::sleep(Duration::from_millis(300));
    }
    assert!(
        inside,
        "replica 1 was stopped inside an open transaction (20 tries)"
    );
    let from = t0.elapsed().as_secs() as usize;
    let stopped_at = Instant::now();
    // The database ends the frozen replica's transaction by itself (the server's sessions set
    // idle_in_transaction_session_timeout, and statement_timeout for a statement left running).
    while open_since(&db) > 0 {
        assert!(
            stopped_at.elapsed() < Duration::from_secs(45),
            "the stopped replica's transaction is still open after 45 s"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    let cut_after = stopped_at.elapsed().as_secs_f64();
    std::thread::sleep(Duration::from_secs(60).saturating_sub(stopped_at.elapsed()));
    let to = t0.elapsed().as_secs() as usize;
    servers.signal(1, "CONT");
    std::thread::sleep(Duration::from_secs(2));
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().unwrap();
    }
    servers.kill(1);
    let during = |r: usize| -> u64 { sold[r].lock().unwrap()[from..to].iter().sum() };
    let last_half = |r: usize| -> u64 { sold[r].lock().unwrap()[from + 30..to].iter().sum() };
    let secs = (to - from) as f64;
    println!(
        "replica stop: its transaction cut by the database after {cut_after:.1} s; during the {secs:.0} s replica 0 sold {} ({:.0}/s), replica 2 {} ({:.0}/s), stopped replica 1 {}",
        during(0),
        during(0) as f64 / secs,
        during(2),
        during(2) as f64 / secs,
        during(1)
    );
    for r in [0, 2] {
        assert!(
            last_half(r) > 0,
            "replica {r} still sells in the last 30 of the 60 s replica 1 is stopped"
        );
    }
    let broken = pg_invariant_broken(&db);
    assert!(
        broken.is_empty(),
        "the invariant holds after the stop: {broken}"
    );
    let o = pg_orphans(&db);
    assert!(
        o.is_empty(),
        "no order without its tickets or change row: {o}"
    );
}
