//! The console's page frame, its sign-in page and its error page (maud: HTML written in Rust,
//! escaped by default, checked when the server is compiled).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};

use super::session::{Lang, StaffUser};

/// The links of the console's menu: (path, English, French).
const MENU: &[(&str, &str, &str)] = &[
    ("/console/overview", "Overview", "Vue d'ensemble"),
    ("/console/devices", "Devices", "Appareils"),
    ("/console/conflicts", "Conflicts", "Conflits"),
    ("/console/inventory", "Inventory", "Inventaire"),
    ("/console/accounts", "Accounts", "Comptes"),
    ("/console/draws", "Draws", "Tirages"),
    ("/console/audit", "Audit log", "Journal d'audit"),
];

/// A page: head, menu with who is signed in and the language switch, then `body`.
pub fn frame(
    lang: Lang,
    title: &str,
    user: Option<&StaffUser>,
    here: &str,
    body: Markup,
) -> Markup {
    let other = lang.pick("fr", "en");
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — Guichet" }
                link rel="stylesheet" href="/assets/console.css";
            }
            body {
                header {
                    a.brand href="/console/overview" { "Guichet" }
                    @if let Some(u) = user {
                        nav aria-label=(lang.pick("Console", "Console")) {
                            ul {
                                @for (path, en, fr) in MENU {
                                    li {
                                        @if *path == here {
                                            a href=(path) aria-current="page" { (lang.pick(en, fr)) }
                                        } @else {
                                            a href=(path) { (lang.pick(en, fr)) }
                                        }
                                    }
                                }
                            }
                        }
                        form.signout method="post" action="/console/sign-out" {
                            input type="hidden" name="csrf" value=(u.csrf);
                            span { (u.staff.username) " (" (u.staff.role.as_str()) ")" }
                            button type="submit" { (lang.pick("Sign out", "Se déconnecter")) }
                        }
                    }
                    a.lang href={ (here) "?lang=" (other) } lang=(other) {
                        (lang.pick("Français", "English"))
                    }
                }
                main { h1 { (title) } (body) }
            }
        }
    }
}

/// An RFC 3339 instant as the console shows it: to the second, `T` as a space
/// (`2024-01-10 09:00:04`); anything else as it is.
pub fn when(s: &str) -> String {
    match s.get(..19) {
        Some(head) if s.as_bytes().get(10) == Some(&b'T') => head.replacen('T', " ", 1),
        _ => s.to_string(),
    }
}

/// A page that says what went wrong, with its status.
pub fn error_page(lang: Lang, status: StatusCode, message: &str) -> Response {
    let title = match status {
        StatusCode::FORBIDDEN => lang.pick("Not allowed", "Non autorisé"),
        StatusCode::NOT_FOUND => lang.pick("Not found", "Introuvable"),
        _ => lang.pick("Something went wrong", "Une erreur s'est produite"),
    };
    let body = html! {
        p.error role="alert" { (message) }
        p { a href="/console/devices" { (lang.pick("Back to the console", "Retour à la console")) } }
    };
    (status, frame(lang, title, None, "/console/devices", body)).into_response()
}

/// The sign-in page; `problem` is the last attempt's refusal.
pub fn sign_in(lang: Lang, csrf: &str, problem: Option<&str>) -> Markup {
    let body = html! {
        @if let Some(p) = problem {
            p.error role="alert" { (p) }
        }
        form method="post" action="/console/sign-in" {
            input type="hidden" name="csrf" value=(csrf);
            p {
                label for="username" { (lang.pick("Username", "Identifiant")) }
                input #username name="username" type="text" autocomplete="username" required;
            }
            p {
                label for="password" { (lang.pick("Password", "Mot de passe")) }
                input #password name="password" type="password" autocomplete="current-password" required;
            }
            button type="submit" { (lang.pick("Sign in", "Se connecter")) }
        }
    };
    frame(
        lang,
        lang.pick("Sign in", "Connexion"),
        None,
        "/console/sign-in",
        body,
    )
}

/// The answer to a console action run on the store: back to `to` when it is done; the store's
/// refusal as a 422 page in its own words; anything else logged (with `what`) and answered 500
/// with `failed`, which says it is logged.
pub fn after_action<T>(
    lang: Lang,
    done: crate::store::Result<T>,
    to: &'static str,
    what: &str,
    failed: (&str, &str),
) -> Response {
    use crate::store::StoreError;
    match done {
        Ok(_) => (StatusCode::SEE_OTHER, [(axum::http::header::LOCATION, to)]).into_response(),
        Err(e @ (StoreError::NotFound(_) | StoreError::Conflict(_) | StoreError::Invalid(_))) => {
            error_page(lang, StatusCode::UNPROCESSABLE_ENTITY, &e.to_string())
        }
        Err(e) => {
            tracing::error!(error = %e, "console: {what} failed");
            error_page(
                lang,
                StatusCode::INTERNAL_SERVER_ERROR,
                lang.pick(failed.0, failed.1),
            )
        }
    }
}
