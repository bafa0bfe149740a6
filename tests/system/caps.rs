//! The caps a desk checks offline count what the fan bought online, even after the sync has
//! taken that sale off the desk's own count.

use super::rig::DeskRig;
use super::{temp_db, ServerProcess};

/// A fan bought 6 of a session online at this desk; after a sync the desk goes offline. The
/// desk must still count those 6 (the session cap is 6): the pull brings the server's holdings
/// of the buyer now that online sales name their buyer in the change feed. Before, the pushed
/// online sale stopped counting on the desk while the server's count it held for the fan was
/// the one from before the sale, so the desk sold 6 more offline.
#[test]
fn after_a_sync_an_online_sale_still_counts_against_the_fan_s_caps_offline() {
    let (_dir, db) = temp_db();
    let server = ServerProcess::start(&db);
    let base = server.base.clone();
    let mut rig = DeskRig::enrolled("DeskC", 0xD6, &base, &db);
    rig.borrow(&["FBL03"], 20);
    let fan = rig.walk_in();
    let rt = super::rig::runtime(1);
    let sync = rig.sync_task(&rt, 100);
    let wait = std::time::Duration::from_secs(30);
    // The fan's account reaches the server and comes back: the desk's cursor is past it.
    let st = sync.sync_now_and_wait(wait);
    assert!(st.online && st.waiting == 0, "{st:?}");

    let r = rig.sell(&fan, "FBL03", 6).unwrap();
    assert!(!r.offline, "{r:?}");
    let st = sync.sync_now_and_wait(wait);
    assert!(st.online && st.waiting == 0, "{st:?}");
    sync.stop_blocking(std::time::Duration::from_secs(10));

    rig.desk.disconnect_server();
    let e = rig.sell(&fan, "FBL03", 1).unwrap_err();
    let said = e.to_string();
    assert!(
        said.contains("SESSION_CAP") || said.contains("6 of 6"),
        "the 6 bought online still count: {said}"
    );
}

/// The other way round: a fan whose 6 tickets of a session were voided may buy 6 again at the
/// desk that voided them, at once (offline, before the void is pushed) and after the sync (on
/// the server's count it pulled back).
#[test]
fn after_a_void_is_synced_the_fan_may_buy_again_offline() {
    let (_dir, db) = temp_db();
    let server = ServerProcess::start(&db);
    let base = server.base.clone();
    let mut rig = DeskRig::enrolled("DeskV", 0xD7, &base, &db);
    rig.borrow(&["FBL03"], 20);
    let fan = rig.walk_in();
    let rt = super::rig::runtime(1);
    let sync = rig.sync_task(&rt, 100);
    let wait = std::time::Duration::from_secs(30);
    let st = sync.sync_now_and_wait(wait);
    assert!(st.online && st.waiting == 0, "{st:?}");

    let r = rig.sell(&fan, "FBL03", 6).unwrap();
    let st = sync.sync_now_and_wait(wait);
    assert!(st.online && st.waiting == 0, "{st:?}");
    rig.desk
        .void_order(
            &r.order_id,
            super::rig::SUP.0,
            super::rig::SUP.1,
            "wrong day",
        )
        .unwrap();
    // At once, offline, before the void has gone anywhere.
    rig.desk.disconnect_server();
    let q = rig.desk.quote(&super::rig::single(&fan, "FBL03", 6));
    assert!(q.is_ok(), "the voided 6 no longer count: {q:?}");

    // Synced, the server's count of the fan comes back without them too.
    let st = sync.sync_now_and_wait(wait);
    assert!(st.online && st.waiting == 0, "{st:?}");
    sync.stop_blocking(std::time::Duration::from_secs(10));
    let r = rig.sell(&fan, "FBL03", 6);
    assert!(
        r.is_ok(),
        "the voided 6 no longer count after the sync: {r:?}"
    );
    drop(server);
}
