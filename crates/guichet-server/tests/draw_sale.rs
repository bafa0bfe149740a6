//! A draw run on PostgreSQL gives its winners a timeslot the sale enforces: inside it
//! `POST /v1/orders` sells, after it the refusal names the rule and the slot.

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use common::*;
use guichet_domain::{AccountId, Clock};
use guichet_draw::beacon::RECORDED_ROUND_123;
use guichet_server::api::AppState;
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

/// A server over the test database with its clock at `now` (several may share a database).
async fn at_time(db: &pg::TestDb, now: Timestamp) -> Server {
    let state = AppState::postgres(Arc::new(db.store().await), Clock::fixed(now));
    Server {
        _dir: None,
        state,
        pg: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeslot_written_by_a_run_on_postgres_opens_the_sale_for_its_account_only_inside_it() {
    let db = pg::TestDb::create().await;
    let s = at_time(&db, at("2023-03-20T10:00:00")).await;
    let t = s.enrol().await;
    for id in ["P24-000101", "P24-000102", "P24-000103"] {
        account(&s, &t, id).await;
        let (st, v) = s
            .call(
                "POST",
                "/v1/draws/single-draw/registrations",
                Some(&t),
                Some(json!({ "account_id": id }).to_string()),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "registration on PostgreSQL: {v}");
    }
    let secret = [7u8; 32];
    let draws = &s.state.draws;
    draws
        .commit_draw(
            "single-draw".into(),
            guichet_draw::commitment(&secret),
            RECORDED_ROUND_123.0,
            at("2023-04-01T10:00:00"),
        )
        .await
        .unwrap();
    draws
        .close_draw("single-draw".into(), at("2023-04-21T00:00:00"))
        .await
        .unwrap();
    let sig = guichet_draw::hex::decode(RECORDED_ROUND_123.1, "sig").unwrap();
    let tr = draws
        .run_draw(
            "single-draw".into(),
            secret,
            sig,
            None,
            Some(40),
            at("2023-05-01T10:00:00"),
        )
        .await
        .unwrap();
    assert_eq!(
        tr.settings.winners, 3,
        "40 tickets at 4 a winner make 10, capped at the 3 registrants"
    );
    let id = AccountId::parse("P24-000102").unwrap();
    let dto = s.state.backend.account(id).await.unwrap();
    let d = dto
        .draws
        .iter()
        .find(|d| d.draw == "single-draw")
        .unwrap_or_else(|| panic!("no single-draw entry: {:?}", dto.draws));
    assert_eq!(d.status, "drawn", "3 registrants, 3 winners: all drawn");
    let start: Timestamp = d.slot_start.as_deref().unwrap().parse().unwrap();
    let end: Timestamp = d.slot_end.as_deref().unwrap().parse().unwrap();

    let order = |key: &str| {
        json!({"idempotency_key": key, "account_id": "P24-000102", "kind": "single",
               "lines": [{"session": "ATH07", "category": "D", "quantity": 1}]})
        .to_string()
    };
    let inside = at_time(&db, start + SignedDuration::from_hours(1)).await;
    let t_in = inside.enrol().await;
    let (st, v) = inside
        .call(
            "POST",
            "/v1/orders",
            Some(&t_in),
            Some(order(&uuid::Uuid::now_v7().to_string())),
        )
        .await;
    assert_eq!(
        st,
        StatusCode::CREATED,
        "inside the slot the sale sells: {v}"
    );

    let after = at_time(&db, end + SignedDuration::from_hours(1)).await;
    let t_out = after.enrol().await;
    let (st, v) = after
        .call(
            "POST",
            "/v1/orders",
            Some(&t_out),
            Some(order(&uuid::Uuid::now_v7().to_string())),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "after the slot: {v}");
    let violation = &v["details"]["violations"][0];
    assert_eq!(violation["code"], "TIMESLOT", "the rule is named: {v}");
    assert_eq!(
        (
            violation["details"]["start"].as_str(),
            violation["details"]["end"].as_str()
        ),
        (
            Some(start.to_string().as_str()),
            Some(end.to_string().as_str())
        ),
        "the refusal carries the slot: {v}"
    );
    let m = v["message"].as_str().unwrap();
    assert!(
        m.starts_with("timeslot is ") && m.contains("(Paris time)") && m.contains("has ended"),
        "the sentence gives the slot and the way out: {m}"
    );
}
