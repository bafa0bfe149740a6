//! Who is signed in: the session cookie, the CSRF token every form carries, the role a page
//! needs, and the language the pages speak.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE, LOCATION};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::api::AppState;
use crate::store::staff::{Role, Staff};

/// The session cookie.
pub const SESSION_COOKIE: &str = "guichet_session";
/// The cookie of the sign-in form's CSRF token (before there is a session).
pub const PRE_COOKIE: &str = "guichet_pre";
/// The language cookie.
pub const LANG_COOKIE: &str = "guichet_lang";

/// The console's two languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// French.
    Fr,
}

impl Lang {
    /// The text in this language.
    pub fn pick<'a>(self, en: &'a str, fr: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Fr => fr,
        }
    }
    /// `en` or `fr`.
    pub fn code(self) -> &'static str {
        self.pick("en", "fr")
    }
    fn parse(s: &str) -> Option<Lang> {
        match s {
            "en" => Some(Lang::En),
            "fr" => Some(Lang::Fr),
            _ => None,
        }
    }
    /// `?lang=` first, then the cookie, then the browser's Accept-Language; English otherwise.
    pub fn of(parts: &Parts) -> Lang {
        Lang::from(parts.uri.query(), &parts.headers)
    }
    /// As [`Lang::of`], from the query string and the headers.
    pub fn from(query: Option<&str>, headers: &HeaderMap) -> Lang {
        let query = query.unwrap_or("");
        let asked = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("lang="))
            .and_then(Lang::parse);
        asked
            .or_else(|| cookie(headers, LANG_COOKIE).and_then(|v| Lang::parse(&v)))
            .or_else(|| {
                let accept = headers.get(ACCEPT_LANGUAGE)?.to_str().ok()?;
                accept.trim_start().starts_with("fr").then_some(Lang::Fr)
            })
            .unwrap_or(Lang::En)
    }
}

/// A cookie's value from the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name).then(|| v.to_string())
        })
}

/// `Set-Cookie` for a console cookie: HttpOnly, SameSite=Strict, and Secure when the request
/// came over TLS (the proxy in front says `X-Forwarded-Proto: https`).
pub fn set_cookie(headers: &HeaderMap, name: &str, value: &str, max_age_s: i64) -> String {
    let tls = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|p| p.eq_ignore_ascii_case("https"));
    let secure = if tls { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_s}{secure}")
}

/// A 302 to the sign-in page: what every console page answers without a session.
pub fn to_sign_in() -> Response {
    (StatusCode::FOUND, [(LOCATION, "/console/sign-in")]).into_response()
}

/// The signed-in staff member of a request (else 302 to sign-in).
pub struct StaffUser {
    /// Who.
    pub staff: Staff,
    /// The session's CSRF token, put in every form of the page.
    pub csrf: String,
    /// The session cookie's token (for sign-out).
    pub token: String,
    /// The page's language.
    pub lang: Lang,
}

impl FromRequestParts<Arc<AppState>> for StaffUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Response> {
        let lang = Lang::of(parts);
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_sign_in());
        };
        let found = state
            .backend
            .staff_session(token.clone(), state.clock.now())
            .await;
        match found {
            Ok(Some(s)) => Ok(StaffUser {
                staff: s.staff,
                csrf: s.csrf,
                token,
                lang,
            }),
            Ok(None) => Err(to_sign_in()),
            Err(e) => {
                tracing::error!(error = %e, "console session look-up failed");
                Err(super::pages::error_page(
                    lang,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    lang.pick(
                        "The server could not complete this; it is logged — try again.",
                        "Le serveur n'a pas pu terminer ; c'est journalisé — réessayez.",
                    ),
                ))
            }
        }
    }
}

impl StaffUser {
    /// The refusal (403) of a staff member below `role`; `None` when the role is enough.
    pub fn below(&self, role: Role) -> Option<Response> {
        if self.staff.role >= role {
            return None;
        }
        let l = self.lang;
        let msg = format!(
            "{} {} ({}: {}).",
            l.pick("This needs the role", "Il faut le rôle"),
            role.as_str(),
            l.pick("yours is", "le vôtre est"),
            self.staff.role.as_str()
        );
        Some(super::pages::error_page(l, StatusCode::FORBIDDEN, &msg))
    }
}

/// A form posted by a signed-in staff member whose `csrf` field matches the session's: else
/// 302 to sign-in (no session) or 403 (no or wrong token), before the form is even read.
pub struct CsrfForm<T> {
    /// Who posted it.
    pub user: StaffUser,
    /// The form's fields.
    pub form: T,
}

/// Equal in constant time (a CSRF token compared byte by byte leaks nothing by its timing).
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The `csrf` field of a urlencoded body, if any.
pub fn csrf_field(body: &[u8]) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    pairs.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v)
}

impl<T: DeserializeOwned> FromRequest<Arc<AppState>> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &Arc<AppState>) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let user = StaffUser::from_request_parts(&mut parts, state).await?;
        let l = user.lang;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let sent = csrf_field(&bytes).unwrap_or_default();
        if !same(&sent, &user.csrf) {
            return Err(super::pages::error_page(
                l,
                StatusCode::FORBIDDEN,
                l.pick(
                    "This form has no valid CSRF token (rule csrf_token): reload the page and send it again.",
                    "Ce formulaire n'a pas de jeton CSRF valable (règle csrf_token) : rechargez la page et renvoyez-le.",
                ),
            ));
        }
        let form = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| super::pages::error_page(l, StatusCode::BAD_REQUEST, &e.to_string()))?;
        Ok(CsrfForm { user, form })
    }
}
