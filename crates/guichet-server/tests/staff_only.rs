//! The server's side of the kiosk's isolation: every staff route asked with a kiosk's token is
//! 403 `STAFF_ONLY` naming the rule `staff_only`, and nothing is read or written; the same
//! request with a box-office token is not refused. The HTTP tests run on both stores
//! (`on_both_stores!`).

mod common;

use axum::http::StatusCode;
use common::{account, order, Server};
use serde_json::{json, Value};

/// An event of `kind` as a desk pushes it.
fn event(kind: &str, payload: Value) -> Value {
    json!({"idempotency_key": uuid::Uuid::now_v7().to_string(), "kind": kind,
           "created_at": "2024-01-10T09:05:00Z", "offline": true, "payload": payload})
}

/// Every staff request: (what it is, method, uri, body). The push bodies name an order the box
/// office sold, so the box office's own push of them is applied.
fn staff_requests(
    order_id: &str,
    ticket_id: &str,
) -> Vec<(String, &'static str, String, Option<String>)> {
    let push =
        |kind: &str, payload: Value| Some(json!({"events": [event(kind, payload)]}).to_string());
    vec![
        (
            "account search by name".into(),
            "GET",
            "/v1/accounts?q=martin".into(),
            None,
        ),
        (
            "account search by email".into(),
            "GET",
            "/v1/accounts?q=P24-000013%40example.org".into(),
            None,
        ),
        (
            "every device's conflicts".into(),
            "GET",
            "/v1/conflicts".into(),
            None,
        ),
        ("gate lists".into(), "GET", "/v1/gate/lists".into(), None),
        (
            "every device and its state".into(),
            "GET",
            "/v1/devices".into(),
            None,
        ),
        (
            "a void".into(),
            "POST",
            "/v1/sync/push".into(),
            push(
                "void",
                json!({"order_id": order_id, "ticket_ids": [ticket_id]}),
            ),
        ),
        (
            "a refund".into(),
            "POST",
            "/v1/sync/push".into(),
            push(
                "refund",
                json!({"order_id": order_id, "ticket_ids": [ticket_id]}),
            ),
        ),
        (
            "a reissue".into(),
            "POST",
            "/v1/sync/push".into(),
            push(
                "reissue",
                json!({"old_ticket_id": ticket_id, "new_ticket_id": uuid::Uuid::now_v7().to_string(), "order_id": order_id}),
            ),
        ),
    ]
}

/// A server with a box office that sold one ticket to `P24-000013`, and a kiosk.
async fn with_a_sale(s: Server) -> (Server, String, String, String, String) {
    let (desk, _) = s.enrol_kind("box-office").await;
    let (kiosk, _) = s.enrol_kind("kiosk").await;
    account(&s, &desk, "P24-000013").await;
    let key = uuid::Uuid::now_v7().to_string();
    let (st, v) = s
        .call(
            "POST",
            "/v1/orders",
            Some(&desk),
            Some(order(&key, "P24-000013", "ATH02", 1)),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "the box office sells: {v}");
    let order_id = v["order_id"].as_str().expect("an order id").to_string();
    let ticket = s.tickets_of(&order_id).await[0].clone();
    (s, desk, kiosk, order_id, ticket)
}

async fn every_staff_route_is_403_staff_only_for_a_kiosk_and_nothing_changes(s: Server) {
    let (s, _desk, kiosk, order_id, ticket) = with_a_sale(s).await;
    let sold = s.sold().await;
    let (_, lists_before) = s
        .call("GET", "/v1/sync/pull?cursor=0", Some(&kiosk), None)
        .await;
    for (what, method, uri, body) in staff_requests(&order_id, &ticket) {
        let (st, v) = s.call(method, &uri, Some(&kiosk), body).await;
        assert_eq!(
            st,
            StatusCode::FORBIDDEN,
            "{what} with a kiosk's token must be refused: {v}"
        );
        assert_eq!(
            v["code"], "STAFF_ONLY",
            "{what}: the code a client switches on: {v}"
        );
        assert_eq!(
            v["details"]["rule"], "staff_only",
            "{what}: the rule is named: {v}"
        );
        assert!(
            v["message"]
                .as_str()
                .is_some_and(|m| m.contains("box-office desk")),
            "{what}: the sentence says where it is done instead: {v}"
        );
    }
    assert_eq!(
        s.sold().await,
        sold,
        "no ticket was voided, refunded or reissued by the kiosk"
    );
    let (_, lists_after) = s
        .call("GET", "/v1/sync/pull?cursor=0", Some(&kiosk), None)
        .await;
    assert_eq!(
        lists_before["revocations"], lists_after["revocations"],
        "no ticket was revoked by the kiosk's refused pushes"
    );
}

async fn the_same_staff_routes_answer_a_box_office(s: Server) {
    let (s, desk, _kiosk, order_id, ticket) = with_a_sale(s).await;
    for (what, method, uri, body) in staff_requests(&order_id, &ticket) {
        let (st, v) = s.call(method, &uri, Some(&desk), body).await;
        assert_ne!(
            st,
            StatusCode::FORBIDDEN,
            "{what} is a box office's to do: {v}"
        );
        assert!(st.is_success(), "{what} with a box-office token: {st} {v}");
    }
}

async fn a_kiosk_still_gets_one_account_by_id_its_own_resources_and_may_not_name_another_device(
    s: Server,
) {
    let (desk, desk_id) = s.enrol_kind("box-office").await;
    let (kiosk, kiosk_id) = s.enrol_kind("kiosk").await;
    account(&s, &desk, "P24-000013").await;
    for uri in [
        "/v1/accounts/P24-000013".to_string(),
        "/v1/catalogue".into(),
        "/v1/availability?session=ATH02".into(),
        "/v1/allotments".into(),
        format!("/v1/conflicts?device_id={kiosk_id}"),
        "/v1/sync/pull?cursor=0".into(),
    ] {
        let (st, v) = s.call("GET", &uri, Some(&kiosk), None).await;
        assert_eq!(
            st,
            StatusCode::OK,
            "{uri} is a kiosk's to read (its own, or one account by id): {v}"
        );
    }
    // Another device's resources stay closed to it as to any device.
    for uri in [
        format!("/v1/allotments?device_id={desk_id}"),
        format!("/v1/conflicts?device_id={desk_id}"),
        format!("/v1/sync/pull?device_id={desk_id}"),
    ] {
        let (st, v) = s.call("GET", &uri, Some(&kiosk), None).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{uri}: another device's: {v}");
        assert_eq!(v["details"]["rule"], "own_device_only", "{uri}: {v}");
    }
    let borrow = json!({"session": "ATH02", "category": "D", "quantity": 1, "device_id": desk_id});
    let (st, v) = s
        .call(
            "POST",
            "/v1/allotments",
            Some(&kiosk),
            Some(borrow.to_string()),
        )
        .await;
    assert_eq!(
        (st, v["details"]["rule"].clone()),
        (StatusCode::FORBIDDEN, json!("own_device_only")),
        "{v}"
    );
}

#[test]
fn the_document_states_the_403_of_every_staff_route() {
    let doc: Value = serde_json::from_str(&guichet_server::api::openapi::document())
        .expect("the OpenAPI document is JSON");
    for (path, method) in [
        ("/v1/accounts", "get"),
        ("/v1/conflicts", "get"),
        ("/v1/gate/lists", "get"),
        ("/v1/sync/push", "post"),
    ] {
        let forbidden = &doc["paths"][path][method]["responses"]["403"];
        assert!(
            forbidden.is_object(),
            "{method} {path} refuses a kiosk with 403: the document must say so"
        );
    }
    let codes = &doc["components"]["schemas"]["ErrorCode"]["enum"];
    assert!(
        codes
            .as_array()
            .is_some_and(|c| c.contains(&json!("STAFF_ONLY"))),
        "clients switch on STAFF_ONLY: the document lists it among the codes: {codes}"
    );
}

async fn a_kiosks_pull_carries_availability_but_no_fans_accounts(s: Server) {
    let (s, desk, kiosk, _order, _ticket) = with_a_sale(s).await;
    let (st, for_desk) = s
        .call("GET", "/v1/sync/pull?cursor=0", Some(&desk), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{for_desk}");
    assert!(
        for_desk["accounts"]
            .as_array()
            .is_some_and(|a| !a.is_empty()),
        "a box office's pull carries the account just created (so the test can fail): {for_desk}"
    );
    let (st, for_kiosk) = s
        .call("GET", "/v1/sync/pull?cursor=0", Some(&kiosk), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{for_kiosk}");
    assert_eq!(
        for_kiosk["accounts"],
        json!([]),
        "a kiosk never gets a list of fans: {for_kiosk}"
    );
    assert!(
        for_kiosk["availability"]
            .as_array()
            .is_some_and(|a| !a.is_empty()),
        "a kiosk still gets what is on sale: {for_kiosk}"
    );
}

/// The one void a kiosk may push: its own sale, undone because the card was reversed (the
/// print failed). A void of the box office's order stays 403.
async fn a_kiosk_voids_only_an_order_it_made_itself(s: Server) {
    let (s, _desk, kiosk, desk_order, desk_ticket) = with_a_sale(s).await;
    account(&s, &kiosk, "P24-000014").await;
    let key = uuid::Uuid::now_v7().to_string();
    let (st, v) = s
        .call(
            "POST",
            "/v1/orders",
            Some(&kiosk),
            Some(order(&key, "P24-000014", "ATH02", 1)),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "the kiosk sells: {v}");
    let own = v["order_id"].as_str().expect("an order id").to_string();
    let ticket = s.tickets_of(&own).await[0].clone();
    let push = |order_id: &str, ticket_id: &str| {
        json!({"events": [event("void", json!({"order_id": order_id, "ticket_ids": [ticket_id]}))]})
            .to_string()
    };
    let (st, v) = s
        .call(
            "POST",
            "/v1/sync/push",
            Some(&kiosk),
            Some(push(&desk_order, &desk_ticket)),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "not the box office's order: {v}");
    assert_eq!(v["details"]["rule"], "staff_only", "{v}");
    let (st, v) = s
        .call(
            "POST",
            "/v1/sync/push",
            Some(&kiosk),
            Some(push(&own, &ticket)),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "its own unpaid sale is undone: {v}");
    let (_, lists) = s
        .call("GET", "/v1/sync/pull?cursor=0", Some(&kiosk), None)
        .await;
    assert!(
        lists["revocations"].to_string().contains(&ticket),
        "the undone sale's ticket is revoked: {lists}"
    );
}

on_both_stores!(
    every_staff_route_is_403_staff_only_for_a_kiosk_and_nothing_changes,
    the_same_staff_routes_answer_a_box_office,
    a_kiosk_still_gets_one_account_by_id_its_own_resources_and_may_not_name_another_device,
    a_kiosks_pull_carries_availability_but_no_fans_accounts,
    a_kiosk_voids_only_an_order_it_made_itself,
);
