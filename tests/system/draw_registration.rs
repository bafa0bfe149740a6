//! A desk registers the account it has open for a draw, online, against the real server on
//! 127.0.0.1 whose clock stands inside the pack draw's registration window; twice is refused
//! with the server's sentence.

use super::rig::DeskRig;
use super::{enrol, temp_db, ServerProcess};

#[test]
fn a_desk_registers_an_account_for_the_pack_draw_and_a_second_time_is_refused_in_words() {
    let (_dir, db) = temp_db();
    let server = ServerProcess::start_at(&db, "127.0.0.1:0", "2022-12-10T10:00:00");
    let mut rig = DeskRig::enrolled("DeskR", 0xD7, &server.base, &db);
    let other = enrol(&server.base, &db, "d8");
    let (st, v) = other.post(
        &server.base,
        "/v1/accounts",
        serde_json::json!({"id": "SYS-R-1", "name": "Lucie Bernard", "email": "lucie@example.org", "country": "FR"}),
    );
    assert_eq!(st, 201, "{v}");
    let account = guichet_domain::AccountId::parse("SYS-R-1").unwrap();
    let r = rig.desk.register_for_draw(&account, "pack-draw").unwrap();
    assert_eq!(
        (r.draw.as_str(), r.registration_id),
        ("pack-draw", 1),
        "the first registration of the draw: {r:?}"
    );
    let shown = rig.count(&format!("SELECT count(*) FROM account_draw WHERE account_id = '{account}' AND draw_id = 'pack-draw'"));
    assert_eq!(shown, 1, "the desk shows the registration after it");
    let e = rig
        .desk
        .register_for_draw(&account, "pack-draw")
        .unwrap_err();
    let said = guichet_desk::online::refusal_sentence(&e);
    assert!(
        said.contains("already registered") && said.contains("Paris time"),
        "the refusal is the server's sentence: {said}"
    );
}
