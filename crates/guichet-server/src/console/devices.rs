//! The devices page: every desk and kiosk, its allotment and last push; revoke one; the
//! seats revoked devices still hold (at risk) and what their tokens asked since.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::Deserialize;

use super::pages::{after_action, error_page, frame, when};
use super::session::{CsrfForm, StaffUser};
use crate::api::AppState;
use crate::backend::SettleAtRisk;
use crate::store::staff::Role;
use crate::store::{Settlement, StoreError};

pub async fn page(State(st): State<Arc<AppState>>, user: StaffUser) -> Response {
    let l = user.lang;
    let b = &st.backend;
    let read = async {
        Ok::<_, StoreError>((
            b.console_devices().await?,
            b.allotments_at_risk().await?,
            b.device_refusals().await?,
            b.devices_sync().await?,
        ))
    }
    .await;
    let Ok((devices, at_risk, refusals, sync)) = read else {
        return error_page(
            l,
            StatusCode::INTERNAL_SERVER_ERROR,
            l.pick(
                "The devices could not be read; try again.",
                "Les appareils n'ont pas pu être lus ; réessayez.",
            ),
        );
    };
    let may_revoke = user.staff.role >= Role::Supervisor;
    let may_enrol = user.staff.role >= Role::Admin;
    let body = html! {
        @if may_enrol {
            form.inline method="post" action="/console/devices/enrolment-code" {
                input type="hidden" name="csrf" value=(user.csrf);
                label for="kind" { (l.pick("New device of kind", "Nouvel appareil de type")) }
                select #kind name="kind" {
                    option value="box-office" { (l.pick("box office", "guichet")) }
                    option value="kiosk" { (l.pick("kiosk", "borne")) }
                }
                button type="submit" { (l.pick("Make an enrolment code", "Créer un code d'enrôlement")) }
            }
        }
        p {
            (l.pick("Gate lists:", "Listes des portes :")) " "
            a href="/console/gate-lists/keys.json" download { "keys.json" } " · "
            a href="/console/gate-lists/revoked.json" download { "revoked.json" }
        }
        table {
            caption { (l.pick("Enrolled devices", "Appareils enrôlés")) }
            thead { tr {
                th scope="col" { (l.pick("Name, kind", "Nom, type")) }
                th scope="col" { (l.pick("Enrolled (UTC)", "Enrôlé (UTC)")) }
                th scope="col" { (l.pick("Last push (UTC)", "Dernier envoi (UTC)")) }
                th scope="col" { (l.pick("App version", "Version de l'appli")) }
                th scope="col" { (l.pick("Sync lag", "Retard de synchro")) }
                th scope="col" { (l.pick("Waiting at last push", "En attente au dernier envoi")) }
                th scope="col" { (l.pick("Events refused", "Événements refusés")) }
                th scope="col" { (l.pick("Allotment held", "Contingent détenu")) }
                th scope="col" { (l.pick("State", "État")) }
            } }
            tbody {
                @for d in &devices {
                    tr {
                        td {
                            (d.name) " · " (match d.kind.as_str() { "kiosk" => l.pick("kiosk", "borne"), _ => l.pick("box office", "guichet") })
                            br; small.id { code { (d.id) } }
                        }
                        @let y = sync.get(&d.id).cloned().unwrap_or_default();
                        td { (when(&d.enrolled_at)) }
                        td { (d.last_push.as_deref().map(when).unwrap_or_else(|| "—".into())) }
                        td { (y.app_version.as_deref().unwrap_or("—")) }
                        td { @if let Some(s) = y.last_event_lag_s { (lag(s)) } @else { "—" } }
                        td {
                            @if let Some((w, b)) = y.waiting_at_push {
                                (w) br; small { (l.pick("batch of", "lot de")) " " (b) }
                            } @else { "—" }
                        }
                        td { (y.rejected) }
                        td { (d.allotment) }
                        td {
                            @if let Some((after, reason)) = &d.revoked {
                                span.revoked { (l.pick("Revoked as of", "Révoqué depuis")) " " (when(after)) } br; (reason)
                            } @else if may_revoke {
                                form.inline method="post" action={ "/console/devices/" (d.id) "/revoke" } {
                                    input type="hidden" name="csrf" value=(user.csrf);
                                    label for={ "reason-" (d.id) } { (l.pick("Reason", "Motif")) }
                                    input id={ "reason-" (d.id) } name="reason" type="text" required;
                                    button.danger type="submit" { (l.pick("Revoke", "Révoquer")) }
                                }
                            } @else {
                                (l.pick("Active", "Actif"))
                            }
                        }
                    }
                }
            }
        }
        h2 { (l.pick("Seats at risk", "Places à risque")) }
        p { (l.pick("Seats a revoked device still held: it may have sold them offline, so they stay out of sale until a supervisor writes them off or returns them.", "Places qu'un appareil révoqué détenait encore : il a pu les vendre hors ligne, elles restent hors vente jusqu'à ce qu'un superviseur les passe en perte ou les rende.")) }
        @if at_risk.is_empty() {
            p.ok { (l.pick("No seat at risk.", "Aucune place à risque.")) }
        } @else {
            table {
                thead { tr {
                    th scope="col" { (l.pick("Device", "Appareil")) }
                    th scope="col" { (l.pick("Session", "Session")) }
                    th scope="col" { (l.pick("Category", "Catégorie")) }
                    th scope="col" { (l.pick("Seats", "Places")) }
                    @if may_revoke { th scope="col" { (l.pick("Decision", "Décision")) } }
                } }
                tbody { @for a in &at_risk { tr {
                    td { (a.device_name) } td { (a.session) } td { (a.category) } td { (a.seats) }
                    @if may_revoke { td {
                        @let key = format!("{}-{}-{}", a.device_id, a.session, a.category);
                        form.inline method="post" action={ "/console/devices/" (a.device_id) "/settle" } {
                            input type="hidden" name="csrf" value=(user.csrf);
                            input type="hidden" name="session" value=(a.session);
                            input type="hidden" name="category" value=(a.category);
                            label for={ "action-" (key) } { (l.pick("Action", "Action")) }
                            select id={ "action-" (key) } name="action" {
                                option value="write_off" { (l.pick("Write off", "Passer en perte")) }
                                option value="return" { (l.pick("Return to the pool", "Remettre en vente")) }
                            }
                            label for={ "seats-" (key) } { (l.pick("Seats", "Places")) }
                            input id={ "seats-" (key) } name="seats" type="number" min="1" max=(a.seats) value=(a.seats) required;
                            label for={ "why-" (key) } { (l.pick("Why", "Pourquoi")) }
                            input id={ "why-" (key) } name="reason" type="text" required;
                            button type="submit" { (l.pick("Settle", "Régler")) }
                        }
                    } }
                } } }
            }
        }
        h2 { (l.pick("Refused requests of revoked devices", "Requêtes refusées d'appareils révoqués")) }
        @if refusals.is_empty() {
            p { (l.pick("None.", "Aucune.")) }
        } @else {
            table {
                thead { tr {
                    th scope="col" { (l.pick("Device", "Appareil")) }
                    th scope="col" { (l.pick("Refused", "Refusées")) }
                    th scope="col" { (l.pick("Last (UTC)", "Dernière (UTC)")) }
                    th scope="col" { (l.pick("Reason", "Motif")) }
                } }
                tbody { @for f in &refusals { tr {
                    td { code { (f.device_id) } } td { (f.count) }
                    td { (when(&f.last_at.to_string())) " " code { (f.last_request) } } td { (f.reason) }
                } } }
            }
        }
    };
    frame(
        l,
        l.pick("Devices", "Appareils"),
        Some(&user),
        "/console/devices",
        body,
    )
    .into_response()
}

/// How late a device's last event reached the server, in words.
fn lag(s: i64) -> String {
    match s {
        ..=59 => format!("{} s", s.max(0)),
        60..=3599 => format!("{} min", s / 60),
        _ => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}

#[derive(Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    reason: String,
}

pub async fn revoke(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    f: CsrfForm<RevokeForm>,
) -> Response {
    if let Some(r) = f.user.below(Role::Supervisor) {
        return r;
    }
    let l = f.user.lang;
    let who = f.user.staff.username.clone();
    let now = st.clock.now();
    let done = st
        .backend
        .revoke_device(id, f.form.reason, now, who, now)
        .await;
    after_action(
        l,
        done,
        "/console/devices",
        "revoke",
        (
            "The device could not be revoked; it is logged — try again.",
            "L'appareil n'a pas pu être révoqué ; c'est journalisé — réessayez.",
        ),
    )
}

#[derive(Deserialize)]
pub struct SettleForm {
    #[serde(default)]
    session: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    seats: u32,
    #[serde(default)]
    reason: String,
}

pub async fn settle(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
    f: CsrfForm<SettleForm>,
) -> Response {
    if let Some(r) = f.user.below(Role::Supervisor) {
        return r;
    }
    let l = f.user.lang;
    let action = match f.form.action.as_str() {
        "write_off" => Settlement::WriteOff,
        "return" => Settlement::Return,
        other => {
            let msg = format!(
                "action {other:?}: {}",
                l.pick(
                    "expected write_off or return",
                    "attendu write_off ou return"
                )
            );
            return error_page(l, StatusCode::UNPROCESSABLE_ENTITY, &msg);
        }
    };
    let who = f.user.staff.username.clone();
    let form = f.form;
    let decision = SettleAtRisk {
        device: id,
        session: form.session,
        category: form.category,
        action,
        seats: form.seats,
        reason: form.reason,
    };
    let done = st
        .backend
        .settle_at_risk(decision, who, st.clock.now())
        .await;
    after_action(
        l,
        done,
        "/console/devices",
        "settle",
        (
            "The seats could not be settled; it is logged — try again.",
            "Les places n'ont pas pu être réglées ; c'est journalisé — réessayez.",
        ),
    )
}
