//! The read-only pages: inventory (filter by sport, day and venue) and account look-up
//! (holdings, draws and slot).

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::Deserialize;

use super::pages::{error_page, frame};
use super::session::StaffUser;
use crate::api::AppState;

/// Inventory filters; empty means all.
#[derive(Deserialize, Default)]
pub struct InventoryQuery {
    #[serde(default)]
    sport: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    venue: String,
}

/// Sessions shown at most on one page (the catalogue has 760; a filter narrows it).
const INVENTORY_ROWS: usize = 200;

pub async fn inventory(
    State(st): State<Arc<AppState>>,
    user: StaffUser,
    Query(q): Query<InventoryQuery>,
) -> Response {
    let l = user.lang;
    let read = async {
        Ok::<_, crate::store::StoreError>((
            st.backend.availability(None).await?,
            st.backend.lent_by_device().await?,
        ))
    }
    .await;
    let Ok((avail, holders)) = read else {
        return error_page(
            l,
            StatusCode::INTERNAL_SERVER_ERROR,
            l.pick(
                "The inventory could not be read; try again.",
                "L'inventaire n'a pas pu être lu ; réessayez.",
            ),
        );
    };
    let sessions: std::collections::HashMap<&str, &guichet_domain::catalogue::Session> = st
        .backend
        .catalogue()
        .sessions()
        .map(|s| (s.code.as_str(), s))
        .collect();
    let mut sports = std::collections::BTreeSet::new();
    let mut days = std::collections::BTreeSet::new();
    let mut venues = std::collections::BTreeSet::new();
    for s in sessions.values() {
        sports.insert(s.sport.clone());
        venues.insert(s.venue_name.clone());
        days.insert(
            s.start
                .to_zoned(jiff::tz::TimeZone::fixed(s.utc_offset))
                .date()
                .to_string(),
        );
    }
    let sport = q.sport.trim().to_lowercase();
    let venue = q.venue.trim().to_lowercase();
    let mut rows: Vec<_> = avail
        .iter()
        .filter_map(|a| {
            let s = *sessions.get(a.session.as_str())?;
            let day = s
                .start
                .to_zoned(jiff::tz::TimeZone::fixed(s.utc_offset))
                .date()
                .to_string();
            let keep = (sport.is_empty() || s.sport.to_lowercase().contains(&sport))
                && (venue.is_empty() || s.venue_name.to_lowercase().contains(&venue))
                && (q.day.trim().is_empty() || day == q.day.trim());
            keep.then_some((s, day, a))
        })
        .collect();
    rows.sort_by(|x, y| {
        (x.1.as_str(), x.2.session.as_str(), x.2.category.as_str()).cmp(&(
            y.1.as_str(),
            y.2.session.as_str(),
            y.2.category.as_str(),
        ))
    });
    let more = rows.len().saturating_sub(INVENTORY_ROWS * 4);
    rows.truncate(INVENTORY_ROWS * 4);
    let body = html! {
        form.inline method="get" action="/console/inventory" {
            (choice(l, "sport", l.pick("Sport", "Sport"), &sports, &q.sport))
            (choice(l, "day", l.pick("Day", "Jour"), &days, &q.day))
            (choice(l, "venue", l.pick("Venue", "Site"), &venues, &q.venue))
            button type="submit" { (l.pick("Filter", "Filtrer")) }
        }
        table {
            thead { tr {
                th scope="col" { (l.pick("Day", "Jour")) }
                th scope="col" { (l.pick("Session", "Session")) }
                th scope="col" { (l.pick("Sport", "Sport")) }
                th scope="col" { (l.pick("Venue", "Site")) }
                th scope="col" { (l.pick("Category", "Catégorie")) }
                th scope="col" { (l.pick("Capacity", "Capacité")) }
                th scope="col" { (l.pick("Sold", "Vendus")) }
                th scope="col" { (l.pick("Lent (which devices)", "Prêtés (à quels appareils)")) }
                th scope="col" { (l.pick("Available", "Disponibles")) }
            } }
            tbody { @for (s, day, a) in &rows { tr {
                td { (day) } td { (a.session) } td { (s.sport) } td { (s.venue_name) } td { (a.category) }
                td { (a.capacity) } td { (a.sold) }
                td { (a.lent)
                    @if let Some(h) = holders.get(&(a.session.clone(), a.category.clone())) {
                        br; small { @for (i, (name, n)) in h.iter().enumerate() { @if i > 0 { ", " } (name) " " (n) } }
                    }
                }
                td { (a.available) }
            } } }
        }
        @if more > 0 { p { (more) " " (l.pick("more rows: narrow the filter.", "lignes de plus : affinez le filtre.")) } }
    };
    frame(
        l,
        l.pick("Inventory", "Inventaire"),
        Some(&user),
        "/console/inventory",
        body,
    )
    .into_response()
}

/// A filter as a select: "all", then each value; the one asked for is selected (a value
/// typed into the address that is not in the list is kept as an option of its own).
fn choice(
    l: super::session::Lang,
    name: &str,
    title: &str,
    values: &std::collections::BTreeSet<String>,
    asked: &str,
) -> maud::Markup {
    let asked = asked.trim();
    let known = values.iter().any(|v| v.eq_ignore_ascii_case(asked));
    html! {
        label for=(name) { (title) }
        select id=(name) name=(name) {
            option value="" selected[asked.is_empty()] { (l.pick("all", "tous")) }
            @if !asked.is_empty() && !known { option value=(asked) selected { (asked) } }
            @for v in values { option value=(v) selected[v.eq_ignore_ascii_case(asked)] { (v) } }
        }
    }
}

/// The account search.
#[derive(Deserialize, Default)]
pub struct AccountQuery {
    #[serde(default)]
    q: String,
}

pub async fn accounts(
    State(st): State<Arc<AppState>>,
    user: StaffUser,
    Query(q): Query<AccountQuery>,
) -> Response {
    let l = user.lang;
    let text = q.q.trim().to_string();
    let found = if text.is_empty() {
        Vec::new()
    } else {
        let found = async {
            let accounts = st.backend.search_accounts(text.clone()).await?;
            let mut found = Vec::with_capacity(accounts.len());
            for a in accounts {
                let orders = st.backend.account_orders(a.id.clone()).await?;
                found.push((a, orders));
            }
            Ok::<_, crate::store::StoreError>(found)
        };
        match found.await {
            Ok(v) => v,
            _ => {
                return error_page(
                    l,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    l.pick(
                        "The search failed; try again.",
                        "La recherche a échoué ; réessayez.",
                    ),
                )
            }
        }
    };
    let body = html! {
        form.inline method="get" action="/console/accounts" role="search" {
            label for="q" { (l.pick("Name, e-mail or account id", "Nom, e-mail ou numéro de compte")) }
            input #q name="q" type="search" value=(text);
            button type="submit" { (l.pick("Look up", "Chercher")) }
        }
        @if !text.is_empty() && found.is_empty() { p { (l.pick("No account matches.", "Aucun compte ne correspond.")) } }
        @for (a, orders) in &found {
            section aria-labelledby={ "acct-" (a.id) } {
                h2 id={ "acct-" (a.id) } { (a.name) " — " (a.id) }
                p { (a.email) " · " (a.country) @if let Some(c) = &a.club_number { " · Club " (c) } }
                p { (l.pick("Olympic tickets held", "Billets olympiques détenus")) ": " (a.olympic_held) " · "
                    (l.pick("Paralympic", "Paralympiques")) ": " (a.paralympic_held) }
                @if !a.held.is_empty() {
                    table {
                        thead { tr { th scope="col" { (l.pick("Session", "Session")) } th scope="col" { (l.pick("Tickets", "Billets")) } } }
                        tbody { @for h in &a.held { tr { td { (h.session) } td { (h.count) } } } }
                    }
                }
                @if !orders.is_empty() {
                    table {
                        caption { (l.pick("Orders", "Commandes")) }
                        thead { tr {
                            th scope="col" { (l.pick("Order", "Commande")) } th scope="col" { (l.pick("Sold (UTC)", "Vendue (UTC)")) }
                            th scope="col" { (l.pick("Kind", "Type")) } th scope="col" { (l.pick("Channel", "Canal")) }
                            th scope="col" { (l.pick("Device", "Appareil")) } th scope="col" { (l.pick("Total", "Total")) }
                            th scope="col" { (l.pick("Tickets valid / void", "Billets valables / annulés")) }
                        } }
                        tbody { @for o in orders { tr {
                            td { code { (o.id) } } td { (super::pages::when(&o.sold_at)) } td { (o.kind) } td { (o.channel) }
                            td { (o.device.as_deref().unwrap_or("—")) }
                            td { (format!("{}.{:02} €", o.total_cents / 100, o.total_cents % 100)) }
                            td { (o.valid) " / " (o.void) }
                        } } }
                    }
                }
                @if !a.draws.is_empty() {
                    table {
                        thead { tr {
                            th scope="col" { (l.pick("Draw", "Tirage")) } th scope="col" { (l.pick("Status", "Statut")) }
                            th scope="col" { (l.pick("Slot", "Créneau")) }
                        } }
                        tbody { @for d in &a.draws { tr {
                            td { (d.draw) } td { (d.status) }
                            td { (d.slot_start.as_deref().unwrap_or("—")) " – " (d.slot_end.as_deref().unwrap_or("")) }
                        } } }
                    }
                }
            }
        }
    };
    frame(
        l,
        l.pick("Accounts", "Comptes"),
        Some(&user),
        "/console/accounts",
        body,
    )
    .into_response()
}
