//! The draws page: each draw's commitment, registration count, closed list's fingerprint,
//! waves run and notices sent, waiting and failed. Admins run the next wave (the secret file
//! `guichet-server draw commit` wrote, on the server, and the beacon round's signature) and
//! verify a wave's stored transcript against the registration list; both are audited.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::Deserialize;

use super::pages::{error_page, frame, when};
use super::session::{CsrfForm, StaffUser};
use crate::api::AppState;
use crate::store::staff::Role;
use crate::store::StoreError;

pub async fn page(State(st): State<Arc<AppState>>, user: StaffUser) -> Response {
    let l = user.lang;
    let read = async {
        let mut draws = Vec::new();
        for d in &st.draws.config().draws {
            draws.push((d.clone(), st.draws.draw_summary(d.id.clone()).await?));
        }
        Ok::<_, StoreError>(draws)
    }
    .await;
    let Ok(draws) = read else {
        return error_page(
            l,
            StatusCode::INTERNAL_SERVER_ERROR,
            l.pick(
                "The draws could not be read; try again.",
                "Les tirages n'ont pas pu être lus ; réessayez.",
            ),
        );
    };
    let admin = user.staff.role >= Role::Admin;
    let body = html! {
        @if draws.is_empty() { p { (l.pick("This sale has no draw.", "Cette vente n'a pas de tirage.")) } }
        @for (d, s) in &draws {
            section aria-labelledby={ "draw-" (d.id) } {
                h2 id={ "draw-" (d.id) } { (l.pick(&d.name_en, &d.name_fr)) " " small { code { (d.id) } } }
                table { tbody {
                    tr { th scope="row" { (l.pick("Registration (UTC)", "Inscriptions (UTC)")) }
                         td { (when(&d.registration_opens.to_string())) " – " (when(&d.registration_closes.to_string())) } }
                    tr { th scope="row" { (l.pick("Registrations", "Inscriptions")) } td.registrations { (s.registrations) } }
                    tr { th scope="row" { (l.pick("Commitment (SHA-256 of the secret)", "Engagement (SHA-256 du secret)")) } td {
                        @if let Some((c, chain, round, at)) = &s.commitment {
                            code.hash { (c) } br; small { (l.pick("beacon", "balise")) " " code { (chain.get(..12).unwrap_or(chain)) "…" } " " (l.pick("round", "tour")) " " (round) " · " (when(at)) }
                        } @else { (l.pick("not committed yet", "pas encore engagé")) }
                    } }
                    tr { th scope="row" { (l.pick("Closed list: fingerprint", "Liste close : empreinte")) } td {
                        @if let Some((f, n, at)) = &s.closed {
                            code.hash { (f) } br; small { (n) " " (l.pick("registrations", "inscriptions")) " · " (when(at)) }
                        } @else { (l.pick("not closed yet", "pas encore close")) }
                    } }
                    tr { th scope="row" { (l.pick("Notices", "Avis")) } td {
                        (l.pick("sent", "envoyés")) " " (s.notices.get("sent").copied().unwrap_or(0)) " · "
                        (l.pick("waiting", "en attente")) " " (s.notices.get("pending").copied().unwrap_or(0) + s.notices.get("sending").copied().unwrap_or(0)) " · "
                        (l.pick("failed", "en échec")) " " (s.notices.get("failed").copied().unwrap_or(0))
                    } }
                } }
                @if !s.waves.is_empty() {
                    table {
                        thead { tr {
                            th scope="col" { (l.pick("Wave", "Vague")) } th scope="col" { (l.pick("Winners", "Gagnants")) }
                            th scope="col" { (l.pick("Results hash", "Empreinte des résultats")) } th scope="col" { (l.pick("Run (UTC)", "Tiré (UTC)")) }
                            @if admin { th scope="col" { (l.pick("Check", "Vérifier")) } }
                        } }
                        tbody { @for (w, n, h, at) in &s.waves { tr {
                            td { (w) } td { (n) } td { code.hash { (h) } } td { (when(at)) }
                            @if admin { td {
                                form method="post" action={ "/console/draws/" (d.id) "/verify" } {
                                    input type="hidden" name="csrf" value=(user.csrf);
                                    input type="hidden" name="wave" value=(w);
                                    button type="submit" { (l.pick("Verify", "Vérifier")) " " (w) }
                                }
                            } }
                        } } }
                    }
                }
                @if admin && s.closed.is_some() {
                    form.inline method="post" action={ "/console/draws/" (d.id) "/run" } {
                        input type="hidden" name="csrf" value=(user.csrf);
                        label for={ "secret-" (d.id) } { (l.pick("Secret file on the server", "Fichier du secret sur le serveur")) }
                        input id={ "secret-" (d.id) } name="secret" type="text" required;
                        label for={ "sig-" (d.id) } { (l.pick("Beacon signature (hex)", "Signature de la balise (hex)")) }
                        input id={ "sig-" (d.id) } name="signature" type="text" required;
                        button type="submit" { (l.pick("Run the next wave", "Tirer la vague suivante")) }
                    }
                }
            }
        }
    };
    frame(
        l,
        l.pick("Draws", "Tirages"),
        Some(&user),
        "/console/draws",
        body,
    )
    .into_response()
}

/// The secret in the file `draw commit` wrote: 64 hex characters. Nothing of another file is
/// ever shown back (the page must not read the server's files for whoever is an admin).
fn read_secret(path: &str) -> Result<[u8; 32], String> {
    let not_secret = || {
        format!(
            "{path:?} is not a secret file as `guichet-server draw commit` writes it (64 hex characters): give that file's path on the server"
        )
    };
    let meta = std::fs::metadata(path).map_err(|e| {
        format!("cannot read the secret file {path:?} ({e}): give the path `draw commit` wrote on the server")
    })?;
    if !meta.is_file() || meta.len() > 256 {
        return Err(not_secret());
    }
    let text = std::fs::read_to_string(path).map_err(|_| not_secret())?;
    let t = text.trim();
    if t.len() != 64 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(not_secret());
    }
    guichet_draw::hex::decode32(t, "secret file").map_err(|_| not_secret())
}

#[derive(Deserialize)]
pub struct RunForm {
    #[serde(default)]
    secret: String,
    #[serde(default)]
    signature: String,
}

/// Runs the draw's next wave (admin), as `guichet-server draw run` does.
pub async fn run(
    State(st): State<Arc<AppState>>,
    Path(draw): Path<String>,
    f: CsrfForm<RunForm>,
) -> Response {
    if let Some(r) = f.user.below(Role::Admin) {
        return r;
    }
    let l = f.user.lang;
    let who = f.user.staff.username.clone();
    let path = f.form.secret.trim().to_string();
    let done = async {
        // The secret file is read on a blocking thread: it is on the server's disk.
        let secret = tokio::task::spawn_blocking(move || read_secret(&path))
            .await
            .map_err(|e| format!("the secret file could not be read: {e}"))??;
        let sig = guichet_draw::hex::decode(f.form.signature.trim(), "signature")
            .map_err(|e| e.to_string())?;
        let now = st.clock.now();
        let t = st
            .draws
            .run_draw(draw.clone(), secret, sig, None, None, now)
            .await
            .map_err(|e| e.to_string())?;
        let facts =
            serde_json::json!({"wave": t.wave, "count": t.count, "results_hash": t.results_hash});
        st.backend
            .record_audit(who, "draw.run".into(), draw.clone(), facts, now)
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>(format!(
            "{draw}: wave {} run on {} registrations; results hash {}",
            t.wave, t.count, t.results_hash
        ))
    }
    .await;
    answer(l, done, &f.user)
}

#[derive(Deserialize)]
pub struct VerifyForm {
    #[serde(default)]
    wave: u32,
}

/// Recomputes a wave's stored transcript from the registration list (admin): MATCH, or the
/// first field that differs.
pub async fn verify(
    State(st): State<Arc<AppState>>,
    Path(draw): Path<String>,
    f: CsrfForm<VerifyForm>,
) -> Response {
    if let Some(r) = f.user.below(Role::Admin) {
        return r;
    }
    let l = f.user.lang;
    let who = f.user.staff.username.clone();
    let wave = f.form.wave;
    let done = async {
        let text = st
            .draws
            .draw_transcript(draw.clone(), wave)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("{draw} has no wave {wave}: run it first"))?;
        let t = guichet_draw::Transcript::from_json(&text).map_err(|e| e.to_string())?;
        let regs = st
            .draws
            .draw_registrations(draw.clone())
            .await
            .map_err(|e| e.to_string())?;
        let v = guichet_draw::verify(&t, &regs).map_err(|e| e.to_string())?;
        let facts = serde_json::json!({"wave": wave, "verdict": v.to_string()});
        st.backend
            .record_audit(
                who,
                "draw.verify".into(),
                draw.clone(),
                facts,
                st.clock.now(),
            )
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>(format!("{draw} wave {wave}: {v}"))
    }
    .await;
    answer(l, done, &f.user)
}

fn answer(l: super::session::Lang, done: Result<String, String>, user: &StaffUser) -> Response {
    match done {
        Ok(said) => {
            let body = html! {
                p.ok role="status" #draw-result { (said) }
                p { a href="/console/draws" { (l.pick("Back to the draws", "Retour aux tirages")) } }
            };
            frame(
                l,
                l.pick("Draws", "Tirages"),
                Some(user),
                "/console/draws",
                body,
            )
            .into_response()
        }
        Err(why) => error_page(l, StatusCode::UNPROCESSABLE_ENTITY, &why),
    }
}
