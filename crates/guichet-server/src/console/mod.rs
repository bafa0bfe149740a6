//! The operations console under `/console`: server-rendered pages (maud), in French and
//! English, for signed-in staff only (docs/console.md). Every page without a session answers
//! 302 to the sign-in page; every form carries the session's CSRF token (403 without it);
//! every change goes to the audit log; every answer carries the security headers.

mod conflicts;
mod devices;
mod draws;
mod enrol;
mod overview;
pub mod pages;
mod reads;
pub mod session;

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, LOCATION, REFERRER_POLICY, SET_COOKIE,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::html;
use serde::Deserialize;

use crate::api::AppState;
use crate::store::staff::{StaffError, SESSION_LIFETIME};
use session::{
    cookie, set_cookie, CsrfForm, Lang, StaffUser, LANG_COOKIE, PRE_COOKIE, SESSION_COOKIE,
};

/// The Content-Security-Policy of every console answer: nothing from elsewhere, no inline
/// script or style, never in a frame, forms post only here.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const CSS: &str = include_str!("console.css");

/// The console's routes, to merge into the API's router.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/console", get(home))
        .route("/console/", get(home))
        .route("/console/sign-in", get(sign_in_page).post(sign_in))
        .route("/console/sign-out", post(sign_out))
        .route("/console/overview", get(overview::page))
        .route("/console/draws", get(draws::page))
        .route("/console/draws/{id}/run", post(draws::run))
        .route("/console/draws/{id}/verify", post(draws::verify))
        .route("/console/devices", get(devices::page))
        .route("/console/devices/{id}/revoke", post(devices::revoke))
        .route("/console/devices/{id}/settle", post(devices::settle))
        .route("/console/devices/enrolment-code", post(enrol::make_code))
        .route("/console/gate-lists/{file}", get(gate_list_file))
        .route("/console/conflicts", get(conflicts::page))
        .route("/console/conflicts/{id}/resolve", post(conflicts::resolve))
        .route("/console/inventory", get(reads::inventory))
        .route("/console/accounts", get(reads::accounts))
        .route("/console/audit", get(audit))
        .route("/console/{*rest}", get(not_found).post(not_found))
        .route("/assets/console.css", get(css))
        .layer(axum::middleware::from_fn(lang_cookie))
        .layer(axum::middleware::from_fn(security_headers))
}

async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.entry(CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    res
}

/// `?lang=fr` (or `en`) is remembered in a cookie for the next pages.
async fn lang_cookie(req: Request, next: Next) -> Response {
    let asked = req
        .uri()
        .query()
        .unwrap_or("")
        .split('&')
        .find_map(|kv| kv.strip_prefix("lang="))
        .filter(|l| *l == "en" || *l == "fr")
        .map(str::to_string);
    let headers = req.headers().clone();
    let mut res = next.run(req).await;
    if let Some(l) = asked {
        let c = set_cookie(&headers, LANG_COOKIE, &l, 365 * 24 * 3600);
        if let Ok(v) = HeaderValue::from_str(&c) {
            res.headers_mut().append(SET_COOKIE, v);
        }
    }
    res
}

async fn css() -> Response {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, "max-age=3600"),
        ],
        CSS,
    )
        .into_response()
}

async fn home(_user: StaffUser) -> Response {
    (StatusCode::FOUND, [(LOCATION, "/console/overview")]).into_response()
}

async fn not_found(user: StaffUser) -> Response {
    let l = user.lang;
    pages::error_page(
        l,
        StatusCode::NOT_FOUND,
        l.pick(
            "No console page has this address.",
            "Aucune page de la console n'a cette adresse.",
        ),
    )
}

fn random_hex() -> String {
    let mut b = [0u8; 32];
    if getrandom::fill(&mut b).is_err() {
        return String::new(); // an empty token matches no cookie: the form is refused
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn lang_of(headers: &HeaderMap, uri: &axum::http::Uri) -> Lang {
    Lang::from(uri.query(), headers)
}

/// The sign-in form, with a fresh pre-session CSRF token in a cookie and in the form.
fn sign_in_answer(
    headers: &HeaderMap,
    lang: Lang,
    status: StatusCode,
    problem: Option<&str>,
) -> Response {
    let pre = random_hex();
    let c = set_cookie(headers, PRE_COOKIE, &pre, 3600);
    (
        status,
        [(SET_COOKIE, c)],
        pages::sign_in(lang, &pre, problem),
    )
        .into_response()
}

async fn sign_in_page(headers: HeaderMap, uri: axum::http::Uri) -> Response {
    sign_in_answer(&headers, lang_of(&headers, &uri), StatusCode::OK, None)
}

#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

async fn sign_in(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    body: axum::body::Bytes,
) -> Response {
    let l = lang_of(&headers, &uri);
    let form: SignInForm = serde_urlencoded::from_bytes(&body).unwrap_or(SignInForm {
        csrf: String::new(),
        username: String::new(),
        password: String::new(),
    });
    let pre = cookie(&headers, PRE_COOKIE).unwrap_or_default();
    if pre.is_empty() || !session::same(&pre, &form.csrf) {
        return pages::error_page(
            l,
            StatusCode::FORBIDDEN,
            l.pick(
                "This form has no valid CSRF token (rule csrf_token): open the sign-in page again.",
                "Ce formulaire n'a pas de jeton CSRF valable (règle csrf_token) : rouvrez la page de connexion.",
            ),
        );
    }
    let done = st
        .backend
        .sign_in(form.username, form.password, st.clock.now())
        .await;
    match done {
        Ok(session) => {
            let c = set_cookie(
                &headers,
                SESSION_COOKIE,
                &session.token,
                SESSION_LIFETIME.as_secs(),
            );
            let gone = set_cookie(&headers, PRE_COOKIE, "", 0);
            let mut res =
                (StatusCode::SEE_OTHER, [(LOCATION, "/console/overview")]).into_response();
            for v in [c, gone] {
                if let Ok(v) = HeaderValue::from_str(&v) {
                    res.headers_mut().append(SET_COOKIE, v);
                }
            }
            res
        }
        Err(e @ (StaffError::WrongPassword { .. } | StaffError::Locked { .. })) => {
            let status = match e {
                StaffError::Locked { .. } => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::UNAUTHORIZED,
            };
            let msg = sign_in_refusal(l, &e);
            sign_in_answer(&headers, l, status, Some(&msg))
        }
        Err(e) => {
            tracing::error!(error = %e, "console sign-in failed");
            pages::error_page(
                l,
                StatusCode::INTERNAL_SERVER_ERROR,
                l.pick(
                    "The server could not sign you in; it is logged — try again.",
                    "Le serveur n'a pas pu vous connecter ; c'est journalisé — réessayez.",
                ),
            )
        }
    }
}

fn sign_in_refusal(l: Lang, e: &StaffError) -> String {
    match (l, e) {
        (Lang::Fr, StaffError::WrongPassword { left }) => format!(
            "Identifiant ou mot de passe incorrect ; encore {left} essai(s) avant le verrouillage de cet identifiant pendant 15 minutes."
        ),
        (Lang::Fr, StaffError::Locked { until }) => format!(
            "Trop de mots de passe incorrects : cet identifiant est verrouillé jusqu'à {until} ; réessayez ensuite, ou demandez à un administrateur."
        ),
        _ => e.to_string(),
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn sign_out(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    f: CsrfForm<Empty>,
) -> Response {
    let (token, who) = (f.user.token.clone(), f.user.staff.username.clone());
    if let Err(e) = st.backend.sign_out(token, who, st.clock.now()).await {
        tracing::error!(error = %e, "console sign-out failed");
    }
    let c = set_cookie(&headers, SESSION_COOKIE, "", 0);
    (
        StatusCode::SEE_OTHER,
        [(LOCATION, "/console/sign-in".to_string()), (SET_COOKIE, c)],
    )
        .into_response()
}

/// `keys.json` or `revoked.json`, as `guichet-server gate-lists` writes them.
async fn gate_list_file(
    State(st): State<Arc<AppState>>,
    axum::extract::Path(file): axum::extract::Path<String>,
    user: StaffUser,
) -> Response {
    let l = user.lang;
    if file != "keys.json" && file != "revoked.json" {
        return pages::error_page(l, StatusCode::NOT_FOUND, "keys.json, revoked.json");
    }
    let made = match st.backend.gate_files().await {
        Ok((keys, revoked)) => tokio::task::spawn_blocking(move || {
            let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
            let (keys, revoked) = crate::device_cli::write_gate_files(keys, revoked, dir.path())?;
            let path = if file == "keys.json" { keys } else { revoked };
            std::fs::read(&path)
                .map(|b| (file, b))
                .map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r),
        Err(e) => Err(e.to_string()),
    };
    match made {
        Ok((file, bytes)) => (
            [
                (CONTENT_TYPE, "application/json".to_string()),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file}\""),
                ),
            ],
            bytes,
        )
            .into_response(),
        _ => pages::error_page(
            l,
            StatusCode::INTERNAL_SERVER_ERROR,
            l.pick(
                "The gate lists could not be made; try again.",
                "Les listes des portes n'ont pas pu être faites ; réessayez.",
            ),
        ),
    }
}

async fn audit(State(st): State<Arc<AppState>>, user: StaffUser) -> Response {
    let l = user.lang;
    let rows = match st.backend.audit_log(500).await {
        Ok(r) => r,
        _ => {
            return pages::error_page(
                l,
                StatusCode::INTERNAL_SERVER_ERROR,
                l.pick(
                    "The audit log could not be read; try again.",
                    "Le journal d'audit n'a pas pu être lu ; réessayez.",
                ),
            )
        }
    };
    let body = html! {
        p { (l.pick("Every change, newest first. Lines are never changed nor deleted.", "Chaque modification, la plus récente d'abord. Les lignes ne sont jamais modifiées ni effacées.")) }
        table {
            thead { tr {
                th scope="col" { "#" }
                th scope="col" { (l.pick("When (UTC)", "Quand (UTC)")) }
                th scope="col" { (l.pick("Who", "Qui")) }
                th scope="col" { (l.pick("What", "Quoi")) }
                th scope="col" { (l.pick("On", "Sur")) }
                th scope="col" { (l.pick("Details", "Détails")) }
            } }
            tbody {
                @for r in &rows {
                    tr {
                        td { (r.id) } td { (pages::when(&r.at)) } td { (r.actor) } td { code { (r.action) } }
                        td { (r.subject) } td { code { (r.details.to_string()) } }
                    }
                }
            }
        }
    };
    pages::frame(
        l,
        l.pick("Audit log", "Journal d'audit"),
        Some(&user),
        "/console/audit",
        body,
    )
    .into_response()
}
