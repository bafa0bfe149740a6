//! Faults, with the real server process and the real desk client: the server SIGKILLed in
//! the middle of a push, answers lost after the commit, requests cut mid-body, a desk back
//! after 30 days, the same batch pushed twice. Over all of them: 0 sales lost, 0 doubled.

use std::time::{Duration, Instant};

use guichet_desk::sync::{ServerClient, Timeouts};
use guichet_store::journal::pending_events;
use guichet_wire::sync::SyncEvent;

use super::backend::{Backend, Db};
use super::proxy::Proxy;
use super::rig::{accounts_of, runtime, server_held, server_sold, sum, DeskRig, Http};
use super::{ServerProcess, NOW};

const SESSIONS: [&str; 5] = ["FBL06", "FBL07", "FBL08", "FBL09", "FBL10"];
const WAIT: Duration = Duration::from_secs(120);
/// Later: the server's clock when the long-offline desk comes back.
const NOW_PLUS_30_DAYS: &str = "2024-02-09T10:00:00";

/// Makes `sales` offline sales at a desk (walk-in accounts, 30 tickets each at most).
fn queue_offline(rig: &mut DeskRig, sales: usize) -> usize {
    rig.desk.disconnect_server();
    let accounts: Vec<_> = (0..sales.div_ceil(30)).map(|_| rig.walk_in()).collect();
    rig.sell_many(&accounts, &SESSIONS, sales);
    let _ = rig.desk.connect_server(Timeouts::counter()).unwrap();
    sales + accounts.len()
}

fn restart(server: ServerProcess, db: &Db, listen: &str, now: &str) -> ServerProcess {
    server.kill();
    ServerProcess::start_at(db, listen, now)
}

#[test]
fn faults_lose_no_sale_and_double_none_over_ten_thousand_events() {
    faults(Backend::Sqlite);
}

#[test]
fn on_postgres_faults_lose_no_sale_and_double_none_over_ten_thousand_events() {
    faults(Backend::Postgres);
}

fn faults(backend: Backend) {
    let t0 = Instant::now();
    let db = Db::new(backend);
    let mut server = ServerProcess::start(&db);
    let base = server.base.clone();
    let listen = base.trim_start_matches("http://").to_string();
    let rt = runtime(2);
    let mut events = 0usize;
    let mut rigs = Vec::new();

    // 1. SIGKILL in the middle of a push of 4,000 sales, in batches of 250: the proxy holds
    // back the answer to the first batch (committed on the server), the server is killed
    // then, with 16 batches still to send; it comes back on the same port.
    let proxy = Proxy::start(&listen);
    let mut k = DeskRig::enrolled("Kill", 0x11, &proxy.base, &db);
    k.borrow(&SESSIONS, 900);
    let queued = queue_offline(&mut k, 4_000);
    events += queued;
    // Armed before the task starts: its first round begins at once.
    proxy.hold_next_response();
    let h = k.sync_task(&rt, 250);
    h.sync_now();
    let give_up = Instant::now() + WAIT;
    while proxy.held() == 0 {
        assert!(
            Instant::now() < give_up,
            "the first push never reached the server: {:?}",
            h.status()
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    server.kill();
    proxy.release();
    let st = h.sync_now_and_wait(WAIT);
    assert!(!st.online, "with the server dead the round fails: {st:?}");
    assert_eq!(k.outbox().0, 0, "no event was acknowledged before the kill");
    server = ServerProcess::start_at(&db, &listen, NOW);
    let st = h.sync_now_and_wait(WAIT);
    assert_eq!(
        (st.online, st.waiting, st.rejected),
        (true, 0, 0),
        "after the kill: {st:?}"
    );
    assert_eq!(
        (st.duplicates, st.applied),
        (250, queued as u64 - 250),
        "the batch committed before the kill comes back duplicate, the rest applies once"
    );
    println!(
        "kill: {queued} events; server SIGKILLed with 1 batch of 250 committed but unanswered and 16 unsent; after restart {} applied, {} duplicate",
        st.applied, st.duplicates
    );
    h.stop_blocking(WAIT);
    rigs.push(k);

    // 2. Answers lost after the commit: the client retries, the server says "duplicate".
    let mut l = DeskRig::enrolled("Lost", 0x22, &proxy.base, &db);
    l.borrow(&SESSIONS, 460);
    let queued = queue_offline(&mut l, 2_000);
    events += queued;
    proxy.drop_next_responses(3);
    let h = l.sync_task(&rt, 500);
    let st = h.sync_now_and_wait(WAIT);
    assert_eq!((st.online, st.waiting, st.rejected), (true, 0, 0), "{st:?}");
    assert_eq!(
        proxy.done().0,
        3,
        "three answers were thrown away after the server committed"
    );
    assert!(
        st.duplicates >= 1,
        "the retry of a batch whose answer was lost comes back duplicate: {st:?}"
    );
    assert_eq!(
        st.applied + st.duplicates,
        queued as u64,
        "each event acked once: {st:?}"
    );
    // The same for an online sale: the answer is lost, the desk asks again with the same key
    // and records the server's sale, once.
    let fan = l.walk_in();
    h.sync_now_and_wait(WAIT);
    proxy.drop_next_responses(1);
    let r = l.sell(&fan, "FBL06", 2).unwrap();
    assert!(
        !r.offline,
        "the second try got the first answer back: {r:?}"
    );
    events += 2;
    let st = h.sync_now_and_wait(WAIT);
    assert_eq!((st.waiting, st.rejected), (0, 0), "{st:?}");
    println!(
        "lost answers: {queued} events, {} duplicates after 4 lost answers",
        st.duplicates
    );
    h.stop_blocking(WAIT);
    rigs.push(l);

    // 3. Requests cut in the middle of their body.
    let mut c = DeskRig::enrolled("Cut", 0x33, &proxy.base, &db);
    c.borrow(&SESSIONS, 460);
    let queued = queue_offline(&mut c, 2_000);
    events += queued;
    proxy.cut_next_requests(3, 4_096);
    let h = c.sync_task(&rt, 500);
    let st = h.sync_now_and_wait(WAIT);
    assert_eq!((st.online, st.waiting, st.rejected), (true, 0, 0), "{st:?}");
    assert_eq!(proxy.done().1, 3, "three pushes were cut after 4 KiB");
    assert_eq!(
        st.applied, queued as u64,
        "a cut body applies nothing; the retry applies all"
    );
    println!("cut bodies: {queued} events applied once after 3 cut requests");
    h.stop_blocking(WAIT);
    rigs.push(c);
    drop(proxy);

    // 4. A desk offline for 30 days: the server has moved on, its keys still count once.
    let mut o = DeskRig::enrolled("Away", 0x44, &base, &db);
    o.borrow(&SESSIONS, 280);
    let queued = queue_offline(&mut o, 1_200);
    events += queued;
    o.clock.advance(jiff::SignedDuration::from_hours(24 * 30));
    server = restart(server, &db, &listen, NOW_PLUS_30_DAYS);
    let batch: Vec<SyncEvent> = pending_events(o.desk.store().reader(), 5_000)
        .unwrap()
        .into_iter()
        .map(|e| SyncEvent {
            idempotency_key: e.idempotency_key,
            kind: e.kind,
            payload: e.payload,
            created_at: e.created_at.to_string(),
            offline: e.offline,
        })
        .collect();
    let h = o.sync_task(&rt, 500);
    let started = Instant::now();
    let st = h.sync_now_and_wait(WAIT);
    let took = started.elapsed().as_secs_f64();
    println!(
        "30 days away: {queued} events pushed and pulled in {took:.2} s ({:.0} events/s)",
        queued as f64 / took
    );
    assert_eq!(
        (st.online, st.waiting, st.rejected, st.applied),
        (true, 0, 0, queued as u64),
        "30 days later every event applies: {st:?}"
    );
    let http = Http::of(&o, &server.base);
    let keys = http.get("/v1/gate/lists");
    assert!(
        keys["keys"].to_string().contains(&o.desk.signer_key_id()),
        "the desk's ticket key is still on the gates' list: {keys}"
    );
    h.stop_blocking(WAIT);

    // 5. The same batch pushed twice: every key comes back duplicate, nothing changes.
    let before = server_sold(&http, &SESSIONS);
    let l = guichet_store::link::link(o.desk.store().reader())
        .unwrap()
        .unwrap();
    let client = ServerClient::new(&server.base, Some(l.token), Timeouts::default()).unwrap();
    for chunk in batch.chunks(500) {
        let acks = client.push(chunk).unwrap();
        assert!(
            acks.iter().all(|a| a.status == "duplicate"),
            "a batch pushed again is all duplicate"
        );
    }
    events += batch.len();
    assert_eq!(
        server_sold(&http, &SESSIONS),
        before,
        "pushing again changed no count"
    );
    rigs.push(o);

    // Over all: the server's counts are the ledgers' sums.
    let all: Vec<&DeskRig> = rigs.iter().collect();
    let desks = sum(&all.iter().map(|r| r.sold_by_offer()).collect::<Vec<_>>());
    assert_eq!(
        server_sold(&http, &SESSIONS),
        desks,
        "sold per session and category: 0 lost, 0 doubled"
    );
    let accounts = accounts_of(&all);
    assert_eq!(
        server_held(&http, &accounts),
        sum(&all.iter().map(|r| r.sold_by_account()).collect::<Vec<_>>()),
        "held per account and session: 0 lost, 0 doubled"
    );
    for r in &all {
        assert_eq!(
            r.outbox().1 + r.outbox().2,
            0,
            "{}: nothing waiting or rejected",
            r.name
        );
    }
    let tickets: i64 = desks.values().sum();
    println!(
        "faults ({backend:?}): {events} events pushed ({tickets} tickets, {} accounts), 0 lost, 0 doubled, {:.1} s",
        accounts.len(),
        t0.elapsed().as_secs_f64()
    );
    assert!(
        events >= 10_000,
        "the fault tests cover at least 10,000 events ({events})"
    );
}
