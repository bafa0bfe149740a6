//! The sale overview: the phase open now and the next ones; tickets sold, lent to devices and
//! available; sales by hour and by sport as bar charts (inline SVG drawn here: no script).

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use guichet_domain::{Games, OrderKind};
use maud::{html, Markup, PreEscaped};

use super::pages::{error_page, frame, when};
use super::session::{Lang, StaffUser};
use crate::api::AppState;
use crate::store::StoreError;

/// Escapes text for SVG.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A horizontal bar chart: one row per (label, value), the value written after its bar.
/// `title` names it for screen readers (the same numbers are in the table that follows).
pub fn bar_chart(title: &str, rows: &[(String, i64)]) -> String {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let (label_w, bar_w, row_h) = (190, 420, 22);
    let h = row_h * rows.len().max(1) + 8;
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{t}"><title>{t}</title>"##,
        w = label_w + bar_w + 60,
        t = esc(title)
    );
    for (i, (label, v)) in rows.iter().enumerate() {
        let y = 4 + i * row_h;
        let len = (*v as f64 / max as f64 * bar_w as f64).round().max(1.0) as usize;
        let _ = write!(
            svg,
            r##"<text x="{lx}" y="{ty}" text-anchor="end" font-size="13" fill="#1a1a1a">{l}</text><rect x="{bx}" y="{y}" width="{len}" height="{bh}" fill="#0b2a4a"/><text x="{vx}" y="{ty}" font-size="13" fill="#1a1a1a">{v}</text>"##,
            lx = label_w - 6,
            ty = y + 15,
            l = esc(label),
            bx = label_w,
            bh = row_h - 6,
            vx = label_w + len + 6,
        );
    }
    svg.push_str("</svg>");
    svg
}

fn phase_row(l: Lang, p: &guichet_domain::config::Phase) -> Markup {
    html! {
        tr {
            td { (l.pick(&p.name_en, &p.name_fr)) br; small { code { (p.id) } } }
            td { (when(&p.opens.to_string())) } td { (when(&p.closes.to_string())) }
            td {
                (match p.sells { OrderKind::Pack => l.pick("packs", "packs"), OrderKind::Single => l.pick("single tickets", "billets à l'unité") })
                " · "
                (match p.games { Games::Olympic => l.pick("Olympic", "olympiques"), Games::Paralympic => l.pick("Paralympic", "paralympiques") })
            }
        }
    }
}

pub async fn page(State(st): State<Arc<AppState>>, user: StaffUser) -> Response {
    let l = user.lang;
    let read = async {
        Ok::<_, StoreError>((
            st.backend.availability(None).await?,
            st.backend.sales_overview().await?,
        ))
    }
    .await;
    let Ok((avail, sales)) = read else {
        return error_page(
            l,
            StatusCode::INTERNAL_SERVER_ERROR,
            l.pick(
                "The sale could not be read; try again.",
                "La vente n'a pas pu être lue ; réessayez.",
            ),
        );
    };
    let now = st.clock.now();
    let phases = &st.draws.config().phases;
    let open: Vec<_> = phases.iter().filter(|p| p.is_open(now)).collect();
    let mut next: Vec<_> = phases.iter().filter(|p| p.opens > now).collect();
    next.sort_by_key(|p| p.opens);
    next.truncate(3);
    let sum = |f: fn(&guichet_wire::catalogue::AvailabilityDto) -> u32| -> u64 {
        avail.iter().map(|a| u64::from(f(a))).sum()
    };
    let (capacity, sold, lent, available) = (
        sum(|a| a.capacity),
        sum(|a| a.sold),
        sum(|a| a.lent),
        sum(|a| a.available),
    );
    let hours: Vec<(String, i64)> = sales
        .by_hour
        .iter()
        .map(|(h, n)| (format!("{}:00", h.replace('T', " ")), *n))
        .collect();
    let sports: Vec<(String, i64)> = sales.by_sport.iter().take(20).cloned().collect();
    let heads = html! {
        tr {
            th scope="col" { (l.pick("Phase", "Phase")) }
            th scope="col" { (l.pick("Opens (UTC)", "Ouverture (UTC)")) }
            th scope="col" { (l.pick("Closes (UTC)", "Fermeture (UTC)")) }
            th scope="col" { (l.pick("Sells", "Vend")) }
        }
    };
    let body = html! {
        p { (l.pick("Server time", "Heure du serveur")) ": " (when(&now.to_string())) " UTC" }
        dl.totals {
            div { dt { (l.pick("Tickets sold", "Billets vendus")) } dd #sold { (grouped(l, sold)) } }
            div { dt { (l.pick("Lent to devices", "Prêtés aux appareils")) } dd #lent { (grouped(l, lent)) } }
            div { dt { (l.pick("Available", "Disponibles")) } dd #available { (grouped(l, available)) } }
            div { dt { (l.pick("Capacity", "Capacité")) } dd { (grouped(l, capacity)) } }
        }
        h2 { (l.pick("Open now", "Ouvertes maintenant")) }
        @if open.is_empty() { p { (l.pick("No phase is open.", "Aucune phase n'est ouverte.")) } }
        @else { table { thead { (heads) } tbody { @for p in &open { (phase_row(l, p)) } } } }
        h2 { (l.pick("Next", "Prochaines")) }
        @if next.is_empty() { p { (l.pick("No phase to come.", "Aucune phase à venir.")) } }
        @else { table { thead { (heads) } tbody { @for p in &next { (phase_row(l, p)) } } } }
        h2 { (l.pick("Sales by hour (UTC)", "Ventes par heure (UTC)")) }
        @if hours.is_empty() { p { (l.pick("No sale yet.", "Aucune vente pour l'instant.")) } }
        @else { figure { (PreEscaped(bar_chart(l.pick("Tickets sold by hour", "Billets vendus par heure"), &hours))) } }
        h2 { (l.pick("Sales by sport", "Ventes par sport")) }
        @if sports.is_empty() { p { (l.pick("No sale yet.", "Aucune vente pour l'instant.")) } }
        @else { figure { (PreEscaped(bar_chart(l.pick("Tickets sold by sport", "Billets vendus par sport"), &sports))) } }
    };
    frame(
        l,
        l.pick("Sale overview", "Vue d'ensemble de la vente"),
        Some(&user),
        "/console/overview",
        body,
    )
    .into_response()
}

/// `n` with its digits in groups of three, as each language writes it: 13,290,408 in English,
/// 13 290 408 in French (a narrow no-break space, so a total never wraps).
fn grouped(l: Lang, n: u64) -> String {
    let digits = n.to_string();
    let sep = l.pick(",", "\u{202f}");
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_group_their_digits_by_three_in_each_language() {
        assert_eq!(
            grouped(Lang::En, 13_290_408),
            "13,290,408",
            "English commas"
        );
        assert_eq!(
            grouped(Lang::Fr, 13_290_408),
            "13\u{202f}290\u{202f}408",
            "French narrow no-break spaces"
        );
        assert_eq!(
            grouped(Lang::En, 31),
            "31",
            "under a thousand: no separator"
        );
        assert_eq!(
            grouped(Lang::En, 100_000),
            "100,000",
            "a whole group at the front"
        );
        assert_eq!(grouped(Lang::Fr, 0), "0", "zero");
    }
}
