//! The HTTP API in-process (`app(state)` with `oneshot`), on a temporary SQLite file with the
//! Paris 2024 catalogue and a fixed clock in the general sale.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;

async fn health_and_metrics_answer(s: Server) {
    let (st, v) = s.call("GET", "/healthz", None, None).await;
    assert_eq!((st, v["status"].as_str()), (StatusCode::OK, Some("ok")));
    let (st, v) = s.call("GET", "/metrics", None, None).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        v.as_str()
            .unwrap()
            .contains("guichet_orders_total{result=\"sold\"} 0"),
        "{v}"
    );
}

async fn an_online_sale_is_decided_by_the_rules_and_counted_once(s: Server) {
    let t = s.enrol().await;
    account(&s, &t, "P24-000001").await;
    let key = uuid::Uuid::now_v7().to_string();
    let (st, v) = s
        .call(
            "POST",
            "/v1/orders",
            Some(&t),
            Some(order(&key, "P24-000001", "ATH07", 2)),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["total_cents"], 2 * 12_500, "ATH07 category D is 125 €");
    assert_eq!(v["tickets"].as_array().unwrap().len(), 2);
    // The same key again (a retry after a lost answer): the first answer, nothing added.
    let (st, v2) = s
        .call(
            "POST",
            "/v1/orders",
            Some(&t),
            Some(order(&key, "P24-000001", "ATH07", 2)),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        (v2["order_id"].clone(), v2["duplicate"].clone()),
        (v["order_id"].clone(), json!(true))
    );
    assert_eq!(s.sold().await, 2, "two tickets sold, not four");
    let (_, acc) = s
        .call("GET", "/v1/accounts/P24-000001", Some(&t), None)
        .await;
    assert_eq!(acc["olympic_held"], 2);
}

async fn rule_violations_come_back_all_at_once_with_their_sentences(s: Server) {
    let t = s.enrol().await;
    account(&s, &t, "P24-000002").await;
    let body = json!({"idempotency_key": uuid::Uuid::now_v7().to_string(), "account_id": "P24-000002", "kind": "single",
        "lines": [{"session": "ATH07", "category": "D", "quantity": 7}, {"session": "SRF01", "category": "A", "quantity": 1}]});
    let (st, v) = s
        .call("POST", "/v1/orders", Some(&t), Some(body.to_string()))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["code"], "RULE_VIOLATION");
    let codes: Vec<&str> = v["details"]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["HELD_BACK", "SESSION_CAP"]);
    assert!(
        v["message"].as_str().unwrap().ends_with("(and 1 more)"),
        "{v}"
    );
    assert_eq!(s.sold().await, 0, "nothing written");
}

async fn bad_input_gets_a_clear_4xx_and_writes_nothing(s: Server) {
    let t = s.enrol().await;
    account(&s, &t, "P24-000003").await;
    let k = || uuid::Uuid::now_v7().to_string();
    let cases: Vec<(Option<String>, String, StatusCode, &str)> = vec![
        (Some(t.clone()), "{not json".into(), StatusCode::BAD_REQUEST, "the body is not valid"),
        (Some(t.clone()), json!({"idempotency_key": k(), "account_id": "P24-000003", "kind": "single", "lines": [], "price": 0}).to_string(), StatusCode::BAD_REQUEST, "unknown field `price`"),
        (Some(t.clone()), order(&k(), "P24-000003", "ATH07", -2), StatusCode::BAD_REQUEST, "lines[0].quantity: -2 is not a whole number from 0 to 4294967295"),
        (Some(t.clone()), order("not-a-uuid", "P24-000003", "ATH07", 1), StatusCode::BAD_REQUEST, "idempotency_key"),
        (Some(t.clone()), order(&k(), "P24-000003", "ZZZ99", 1), StatusCode::UNPROCESSABLE_ENTITY, "ZZZ99 is not a session"),
        (Some(t.clone()), order(&k(), "NOBODY-1", "ATH07", 1), StatusCode::NOT_FOUND, "no account NOBODY-1"),
        (Some("0".repeat(64)), order(&k(), "P24-000003", "ATH07", 1), StatusCode::UNAUTHORIZED, "belongs to no enrolled device"),
        (None, order(&k(), "P24-000003", "ATH07", 1), StatusCode::UNAUTHORIZED, "Authorization: Bearer"),
        (Some(t.clone()), format!("{{\"idempotency_key\": \"{}\", \"pad\": \"{}\"}}", k(), "x".repeat(10 * 1024 * 1024)), StatusCode::PAYLOAD_TOO_LARGE, "larger than"),
    ];
    for (token, body, want, words) in cases {
        let (st, v) = s
            .call("POST", "/v1/orders", token.as_deref(), Some(body))
            .await;
        assert_eq!(st, want, "{v}");
        assert!(
            v["message"].as_str().unwrap_or_default().contains(words),
            "expected {words:?} in {v}"
        );
        assert!(v["code"].is_string(), "every error has a code: {v}");
    }
    assert_eq!(s.sold().await, 0, "nothing written by any bad request");
}

async fn an_enrolment_code_works_once(s: Server) {
    let code = s
        .state
        .backend
        .new_enrolment_code("kiosk".into(), s.state.clock.now())
        .await
        .unwrap();
    let body = |k: &str| json!({"code": code, "name": "Kiosk A", "public_key_hex": k}).to_string();
    let (st, v) = s
        .call(
            "POST",
            "/v1/devices/enrol",
            None,
            Some(body(&"11".repeat(32))),
        )
        .await;
    assert_eq!(
        (st, v["kind"].as_str()),
        (StatusCode::OK, Some("kiosk")),
        "{v}"
    );
    let (st, v) = s
        .call(
            "POST",
            "/v1/devices/enrol",
            None,
            Some(body(&"22".repeat(32))),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .starts_with("this enrolment code was already used"),
        "{v}"
    );
    let (st, _) = s
        .call(
            "POST",
            "/v1/devices/enrol",
            None,
            Some(
                json!({"code": "nope", "name": "x", "public_key_hex": "33".repeat(32)}).to_string(),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

async fn accounts_are_found_by_name_without_accents_and_not_by_misspellings(s: Server) {
    let t = s.enrol().await;
    account(&s, &t, "P24-000004").await;
    for (q, n) in [
        ("elodie", 1),
        ("ÉLO", 1),
        ("Élodie Mar", 1),
        ("Ehlodie", 0),
        ("P24-000004", 1),
        ("P24-000004@example.org", 1),
    ] {
        let (st, v) = s
            .call(
                "GET",
                &format!("/v1/accounts?q={}", urlencode(q)),
                Some(&t),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(v.as_array().unwrap().len(), n, "search {q:?}");
    }
}

/// An idempotency key names one request for ever: its refusal is kept (2 tickets, which the
/// rules would pass, are not sold under the key that 7 were refused with), and the key sent
/// with another body is refused, naming the way out, whether it was refused or sold first.
async fn a_key_keeps_its_first_answer_and_another_body_with_it_is_refused(s: Server) {
    let t = s.enrol().await;
    account(&s, &t, "P24-000005").await;
    let post = |body: String| {
        let (s, t) = (&s, &t);
        async move { s.call("POST", "/v1/orders", Some(t), Some(body)).await }
    };
    let refused = uuid::Uuid::now_v7().to_string();
    let (st, first) = post(order(&refused, "P24-000005", "ATH07", 7)).await;
    assert_eq!(
        st,
        StatusCode::UNPROCESSABLE_ENTITY,
        "7 is over the cap of 6: {first}"
    );
    let (st, again) = post(order(&refused, "P24-000005", "ATH07", 7)).await;
    assert_eq!(
        (st, &again["details"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &first["details"]),
        "the same key and body: the same refusal"
    );
    // 2 tickets would pass the rules; with the refused key they are another order.
    let (st, other) = post(order(&refused, "P24-000005", "ATH07", 2)).await;
    assert_eq!(st, StatusCode::CONFLICT, "{other}");
    let message = other["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(&format!(
            "idempotency key {refused} was used for another order"
        )) && message.contains("with a new key"),
        "the refusal names the rule and the way out: {message}"
    );
    let sold = uuid::Uuid::now_v7().to_string();
    let (st, v) = post(order(&sold, "P24-000005", "ATH07", 2)).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let (st, v) = post(order(&sold, "P24-000005", "ATH07", 3)).await;
    assert_eq!(
        st,
        StatusCode::CONFLICT,
        "a sold key with another body: {v}"
    );
    assert_eq!(s.sold().await, 2, "only the 2 tickets of the sold key");
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn the_committed_openapi_document_matches_the_code() {
    let path = std::path::Path::new(
        &*std::env::var("CARGO_MANIFEST_DIR")
            .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string()),
    )
    .join("../../docs/openapi.json");
    let now = guichet_server::api::openapi::document();
    if std::env::var_os("GUICHET_UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &now).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == now, "docs/openapi.json drifted from the code: run GUICHET_UPDATE_OPENAPI=1 cargo test -p guichet-server --test api, and review the diff");
}

on_both_stores!(
    health_and_metrics_answer,
    an_online_sale_is_decided_by_the_rules_and_counted_once,
    rule_violations_come_back_all_at_once_with_their_sentences,
    bad_input_gets_a_clear_4xx_and_writes_nothing,
    an_enrolment_code_works_once,
    accounts_are_found_by_name_without_accents_and_not_by_misspellings,
    a_key_keeps_its_first_answer_and_another_body_with_it_is_refused,
);
