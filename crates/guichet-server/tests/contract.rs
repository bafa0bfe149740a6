//! The cases Schemathesis found where the server and `docs/openapi.json` disagreed, each now
//! answered as the document says (in-process, on the Paris 2024 catalogue); and the document
//! itself: who needs a token, which errors each route lists, the grammar it states.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use guichet_wire::checks;
use serde_json::{json, Value};
use tower::ServiceExt;

fn assert_api_error(st: StatusCode, v: &Value, want: StatusCode, words: &[&str]) {
    assert_eq!(st, want, "{v}");
    assert!(
        v["code"].is_string(),
        "an error is {{code, message, details}}: {v}"
    );
    let m = v["message"].as_str().unwrap_or_default();
    for w in words {
        assert!(m.contains(w), "expected {w:?} in {m:?}");
    }
}

#[tokio::test]
async fn a_bad_query_string_answers_400_json_naming_the_parameter() {
    let s = server();
    let t = s.enrol().await;
    for (uri, words) in [
        (
            "/v1/availability?sesion=ATH07",
            &["the query string is not valid", "unknown field `sesion`"][..],
        ),
        (
            "/v1/accounts",
            &["the query string is not valid", "missing field `q`"],
        ),
        (
            "/v1/sync/pull?cursor=abc",
            &[
                "cursor=\"abc\"",
                "EPOCH:XID:ID",
                "pull from the start with cursor=0",
            ],
        ),
        ("/v1/sync/pull?cursor=-1", &["cursor=\"-1\""]),
        ("/v1/sync/pull?cursor=2.5", &["cursor=\"2.5\""]),
        ("/v1/sync/pull?cursor=1:2", &["cursor=\"1:2\"", "cursor=0"]),
        (
            "/v1/sync/pull?device_id=null",
            &[
                "device_id \"null\" is not a device id",
                "leave device_id out",
            ],
        ),
        (
            "/v1/allotments?device_id=",
            &["device_id \"\" is not a device id"],
        ),
        (
            "/v1/availability?session=",
            &["session \"\" is not a session code", "e.g. ATH07"],
        ),
        (
            "/v1/availability?session=ath07",
            &["session \"ath07\" is not a session code", "capital letters"],
        ),
        ("/v1/accounts/a%20b", &["id \"a b\" is not an account id"]),
    ] {
        let (st, v) = s.call("GET", uri, Some(&t), None).await;
        assert_api_error(st, &v, StatusCode::BAD_REQUEST, words);
    }
}

#[tokio::test]
async fn query_values_the_document_allows_are_accepted() {
    let s = server();
    let (t, me) = s.enrol_device().await;
    let (st, v) = s
        .call("GET", "/v1/sync/pull?cursor=0.0", Some(&t), None)
        .await;
    assert_eq!(
        st,
        StatusCode::OK,
        "12.0 is the integer 12 in JSON Schema: {v}"
    );
    let (st, v) = s
        .call(
            "GET",
            &format!("/v1/sync/pull?device_id={me}"),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let other = "0190a1b2-0000-7000-8000-000000000000";
    let (st, v) = s
        .call(
            "GET",
            &format!("/v1/conflicts?device_id={other}"),
            Some(&t),
            None,
        )
        .await;
    assert_api_error(st, &v, StatusCode::FORBIDDEN, &[other]);
    assert_eq!(v["details"]["rule"], "own_device_only");
}

#[tokio::test]
async fn a_whole_number_written_with_a_fraction_is_that_integer() {
    let s = server();
    let t = s.enrol().await;
    account(&s, &t, "P24-000010").await;
    let body = |q: Value| {
        json!({"idempotency_key": uuid::Uuid::now_v7().to_string(), "account_id": "P24-000010", "kind": "single",
               "lines": [{"session": "ATH07", "category": "D", "quantity": q}]})
        .to_string()
    };
    let (st, v) = s
        .call("POST", "/v1/orders", Some(&t), Some(body(json!(2.0))))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["tickets"].as_array().unwrap().len(), 2);
    for (q, words) in [
        (json!(2.5), "2.5 is not a whole number from 0 to 4294967295"),
        (json!("2"), "expected a whole number"),
        (json!(-1), "-1 is not a whole number"),
    ] {
        let (st, v) = s.call("POST", "/v1/orders", Some(&t), Some(body(q))).await;
        assert_api_error(
            st,
            &v,
            StatusCode::BAD_REQUEST,
            &["lines[0].quantity", words],
        );
    }
    // 260.0 seats borrowed are 260 seats.
    let (st, v) = s
        .call(
            "POST",
            "/v1/allotments",
            Some(&t),
            Some(json!({"session": "ATH07", "category": "D", "quantity": 260.0}).to_string()),
        )
        .await;
    assert_eq!(
        (st, v["granted"].clone()),
        (StatusCode::OK, json!(260)),
        "{v}"
    );
    assert_eq!(s.orders(), 2);
}

#[tokio::test]
async fn codes_the_document_forbids_are_refused_naming_the_field() {
    let s = server();
    let t = s.enrol().await;
    account(&s, &t, "P24-000011").await;
    let line = |session: &str, category: &str| {
        json!({"idempotency_key": uuid::Uuid::now_v7().to_string(), "account_id": "P24-000011", "kind": "single",
               "lines": [{"session": session, "category": category, "quantity": 1}]})
        .to_string()
    };
    for (body, words) in [
        (
            line("", "D"),
            &["lines[0].session \"\" is not a session code"][..],
        ),
        (line("ath07", "D"), &["lines[0].session \"ath07\""]),
        (
            line("ATH07", ""),
            &["lines[0].category \"\" is not a price category"],
        ),
        (
            line("ATH07", "d"),
            &["lines[0].category \"d\"", "capital letters"],
        ),
        (
            order(&uuid::Uuid::now_v7().to_string(), "", "ATH07", 1),
            &["account id"],
        ),
        (
            order(
                &uuid::Uuid::now_v7().simple().to_string(),
                "P24-000011",
                "ATH07",
                1,
            ),
            &["idempotency_key", "groups 8-4-4-4-12"],
        ),
    ] {
        let (st, v) = s.call("POST", "/v1/orders", Some(&t), Some(body)).await;
        assert_api_error(st, &v, StatusCode::BAD_REQUEST, words);
    }
    for (body, words) in [
        (
            json!({"session": "", "category": "D", "quantity": 1}),
            "session \"\"",
        ),
        (
            json!({"session": "ATH07", "category": "", "quantity": 1}),
            "category \"\"",
        ),
        (
            json!({"session": "ATH07", "category": "D", "quantity": 1, "device_id": "null"}),
            "device_id \"null\" is not a device id",
        ),
    ] {
        let (st, v) = s
            .call("POST", "/v1/allotments", Some(&t), Some(body.to_string()))
            .await;
        assert_api_error(st, &v, StatusCode::BAD_REQUEST, &[words]);
    }
    let bad_account = [
        (
            json!({"name": " ", "email": "a@b", "country": "FR"}),
            "name is empty",
        ),
        (
            json!({"name": "x".repeat(121), "email": "a@b", "country": "FR"}),
            "121 characters",
        ),
        (
            json!({"name": "A", "email": "ab", "country": "FR"}),
            "has no '@'",
        ),
        (
            json!({"name": "A", "email": "a@b", "country": " FR"}),
            "two-letter",
        ),
        (
            json!({"id": "", "name": "A", "email": "a@b", "country": "FR"}),
            "not an account id",
        ),
    ];
    for (body, words) in bad_account {
        let (st, v) = s
            .call("POST", "/v1/accounts", Some(&t), Some(body.to_string()))
            .await;
        assert_api_error(st, &v, StatusCode::BAD_REQUEST, &[words]);
    }
    let (st, v) = s
        .call(
            "POST",
            "/v1/devices/enrol",
            None,
            Some(
                json!({"code": "x", "name": "Desk", "public_key_hex": "+1".repeat(32)}).to_string(),
            ),
        )
        .await;
    assert_api_error(
        st,
        &v,
        StatusCode::BAD_REQUEST,
        &["public_key_hex", "64 hex"],
    );
    assert_eq!(s.orders(), 0);
}

#[tokio::test]
async fn every_rejection_is_json_even_the_ones_axum_makes() {
    let s = server();
    let t = s.enrol().await;
    let (st, v) = s.call("GET", "/v1/catalogue", None, None).await;
    assert_api_error(st, &v, StatusCode::UNAUTHORIZED, &["Authorization: Bearer"]);
    // A body not marked as JSON.
    let req = Request::builder()
        .method("POST")
        .uri("/v1/accounts")
        .header("authorization", format!("Bearer {t}"))
        .header("content-type", "text/plain")
        .body(Body::from("{}"))
        .unwrap();
    let (st, v, _) = send(&s, req).await;
    assert_api_error(
        st,
        &v,
        StatusCode::BAD_REQUEST,
        &["Content-Type: application/json"],
    );
    // A method the route does not have: 405, JSON, and the Allow header.
    let req = Request::builder()
        .method("DELETE")
        .uri("/v1/accounts")
        .body(Body::empty())
        .unwrap();
    let (st, v, allow) = send(&s, req).await;
    assert_api_error(
        st,
        &v,
        StatusCode::METHOD_NOT_ALLOWED,
        &["does not answer DELETE"],
    );
    let allow = allow.unwrap_or_default();
    assert!(
        allow.contains("GET") && allow.contains("POST"),
        "Allow: {allow}"
    );
}

async fn send(s: &Server, req: Request<Body>) -> (StatusCode, Value, Option<String>) {
    use http_body_util::BodyExt;
    let res = guichet_server::api::app(s.state.clone())
        .oneshot(req)
        .await
        .unwrap();
    let st = res.status();
    let allow = res
        .headers()
        .get("allow")
        .map(|h| h.to_str().unwrap().to_string());
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        st,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        allow,
    )
}

fn doc() -> Value {
    serde_json::from_str(&guichet_server::api::openapi::document()).unwrap()
}

#[test]
fn every_v1_route_but_enrolment_names_the_bearer_scheme_and_its_401() {
    let d = doc();
    assert_eq!(
        d["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let mut secured = 0;
    for (path, item) in d["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let needs = path.starts_with("/v1/") && path != "/v1/devices/enrol";
            let says = op["security"] == json!([{"bearer": []}]);
            assert_eq!(says, needs, "{method} {path}: security {}", op["security"]);
            let responses = op["responses"].as_object().unwrap();
            assert_eq!(responses.contains_key("401"), needs, "{method} {path}: 401");
            for (status, r) in responses {
                if status.starts_with('4') {
                    assert_eq!(
                        r["content"]["application/json"]["schema"]["$ref"],
                        "#/components/schemas/ApiError",
                        "{method} {path} {status}"
                    );
                }
            }
            let has_input = op.get("requestBody").is_some() || op.get("parameters").is_some();
            assert_eq!(
                responses.contains_key("400"),
                has_input,
                "{method} {path}: 400"
            );
            secured += usize::from(needs);
        }
    }
    assert_eq!(secured, 18);
}

#[test]
fn the_document_states_the_grammar_the_server_checks() {
    let d = doc();
    let schemas = &d["components"]["schemas"];
    let line = &schemas["OrderLineDto"]["properties"];
    assert_eq!(line["session"]["pattern"], checks::SESSION_PATTERN);
    assert_eq!(
        schemas["CategoryCode"]["enum"],
        json!(["A", "B", "C", "D", "WCH", "CMP"])
    );
    assert_eq!(schemas["OrderKindCode"]["enum"], json!(["pack", "single"]));
    let order = &schemas["OrderRequest"]["properties"];
    assert_eq!(order["idempotency_key"]["pattern"], checks::UUID_PATTERN);
    assert_eq!(order["account_id"]["pattern"], checks::ACCOUNT_ID_PATTERN);
    assert_eq!(order["hold_id"]["pattern"], checks::UUID_PATTERN);
    let hold = &schemas["HoldRequest"]["properties"];
    assert_eq!(hold["request_id"]["pattern"], checks::UUID_PATTERN);
    assert_eq!(hold["account_id"]["pattern"], checks::ACCOUNT_ID_PATTERN);
    let release = d["paths"]["/v1/holds/{id}"]["delete"]["parameters"][0]["schema"].clone();
    assert_eq!(
        release["pattern"],
        checks::UUID_PATTERN,
        "the hold id is checked as a UUID"
    );
    let new = &schemas["NewAccount"]["properties"];
    assert_eq!(new["id"]["pattern"], checks::ACCOUNT_ID_PATTERN);
    assert_eq!(new["name"]["pattern"], checks::NOT_BLANK_PATTERN);
    assert_eq!(new["country"]["pattern"], checks::COUNTRY_PATTERN);
    let enrol = &schemas["EnrolRequest"]["properties"];
    assert_eq!(enrol["name"]["pattern"], checks::NOT_BLANK_PATTERN);
    assert_eq!(enrol["public_key_hex"]["pattern"], checks::KEY_HEX_PATTERN);
    for body in ["AllotmentBody", "ReturnBody"] {
        let p = &schemas[body]["properties"];
        assert_eq!(p["session"]["pattern"], checks::SESSION_PATTERN, "{body}");
        assert_eq!(
            p["device_id"]["pattern"],
            checks::DEVICE_ID_PATTERN,
            "{body}"
        );
    }
    assert_eq!(
        schemas["EventBody"]["properties"]["device_id"]["pattern"],
        checks::DEVICE_ID_PATTERN
    );
    let param = |path: &str, name: &str| {
        d["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()["schema"]
            .clone()
    };
    assert_eq!(
        param("/v1/availability", "session")["pattern"],
        checks::SESSION_PATTERN
    );
    assert_eq!(
        param("/v1/sync/pull", "device_id")["pattern"],
        checks::DEVICE_ID_PATTERN
    );
    assert_eq!(
        param("/v1/conflicts", "device_id")["pattern"],
        checks::DEVICE_ID_PATTERN
    );
    // The document's largest line is the sale's per-session cap: more can never be sold.
    let cap = guichet_domain::SaleConfig::paris2024()
        .limits
        .per_session_per_account;
    assert_eq!(line["quantity"]["maximum"], json!(cap));
}
