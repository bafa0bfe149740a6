//! A desk enrolled with a server that already sold and already has accounts: its first pull
//! brings every offer's availability and the buyers the change feed names; a fan who bought
//! after that pull comes from the server's search (`Desk::find_on_server`) without moving its
//! cursor.

use guichet_domain::Catalogue;
use serde_json::json;

use super::rig::DeskRig;
use super::{enrol, temp_db, ServerProcess};

fn cursor(rig: &DeskRig) -> String {
    guichet_store::link::link(rig.desk.store().reader())
        .unwrap()
        .unwrap()
        .pull_cursor
}

#[test]
fn a_new_desk_pulls_every_offer_first_and_finds_an_existing_account_on_the_server() {
    let (_dir, db) = temp_db();
    let server = ServerProcess::start(&db);
    let base = server.base.clone();
    // Another device made an account and sold it 3 FBL03 C online, before this desk enrolled.
    let other = enrol(&base, &db, "c3");
    let sell = |id: &str, name: &str, email: &str, q: u32| {
        let (st, v) = other.post(
            &base,
            "/v1/accounts",
            json!({"id": id, "name": name, "email": email, "country": "FR"}),
        );
        assert_eq!(st, 201, "{v}");
        let (st, v) = other.post(
            &base,
            "/v1/orders",
            json!({"idempotency_key": uuid::Uuid::now_v7().to_string(), "account_id": id,
            "kind": "single", "lines": [{"session": "FBL03", "category": "C", "quantity": q}]}),
        );
        assert_eq!(st, 201, "{v}");
    };
    sell("SYS-F-0", "Marc Dubois", "marc@example.org", 3);

    let mut rig = DeskRig::enrolled("DeskF", 0xF1, &base, &db);
    assert_eq!(cursor(&rig), "0");
    rig.desk.pull_now().unwrap();
    let offers: i64 = Catalogue::paris2024()
        .sessions()
        .map(|s| s.offers.len() as i64)
        .sum();
    assert_eq!(
        rig.count("SELECT count(*) FROM availability"),
        offers,
        "the first pull brings every offer's availability"
    );
    let fbl03_c = other.get(&base, "/v1/availability?session=FBL03");
    let fbl03_c = fbl03_c
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["category"] == "C")
        .unwrap()["available"]
        .as_i64()
        .unwrap();
    assert_eq!(
        rig.count(
            "SELECT remaining FROM availability WHERE session_code = 'FBL03' AND category = 'C'"
        ),
        fbl03_c,
        "the offer sold before enrolment shows the server's stock"
    );
    let after_first = cursor(&rig);
    assert_ne!(after_first, "0", "the first pull moved the cursor");
    // The buyer is named in the change feed: it came with the first pull, holdings and all.
    let (_, marc) = rig.desk.look_up("marc@example.org").unwrap();
    assert_eq!(marc.len(), 1, "the buyer came with the pull");
    assert_eq!(
        rig.count("SELECT count(*) FROM account_held WHERE account_id = 'SYS-F-0'"),
        1
    );

    // A fan who buys after the desk's last pull: not found locally, found on the server, kept.
    sell("SYS-F-1", "Zoé Lefèvre", "zoe@example.org", 2);
    assert!(rig.desk.look_up("Lefèvre").unwrap().1.is_empty());
    assert!(rig.desk.look_up("zoe@example.org").unwrap().1.is_empty());
    assert_eq!(rig.desk.find_on_server("nobody-here").unwrap(), 0);
    assert_eq!(rig.desk.find_on_server("  ").unwrap(), 0);
    assert_eq!(rig.desk.find_on_server("zoe@example.org").unwrap(), 1);
    let (_, found) = rig.desk.look_up("zoe@example.org").unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id.as_str(), "SYS-F-1");
    assert_eq!(found[0].full_name(), "Zoé Lefèvre");
    assert_eq!(
        rig.count("SELECT count(*) FROM account_held WHERE account_id = 'SYS-F-1'"),
        1,
        "the server's held tickets come with the account"
    );
    assert_eq!(
        cursor(&rig),
        after_first,
        "the search does not move the cursor"
    );
    // A name with a space and accents travels in the query intact.
    assert_eq!(rig.desk.find_on_server("Zoé Lef").unwrap(), 1);
    assert_eq!(cursor(&rig), after_first);
    drop(server);
}

/// A desk further behind than one pull carries (the server here pages at 3 change rows) gets
/// everything, page after page, in one `pull_now`, and ends at the server's last change.
#[test]
fn a_desk_far_behind_pulls_page_after_page_until_it_is_current() {
    let (_dir, db) = temp_db();
    let server = ServerProcess::start_with(&db, "127.0.0.1:0", super::NOW, &["--pull-page", "3"]);
    let base = server.base.clone();
    let other = enrol(&base, &db, "c4");
    let ids: Vec<String> = (0..8).map(|i| format!("SYS-P-{i}")).collect();
    for (i, id) in ids.iter().enumerate() {
        let (st, v) = other.post(
            &base,
            "/v1/accounts",
            json!({"id": id, "name": format!("Fan {i}"), "email": format!("fan{i}@example.org"), "country": "FR"}),
        );
        assert_eq!(st, 201, "{v}");
        let (st, v) = other.post(
            &base,
            "/v1/orders",
            json!({"idempotency_key": uuid::Uuid::now_v7().to_string(), "account_id": id,
            "kind": "single", "lines": [{"session": "FBL03", "category": "C", "quantity": 1}]}),
        );
        assert_eq!(st, 201, "{v}");
    }
    let mut rig = DeskRig::enrolled("DeskP", 0xF2, &base, &db);
    let first = other.get(&base, "/v1/sync/pull?cursor=0");
    assert_eq!(
        first["more"], true,
        "one page does not hold it all: {first}"
    );

    rig.desk.pull_now().unwrap();
    let got = rig.count("SELECT count(*) FROM account WHERE id LIKE 'SYS-P-%'");
    assert_eq!(got, 8, "every buyer came, across pages");
    let behind = other.get(&base, &format!("/v1/sync/pull?cursor={}", cursor(&rig)));
    assert_eq!(behind["more"], false, "{behind}");
    assert_eq!(behind["accounts"], json!([]), "nothing left: {behind}");
    drop(server);
}
