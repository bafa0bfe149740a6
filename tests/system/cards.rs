//! A fan's account card, end to end: the server signs it (`guichet-server account-card`), a
//! device receives the server's card key when it enrols, and then checks cards offline.

use guichet_desk::Error;
use guichet_tickets::CardError;
use serde_json::json;

use super::rig::DeskRig;
use super::{cli, enrol, temp_db, ServerProcess};

#[test]
fn an_enrolled_device_checks_a_fan_s_card_offline_and_refuses_a_changed_or_foreign_one() {
    let (_dir, db) = temp_db();
    let server = ServerProcess::start(&db);
    let base = server.base.clone();
    let other = enrol(&base, &db, "c4");
    let (st, v) = other.post(
        &base,
        "/v1/accounts",
        json!({"id": "SYS-K-0", "name": "Inès Moreau", "email": "ines@example.org", "country": "FR"}),
    );
    assert_eq!(st, 201, "{v}");
    let card = cli(
        &db,
        &["account-card", "SYS-K-0", "--valid-until", "2024-09-08"],
    );
    let rig = DeskRig::enrolled("Kiosk K", 0xA7, &base, &db);
    // The server goes away: the check needs nothing but the key received at enrolment.
    drop(server);
    let id = rig
        .desk
        .identify_card(&card)
        .expect("the card checks offline");
    assert_eq!(id.as_str(), "SYS-K-0", "the card names its account");

    let changed = card.replacen("SYS-K-0", "SYS-K-1", 1);
    assert!(
        matches!(
            rig.desk.identify_card(&changed),
            Err(Error::Card(CardError::Forged))
        ),
        "a card whose account was changed is refused as forged"
    );
    let unsigned = "P24-ACCOUNT:SYS-K-0";
    let e = rig.desk.identify_card(unsigned).expect_err("no signature");
    assert_eq!(e.code(), "CARD_NOT_VALID", "{e}");
    assert!(
        e.to_string().contains("confirmation email"),
        "the way out is said: {e}"
    );

    let (_other_dir, other_db) = temp_db();
    let foreign_server = ServerProcess::start(&other_db);
    let elsewhere = enrol(&foreign_server.base, &other_db, "d6");
    let (st, v) = elsewhere.post(
        &foreign_server.base,
        "/v1/accounts",
        json!({"id": "SYS-K-0", "name": "Inès Moreau", "email": "ines@example.org", "country": "FR"}),
    );
    assert_eq!(st, 201, "{v}");
    let foreign = cli(&other_db, &["account-card", "SYS-K-0"]);
    assert!(
        matches!(
            rig.desk.identify_card(&foreign),
            Err(Error::Card(CardError::UnknownKey(_)))
        ),
        "a card signed by another server's key is refused"
    );
}
