//! Enrolment codes made in the console (admins): shown as text and as a QR code (inline SVG)
//! the desk's camera or scanner reads. The code is shown once; only its hash is kept.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

use super::pages::{error_page, frame};
use super::session::CsrfForm;
use crate::api::AppState;
use crate::store::staff::Role;

/// The QR code of `text` as SVG: one square per dark module, a 4-module quiet zone.
pub fn qr_svg(text: &str) -> Option<String> {
    let code = guichet_tickets::qr_code(text).ok()?;
    let w = code.width();
    let size = w + 8;
    let mut path = String::new();
    for (i, c) in code.to_colors().into_iter().enumerate() {
        if c.select(true, false) {
            let (x, y) = (i % w + 4, i / w + 4);
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    Some(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="240" height="240" role="img" aria-label="QR"><rect width="{size}" height="{size}" fill="#fff"/><path d="{path}" fill="#000"/></svg>"##
    ))
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    kind: String,
}

pub async fn make_code(State(st): State<Arc<AppState>>, f: CsrfForm<CodeForm>) -> Response {
    if let Some(r) = f.user.below(Role::Admin) {
        return r;
    }
    let l = f.user.lang;
    let who = f.user.staff.username.clone();
    let kind = f.form.kind.clone();
    let now = st.clock.now();
    let done = async {
        let code = st.backend.new_enrolment_code(kind.clone(), now).await?;
        st.backend
            .record_audit(
                who,
                "device.enrolment_code".into(),
                kind,
                serde_json::json!({}),
                now,
            )
            .await?;
        Ok::<_, crate::store::StoreError>(code)
    }
    .await;
    let code = match done {
        Ok(c) => c,
        Err(e @ crate::store::StoreError::Invalid(_)) => {
            return error_page(l, StatusCode::UNPROCESSABLE_ENTITY, &e.to_string())
        }
        _ => {
            return error_page(
                l,
                StatusCode::INTERNAL_SERVER_ERROR,
                l.pick(
                    "No code could be made; try again.",
                    "Aucun code n'a pu être créé ; réessayez.",
                ),
            )
        }
    };
    let svg = qr_svg(&code).unwrap_or_default();
    let body: Markup = html! {
        p { (l.pick("Type this one-time code at the desk, or scan the QR code. It is shown only now.", "Saisissez ce code à usage unique au guichet, ou scannez le QR code. Il n'est affiché qu'une fois.")) }
        p { (l.pick("Kind", "Type")) ": " (match f.form.kind.as_str() { "kiosk" => l.pick("kiosk", "borne"), _ => l.pick("box office", "guichet") }) }
        p { code #enrolment-code { (code) } }
        figure { (PreEscaped(svg)) figcaption { (l.pick("Enrolment code as a QR code", "Code d'enrôlement en QR code")) } }
        p { a href="/console/devices" { (l.pick("Back to the devices", "Retour aux appareils")) } }
    };
    frame(
        l,
        l.pick("Enrolment code", "Code d'enrôlement"),
        Some(&f.user),
        "/console/devices",
        body,
    )
    .into_response()
}
