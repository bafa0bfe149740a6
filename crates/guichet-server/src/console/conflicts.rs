//! The conflicts page: each offline sale the server found over a limit, with the limits and
//! their numbers and the tickets involved; a supervisor keeps it or voids and refunds it.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use serde::Deserialize;

use super::pages::{after_action, error_page, frame, when};
use super::session::{CsrfForm, Lang, StaffUser};
use crate::api::AppState;
use crate::store::staff::Role;
use crate::store::{ConflictRow, Decision};

/// The broken limits of a conflict, in the page's language, with their numbers.
fn limits(l: Lang, c: &ConflictRow) -> Markup {
    let empty = Vec::new();
    let violations = c.details["violations"].as_array().unwrap_or(&empty);
    let beyond = c.details["beyond_allotment"].as_i64().unwrap_or(0);
    html! {
        ul {
            @for v in violations {
                li {
                    code { (v["code"].as_str().unwrap_or("")) } " "
                    (v[l.code()].as_str().or(v["en"].as_str()).unwrap_or(""))
                    @if let Some(d) = v.get("details") { br; small { code { (d.to_string()) } } }
                }
            }
            @if beyond > 0 {
                li { (beyond) " " (l.pick("seats beyond the desk's allotment", "places au-delà du contingent du guichet")) }
            }
        }
    }
}

pub async fn page(State(st): State<Arc<AppState>>, user: StaffUser) -> Response {
    let l = user.lang;
    let Ok(rows) = st.backend.console_conflicts(true).await else {
        return error_page(
            l,
            StatusCode::INTERNAL_SERVER_ERROR,
            l.pick(
                "The conflicts could not be read; try again.",
                "Les conflits n'ont pas pu être lus ; réessayez.",
            ),
        );
    };
    let may = user.staff.role >= Role::Supervisor;
    let body = html! {
        p { (l.pick("Offline sales the server found over a limit when they were pushed. The fan holds the tickets until a supervisor decides.", "Ventes hors ligne que le serveur a trouvées au-delà d'une limite à leur envoi. Le client détient les billets jusqu'à la décision d'un superviseur.")) }
        @if rows.is_empty() { p.ok { (l.pick("No conflict.", "Aucun conflit.")) } }
        @for c in &rows {
            section aria-labelledby={ "conflict-" (c.id) } {
                h2 id={ "conflict-" (c.id) } { (l.pick("Conflict", "Conflit")) " " (c.id) }
                table {
                    tbody {
                        tr { th scope="row" { (l.pick("Desk", "Guichet")) } td { (c.device_name) " " small { code { (c.device_id) } } } }
                        tr { th scope="row" { (l.pick("Account", "Compte")) } td { (c.account_id) } }
                        tr { th scope="row" { (l.pick("Order", "Commande")) } td { code { (c.order_id) } } }
                        tr { th scope="row" { (l.pick("Recorded (UTC)", "Enregistré (UTC)")) } td { (when(&c.recorded_at)) } }
                        tr { th scope="row" { (l.pick("Limits broken (server's numbers)", "Limites dépassées (chiffres du serveur)")) } td { (limits(l, c)) } }
                        tr { th scope="row" { (l.pick("Tickets", "Billets")) } td {
                            ul { @for (id, session, cat, status) in &c.tickets { li { code { (id) } " " (session) " " (cat) " — " (status) } } }
                        } }
                    }
                }
                @if let Some((decision, by, reason, at)) = &c.resolution {
                    p.ok { (l.pick("Resolved", "Résolu")) ": " (decision) " — " (by) ", " (when(at)) " — " (reason) }
                } @else if may {
                    form.inline method="post" action={ "/console/conflicts/" (c.id) "/resolve" } {
                        input type="hidden" name="csrf" value=(user.csrf);
                        label for={ "decision-" (c.id) } { (l.pick("Decision", "Décision")) }
                        select id={ "decision-" (c.id) } name="decision" {
                            option value="keep" { (l.pick("Keep the sale", "Garder la vente")) }
                            option value="void" { (l.pick("Void and refund", "Annuler et rembourser")) }
                        }
                        label for={ "why-" (c.id) } { (l.pick("Why", "Pourquoi")) }
                        input id={ "why-" (c.id) } name="reason" type="text" required;
                        button type="submit" { (l.pick("Resolve", "Résoudre")) }
                    }
                }
            }
        }
    };
    frame(
        l,
        l.pick("Conflicts", "Conflits"),
        Some(&user),
        "/console/conflicts",
        body,
    )
    .into_response()
}

#[derive(Deserialize)]
pub struct ResolveForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

pub async fn resolve(
    State(st): State<Arc<AppState>>,
    Path(id): Path<i64>,
    f: CsrfForm<ResolveForm>,
) -> Response {
    if let Some(r) = f.user.below(Role::Supervisor) {
        return r;
    }
    let l = f.user.lang;
    let decision = match f.form.decision.as_str() {
        "keep" => Decision::Keep,
        "void" => Decision::VoidAndRefund,
        other => {
            let msg = format!(
                "decision {other:?}: {}",
                l.pick("expected keep or void", "attendu keep ou void")
            );
            return error_page(l, StatusCode::UNPROCESSABLE_ENTITY, &msg);
        }
    };
    let who = f.user.staff.username.clone();
    let done = st
        .backend
        .resolve_conflict(id, decision, f.form.reason, who, st.clock.now())
        .await;
    after_action(
        l,
        done,
        "/console/conflicts",
        "resolve",
        (
            "The conflict could not be resolved; it is logged — try again.",
            "Le conflit n'a pas pu être résolu ; c'est journalisé — réessayez.",
        ),
    )
}
