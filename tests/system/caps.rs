//! The caps a desk checks offline follow what the server knows of the fan: an online sale keeps
//! counting after the sync has taken it off the desk's own count, and a void stops counting at
//! once.

use std::time::Duration;

use guichet_desk::SyncHandle;
use guichet_domain::AccountId;

use super::backend::{Backend, Db};
use super::rig::{runtime, single, DeskRig, SUP};
use super::ServerProcess;

const WAIT: Duration = Duration::from_secs(30);

/// A server, an enrolled desk with 20 of FBL03 D to lend, a walk-in fan whose account went to
/// the server and came back (the desk's cursor is past it), and 6 FBL03 sold to the fan online
/// and synced.
struct Counter {
    _server: ServerProcess,
    _db: Db,
    _rt: tokio::runtime::Runtime,
    rig: DeskRig,
    sync: SyncHandle,
    fan: AccountId,
    order: String,
}

impl Counter {
    fn with_six_sold_online(backend: Backend, name: &str, seed: u8) -> Counter {
        let db = Db::new(backend);
        let server = ServerProcess::start(&db);
        let mut rig = DeskRig::enrolled(name, seed, &server.base, &db);
        rig.borrow(&["FBL03"], 20);
        let fan = rig.walk_in();
        let rt = runtime(1);
        let sync = rig.sync_task(&rt, 100);
        let mut c = Counter {
            _server: server,
            _db: db,
            _rt: rt,
            rig,
            sync,
            fan,
            order: String::new(),
        };
        c.synced();
        let r = c.rig.sell(&c.fan, "FBL03", 6).unwrap();
        assert!(!r.offline, "sold online: {r:?}");
        c.order = r.order_id;
        c.synced();
        c
    }

    fn synced(&mut self) {
        let st = self.sync.sync_now_and_wait(WAIT);
        assert!(st.online && st.waiting == 0, "{st:?}");
    }
}

/// After the sync the desk goes offline and must still count the 6 (the session cap is 6): the
/// pull brings the server's holdings of the buyer now that online sales name their buyer in the
/// change feed. Before, the pushed online sale stopped counting on the desk while the server's
/// count it held for the fan was the one from before the sale, so it sold a 7th offline.
#[test]
fn after_a_sync_an_online_sale_still_counts_against_the_fan_s_caps_offline() {
    online_sale_counts_offline(Backend::Sqlite);
}

#[test]
fn on_postgres_after_a_sync_an_online_sale_still_counts_against_the_fan_s_caps_offline() {
    online_sale_counts_offline(Backend::Postgres);
}

fn online_sale_counts_offline(backend: Backend) {
    let mut c = Counter::with_six_sold_online(backend, "DeskC", 0xD6);
    c.rig.desk.disconnect_server();
    let e = c.rig.sell(&c.fan, "FBL03", 1).unwrap_err();
    let said = e.to_string();
    assert!(
        said.contains("6 of 6"),
        "the 6 bought online still count: {said}"
    );
}

/// The other way round: a fan whose 6 were voided may buy 6 again at the desk that voided
/// them, at once (offline, before the void is pushed) and after the sync (on the server's count
/// it pulled back).
#[test]
fn after_a_void_the_fan_may_buy_again_at_once_and_after_the_sync() {
    void_frees_the_caps(Backend::Sqlite);
}

#[test]
fn on_postgres_after_a_void_the_fan_may_buy_again_at_once_and_after_the_sync() {
    void_frees_the_caps(Backend::Postgres);
}

fn void_frees_the_caps(backend: Backend) {
    let mut c = Counter::with_six_sold_online(backend, "DeskV", 0xD7);
    c.rig
        .desk
        .void_order(&c.order, SUP.0, SUP.1, "wrong day")
        .unwrap();
    c.rig.desk.disconnect_server();
    let q = c.rig.desk.quote(&single(&c.fan, "FBL03", 6));
    assert!(q.is_ok(), "the voided 6 no longer count: {q:?}");

    c.synced();
    let r = c.rig.sell(&c.fan, "FBL03", 6);
    assert!(r.is_ok(), "nor after the sync: {r:?}");
}
