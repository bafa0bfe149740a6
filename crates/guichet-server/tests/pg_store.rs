//! What only the PostgreSQL store has to prove: several replicas on one database sell the
//! last seats without oversell (the SQL invariant holding), take the per-account caps under
//! the account's lock, answer a key once across replicas (refusals too), give a dead
//! replica's seats back, and a change feed that never skips a late commit. Run under
//! `pg_virtualenv -t -o fsync=on cargo test -p guichet-server`; without it these fail, saying
//! so (the last test checks that they do).

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use common::pg::TestDb;
use common::*;
use guichet_domain::{PriceCategory, SessionCode};
use guichet_server::store::SaleError;
use guichet_server::store_pg::PgStore;
use guichet_wire::accounts::NewAccount;
use guichet_wire::checks::{self, FeedCursor};
use guichet_wire::orders::OrderRequest;
use guichet_wire::sync::SyncEvent;

fn now() -> jiff::Timestamp {
    at("2024-01-10T10:00:00")
}

fn request(key: &str, account: &str, session: &str, quantity: u32) -> OrderRequest {
    serde_json::from_value(serde_json::json!({
        "idempotency_key": key, "account_id": account, "kind": "single",
        "lines": [{"session": session, "category": "D", "quantity": quantity}]}))
    .unwrap()
}

async fn fan(store: &PgStore, id: &str) {
    let new = NewAccount {
        id: Some(id.into()),
        name: format!("Fan {id}"),
        email: format!("{id}@example.org"),
        country: "FR".into(),
        club_number: None,
        language: None,
    };
    store.create_account(&new, None, now()).await.unwrap();
}

async fn invariant(store: &PgStore) -> Vec<String> {
    store.invariant_violations().await.unwrap()
}

/// `replicas` stores on one database, the last `last` seats of ATH07 D left.
async fn replicas(db: &TestDb, n: usize, last: u32) -> Vec<Arc<PgStore>> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(Arc::new(db.store().await));
    }
    out[0]
        .set_available(
            &SessionCode::parse("ATH07").unwrap(),
            PriceCategory::D,
            last,
        )
        .await
        .unwrap();
    out
}

/// 48 clients spread over the replicas buy 2 seats at a time until refused; the seats the
/// answers sold.
async fn race(stores: &[Arc<PgStore>], clients: usize) -> u32 {
    for i in 0..clients {
        fan(&stores[0], &format!("RACE-{i:03}")).await;
    }
    let mut tasks = Vec::new();
    for i in 0..clients {
        let store = Arc::clone(&stores[i % stores.len()]);
        tasks.push(tokio::spawn(async move {
            let mut bought = 0;
            for _ in 0..3 {
                let key = uuid::Uuid::now_v7().to_string();
                let req = request(&key, &format!("RACE-{i:03}"), "ATH07", 2);
                match store.sell(&req, "desk", now()).await {
                    Ok(_) => bought += 2,
                    Err(SaleError::Rules(r)) => {
                        assert_eq!(
                            serde_json::to_value(r.violations[0].code).unwrap(),
                            "AVAILABILITY",
                            "only sold out: {r:?}"
                        );
                        break;
                    }
                    Err(SaleError::Store(e)) => {
                        assert!(e.to_string().contains("sold out"), "only sold out: {e}");
                        break;
                    }
                    Err(e) => panic!("only sold-out refusals are expected: {e}"),
                }
            }
            bought
        }));
    }
    let mut sold = 0;
    for t in tasks {
        sold += t.await.unwrap();
    }
    sold
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_replicas_sell_exactly_the_last_100_seats_and_the_seats_add_up() {
    let db = TestDb::create().await;
    let stores = replicas(&db, 3, 100).await;
    let sold = race(&stores, 48).await;
    assert_eq!(
        sold, 100,
        "3 replicas, 48 clients: exactly the last 100 sold"
    );
    assert_eq!(
        stores[1].tickets_sold().await.unwrap(),
        100,
        "the store counts the tickets the answers gave"
    );
    assert_eq!(
        guichet_server::store_pg::invariant_violations(&db.client().await)
            .await
            .unwrap(),
        Vec::<String>::new(),
        "pool + buckets + lent + sold = capacity for every offer (the test's own connection)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn without_the_guard_replicas_oversell_the_last_seats() {
    // The race needs requests to interleave: a loaded machine may serialise one run.
    let mut oversold = 0;
    for _ in 0..5 {
        let db = TestDb::create().await;
        let mut stores = Vec::new();
        for _ in 0..3 {
            let mut s = db.store().await;
            s.set_guard_for_tests(false);
            stores.push(Arc::new(s));
        }
        stores[0]
            .set_available(&SessionCode::parse("ATH07").unwrap(), PriceCategory::D, 100)
            .await
            .unwrap();
        oversold = race(&stores, 48).await.saturating_sub(100);
        if oversold > 0 {
            assert!(
                !invariant(&stores[0]).await.is_empty(),
                "an oversell shows in the invariant query"
            );
            break;
        }
    }
    assert!(
        oversold > 0,
        "with the guard off, the replicas should oversell"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_caps_of_one_account_hold_across_replicas() {
    let db = TestDb::create().await;
    let stores = replicas(&db, 3, 1000).await;
    fan(&stores[0], "P24-CAPPED").await;
    let mut tasks = Vec::new();
    for i in 0..12 {
        let store = Arc::clone(&stores[i % 3]);
        tasks.push(tokio::spawn(async move {
            let key = uuid::Uuid::now_v7().to_string();
            store
                .sell(&request(&key, "P24-CAPPED", "ATH07", 2), "desk", now())
                .await
                .is_ok()
        }));
    }
    let mut ok = 0;
    for t in tasks {
        ok += u32::from(t.await.unwrap());
    }
    assert_eq!(
        ok, 3,
        "6 per session: three orders of 2 sell, the nine others are refused"
    );
    let a = stores[2]
        .account(&guichet_domain::AccountId::parse("P24-CAPPED").unwrap())
        .await
        .unwrap();
    assert_eq!(a.olympic_held, 6, "the account holds its 6, not more");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_key_at_two_replicas_at_once_is_one_sale_with_the_same_answer() {
    let db = TestDb::create().await;
    let stores = replicas(&db, 2, 100).await;
    fan(&stores[0], "P24-000001").await;
    for _ in 0..5 {
        let key = uuid::Uuid::now_v7().to_string();
        let req = request(&key, "P24-000001", "ATH02", 1);
        let (a, b) = tokio::join!(
            stores[0].sell(&req, "desk", now()),
            stores[1].sell(&req, "desk", now())
        );
        let (a, b) = (a.unwrap().response, b.unwrap().response);
        assert_eq!(a.order_id, b.order_id, "one order for the key");
        assert_eq!(a.tickets, b.tickets, "the same tickets in both answers");
        assert!(
            a.duplicate != b.duplicate,
            "one sold, the other is the first answer again"
        );
    }
    assert_eq!(
        stores[0].tickets_sold().await.unwrap(),
        5,
        "five keys, five tickets"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_is_kept_with_its_key_and_another_body_is_refused() {
    let db = TestDb::create().await;
    let stores = replicas(&db, 2, 100).await;
    fan(&stores[0], "P24-000002").await;
    let key = uuid::Uuid::now_v7().to_string();
    let seven = request(&key, "P24-000002", "ATH02", 7);
    let first = stores[0].sell(&seven, "desk", now()).await;
    assert!(
        matches!(first, Err(SaleError::Rules(_))),
        "7 is over the cap of 6: {first:?}"
    );
    let again = stores[1].sell(&seven, "desk", now()).await;
    match (&first, &again) {
        (Err(SaleError::Rules(a)), Err(SaleError::Rules(b))) => {
            assert_eq!(a, b, "the same refusal from the other replica")
        }
        _ => panic!("the refusal is kept with the key: {again:?}"),
    }
    let other = stores[1]
        .sell(&request(&key, "P24-000002", "ATH02", 1), "desk", now())
        .await;
    let Err(SaleError::Store(e)) = other else {
        panic!("the same key with another body is refused: {other:?}");
    };
    assert!(
        e.to_string().contains("was used for another order") && e.to_string().contains("new key"),
        "the refusal names the rule and the way out: {e}"
    );
    assert_eq!(stores[0].tickets_sold().await.unwrap(), 0, "nothing sold");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_replicas_seats_go_back_to_the_pool() {
    let db = TestDb::create().await;
    let stores = replicas(&db, 2, 100).await;
    fan(&stores[0], "P24-000003").await;
    let key = uuid::Uuid::now_v7().to_string();
    stores[0]
        .sell(&request(&key, "P24-000003", "ATH07", 1), "desk", now())
        .await
        .unwrap();
    let c = db.client().await;
    let leased = |rows: Vec<tokio_postgres::Row>| rows.first().map_or(0, |r| r.get::<_, i64>(0));
    let q = "SELECT seats_left FROM buckets WHERE replica_id = $1 AND session = 'ATH07' AND category = 'D'";
    let before = leased(c.query(q, &[&stores[0].replica_id()]).await.unwrap());
    assert!(before > 0, "the selling replica leased a bucket of seats");
    c.execute(
        "UPDATE replicas SET lease_until = now() - interval '1 minute' WHERE id = $1",
        &[&stores[0].replica_id()],
    )
    .await
    .unwrap();
    let moved = stores[1].renew_lease().await.unwrap();
    assert_eq!(
        moved,
        u64::try_from(before).unwrap(),
        "its seats go back to the pool"
    );
    let after = leased(c.query(q, &[&stores[0].replica_id()]).await.unwrap());
    assert_eq!(after, 0, "the dead replica's bucket is empty");
    let avail = stores[1]
        .availability(Some(&SessionCode::parse("ATH07").unwrap()))
        .await
        .unwrap();
    let d = avail.iter().find(|a| a.category == "D").unwrap();
    assert_eq!(d.available, 99, "nothing lost: 100 less the one sold");
    assert_eq!(
        invariant(&stores[0]).await,
        Vec::<String>::new(),
        "the seats add up"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_whose_write_fails_leaves_nothing_and_the_orders_sold_with_it_stand() {
    let db = TestDb::create().await;
    let stores = replicas(&db, 1, 100).await;
    let store = &stores[0];
    for i in 0..12 {
        fan(store, &format!("P24-{i:06}")).await;
    }
    fan(store, "P24-POISON").await;
    // The poisoned account's tickets cannot be written: its order passes every check and
    // its seats' decrement, then fails on its tickets.
    db.client()
        .await
        .batch_execute(
            "CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN IF NEW.account_id = 'P24-POISON' THEN RAISE EXCEPTION 'poisoned for the test'; END IF;
             RETURN NEW; END $$;
             CREATE TRIGGER poison BEFORE INSERT ON tickets FOR EACH ROW EXECUTE FUNCTION poison();",
        )
        .await
        .unwrap();
    // Twelve at once, more than a replica's concurrent batches: some share a batch.
    let mut tasks = Vec::new();
    for i in 0..12 {
        let store = Arc::clone(store);
        let account = if i == 5 {
            "P24-POISON".to_string()
        } else {
            format!("P24-{i:06}")
        };
        tasks.push(tokio::spawn(async move {
            let key = uuid::Uuid::now_v7().to_string();
            store
                .sell(&request(&key, &account, "ATH07", 1), "desk", now())
                .await
                .is_ok()
        }));
    }
    let mut ok = Vec::new();
    for t in tasks {
        ok.push(t.await.unwrap());
    }
    assert_eq!(
        ok.iter().filter(|o| **o).count(),
        11,
        "the eleven others sell: {ok:?}"
    );
    assert!(!ok[5], "the poisoned order fails");
    assert_eq!(
        store.tickets_sold().await.unwrap(),
        11,
        "no ticket of the failed order"
    );
    let avail = store
        .availability(Some(&SessionCode::parse("ATH07").unwrap()))
        .await
        .unwrap();
    let d = avail.iter().find(|a| a.category == "D").unwrap();
    assert_eq!(d.available, 89, "its seat went back with it");
    assert_eq!(
        invariant(&stores[0]).await,
        Vec::<String>::new(),
        "the seats add up"
    );
}

fn account_event(id: &str) -> SyncEvent {
    SyncEvent {
        idempotency_key: uuid::Uuid::now_v7().to_string(),
        kind: "account_created".into(),
        payload: serde_json::json!({"id": id, "name": format!("Fan {id}"),
                                    "email": format!("{id}@example.org"), "country": "FR"}),
        created_at: "2024-01-10T09:00:00Z".into(),
        offline: true,
    }
}

/// The (epoch, xid, id) of a PostgreSQL cursor.
fn parts(cursor: &str) -> (i64, i64, i64) {
    match checks::feed_cursor("cursor", cursor).unwrap() {
        FeedCursor::Xid { epoch, xid, id } => (epoch, xid, id),
        other => panic!("a PostgreSQL cursor is EPOCH:XID:ID, not {cursor} ({other:?})"),
    }
}

#[tokio::test]
async fn a_cursor_of_another_generation_gets_a_snapshot_and_an_old_whole_number_keeps_its_place() {
    let db = TestDb::create().await;
    let mut store = db.store().await;
    store.set_pull_page(2);
    let start = store.pull("desk", FeedCursor::Start).await.unwrap();
    assert!(
        !start.availability.is_empty(),
        "a pull from 0 is a snapshot"
    );
    let (epoch, _, _) = parts(&start.cursor);
    // Five accounts in one push: more than a page, so a page ends inside a transaction
    // when the push is one, and the ID part carries the next pull on within it.
    let events: Vec<SyncEvent> = (0..5).map(|i| account_event(&format!("GEN-{i}"))).collect();
    let acks = store.push("writer", &events, now()).await.unwrap();
    assert!(acks.iter().all(|a| a.status == "applied"), "{acks:?}");
    let mut cursor = start.cursor.clone();
    let mut seen = Vec::new();
    for _ in 0..10 {
        let p = store
            .pull("desk", checks::feed_cursor("cursor", &cursor).unwrap())
            .await
            .unwrap();
        assert!(p.availability.is_empty(), "not a snapshot: {p:?}");
        seen.extend(p.accounts.iter().map(|a| a.id.clone()));
        assert!(p.accounts.len() <= 2, "one page is at most 2 changes");
        cursor = p.cursor;
        if !p.more {
            break;
        }
    }
    seen.sort();
    let want: Vec<String> = (0..5).map(|i| format!("GEN-{i}")).collect();
    assert_eq!(seen, want, "every account once");
    let (e, xid, id) = parts(&cursor);
    assert_eq!(e, epoch, "the same database keeps its generation");

    // The same place on another database generation (a restore): a snapshot again.
    let other = store
        .pull(
            "desk",
            FeedCursor::Xid {
                epoch: epoch + 1,
                xid,
                id,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        other.availability, start.availability,
        "a snapshot, as from 0"
    );
    assert!(parts(&other.cursor).0 == epoch);
    let quiet = store
        .pull("desk", checks::feed_cursor("cursor", &cursor).unwrap())
        .await
        .unwrap();
    assert!(
        quiet.availability.is_empty() && quiet.accounts.is_empty(),
        "{quiet:?}"
    );
    assert_eq!(quiet.cursor, cursor, "nothing new: the cursor stays");

    // An older desk's whole number (`generation << 43 | xid`): that transaction was served
    // whole, so nothing of it again and no snapshot.
    let old = store
        .pull("desk", FeedCursor::Number((epoch << 43) | xid))
        .await
        .unwrap();
    assert!(
        old.availability.is_empty(),
        "the old cursor keeps its place: {old:?}"
    );
    assert!(old.accounts.is_empty(), "{old:?}");
    // …and one of another generation gets the snapshot.
    let old_other = store
        .pull("desk", FeedCursor::Number(((epoch + 1) << 43) | xid))
        .await
        .unwrap();
    assert_eq!(old_other.availability, start.availability);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_feed_serves_every_change_once_even_those_committed_late() {
    let db = TestDb::create().await;
    let mut puller = db.store().await;
    puller.set_pull_page(3);
    let puller = Arc::new(puller);
    let late = Arc::new(db.store().await);
    late.set_commit_delay_for_tests(Some(Duration::from_secs(2)));
    let quick = Arc::new(db.store().await);
    let mut cursor = puller
        .pull("puller", FeedCursor::Start)
        .await
        .unwrap()
        .cursor;
    const WRITERS: usize = 16;
    const EACH: usize = 3;
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        // A third of the writers sleep 2 s inside their transaction before COMMIT.
        let store = if w % 3 == 0 {
            Arc::clone(&late)
        } else {
            Arc::clone(&quick)
        };
        writers.push(tokio::spawn(async move {
            let mut made = Vec::new();
            for i in 0..EACH {
                let id = format!("FEED-{w:02}-{i}");
                let acks = store
                    .push("writer", &[account_event(&id)], now())
                    .await
                    .unwrap();
                assert_eq!(acks[0].status, "applied", "{acks:?}");
                made.push(id);
            }
            made
        }));
    }
    let mut seen: BTreeMap<String, u32> = BTreeMap::new();
    let mut finished = false;
    loop {
        let done = writers.iter().all(|w| w.is_finished());
        let at = checks::feed_cursor("cursor", &cursor).unwrap();
        let p = puller.pull("puller", at).await.unwrap();
        let next = checks::feed_cursor("cursor", &p.cursor).unwrap();
        let pos = |c: FeedCursor| match c {
            FeedCursor::Xid { xid, id, .. } => (xid, id),
            other => panic!("a PostgreSQL cursor is EPOCH:XID:ID, not {other:?}"),
        };
        assert!(
            pos(next) >= pos(at),
            "the cursor never goes back: {cursor} then {}",
            p.cursor
        );
        cursor = p.cursor;
        for a in p.accounts {
            *seen.entry(a.id).or_default() += 1;
        }
        if finished && !p.more {
            break;
        }
        // One more round after the writers are done: what they committed last.
        finished = done;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut committed = Vec::new();
    for w in writers {
        committed.extend(w.await.unwrap());
    }
    committed.sort();
    let pulled: Vec<String> = seen.keys().cloned().collect();
    assert_eq!(pulled, committed, "the pulled set is the committed set");
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "each change exactly once: {twice:?}");
}

/// A GET of a console page with a session cookie (or none): the status and the page.
async fn console_get(s: &Server, path: &str, cookie: Option<&str>) -> (StatusCode, String) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let mut req = axum::http::Request::builder().uri(path);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let req = req.body(axum::body::Body::empty()).unwrap();
    let res = guichet_server::api::app(s.state.clone())
        .oneshot(req)
        .await
        .unwrap();
    let status = res.status();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_answers_on_postgres_from_the_postgres_store() {
    let s = server_on(Kind::Postgres).await;
    assert!(
        s.state.store.is_none(),
        "on PostgreSQL there is no SQLite store behind the state, placeholder or other"
    );
    let (st, page) = console_get(&s, "/console/sign-in", None).await;
    assert_eq!(st, StatusCode::OK, "the sign-in page is served: {page}");
    let (st, _) = console_get(&s, "/console/overview", None).await;
    assert_eq!(st, StatusCode::FOUND, "without a session: to sign-in");
    let b = &s.state.backend;
    b.add_staff(
        "anne".into(),
        "correct horse battery".into(),
        guichet_server::store::staff::Role::Supervisor,
        "test".into(),
        now(),
    )
    .await
    .unwrap();
    let session = b
        .sign_in("anne".into(), "correct horse battery".into(), now())
        .await
        .unwrap();
    let cookie = format!("guichet_session={}", session.token);
    let (st, page) = console_get(&s, "/console/audit", Some(&cookie)).await;
    assert_eq!(st, StatusCode::OK, "a signed-in page is served: {page}");
    assert!(
        page.contains("staff.sign_in") && page.contains("staff.add"),
        "the audit page reads the PostgreSQL audit log: {page}"
    );
    let db = s.pg.as_ref().unwrap().client().await;
    let kept: i64 = db
        .query_one(
            "SELECT count(*) FROM staff_sessions WHERE username = 'anne'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(kept, 1, "the session is kept in PostgreSQL");
}

#[test]
fn without_the_pg_variables_the_postgres_tests_fail_and_say_to_use_pg_virtualenv() {
    // This test binary again, one PostgreSQL test only, without the cluster's variables.
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "a_refusal_is_kept_with_its_key_and_another_body_is_refused",
            "--exact",
        ])
        .env_remove("PGHOST")
        .env_remove("PGPORT")
        .env_remove("PGUSER")
        .env_remove("PGDATABASE")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "a PostgreSQL test never passes without a cluster: {text}"
    );
    assert!(
        text.contains("pg_virtualenv"),
        "the failure says how to run it: {text}"
    );
}
