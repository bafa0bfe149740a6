//! A device's own state report (`PUT /v1/devices/self/state`) and the staff's list of devices
//! (`GET /v1/devices`), in-process: the latest report is kept per device with "last seen",
//! an older one only moves "last seen", a device writes its own state only, a kiosk never
//! reads the list, and a malformed report is refused naming its field.

mod common;

use axum::http::StatusCode;
use common::Server;
use serde_json::{json, Value};

fn report(codes: &[&str], observed_at: &str) -> Value {
    json!({
        "codes": codes,
        "printer": {"ready": !codes.contains(&"OOO-PRINTER"), "detail": "the CUPS queue K1 is paused"},
        "terminal": {"ready": true, "detail": "ready"},
        "app_version": "0.1.0",
        "last_sale_at": "2024-01-10T08:55:00Z",
        "observed_at": observed_at,
    })
}

fn listed<'a>(list: &'a Value, id: &str) -> &'a Value {
    list.as_array()
        .expect("the list is an array")
        .iter()
        .find(|d| d["device_id"] == id)
        .unwrap_or_else(|| panic!("device {id} is listed: {list}"))
}

async fn the_latest_report_is_kept_per_device_and_an_older_one_only_moves_last_seen(s: Server) {
    let (desk, _) = s.enrol_kind("box-office").await;
    let (kiosk, kiosk_id) = s.enrol_kind("kiosk").await;
    let (_, list) = s.call("GET", "/v1/devices", Some(&desk), None).await;
    assert!(
        listed(&list, &kiosk_id)["state"].is_null()
            && listed(&list, &kiosk_id)["last_seen"].is_null(),
        "a kiosk that never reported has no state and was never seen: {list}"
    );
    let body = report(&["OOO-PRINTER", "OOO-PRINTER"], "2024-01-10T09:00:00Z");
    let (st, v) = s
        .call(
            "PUT",
            "/v1/devices/self/state",
            Some(&kiosk),
            Some(body.to_string()),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "a kiosk reports its own state: {v}");
    assert_eq!(
        v["codes"],
        json!(["OOO-PRINTER"]),
        "a code given twice counts once: {v}"
    );
    assert_eq!(
        v["in_service"], false,
        "a failing check means out of order: {v}"
    );
    let (st, list) = s.call("GET", "/v1/devices", Some(&desk), None).await;
    assert_eq!(st, StatusCode::OK, "a box office reads the list: {list}");
    let k = listed(&list, &kiosk_id);
    assert_eq!(k["kind"], "kiosk", "the list says what the device is: {k}");
    assert_eq!(
        k["state"]["codes"],
        json!(["OOO-PRINTER"]),
        "the code is kept: {k}"
    );
    assert_eq!(
        k["last_seen"], "2024-01-10T09:00:00Z",
        "last seen is the server's clock when the report arrived: {k}"
    );
    assert_eq!(k["state"]["last_sale_at"], "2024-01-10T08:55:00Z", "{k}");
    // Sent late (the kiosk was offline): observed before the kept one, so it is kept out.
    let late = report(&[], "2024-01-10T08:00:00Z");
    let (st, v) = s
        .call(
            "PUT",
            "/v1/devices/self/state",
            Some(&kiosk),
            Some(late.to_string()),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(
        v["codes"],
        json!(["OOO-PRINTER"]),
        "an older report does not overwrite a newer one: {v}"
    );
    let fixed = report(&[], "2024-01-10T09:01:00Z");
    let (_, v) = s
        .call(
            "PUT",
            "/v1/devices/self/state",
            Some(&kiosk),
            Some(fixed.to_string()),
        )
        .await;
    assert_eq!(
        v["in_service"], true,
        "paper refilled: back in service: {v}"
    );
    assert_eq!(v["printer"]["ready"], true, "{v}");
}

async fn a_device_writes_only_its_own_state_and_a_kiosk_never_reads_the_list(s: Server) {
    let (desk, desk_id) = s.enrol_kind("box-office").await;
    let (kiosk, kiosk_id) = s.enrol_kind("kiosk").await;
    let (_, v) = s
        .call(
            "PUT",
            "/v1/devices/self/state",
            Some(&kiosk),
            Some(report(&["OOO-PHASE"], "2024-01-10T09:00:00Z").to_string()),
        )
        .await;
    assert_eq!(v["codes"], json!(["OOO-PHASE"]), "{v}");
    let mut forged = report(&[], "2024-01-10T09:30:00Z");
    forged["device_id"] = json!(kiosk_id);
    let (st, v) = s
        .call(
            "PUT",
            "/v1/devices/self/state",
            Some(&desk),
            Some(forged.to_string()),
        )
        .await;
    assert_eq!(
        st,
        StatusCode::FORBIDDEN,
        "the desk's token cannot write the kiosk's state: {v}"
    );
    assert_eq!(v["details"]["rule"], "own_device_only", "{v}");
    let (_, list) = s.call("GET", "/v1/devices", Some(&desk), None).await;
    assert_eq!(
        listed(&list, &kiosk_id)["state"]["codes"],
        json!(["OOO-PHASE"]),
        "the refused report changed nothing: {list}"
    );
    assert!(
        listed(&list, &desk_id)["state"].is_null(),
        "nor did it give the desk a state: {list}"
    );
    let (st, v) = s.call("GET", "/v1/devices", Some(&kiosk), None).await;
    assert_eq!(
        st,
        StatusCode::FORBIDDEN,
        "a kiosk never reads every device: {v}"
    );
    assert_eq!(v["code"], "STAFF_ONLY", "{v}");
    assert_eq!(v["details"]["rule"], "staff_only", "{v}");
    let (st, v) = s.call("GET", "/v1/devices", None, None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "no token, no list: {v}");
}

async fn a_malformed_report_is_refused_naming_its_field(s: Server) {
    let (kiosk, _) = s.enrol_kind("kiosk").await;
    let mut bad_instant = report(&[], "yesterday");
    let mut blank = report(&[], "2024-01-10T09:00:00Z");
    blank["app_version"] = json!("  ");
    let mut unknown = report(&[], "2024-01-10T09:00:00Z");
    unknown["codes"] = json!(["OOO-COFFEE"]);
    bad_instant["last_sale_at"] = json!("2024-01-10T08:00:00Z");
    for (body, words) in [
        (bad_instant, "observed_at \"yesterday\" is not an instant"),
        (blank, "app_version is empty"),
        (unknown, "OOO-COFFEE"),
    ] {
        let (st, v) = s
            .call(
                "PUT",
                "/v1/devices/self/state",
                Some(&kiosk),
                Some(body.to_string()),
            )
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{body}: {v}");
        assert!(
            v["message"].as_str().unwrap_or_default().contains(words),
            "the message names the field ({words}): {v}"
        );
    }
}

on_both_stores!(
    the_latest_report_is_kept_per_device_and_an_older_one_only_moves_last_seen,
    a_device_writes_only_its_own_state_and_a_kiosk_never_reads_the_list,
    a_malformed_report_is_refused_naming_its_field,
);
