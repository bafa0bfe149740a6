//! Revoking a device, in process: its token is refused at once even though the token cache had
//! it, the refusal names the rule and is counted, the gates' key list carries `revoked_after`,
//! and its allotment stays lent, at risk, until a supervisor writes it off or returns it. Each
//! test runs on both stores (`on_both_stores!`).

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use common::{at, Server};
use guichet_server::backend::{Backend, SettleAtRisk};
use guichet_server::store::Settlement;
use serde_json::json;

async fn lent(s: &common::Server, t: &str, session: &str) -> i64 {
    let (_, v) = s
        .call(
            "GET",
            &format!("/v1/availability?session={session}"),
            Some(t),
            None,
        )
        .await;
    v.as_array()
        .unwrap()
        .iter()
        .find(|x| x["category"] == "D")
        .unwrap()["lent"]
        .as_i64()
        .unwrap()
}

/// A settlement of ATH02 category D seats of `device`.
fn settle(device: &str, action: Settlement, seats: u32, reason: &str) -> SettleAtRisk {
    SettleAtRisk {
        device: device.into(),
        session: "ATH02".into(),
        category: "D".into(),
        action,
        seats,
        reason: reason.into(),
    }
}

async fn a_revoked_desks_token_is_refused_at_once_and_its_allotment_waits_for_a_supervisor(
    s: Server,
) {
    let (lost, lost_id) = s.enrol_device().await;
    let (other, _) = s.enrol_device().await;
    let (st, v) = s
        .call(
            "POST",
            "/v1/allotments",
            Some(&lost),
            Some(json!({"session": "ATH02", "category": "D", "quantity": 10}).to_string()),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "the desk borrows 10 seats: {v}");
    // The token is in the cache now (it was used); the revocation must forget it there too.
    let now = at("2024-01-10T10:00:00");
    let as_of = at("2024-01-10T09:30:00");
    let r = s
        .state
        .backend
        .revoke_device(
            lost_id.clone(),
            "stolen from the counter".into(),
            as_of,
            "sup-anne".into(),
            now,
        )
        .await
        .expect("an enrolled device is revoked");
    assert_eq!(r.revoked_after, as_of, "revoked as of the instant given");

    let (st, v) = s
        .call(
            "POST",
            "/v1/sync/push",
            Some(&lost),
            Some(json!({"events": []}).to_string()),
        )
        .await;
    assert_eq!(
        st,
        StatusCode::UNAUTHORIZED,
        "a revoked desk's push is refused, though its token was cached: {v}"
    );
    assert_eq!(
        v["details"]["rule"], "device_revoked",
        "the refusal names its rule: {v}"
    );
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("stolen from the counter"),
        "the refusal says why: {v}"
    );
    let refusals = s.state.backend.device_refusals().await.unwrap();
    assert_eq!(
        (
            refusals.len(),
            refusals[0].count,
            refusals[0].last_request.as_str()
        ),
        (1, 1, "POST /v1/sync/push"),
        "the refused push is recorded for the console: {refusals:?}"
    );

    // Gates: the key is still listed (tickets sold before stay valid), with its instant.
    let (_, lists) = s.call("GET", "/v1/gate/lists", Some(&other), None).await;
    let keys = lists["keys"].as_array().unwrap();
    let revoked: Vec<_> = keys
        .iter()
        .filter(|k| k.get("revoked_after").is_some())
        .collect();
    assert_eq!(
        revoked.len(),
        1,
        "only the lost desk's key is marked: {lists}"
    );
    assert_eq!(
        revoked[0]["revoked_after"],
        as_of.to_string(),
        "the key list carries the instant: {lists}"
    );

    // The 10 seats stay lent (maybe sold offline): at risk, not back on sale.
    assert_eq!(
        lent(&s, &other, "ATH02").await,
        10,
        "revoking returns nothing by itself"
    );
    let risk = s.state.backend.allotments_at_risk().await.unwrap();
    assert_eq!(
        (risk.len(), risk[0].seats, risk[0].session.as_str()),
        (1, 10, "ATH02"),
        "the console shows 10 seats at risk: {risk:?}"
    );
    let too_many = s
        .state
        .backend
        .settle_at_risk(
            settle(&lost_id, Settlement::Return, 11, "found"),
            "sup".into(),
            now,
        )
        .await
        .unwrap_err();
    assert!(
        too_many
            .to_string()
            .contains("10 seats at risk, cannot settle 11"),
        "settling more than is at risk is refused with both numbers: {too_many}"
    );
    let left = s
        .state
        .backend
        .settle_at_risk(
            settle(&lost_id, Settlement::WriteOff, 4, "sold offline"),
            "sup".into(),
            now,
        )
        .await
        .unwrap();
    assert_eq!(left, 6, "4 written off of 10");
    assert_eq!(
        lent(&s, &other, "ATH02").await,
        10,
        "written-off seats stay out of sale"
    );
    let left = s
        .state
        .backend
        .settle_at_risk(
            settle(&lost_id, Settlement::Return, 6, "never sold"),
            "sup".into(),
            now,
        )
        .await
        .unwrap();
    assert_eq!(left, 0, "the rest returned");
    assert_eq!(
        lent(&s, &other, "ATH02").await,
        4,
        "returned seats are back on sale"
    );
    assert!(
        s.state
            .backend
            .allotments_at_risk()
            .await
            .unwrap()
            .is_empty(),
        "nothing left at risk"
    );
}

async fn revoking_is_refused_for_an_unknown_device_twice_or_without_a_reason(s: Server) {
    let (_, id) = s.enrol_device().await;
    let now = at("2024-01-10T10:00:00");
    let store = &s.state.backend;
    let revoke = |device: &str, reason: &str, after: jiff::Timestamp| {
        store.revoke_device(device.into(), reason.into(), after, "sup".into(), now)
    };
    let e = revoke("no-such-device", "lost", now).await.unwrap_err();
    assert!(
        e.to_string()
            .contains("no enrolled device has id no-such-device"),
        "{e}"
    );
    let e = revoke(&id, "  ", now).await.unwrap_err();
    assert!(
        e.to_string().contains("say why the device is revoked"),
        "{e}"
    );
    let later = at("2024-01-10T11:00:00");
    let e = revoke(&id, "lost", later).await.unwrap_err();
    assert!(
        e.to_string().contains("after now"),
        "a revocation in the future is refused: {e}"
    );
    revoke(&id, "lost", now).await.unwrap();
    let e = revoke(&id, "lost", now).await.unwrap_err();
    assert!(
        e.to_string().contains("already revoked"),
        "revoking twice says so: {e}"
    );
}

/// A second process's store on the same database as `s` (the `device revoke` command, or
/// another replica).
async fn another_process(s: &Server) -> Arc<dyn Backend> {
    match &s.pg {
        Some(db) => Arc::new(Arc::new(db.store().await)),
        None => {
            let path = s._dir.as_ref().unwrap().path().join("server.sqlite");
            let store = guichet_server::store::Store::open(
                &path,
                guichet_domain::SaleConfig::paris2024(),
                guichet_server::store::Durability::Normal,
            )
            .unwrap();
            Arc::new(guichet_server::backend::Sqlite(Arc::new(store)))
        }
    }
}

async fn a_revocation_by_another_process_leaves_this_ones_token_cache_at_its_next_sweep(s: Server) {
    let serving = &s.state.backend;
    let command = another_process(&s).await;
    let now = at("2024-01-10T10:00:00");
    let (token, device) = s.enrol_device().await;
    let ask = || serving.authenticate(token.clone(), "GET /v1/allotments".into(), now);
    assert!(ask().await.unwrap().is_ok(), "enrolled, and now cached");
    command
        .revoke_device(device.clone(), "stolen".into(), now, "cli".into(), now)
        .await
        .unwrap();
    assert!(
        serving.cached_device(&token).is_some(),
        "the other process's revocation is not yet known here: this is what the sweep is for"
    );
    assert_eq!(
        serving.forget_revoked_tokens().await.unwrap(),
        1,
        "the sweep finds one revoked token"
    );
    assert!(
        serving.cached_device(&token).is_none(),
        "and the cache forgets it"
    );
    let refused = ask().await.unwrap();
    assert_eq!(
        refused.err().flatten().map(|r| r.revoked_by),
        Some("cli".to_string()),
        "and the database look-up refuses it, naming the revocation"
    );
    assert_eq!(
        serving.forget_revoked_tokens().await.unwrap(),
        0,
        "a later sweep has nothing new"
    );
}

on_both_stores!(
    a_revoked_desks_token_is_refused_at_once_and_its_allotment_waits_for_a_supervisor,
    revoking_is_refused_for_an_unknown_device_twice_or_without_a_reason,
    a_revocation_by_another_process_leaves_this_ones_token_cache_at_its_next_sweep,
);
