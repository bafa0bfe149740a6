//! Two real desk cores and the real server process: sell online, lose the server, keep
//! selling from the allotment, get it back, sync; the server counts exactly what the two
//! desks' ledgers hold.

use std::time::{Duration, Instant};

use super::backend::{Backend, Db};
use super::rig::{accounts_of, runtime, server_held, server_sold, sum, DeskRig, Http, SUP};
use super::{ServerProcess, NOW};

const SESSIONS: [&str; 5] = ["FBL01", "FBL02", "FBL03", "FBL04", "FBL05"];
const WAIT: Duration = Duration::from_secs(60);

#[test]
fn two_desks_sell_online_and_offline_and_the_server_counts_what_their_ledgers_hold() {
    two_desks(Backend::Sqlite);
}

#[test]
fn two_desks_on_postgres_sell_online_and_offline_and_the_server_counts_what_their_ledgers_hold() {
    two_desks(Backend::Postgres);
}

fn two_desks(backend: Backend) {
    let t0 = Instant::now();
    let db = Db::new(backend);
    let server = ServerProcess::start(&db);
    let base = server.base.clone();
    let listen = base.trim_start_matches("http://").to_string();
    let rt = runtime(2);
    let mut a = DeskRig::enrolled("DeskA", 0xA1, &base, &db);
    let mut b = DeskRig::enrolled("DeskB", 0xB2, &base, &db);
    a.borrow(&SESSIONS, 30);
    b.borrow(&SESSIONS, 30);
    let (sync_a, sync_b) = (a.sync_task(&rt, 100), b.sync_task(&rt, 100));
    let st = sync_a.sync_now_and_wait(WAIT);
    assert_eq!(
        (st.online, st.allotment_left),
        (true, 150),
        "after the first round desk A holds 5 × 30 seats: {st:?}"
    );

    // Walk-ins at each desk reach the server with the first sync; B then knows A's fans.
    let fans_a: Vec<_> = (0..4).map(|_| a.walk_in()).collect();
    let fans_b: Vec<_> = (0..4).map(|_| b.walk_in()).collect();
    let st = sync_a.sync_now_and_wait(WAIT);
    assert_eq!((st.online, st.waiting, st.rejected), (true, 0, 0), "{st:?}");
    let st = sync_b.sync_now_and_wait(WAIT);
    assert_eq!((st.online, st.waiting, st.rejected), (true, 0, 0), "{st:?}");

    // Online: the server decides and numbers the tickets.
    let mut first_online = None;
    for i in 0..8 {
        let r = a.sell(&fans_a[i % 4], SESSIONS[i % 5], 2).unwrap();
        assert!(!r.offline && r.fallback.is_none(), "online sale {i}: {r:?}");
        first_online.get_or_insert(r);
        let r = b.sell(&fans_b[i % 4], SESSIONS[(i + 1) % 5], 1).unwrap();
        assert!(!r.offline, "online sale {i} at B: {r:?}");
    }
    // A walk-in made a moment ago buys online at once: the desk sends the account first.
    let late = a.walk_in();
    let r = a.sell(&late, "FBL02", 1).unwrap();
    assert!(!r.offline, "a fresh walk-in is sold online: {r:?}");
    // A rule only the server can see: B sells 6 FBL05 to A's fan, A (not yet pulled) tries
    // one more: the server refuses (6 per session), shown as the refusal, no fallback.
    b.sell(&fans_a[3], "FBL05", 6).unwrap();
    let orders_before = a.count("SELECT count(*) FROM sale_order");
    let refused = a.sell(&fans_a[3], "FBL05", 1).unwrap_err();
    assert_eq!(refused.code(), "RULES", "{refused}");
    assert_eq!(
        a.count("SELECT count(*) FROM sale_order"),
        orders_before,
        "a refusal by the server sells nothing, online or offline"
    );

    // Voiding an online sale at the desk: the void names the server's order and ticket ids
    // (the desk signed the server's ids), so the server applies it when it is pushed.
    let first = first_online.unwrap();
    a.desk
        .void_order(&first.order_id, SUP.0, SUP.1, "wrong day")
        .unwrap();

    // The server dies. Both desks keep selling from their allotments and say so.
    server.kill();
    for i in 0..6 {
        let r = a.sell(&fans_a[i % 3], SESSIONS[(i + 2) % 5], 1).unwrap();
        assert!(r.offline, "fallback sale {i}: {r:?}");
        let f = r.fallback.expect("the receipt says why");
        assert!(
            f.why.contains("did not answer"),
            "the receipt says why: {f:?}"
        );
        let paused = f.why.contains("without asking the server again until");
        assert_eq!(
            (f.kind, paused),
            if i > 0 {
                (guichet_desk::FallbackKind::Paused, true)
            } else {
                (guichet_desk::FallbackKind::Unreachable, false)
            },
            "after one failure the desk stops asking for a while: {f:?}"
        );
        let r = b.sell(&fans_b[i % 4], SESSIONS[(i + 3) % 5], 2).unwrap();
        assert!(r.offline, "fallback sale {i} at B: {r:?}");
    }
    let st = sync_a.sync_now_and_wait(WAIT);
    assert!(!st.online, "the status bar shows offline: {st:?}");
    assert!(
        st.waiting >= 6
            && st
                .last_error
                .as_deref()
                .unwrap_or("")
                .contains("did not answer"),
        "events wait and the last error is a sentence: {st:?}"
    );
    assert_eq!(
        st.failure,
        Some(guichet_desk::SyncFailure::Unreachable),
        "a killed server is unreachable, not a refusal: {st:?}"
    );
    assert_eq!(
        st.allotment_left,
        150 - 6,
        "A's allotment went down by its 6 offline tickets"
    );

    // Back on the same address: everything syncs, nothing rejected, nothing waiting.
    let server = ServerProcess::start_at(&db, &listen, NOW);
    // Online sales not yet pushed: 9 at each desk (A's walk-in went ahead alone).
    for (name, h, online_unpushed) in [("A", &sync_a, 9), ("B", &sync_b, 9)] {
        let st = h.sync_now_and_wait(WAIT);
        assert_eq!(
            (st.online, st.waiting, st.rejected),
            (true, 0, 0),
            "desk {name} after the server came back: {st:?}"
        );
        assert_eq!(
            st.duplicates, online_unpushed,
            "desk {name}'s online sales came back as duplicates, not second sales: {st:?}"
        );
    }
    // The pause after the failure ends when asked: the next sale is online again.
    a.desk.retry_online_now();
    let r = a.sell(&fans_a[0], "FBL01", 1).unwrap();
    assert!(!r.offline && r.fallback.is_none(), "online again: {r:?}");
    let http = Http::of(&a, &server.base);
    let desks = sum(&[a.sold_by_offer(), b.sold_by_offer()]);
    let total: i64 = desks.values().sum();
    assert_eq!(
        total,
        8 * 2 + 8 + 1 + 6 + 6 + 12 + 1 - 2,
        "tickets the desks sold"
    );
    assert_eq!(
        server_sold(&http, &SESSIONS),
        desks,
        "the server's sold count per session and category is the sum of the two ledgers"
    );
    let accounts = accounts_of(&[&a, &b]);
    assert_eq!(
        server_held(&http, &accounts),
        sum(&[a.sold_by_account(), b.sold_by_account()]),
        "the server's tickets per account and session are the sum of the two ledgers"
    );
    // Seats no longer needed go back: the server's escrow and the desk's allotment shrink.
    let left = b.count("SELECT sum(remaining) FROM allotment");
    let back = b
        .desk
        .return_allotment(
            &guichet_domain::SessionCode::parse("FBL01").unwrap(),
            guichet_domain::PriceCategory::D,
            5,
        )
        .unwrap();
    assert_eq!(back.returned, 5, "{back:?}");
    assert_eq!(
        b.count("SELECT sum(remaining) FROM allotment"),
        left - 5,
        "the desk's allotment follows the server's after the return"
    );
    println!(
        "two desks ({backend:?}): {total} tickets over {} accounts, server counts equal the ledgers, {:.1} s",
        accounts.len(),
        t0.elapsed().as_secs_f64()
    );
    sync_a.stop_blocking(WAIT);
    sync_b.stop_blocking(WAIT);
    drop(server);
}

#[test]
fn an_event_the_server_refuses_stays_visible_with_its_reason_and_blocks_nothing() {
    refused_event(Backend::Sqlite);
}

#[test]
fn on_postgres_an_event_the_server_refuses_stays_visible_with_its_reason_and_blocks_nothing() {
    refused_event(Backend::Postgres);
}

fn refused_event(backend: Backend) {
    let db = Db::new(backend);
    let server = ServerProcess::start(&db);
    let rt = runtime(1);
    let mut a = DeskRig::enrolled("DeskR", 0xC3, &server.base, &db);
    a.borrow(&SESSIONS[..1], 10);
    // An account only this desk's cache knows (no account_created event): the server cannot
    // apply a sale to it.
    let now = a.desk.now();
    guichet_desk::demo::seed_accounts(&mut a.desk, 900, 1, now, now).unwrap();
    let ghost = guichet_domain::AccountId::parse("P24-0000900").unwrap();
    let fan = a.walk_in();
    a.desk.disconnect_server();
    a.sell(&ghost, "FBL01", 1).unwrap();
    a.sell(&fan, "FBL01", 2).unwrap();
    let h = a.sync_task(&rt, 100);
    let st = h.sync_now_and_wait(WAIT);
    assert_eq!(
        (st.online, st.waiting, st.rejected, st.applied),
        (true, 0, 1, 2),
        "the refused sale is set aside; the walk-in and its sale after it apply: {st:?}"
    );
    let rejected = guichet_store::journal::rejected_events(a.desk.store().reader()).unwrap();
    assert_eq!(rejected.len(), 1);
    assert!(
        rejected[0].reason.contains("unknown account P24-0000900"),
        "the server's reason is kept: {}",
        rejected[0].reason
    );
    // Pushed again (as after a lost answer), it is refused again, not "duplicate".
    let (kind, payload, created_at): (String, String, String) = a
        .desk
        .store()
        .reader()
        .query_row(
            "SELECT kind, payload, created_at FROM outbox WHERE idempotency_key = ?1",
            [&rejected[0].idempotency_key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let l = guichet_store::link::link(a.desk.store().reader())
        .unwrap()
        .unwrap();
    let client = guichet_desk::sync::ServerClient::new(
        &server.base,
        Some(l.token.clone()),
        guichet_desk::sync::Timeouts::default(),
    )
    .unwrap();
    let acks = client
        .push(&[guichet_wire::sync::SyncEvent {
            idempotency_key: rejected[0].idempotency_key.clone(),
            kind,
            payload: serde_json::from_str(&payload).unwrap(),
            created_at,
            offline: true,
        }])
        .unwrap();
    assert_eq!(acks[0].status, "rejected", "{acks:?}");
    assert_eq!(acks[0].reason.as_deref(), Some(rejected[0].reason.as_str()));
    // The bearer token is a secret: no status, error or debug output shows it.
    let token = &l.token;
    let shown = format!("{:?} {:?} {:?}", h.status(), l, client);
    assert!(!shown.contains(token.as_str()), "the token leaked: {shown}");
    h.stop_blocking(WAIT);
}
