//! The console's doors, over real HTTP (reqwest against the server's router bound on
//! 127.0.0.1): nothing under /console without signing in (302), `/healthz` and `/metrics`
//! open, the sign-in form's CSRF token, cookies' attributes, throttling with a lockout, CSRF on
//! every form (403), roles (a viewer cannot revoke), security headers, and the audit log. Each
//! test runs on both stores (`on_both_stores!`).

mod common;

use std::sync::Arc;

use common::{at, Server};
use guichet_server::api::{app, AppState};
use guichet_server::store::staff::Role;
use reqwest::redirect::Policy;
use reqwest::StatusCode;

const PASSWORD: &str = "correct horse battery";

struct Live {
    base: String,
    http: reqwest::Client,
    state: Arc<AppState>,
    _s: common::Server,
}

async fn live(s: Server) -> Live {
    let state = s.state.clone();
    let now = state.clock.now();
    for (u, r) in [
        ("anne", Role::Supervisor),
        ("victor", Role::Viewer),
        ("ada", Role::Admin),
    ] {
        state
            .backend
            .add_staff(u.into(), PASSWORD.into(), r, "test".into(), now)
            .await
            .unwrap();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = app(state.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let http = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    Live {
        base,
        http,
        state,
        _s: s,
    }
}

/// The value of `name=` in a Set-Cookie header, and the whole header.
fn set_cookie(res: &reqwest::Response, name: &str) -> Option<(String, String)> {
    res.headers().get_all("set-cookie").iter().find_map(|v| {
        let v = v.to_str().ok()?;
        let value = v.strip_prefix(&format!("{name}="))?.split(';').next()?;
        Some((value.to_string(), v.to_string()))
    })
}

/// The `csrf` hidden field of a page.
fn csrf_in(html: &str) -> String {
    let i = html
        .find("name=\"csrf\" value=\"")
        .expect("the page has a csrf field")
        + 19;
    html[i..i + 64].to_string()
}

impl Live {
    /// Signs in; the session cookie and the page's CSRF token.
    async fn sign_in(&self, user: &str, password: &str) -> reqwest::Response {
        let page = self
            .http
            .get(format!("{}/console/sign-in", self.base))
            .send()
            .await
            .unwrap();
        let (pre, _) = set_cookie(&page, "guichet_pre").expect("a pre-session CSRF cookie");
        let csrf = csrf_in(&page.text().await.unwrap());
        self.http
            .post(format!("{}/console/sign-in", self.base))
            .header("cookie", format!("guichet_pre={pre}"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("username", user),
                ("password", password),
            ])
            .send()
            .await
            .unwrap()
    }
    async fn session(&self, user: &str) -> (String, String) {
        let res = self.sign_in(user, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{user} signs in");
        let (token, _) = set_cookie(&res, "guichet_session").unwrap();
        let cookie = format!("guichet_session={token}");
        let page = self.get("/console/devices", &cookie).await;
        (cookie, csrf_in(&page.text().await.unwrap()))
    }
    async fn get(&self, path: &str, cookie: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap()
    }
    async fn post(&self, path: &str, cookie: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .header("cookie", cookie)
            .form(form)
            .send()
            .await
            .unwrap()
    }
}

async fn every_console_page_without_a_session_redirects_to_sign_in_and_healthz_and_metrics_stay_open(
    s: Server,
) {
    let l = live(s).await;
    for path in [
        "/console",
        "/console/overview",
        "/console/devices",
        "/console/conflicts",
        "/console/draws",
        "/console/inventory",
        "/console/accounts?q=x",
        "/console/audit",
        "/console/gate-lists/keys.json",
        "/console/no-such-page",
    ] {
        for cookie in ["", "guichet_session=forged"] {
            let res = l.get(path, cookie).await;
            assert_eq!(
                (
                    res.status(),
                    res.headers()
                        .get("location")
                        .map(|v| v.to_str().unwrap().to_string())
                ),
                (StatusCode::FOUND, Some("/console/sign-in".to_string())),
                "{path} with cookie {cookie:?} must send to sign-in"
            );
        }
    }
    let res = l
        .post("/console/devices/x/revoke", "", &[("reason", "x")])
        .await;
    assert_eq!(
        res.status(),
        StatusCode::FOUND,
        "a form post without a session goes to sign-in"
    );
    for open in ["/healthz", "/metrics"] {
        let res = l.get(open, "").await;
        assert_eq!(res.status(), StatusCode::OK, "{open} needs no sign-in");
    }
}

async fn signing_in_needs_the_forms_token_refuses_a_wrong_password_and_sets_strict_httponly_cookies(
    s: Server,
) {
    let l = live(s).await;
    let res = l
        .http
        .post(format!("{}/console/sign-in", l.base))
        .form(&[("username", "anne"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "a sign-in without its CSRF token is refused"
    );
    assert!(
        set_cookie(&res, "guichet_session").is_none(),
        "and opens no session"
    );

    let res = l.sign_in("anne", "wrong password!!").await;
    assert_eq!(
        res.status(),
        StatusCode::UNAUTHORIZED,
        "a wrong password is refused"
    );
    let text = res.text().await.unwrap();
    assert!(
        text.contains("4 more tries"),
        "the page says how many tries are left: {text}"
    );

    let res = l.sign_in("anne", PASSWORD).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "the right password signs in"
    );
    let (_, header) = set_cookie(&res, "guichet_session").expect("a session cookie");
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(
            header.contains(attr),
            "the session cookie is {attr}: {header}"
        );
    }
    assert!(
        !header.contains("Secure"),
        "over plain HTTP the cookie cannot be Secure: {header}"
    );

    let page = l
        .http
        .get(format!("{}/console/sign-in", l.base))
        .send()
        .await
        .unwrap();
    let (pre, _) = set_cookie(&page, "guichet_pre").unwrap();
    let csrf = csrf_in(&page.text().await.unwrap());
    let res = l
        .http
        .post(format!("{}/console/sign-in", l.base))
        .header("cookie", format!("guichet_pre={pre}"))
        .header("x-forwarded-proto", "https")
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "anne"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let (_, header) = set_cookie(&res, "guichet_session").unwrap();
    assert!(
        header.contains("; Secure"),
        "behind a TLS proxy the cookie is Secure: {header}"
    );
}

async fn five_wrong_passwords_lock_the_username_even_against_the_right_one_until_the_lock_ends(
    s: Server,
) {
    let l = live(s).await;
    for i in 1..=4 {
        let res = l.sign_in("victor", "not the password").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "wrong password {i}");
    }
    let res = l.sign_in("victor", "not the password").await;
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the fifth wrong password locks"
    );
    let res = l.sign_in("victor", PASSWORD).await;
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "while locked, even the right password is refused"
    );
    assert!(
        res.text().await.unwrap().contains("locked until"),
        "the page says until when"
    );
    let later = at("2024-01-10T10:16:00");
    assert!(
        l.state
            .backend
            .sign_in("victor".into(), PASSWORD.into(), later)
            .await
            .is_ok(),
        "16 minutes later the right password signs in"
    );
    let log = l.state.backend.audit_log(50).await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "staff.locked" && e.subject == "victor"),
        "the lockout is in the audit log: {log:?}"
    );
}

async fn a_form_without_its_csrf_token_is_403_a_viewer_cannot_revoke_and_a_supervisors_revocation_is_audited(
    s: Server,
) {
    let l = live(s).await;
    let code = l
        .state
        .backend
        .new_enrolment_code("box-office".into(), l.state.clock.now())
        .await
        .unwrap();
    let enrolled = l
        .state
        .backend
        .enrol(
            guichet_wire::devices::EnrolRequest {
                code,
                name: "Desk 7".into(),
                public_key_hex: "ab".repeat(32),
            },
            l.state.clock.now(),
        )
        .await
        .unwrap();
    let revoke = format!("/console/devices/{}/revoke", enrolled.device_id);
    let (anne, anne_csrf) = l.session("anne").await;

    let res = l.post(&revoke, &anne, &[("reason", "stolen")]).await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "a form post without its CSRF token is 403"
    );
    let res = l
        .post(
            &revoke,
            &anne,
            &[("csrf", &"0".repeat(64)), ("reason", "stolen")],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "a wrong CSRF token is 403"
    );

    let (victor, victor_csrf) = l.session("victor").await;
    let res = l
        .post(
            &revoke,
            &victor,
            &[("csrf", &victor_csrf), ("reason", "stolen")],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "a viewer's revocation is 403"
    );
    let res = l
        .post(
            &revoke,
            &victor,
            &[("csrf", &anne_csrf), ("reason", "stolen")],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "another session's CSRF token is 403"
    );
    assert!(
        l.state
            .backend
            .device_revocations()
            .await
            .unwrap()
            .is_empty(),
        "none of the refused posts revoked anything"
    );

    let res = l
        .post(
            &revoke,
            &anne,
            &[("csrf", &anne_csrf), ("reason", "stolen at noon")],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "a supervisor revokes the desk"
    );
    let revoked = l.state.backend.device_revocations().await.unwrap();
    assert_eq!(
        (revoked.len(), revoked[0].revoked_by.as_str()),
        (1, "anne"),
        "revoked, recorded with who: {revoked:?}"
    );
    let page = l.get("/console/audit", &victor).await.text().await.unwrap();
    assert!(
        page.contains("device.revoke") && page.contains("stolen at noon") && page.contains("anne"),
        "the audit page shows who revoked what and why: {page}"
    );
}

async fn console_answers_carry_the_security_headers_and_the_audit_log_refuses_changes(s: Server) {
    let l = live(s).await;
    let (anne, _) = l.session("anne").await;
    for (path, cookie) in [
        ("/console/sign-in", ""),
        ("/console/devices", anne.as_str()),
        ("/console", ""),
    ] {
        let res = l.get(path, cookie).await;
        let h = |n: &str| {
            res.headers()
                .get(n)
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default()
        };
        assert!(
            h("content-security-policy").contains("frame-ancestors 'none'"),
            "{path}: CSP {}",
            h("content-security-policy")
        );
        assert!(
            h("content-security-policy").contains("default-src 'none'"),
            "{path}: nothing from elsewhere"
        );
        assert_eq!(
            h("x-content-type-options"),
            "nosniff",
            "{path}: no sniffing"
        );
        assert_eq!(
            h("x-frame-options"),
            "DENY",
            "{path}: never in a frame (older browsers)"
        );
    }
    assert!(
        !l.state.backend.audit_log(10).await.unwrap().is_empty(),
        "the sign-in wrote an audit line to change"
    );
    for (sql, what) in [
        (
            "UPDATE audit_log SET actor = 'mallory'",
            "an audit line cannot be changed",
        ),
        ("DELETE FROM audit_log", "nor deleted"),
    ] {
        let err = change_directly(&l._s, sql).await;
        assert!(err.contains("append-only"), "{what}: {err}");
    }
}

/// Runs `sql` on the store's database behind the server's back; the database's refusal.
async fn change_directly(s: &Server, sql: &str) -> String {
    match &s.pg {
        Some(db) => match db.client().await.batch_execute(sql).await {
            Ok(()) => panic!("{sql}: the database accepted it"),
            Err(e) => e
                .as_db_error()
                .map_or_else(|| e.to_string(), |d| d.message().to_string()),
        },
        None => {
            let p = s._dir.as_ref().unwrap().path().join("server.sqlite");
            let c = rusqlite::Connection::open(p).unwrap();
            c.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
            c.execute(sql, [])
                .expect_err("the database accepted the change")
                .to_string()
        }
    }
}

/// An offline sale of 7 FBL03 tickets (6 per session is the cap) pushed by `token`'s desk.
async fn push_over_cap(l: &Live, token: &str, account: &str) -> Vec<String> {
    let ids: Vec<String> = (0..7).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    let tickets: Vec<_> = ids
        .iter()
        .map(|id| serde_json::json!({"id": id, "session": "FBL03", "category": "C", "price": 3500}))
        .collect();
    let event = serde_json::json!({"idempotency_key": uuid::Uuid::now_v7().to_string(), "kind": "sale",
        "created_at": "2024-01-10T09:30:00Z", "offline": true,
        "payload": {"order_id": uuid::Uuid::now_v7().to_string(), "account_id": account, "kind": "single",
                    "phase": "general-sale", "sold_at": "2024-01-10T09:30:00Z", "offline": true, "tickets": tickets}});
    let res = l
        .http
        .post(format!("{}/v1/sync/push", l.base))
        .bearer_auth(token)
        .json(&serde_json::json!({"events": [event]}))
        .send()
        .await
        .unwrap();
    let v: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        v["acks"][0]["status"], "applied",
        "the offline sale applies: {v}"
    );
    ids
}

async fn a_supervisor_voids_a_conflict_through_the_void_path_so_gates_and_desks_learn_of_it(
    s: Server,
) {
    let l = live(s).await;
    let (desk, _) = l._s.enrol_device().await;
    let (other, _) = l._s.enrol_device().await;
    common::account(&l._s, &desk, "P24-0000042").await;
    let ids = push_over_cap(&l, &desk, "P24-0000042").await;
    let conflicts = l.state.backend.console_conflicts(false).await.unwrap();
    assert_eq!(
        conflicts.len(),
        1,
        "7 tickets of one session is a conflict: {conflicts:?}"
    );
    let id = conflicts[0].id;
    let resolve = format!("/console/conflicts/{id}/resolve");

    let (victor, victor_csrf) = l.session("victor").await;
    let page = l
        .get("/console/conflicts", &victor)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&ids[0]) && page.contains("P24-0000042"),
        "the conflicts page shows the account and the tickets involved"
    );
    let res = l
        .post(
            &resolve,
            &victor,
            &[
                ("csrf", &victor_csrf),
                ("decision", "void"),
                ("reason", "x"),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "a viewer's attempt to resolve is 403"
    );

    let (anne, csrf) = l.session("anne").await;
    let res = l
        .post(&resolve, &anne, &[("decision", "void"), ("reason", "cap")])
        .await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "without its CSRF token the post is 403"
    );
    assert_eq!(
        l.state
            .backend
            .console_conflicts(false)
            .await
            .unwrap()
            .len(),
        1,
        "still open"
    );
    let res = l
        .post(
            &resolve,
            &anne,
            &[
                ("csrf", &csrf),
                ("decision", "void"),
                ("reason", "over the 6-per-session cap"),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "the supervisor voids and refunds"
    );

    // The same void path as a desk's: the tickets are revoked, the gates' list and the other
    // desk's next pull carry them, the fan holds none.
    let (_, lists) = l._s.call("GET", "/v1/gate/lists", Some(&other), None).await;
    for t in &ids {
        assert!(
            lists["revoked"].to_string().contains(t.as_str()),
            "ticket {t} is on the gates' revocation list: {lists}"
        );
    }
    let (_, pulled) =
        l._s.call("GET", "/v1/sync/pull?cursor=0", Some(&other), None)
            .await;
    assert!(
        ids.iter()
            .all(|t| pulled["revocations"].to_string().contains(t.as_str())),
        "a second desk's pull carries the revocations: {pulled}"
    );
    let (_, account) =
        l._s.call("GET", "/v1/accounts/P24-0000042", Some(&other), None)
            .await;
    assert_eq!(
        account["held"],
        serde_json::json!([]),
        "the fan holds no ticket any more: {account}"
    );
    let (_, open) = l._s.call("GET", "/v1/conflicts", Some(&other), None).await;
    assert_eq!(
        open,
        serde_json::json!([]),
        "the conflict is resolved: {open}"
    );
    let log = l.state.backend.audit_log(10).await.unwrap();
    let entry = log
        .iter()
        .find(|e| e.action == "conflict.resolve")
        .expect("audited");
    assert_eq!(
        (
            entry.actor.as_str(),
            entry.details["reason"].as_str(),
            entry.details["voided"].as_array().map(Vec::len)
        ),
        ("anne", Some("over the 6-per-session cap"), Some(7)),
        "recorded with who, why and the tickets voided: {entry:?}"
    );
    let res = l
        .post(
            &resolve,
            &anne,
            &[("csrf", &csrf), ("decision", "keep"), ("reason", "again")],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a resolved conflict is not resolved twice"
    );
    assert!(
        res.text().await.unwrap().contains("already resolved"),
        "and the page says so"
    );
}

/// Draws the console's QR SVG (`M{x} {y}h1v1h-1z` squares) as an image, 8 pixels a module.
fn raster(svg: &str) -> image::GrayImage {
    let size: u32 = svg
        .split("viewBox=\"0 0 ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let mut img = image::GrayImage::from_pixel(size * 8, size * 8, image::Luma([255]));
    let d = svg
        .split(" d=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    for sq in d.split('M').filter(|s| !s.is_empty()) {
        let xy: Vec<u32> = sq
            .trim_end_matches("h1v1h-1z")
            .split(' ')
            .map(|n| n.parse().unwrap())
            .collect();
        for dx in 0..8 {
            for dy in 0..8 {
                img.put_pixel(xy[0] * 8 + dx, xy[1] * 8 + dy, image::Luma([0]));
            }
        }
    }
    img
}

async fn an_admin_makes_an_enrolment_code_shown_as_text_and_a_qr_that_enrols_a_desk_and_downloads_gate_lists(
    s: Server,
) {
    let l = live(s).await;
    let (anne, anne_csrf) = l.session("anne").await;
    let res = l
        .post(
            "/console/devices/enrolment-code",
            &anne,
            &[("csrf", &anne_csrf), ("kind", "box-office")],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "a supervisor does not make enrolment codes"
    );
    let (ada, csrf) = l.session("ada").await;
    let page = l
        .post(
            "/console/devices/enrolment-code",
            &ada,
            &[("csrf", &csrf), ("kind", "box-office")],
        )
        .await
        .text()
        .await
        .unwrap();
    let code = page
        .split("id=\"enrolment-code\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(code.len(), 20, "the code is shown as text: {code}");
    let svg = &page[page.find("<svg").expect("and as an SVG QR code")..];
    let read = guichet_tickets::decode_qr_luma(&raster(svg)).expect("the QR code reads");
    assert_eq!(read, code, "the QR code holds the code the page shows");
    let (st, v) = l
        ._s
        .call(
            "POST",
            "/v1/devices/enrol",
            None,
            Some(serde_json::json!({"code": read, "name": "Desk 9", "public_key_hex": "cd".repeat(32)}).to_string()),
        )
        .await;
    assert_eq!(st.as_u16(), 200, "a desk enrols with the scanned code: {v}");

    let keys = l.get("/console/gate-lists/keys.json", &ada).await;
    assert_eq!(keys.status(), StatusCode::OK, "the key list downloads");
    let keys: serde_json::Value = keys.json().await.unwrap();
    assert_eq!(
        (
            keys["format"].as_str(),
            keys["keys"].as_array().map(Vec::len)
        ),
        (Some("guichet-keys/1"), Some(1)),
        "the file guichet-gate reads, with the new desk's key: {keys}"
    );
    let res = l.get("/console/gate-lists/keys.json", "").await;
    assert_eq!(res.status(), StatusCode::FOUND, "not without signing in");
}

async fn a_viewer_reads_the_inventory_by_sport_and_looks_an_account_up_in_french_or_english(
    s: Server,
) {
    let l = live(s).await;
    let (desk, _) = l._s.enrol_device().await;
    common::account(&l._s, &desk, "P24-0000077").await;
    let (victor, _) = l.session("victor").await;
    let page = l
        .get("/console/inventory?sport=football&day=2024-07-24", &victor)
        .await;
    assert_eq!(
        page.status(),
        StatusCode::OK,
        "a viewer reads the inventory"
    );
    let text = page.text().await.unwrap();
    assert!(
        text.contains("FBL01") && !text.contains("ATH"),
        "the filter keeps football of that day only"
    );

    let res = l
        .get("/console/accounts?q=P24-0000077&lang=fr", &victor)
        .await;
    let lang = set_cookie(&res, "guichet_lang").map(|(v, _)| v);
    assert_eq!(
        lang.as_deref(),
        Some("fr"),
        "?lang=fr is remembered in a cookie"
    );
    let text = res.text().await.unwrap();
    assert!(
        text.contains("lang=\"fr\"") && text.contains("Comptes") && text.contains("Élodie Martin"),
        "the account page speaks French and finds the account"
    );
    let text = l
        .get("/console/accounts?q=nobody-such&lang=en", &victor)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("No account matches."),
        "an empty look-up says so, in English"
    );
}

async fn a_supervisor_settles_a_revoked_desks_seats_at_risk_from_the_devices_page(s: Server) {
    let l = live(s).await;
    let (desk, id) = l._s.enrol_device().await;
    let (st, v) =
        l._s.call(
            "POST",
            "/v1/allotments",
            Some(&desk),
            Some(
                serde_json::json!({"session": "ATH02", "category": "D", "quantity": 8}).to_string(),
            ),
        )
        .await;
    assert_eq!(st.as_u16(), 200, "{v}");
    let now = l.state.clock.now();
    l.state
        .backend
        .revoke_device(id.clone(), "lost".into(), now, "anne".into(), now)
        .await
        .unwrap();
    let (anne, csrf) = l.session("anne").await;
    let page = l.get("/console/devices", &anne).await.text().await.unwrap();
    assert!(
        page.contains("ATH02") && page.contains("/settle"),
        "the 8 seats show at risk with a form"
    );
    let settle = format!("/console/devices/{id}/settle");
    let form = |seats: &'static str, action: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("session", "ATH02".into()),
            ("category", "D".into()),
            ("action", action.into()),
            ("seats", seats.into()),
            ("reason", "counted the stubs".into()),
        ]
    };
    let post = |f: Vec<(&'static str, String)>| {
        let f: Vec<(&str, String)> = f;
        l.http
            .post(format!("{}{settle}", l.base))
            .header("cookie", anne.clone())
            .form(&f)
            .send()
    };
    let res = post(form("9", "return")).await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "more than is at risk is refused"
    );
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("8 seats at risk, cannot settle 9"),
        "with both numbers"
    );
    let res = post(form("3", "write_off")).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "3 written off");
    let res = post(form("5", "return")).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "5 returned");
    assert!(
        l.state
            .backend
            .allotments_at_risk()
            .await
            .unwrap()
            .is_empty(),
        "nothing left at risk"
    );
    let log = l.state.backend.audit_log(20).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert!(
        actions.contains(&"allotment.write_off") && actions.contains(&"allotment.return"),
        "both decisions are audited: {actions:?}"
    );
}

async fn the_draws_page_shows_each_draw_and_only_an_admin_may_run_or_verify_one(s: Server) {
    let l = live(s).await;
    let draws: Vec<String> = l
        .state
        .draws
        .config()
        .draws
        .iter()
        .map(|d| d.id.clone())
        .collect();
    assert!(!draws.is_empty(), "the Paris 2024 sale has draws");
    let (victor, _) = l.session("victor").await;
    let page = l.get("/console/draws", &victor).await.text().await.unwrap();
    for d in &draws {
        assert!(page.contains(d.as_str()), "the draws page lists {d}");
    }
    assert!(
        page.contains("not committed yet") && !page.contains("/run\""),
        "a viewer sees each draw's state and no run form"
    );
    let draw = &draws[0];
    let (anne, anne_csrf) = l.session("anne").await;
    let res = l
        .post(
            &format!("/console/draws/{draw}/verify"),
            &anne,
            &[("csrf", &anne_csrf), ("wave", "1")],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "verifying a draw needs an admin, not a supervisor"
    );
    let (ada, ada_csrf) = l.session("ada").await;
    let res = l
        .post(
            &format!("/console/draws/{draw}/verify"),
            &ada,
            &[("wave", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "no CSRF token: 403");
    let res = l
        .post(
            &format!("/console/draws/{draw}/verify"),
            &ada,
            &[("csrf", &ada_csrf), ("wave", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let said = res.text().await.unwrap();
    assert!(
        said.contains("has no wave 1: run it first"),
        "verifying a wave not run says so and what to do: {said}"
    );
    let res = l
        .post(
            &format!("/console/draws/{draw}/run"),
            &ada,
            &[
                ("csrf", &ada_csrf),
                ("secret", "/nonexistent/secret"),
                ("signature", "00"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let said = res.text().await.unwrap();
    assert!(
        said.contains("cannot read the secret file") && said.contains("/nonexistent/secret"),
        "a run without its secret names the file and the way out: {said}"
    );
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("not-a-secret.txt");
    std::fs::write(&other, "password = hunter2-do-not-show\n").unwrap();
    let res = l
        .post(
            &format!("/console/draws/{draw}/run"),
            &ada,
            &[
                ("csrf", &ada_csrf),
                ("secret", other.to_str().unwrap()),
                ("signature", "00"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let said = res.text().await.unwrap();
    assert!(
        said.contains("is not a secret file") && !said.contains("hunter2"),
        "another file is refused and nothing of it is shown back: {said}"
    );
}

on_both_stores!(
    every_console_page_without_a_session_redirects_to_sign_in_and_healthz_and_metrics_stay_open,
    signing_in_needs_the_forms_token_refuses_a_wrong_password_and_sets_strict_httponly_cookies,
    five_wrong_passwords_lock_the_username_even_against_the_right_one_until_the_lock_ends,
    a_form_without_its_csrf_token_is_403_a_viewer_cannot_revoke_and_a_supervisors_revocation_is_audited,
    console_answers_carry_the_security_headers_and_the_audit_log_refuses_changes,
    a_supervisor_voids_a_conflict_through_the_void_path_so_gates_and_desks_learn_of_it,
    an_admin_makes_an_enrolment_code_shown_as_text_and_a_qr_that_enrols_a_desk_and_downloads_gate_lists,
    a_viewer_reads_the_inventory_by_sport_and_looks_an_account_up_in_french_or_english,
    a_supervisor_settles_a_revoked_desks_seats_at_risk_from_the_devices_page,
    the_draws_page_shows_each_draw_and_only_an_admin_may_run_or_verify_one,
);
