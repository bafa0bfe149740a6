//! Accessible pairs over HTTP: the server sells a wheelchair place with its companion seat under
//! the same rules function as the desk, and refuses a companion seat alone with 422.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

fn pair_order(account: &str, lines: Value) -> String {
    json!({"idempotency_key": uuid::Uuid::now_v7().to_string(), "account_id": account,
           "kind": "single", "lines": lines})
    .to_string()
}

fn codes(v: &Value) -> Vec<String> {
    v["details"]["violations"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| x["code"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

async fn a_lone_companion_seat_is_refused_with_422_and_the_rule_and_a_pair_is_sold(s: Server) {
    let t = s.enrol().await;
    account(&s, &t, "P24-000101").await;
    let lone = pair_order(
        "P24-000101",
        json!([{"session": "FBL01", "category": "CMP", "quantity": 1}]),
    );
    let (st, v) = s.call("POST", "/v1/orders", Some(&t), Some(lone)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["code"], "RULE_VIOLATION");
    assert_eq!(codes(&v), ["COMPANION_WITHOUT_WHEELCHAIR"], "{v}");
    assert!(
        v["details"]["violations"][0]["en"]
            .as_str()
            .unwrap_or("")
            .starts_with("a companion seat goes with a wheelchair place"),
        "the sentence names the rule: {v}"
    );
    assert_eq!(s.sold().await, 0, "nothing written for a refusal");

    let pair = pair_order(
        "P24-000101",
        json!([{"session": "FBL01", "category": "WCH", "quantity": 1},
               {"session": "FBL01", "category": "CMP", "quantity": 1}]),
    );
    let (st, v) = s.call("POST", "/v1/orders", Some(&t), Some(pair)).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["total_cents"], 2 * 2_400, "both places at FBL01's 24 €");
    assert_eq!(v["tickets"].as_array().map(Vec::len), Some(2));

    // The server counts what the account holds: its one wheelchair place has its companion.
    let more = pair_order(
        "P24-000101",
        json!([{"session": "FBL01", "category": "CMP", "quantity": 1}]),
    );
    let (st, v) = s.call("POST", "/v1/orders", Some(&t), Some(more)).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(codes(&v), ["COMPANIONS_OVER_WHEELCHAIR"], "{v}");
    let (_, acc) = s
        .call("GET", "/v1/accounts/P24-000101", Some(&t), None)
        .await;
    assert_eq!(
        acc["olympic_held"], 2,
        "the companion counts toward the 30: {acc}"
    );
}

async fn availability_lists_the_wheelchair_places_and_companion_seats_of_a_session(s: Server) {
    let t = s.enrol().await;
    let (st, v) = s
        .call("GET", "/v1/availability?session=FBL01", Some(&t), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let left = |cat: &str| {
        v.as_array()
            .and_then(|a| a.iter().find(|x| x["category"] == cat))
            .map(|x| x["available"].clone())
    };
    assert_eq!(
        left("WCH"),
        Some(json!(448)),
        "FBL01 sells 448 wheelchair places: {v}"
    );
    assert_eq!(
        left("CMP"),
        left("WCH"),
        "one companion seat per wheelchair place"
    );
}

on_both_stores!(
    a_lone_companion_seat_is_refused_with_422_and_the_rule_and_a_pair_is_sold,
    availability_lists_the_wheelchair_places_and_companion_seats_of_a_session,
);
