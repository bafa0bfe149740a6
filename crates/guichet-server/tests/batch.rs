//! The group commit's fast pass writes no savepoints; an order whose write fails after its
//! checks passed must not leave half of itself in the batch, and must not sink the others.

use guichet_domain::{Catalogue, PriceCategory, SaleConfig, SessionCode};
use guichet_server::store::{Durability, Store};
use guichet_wire::accounts::NewAccount;
use guichet_wire::orders::OrderRequest;

fn order(account: &str) -> OrderRequest {
    serde_json::from_value(serde_json::json!({
        "idempotency_key": uuid::Uuid::now_v7().to_string(), "account_id": account, "kind": "single",
        "lines": [{"session": "ATH02", "category": "D", "quantity": 1}]}))
    .unwrap()
}

#[test]
fn a_write_that_fails_in_a_batch_leaves_nothing_of_its_order_and_the_others_sell() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    let mut store = Store::open(&path, SaleConfig::paris2024(), Durability::Normal).unwrap();
    store.import_catalogue(&Catalogue::paris2024()).unwrap();
    let now = guichet_domain::config::parse_instant("2024-01-10T10:00:00[Europe/Paris]").unwrap();
    for id in ["P24-000101", "P24-POISON", "P24-000103"] {
        let new = NewAccount {
            id: Some(id.into()),
            name: format!("Fan {id}"),
            email: format!("{id}@example.org"),
            country: "FR".into(),
            club_number: None,
            language: None,
        };
        store.create_account(&new, None, now).unwrap();
    }
    // Tickets of one account cannot be written: its order passes every check, moves the
    // counts (the guarded UPDATE), then fails on its first ticket.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER poison BEFORE INSERT ON tickets WHEN NEW.account_id = 'P24-POISON'
             BEGIN SELECT RAISE(ABORT, 'poisoned for the test'); END;",
        )
        .unwrap();
    let sold = |store: &Store| {
        store
            .availability(Some(&SessionCode::parse("ATH02").unwrap()))
            .unwrap()
            .iter()
            .find(|a| a.category == PriceCategory::D.to_string())
            .unwrap()
            .sold
    };
    let before = sold(&store);

    // Three orders in one batch: queued first, then one leader sells them together.
    let queued: Vec<_> = ["P24-000101", "P24-POISON", "P24-000103"]
        .iter()
        .map(|a| store.queue_sale(&order(a), "desk", now).unwrap())
        .collect();
    assert!(queued[0].lead && !queued[1].lead && !queued[2].lead);
    store.lead_sales();
    let answers: Vec<_> = queued
        .into_iter()
        .map(|q| q.answer.blocking_recv().unwrap())
        .collect();
    assert!(answers[0].is_ok(), "{:?}", answers[0]);
    assert!(answers[1].is_err(), "the poisoned order fails");
    assert!(answers[2].is_ok(), "{:?}", answers[2]);
    assert_eq!(
        sold(&store),
        before + 2,
        "two sold; the failed order's count went back with it"
    );
    assert_eq!(
        store
            .account(&guichet_domain::AccountId::parse("P24-POISON").unwrap())
            .unwrap()
            .olympic_held,
        0
    );
    assert_eq!(store.tickets_sold().unwrap(), 2);
}
