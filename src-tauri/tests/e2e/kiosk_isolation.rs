//! The kiosk's isolation, end to end: a kiosk enrolled with the real server process, its
//! window's JavaScript calling every staff command through `window.__TAURI_INTERNALS__.invoke`
//! (as a page that got past the UI would), each refused by the kiosk window's capability, the
//! desk's orders, ledger and outbox unchanged; then the server's staff routes with the kiosk's
//! own token, each 403 `STAFF_ONLY`. A screenshot of the kiosk window.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::box_office::must;
use crate::webdriver::Session;
use crate::{save_screenshot, LAUNCH_BUDGET, TITLE};

/// Arguments that would do harm if the command ran (the demo supervisor's real PIN, a float, a
/// new server): the refusal must come before any of them is read.
fn harmful_args(cmd: &str) -> Value {
    match cmd {
        "sign_in" => json!({ "staffId": "S-SUP", "pin": "9876" }),
        "open_shift" => json!({ "floatCents": 10000 }),
        "close_shift" => json!({ "countedCents": 0 }),
        "void_order" => json!({ "void": { "orderId": "x", "ticketIds": [], "supervisor": "S-SUP",
            "supervisorPin": "9876", "reason": "kiosk" } }),
        "reissue" => {
            json!({ "reissue": { "ticketId": "x", "newHolder": null, "supervisor": "S-SUP",
            "supervisorPin": "9876" } })
        }
        "save_settings" => {
            json!({ "settings": { "serverUrl": "http://127.0.0.1:9", "printer": "PDF",
            "language": "en", "layout": "a4" } })
        }
        "enrol" => {
            json!({ "enrol": { "serverUrl": "http://127.0.0.1:9", "code": "0123456789abcdef0123",
            "name": "x" } })
        }
        "look_up" => json!({ "query": "martin" }),
        "account" => json!({ "id": "DEMO-0001" }),
        "save_pdf" => json!({ "orderId": "x", "path": "/tmp/kiosk.pdf" }),
        _ => json!({}),
    }
}

/// `invoke(cmd, args)` from the page: `{ok: value}` or `{err: what it was rejected with}`.
fn invoke(s: &Session<'_>, cmd: &str, args: &Value) -> Value {
    let script = format!(
        "const done = arguments[arguments.length - 1];\n\
         window.__TAURI_INTERNALS__.invoke({cmd}, {args}).then(\n\
           (v) => done({{ ok: v === undefined ? null : v }}),\n\
           (e) => done({{ err: typeof e === 'string' ? e : JSON.stringify(e) }}));",
        cmd = json!(cmd),
        args = args,
    );
    must(s.execute_async(&script))
}

/// Orders, ledger rows and outbox events of the desk file (the store functions behind
/// `Desk::recorded`), read-only while the app runs.
fn recorded(desk_db: &Path) -> (usize, (u64, u64)) {
    let c = guichet_store::rusqlite::Connection::open_with_flags(
        desk_db,
        guichet_store::rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("e2e: the desk file opens read-only");
    let orders = guichet_store::sales::order_ids(&c)
        .expect("e2e: the orders")
        .len();
    let journal = guichet_store::journal::journal_len(&c).expect("e2e: the journal");
    (orders, journal)
}

/// Waits until the kiosk enrolled at start-up; its token.
pub(crate) fn wait_enrolled(desk_db: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if desk_db.exists() {
            let c = guichet_store::rusqlite::Connection::open_with_flags(
                desk_db,
                guichet_store::rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            );
            if let Ok(Some(link)) = c
                .map(|c| guichet_store::link::link(&c))
                .and_then(|l| l.map_err(|_| guichet_store::rusqlite::Error::InvalidQuery))
            {
                return link.token;
            }
        }
        assert!(
            Instant::now() < deadline,
            "e2e: the kiosk did not enrol within 90 s"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn every_staff_command_from_the_kiosk_window_is_refused_and_the_desk_records_nothing() {
    // A demo kiosk on the real server: it enrols at start-up with the code, borrows an
    // allotment and has the demo operators, so a staff command that ran would find a
    // supervisor whose PIN works.
    let k = crate::kiosk_rig::KioskRig::start("kiosk-isolation", &[crate::gl_for_screenshots()]);
    let (server, desk_db) = (&k.server, &k.desk_db);
    let s = k.rig.open_app();
    // The kiosk root, never the box office's sign-in.
    s.wait_for_text(
        "[data-testid=kiosk-title]",
        "Guichet — Kiosk",
        LAUNCH_BUDGET,
    );
    assert!(
        s.find(TITLE).is_err(),
        "e2e: a kiosk window never shows the box office's sign-in screen"
    );
    let token = wait_enrolled(desk_db);

    // The bridge works from this window: a common command answers.
    let info = invoke(&s, "app_info", &json!({}));
    assert_eq!(
        info["ok"]["deviceKind"], "kiosk",
        "app_info is common: {info}"
    );

    let before = recorded(desk_db);
    let started = Instant::now();
    for cmd in guichet_app::STAFF {
        let answer = invoke(&s, cmd, &harmful_args(cmd));
        let refused = answer["err"]
            .as_str()
            .unwrap_or_else(|| panic!("e2e: {cmd} answered the kiosk window: {answer}"));
        assert!(
            refused.contains("not allowed"),
            "e2e: {cmd} must be refused by the kiosk window's capability (Tauri's wording): {refused}"
        );
    }
    eprintln!(
        "e2e: {} staff commands refused from the kiosk window in {} ms",
        guichet_app::STAFF.len(),
        started.elapsed().as_millis()
    );
    assert_eq!(
        recorded(desk_db),
        before,
        "e2e: the refused staff commands recorded nothing (orders, ledger, outbox)"
    );

    // The same kiosk's token on the server's staff routes: each 403 STAFF_ONLY.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let base = &server.base;
    let push = |kind: &str| {
        json!({ "events": [{ "idempotency_key": uuid_like(), "kind": kind, "created_at": "2023-02-17T11:00:00Z",
            "payload": { "order_id": "x", "ticket_ids": ["y"] } }] })
    };
    let calls: Vec<(&str, ureq::http::Response<ureq::Body>)> = vec![
        (
            "account search",
            agent
                .get(format!("{base}/v1/accounts?q=martin"))
                .header("authorization", format!("Bearer {token}"))
                .call()
                .expect("the server answers"),
        ),
        (
            "conflicts",
            agent
                .get(format!("{base}/v1/conflicts"))
                .header("authorization", format!("Bearer {token}"))
                .call()
                .expect("the server answers"),
        ),
        (
            "gate lists",
            agent
                .get(format!("{base}/v1/gate/lists"))
                .header("authorization", format!("Bearer {token}"))
                .call()
                .expect("the server answers"),
        ),
        (
            "void",
            agent
                .post(format!("{base}/v1/sync/push"))
                .header("authorization", format!("Bearer {token}"))
                .send_json(push("void"))
                .expect("the server answers"),
        ),
        (
            "refund",
            agent
                .post(format!("{base}/v1/sync/push"))
                .header("authorization", format!("Bearer {token}"))
                .send_json(push("refund"))
                .expect("the server answers"),
        ),
        (
            "reissue",
            agent
                .post(format!("{base}/v1/sync/push"))
                .header("authorization", format!("Bearer {token}"))
                .send_json(push("reissue"))
                .expect("the server answers"),
        ),
    ];
    for (what, mut res) in calls {
        let status = res.status().as_u16();
        let body: Value = res.body_mut().read_json().unwrap_or(Value::Null);
        assert_eq!(status, 403, "e2e: {what} with the kiosk's token: {body}");
        assert_eq!(
            body["details"]["rule"], "staff_only",
            "e2e: {what}: the rule is named: {body}"
        );
    }

    let shot = save_screenshot(&s, "kiosk-isolation");
    eprintln!("e2e: kiosk window: {}", shot.display());
}

/// A UUIDv7-shaped key (the server checks the event's key only when it applies it).
fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let hex = format!("{nanos:032x}");
    format!(
        "{}-{}-7{}-8{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}
