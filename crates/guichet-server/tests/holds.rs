//! Holds in-process: seats set aside while a kiosk's fan pays, confirmed by the order that
//! names them, given back on release or at expiry.

mod common;

use axum::http::StatusCode;
use common::*;
use guichet_domain::{PriceCategory, SessionCode};
use guichet_wire::holds::{HoldRequest, HoldState};
use guichet_wire::orders::OrderLineDto;
use serde_json::{json, Value};

fn hold_body(request_id: &str, account: &str, session: &str, q: u32) -> String {
    json!({"request_id": request_id, "account_id": account, "kind": "single",
           "lines": [{"session": session, "category": "D", "quantity": q}]})
    .to_string()
}

fn order_with_hold(key: &str, account: &str, session: &str, q: u32, hold: &str) -> String {
    json!({"idempotency_key": key, "account_id": account, "kind": "single", "hold_id": hold,
           "lines": [{"session": session, "category": "D", "quantity": q}]})
    .to_string()
}

async fn available(s: &Server, t: &str, session: &str) -> u64 {
    let (st, v) = s
        .call(
            "GET",
            &format!("/v1/availability?session={session}"),
            Some(t),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let d = v
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["category"] == "D")
        .cloned()
        .unwrap_or(Value::Null);
    d["available"].as_u64().unwrap()
}

async fn last(s: &Server, left: u32) {
    s.state
        .backend
        .set_available(SessionCode::parse("ATH07").unwrap(), PriceCategory::D, left)
        .await
        .unwrap();
}

async fn a_hold_takes_the_last_seats_so_nobody_else_can_buy_them_and_its_order_can(s: Server) {
    let t = s.enrol().await;
    account(&s, &t, "P24-000001").await;
    account(&s, &t, "P24-000002").await;
    last(&s, 2).await;
    let rid = uuid::Uuid::now_v7().to_string();
    let (st, h) = s
        .call(
            "POST",
            "/v1/holds",
            Some(&t),
            Some(hold_body(&rid, "P24-000001", "ATH07", 2)),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{h}");
    assert_eq!(h["state"], "live", "a new hold sets its seats aside: {h}");
    assert_eq!(
        available(&s, &t, "ATH07").await,
        0,
        "the two held seats no longer count as free"
    );
    // Another fan at the counter finds them gone: the rules say so, by the stock rule.
    let other = uuid::Uuid::now_v7().to_string();
    let (st, v) = s
        .call(
            "POST",
            "/v1/orders",
            Some(&t),
            Some(order(&other, "P24-000002", "ATH07", 1)),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(
        v["details"]["violations"][0]["code"], "AVAILABILITY",
        "the seats are held, so an order without the hold is refused by the stock rule: {v}"
    );
    // A second hold for the same seats is refused the same way, with the rule's name.
    let (st, v) = s
        .call(
            "POST",
            "/v1/holds",
            Some(&t),
            Some(hold_body(&other, "P24-000002", "ATH07", 1)),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["details"]["violations"][0]["code"], "AVAILABILITY", "{v}");
    // The same request id again (a retry) is the same hold, not two.
    let (st, again) = s
        .call(
            "POST",
            "/v1/holds",
            Some(&t),
            Some(hold_body(&rid, "P24-000001", "ATH07", 2)),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{again}");
    assert_eq!(again["hold_id"], h["hold_id"], "one request id, one hold");
    // The hold's own order sells the held seats.
    let hold_id = h["hold_id"].as_str().unwrap();
    let (st, o) = s
        .call(
            "POST",
            "/v1/orders",
            Some(&t),
            Some(order_with_hold(&rid, "P24-000001", "ATH07", 2, hold_id)),
        )
        .await;
    assert_eq!(
        st,
        StatusCode::CREATED,
        "the held seats are the order's: {o}"
    );
    assert_eq!(
        o["tickets"].as_array().map(Vec::len),
        Some(2),
        "two tickets sold: {o}"
    );
    // Confirmed: releasing it now is refused, naming the rule.
    let (st, v) = s
        .call("DELETE", &format!("/v1/holds/{hold_id}"), Some(&t), None)
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["details"]["rule"], "hold_confirmed", "{v}");
    assert_eq!(available(&s, &t, "ATH07").await, 0, "sold seats stay sold");
}

async fn a_released_hold_gives_its_seats_back_and_a_second_release_changes_nothing(s: Server) {
    let t = s.enrol().await;
    account(&s, &t, "P24-000001").await;
    last(&s, 5).await;
    let rid = uuid::Uuid::now_v7().to_string();
    let (_, h) = s
        .call(
            "POST",
            "/v1/holds",
            Some(&t),
            Some(hold_body(&rid, "P24-000001", "ATH07", 3)),
        )
        .await;
    assert_eq!(available(&s, &t, "ATH07").await, 2, "3 of 5 held");
    let id = h["hold_id"].as_str().unwrap();
    let (st, v) = s
        .call("DELETE", &format!("/v1/holds/{id}"), Some(&t), None)
        .await;
    assert_eq!(
        (st, v["state"].clone()),
        (StatusCode::OK, json!("released")),
        "{v}"
    );
    assert_eq!(
        available(&s, &t, "ATH07").await,
        5,
        "released: all 5 free again"
    );
    let (st, v) = s
        .call("DELETE", &format!("/v1/holds/{id}"), Some(&t), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(
        available(&s, &t, "ATH07").await,
        5,
        "a second release gives nothing back twice"
    );
    // Another device may not release it, nor confirm it.
    let other = s.enrol().await;
    let (st, v) = s
        .call("DELETE", &format!("/v1/holds/{id}"), Some(&other), None)
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["details"]["rule"], "own_device_only", "{v}");
    let (st, v) = s
        .call(
            "DELETE",
            &format!("/v1/holds/{}", uuid::Uuid::now_v7()),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(
        (st, v["details"]["rule"].clone()),
        (StatusCode::NOT_FOUND, json!("hold_unknown")),
        "{v}"
    );
}

async fn an_order_naming_a_hold_must_be_for_the_held_lines(s: Server) {
    let t = s.enrol().await;
    account(&s, &t, "P24-000001").await;
    let rid = uuid::Uuid::now_v7().to_string();
    let (_, h) = s
        .call(
            "POST",
            "/v1/holds",
            Some(&t),
            Some(hold_body(&rid, "P24-000001", "ATH07", 2)),
        )
        .await;
    let id = h["hold_id"].as_str().unwrap();
    let before = s.sold().await;
    let (st, v) = s
        .call(
            "POST",
            "/v1/orders",
            Some(&t),
            Some(order_with_hold(&rid, "P24-000001", "ATH07", 3, id)),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert_eq!(
        v["details"]["rule"], "hold_differs",
        "3 tickets on a hold of 2: {v}"
    );
    assert_eq!(s.sold().await, before, "nothing sold");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hold_past_its_time_gives_its_seats_back_by_itself() {
    let s = server();
    let t = s.enrol().await;
    let (_, device) = s.enrol_device().await;
    account(&s, &t, "P24-000001").await;
    last(&s, 4).await;
    let now = at("2024-01-10T10:00:00");
    let store = s.state.store.as_deref().expect("a SQLite server");
    let req = HoldRequest {
        request_id: uuid::Uuid::now_v7().to_string(),
        account_id: "P24-000001".into(),
        kind: "single".into(),
        lines: vec![OrderLineDto {
            session: "ATH07".into(),
            category: "D".into(),
            quantity: 4,
        }],
    };
    let h = store.hold(&device, &req, now).unwrap();
    assert_eq!(h.state, HoldState::Live);
    let left = |st: &guichet_server::store::Store| {
        st.availability(Some(&SessionCode::parse("ATH07").unwrap()))
            .unwrap()
            .into_iter()
            .find(|a| a.category == "D")
            .unwrap()
            .available
    };
    assert_eq!(left(store), 0, "all 4 held");
    let just_before = now
        .checked_add(jiff::SignedDuration::from_secs(299))
        .unwrap();
    assert_eq!(
        store.expire_holds(just_before).unwrap(),
        0,
        "a 300 s hold still stands at 299 s"
    );
    let after = now
        .checked_add(jiff::SignedDuration::from_secs(300))
        .unwrap();
    assert_eq!(store.expire_holds(after).unwrap(), 1, "due at 300 s");
    assert_eq!(left(store), 4, "expired: the 4 seats are free again");
    // Its order after expiry is sold from what is free, as one without a hold.
    let order: guichet_wire::orders::OrderRequest = serde_json::from_str(&order_with_hold(
        &req.request_id,
        "P24-000001",
        "ATH07",
        4,
        &h.hold_id,
    ))
    .unwrap();
    let sold = tokio::task::block_in_place(|| store.sell_online(&order, &device, after)).unwrap();
    assert_eq!(sold.response.tickets.len(), 4, "the seats were still free");
    let released = store.release_hold(&device, &h.hold_id, after).unwrap();
    assert_eq!(
        released.state,
        HoldState::Expired,
        "an expired hold stays expired: the order did not take it"
    );
}

on_both_stores!(
    a_hold_takes_the_last_seats_so_nobody_else_can_buy_them_and_its_order_can,
    a_released_hold_gives_its_seats_back_and_a_second_release_changes_nothing,
    an_order_naming_a_hold_must_be_for_the_held_lines,
);
