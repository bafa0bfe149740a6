//! The server sold online, then the desk's own file refused the write: the fan has no
//! tickets and is not charged, so the server must not keep the order either.

use super::rig::{server_held, server_sold, DeskRig, Http};
use super::{temp_db, ServerProcess};

#[test]
fn an_online_sale_the_desk_cannot_record_is_voided_at_the_server() {
    let (_dir, db) = temp_db();
    let server = ServerProcess::start(&db);
    let base = server.base.clone();
    let mut rig = DeskRig::enrolled("DeskU", 0xD5, &base, &db);
    let fan = rig.walk_in();
    let r = rig.sell(&fan, "FBL03", 2).unwrap();
    assert!(!r.offline, "sold online: {r:?}");

    // The desk's file now refuses every new order, as a full disk would.
    let c = guichet_store::rusqlite::Connection::open(&rig.path).unwrap();
    c.execute_batch(
        "CREATE TRIGGER test_disk_full BEFORE INSERT ON sale_order
         BEGIN SELECT RAISE(ABORT, 'database or disk is full (test)'); END;",
    )
    .unwrap();
    let e = rig.sell(&fan, "FBL03", 3).unwrap_err();
    assert!(e.to_string().contains("disk is full"), "{e}");

    let http = Http::of(&rig, &base);
    let fans = [fan.to_string()];
    let held = server_held(&http, &fans);
    assert_eq!(
        held.get(&(fan.to_string(), "FBL03".to_string())),
        Some(&2),
        "the server voided the order the desk could not keep: {held:?}"
    );
    let sold = server_sold(&http, &["FBL03"]);
    assert_eq!(sold.values().sum::<i64>(), 2, "{sold:?}");
    assert_eq!(
        rig.count("SELECT count(*) FROM sale_order"),
        1,
        "the desk kept nothing of the refused sale"
    );

    // The disk has room again: the same sale goes through, counted once.
    c.execute_batch("DROP TRIGGER test_disk_full").unwrap();
    let r = rig.sell(&fan, "FBL03", 3).unwrap();
    assert!(!r.offline, "{r:?}");
    let held = server_held(&http, &fans);
    assert_eq!(
        held.get(&(fan.to_string(), "FBL03".to_string())),
        Some(&5),
        "{held:?}"
    );
}
