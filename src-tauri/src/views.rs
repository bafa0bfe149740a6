//! The screens' views of what the desk reads (an account's orders, the session browser, the
//! status bar, the dashboard): wire shapes and Paris times over `guichet-desk`'s reads. The
//! shell runs no SQL; every read and write goes through a desk function.

use std::collections::BTreeMap;

use guichet_desk::{Desk, SyncStatus};
use guichet_domain::{Games, Money, SaleConfig, SessionCode};
use guichet_store::accounts::Account;
use guichet_store::sales::StoredOrder;
use guichet_store::shifts::{Shift, ZReport};
use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::wire::{
    AccountSummary, AccountView, Bucket, Dashboard, DrawView, HeldView, OfferView, OrderView,
    SessionList, SessionQuery, SessionView, ShiftView, TicketView, ZReportView,
};

fn paris() -> TimeZone {
    TimeZone::get("Europe/Paris").unwrap_or(TimeZone::UTC)
}

/// An instant as the counter reads it: `20/02/2023 10:00`.
pub fn paris_time(at: Timestamp) -> String {
    at.to_zoned(paris()).strftime("%d/%m/%Y %H:%M").to_string()
}

/// The last 12 hex digits of a UUID, upper case: what people read at the counter.
pub fn short(id: &str) -> String {
    let hex: String = id.chars().filter(|c| *c != '-').collect();
    hex[hex.len().saturating_sub(12)..].to_ascii_uppercase()
}

/// A look-up's answer: how the query was read, and the accounts found.
pub fn look_up_view(by: guichet_desk::LookUpBy, found: &[Account]) -> crate::wire::LookUpView {
    crate::wire::LookUpView {
        by: serde_json::to_value(by)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        accounts: found.iter().map(summary).collect(),
    }
}

/// An accepted quote: the priced lines and the total.
pub fn quote_view(q: &guichet_desk::Quote) -> crate::wire::QuoteView {
    crate::wire::QuoteView {
        accepted: true,
        tickets: q.order.tickets(),
        total_cents: q.order.total.cents(),
        lines: q
            .order
            .lines
            .iter()
            .map(|l| crate::wire::QuoteLine {
                session: l.session.to_string(),
                category: l.category.to_string(),
                quantity: l.quantity,
                unit_price_cents: l.unit_price.cents(),
                amount_cents: l.amount.cents(),
            })
            .collect(),
        violations: vec![],
    }
}

/// An account in a list.
pub fn summary(a: &Account) -> AccountSummary {
    AccountSummary {
        id: a.id.to_string(),
        name: a.full_name(),
        email: a.email.clone(),
        country: a.country.clone(),
        club: a.club_number.clone(),
        walk_in: matches!(a.origin, guichet_store::accounts::AccountOrigin::Desk),
    }
}

/// An order for the screen.
pub fn order_view(o: &StoredOrder) -> OrderView {
    OrderView {
        id: o.id.clone(),
        short: short(&o.id),
        sold_at: paris_time(o.sold_at),
        total_cents: o.total.cents(),
        status: o.status.clone(),
        offline: o.offline,
        tickets: o
            .tickets
            .iter()
            .map(|t| TicketView {
                id: t.id.clone(),
                short: short(&t.id),
                session: t.session.to_string(),
                category: t.category.to_string(),
                holder: t.holder_name.clone(),
                price_cents: t.price.cents(),
                status: t.status.clone(),
            })
            .collect(),
    }
}

/// Orders the account screen lists, newest first.
pub const ACCOUNT_ORDERS: u32 = 50;

/// The account with its draws, counts and this desk's orders.
pub fn account_view(
    desk: &Desk,
    id: &guichet_domain::AccountId,
) -> guichet_desk::Result<AccountView> {
    let (a, standing) = desk.account(id)?;
    let config = SaleConfig::paris2024();
    let now = desk.now();
    let draws = standing
        .draws
        .iter()
        .map(|(draw, d)| DrawView {
            draw: draw.clone(),
            status: match d.status {
                guichet_domain::rules::DrawStatus::Registered => "registered",
                guichet_domain::rules::DrawStatus::Drawn => "drawn",
                guichet_domain::rules::DrawStatus::NotDrawn => "not-drawn",
            }
            .to_string(),
            slot_start: d.timeslot.as_ref().map(|t| paris_time(t.start)),
            slot_end: d.timeslot.as_ref().map(|t| paris_time(t.end)),
            slot_open_now: d
                .timeslot
                .as_ref()
                .is_some_and(|t| t.start <= now && now < t.end),
            registration_opens: None,
            registration_closes: None,
        })
        .chain(
            // The draws this account has not entered, with their registration window: the
            // seller can register it (online) while the window is open.
            config
                .draws
                .iter()
                .filter(|d| !standing.draws.contains_key(&d.id))
                .map(|d| DrawView {
                    draw: d.id.clone(),
                    status: "not-registered".into(),
                    slot_start: None,
                    slot_end: None,
                    slot_open_now: false,
                    registration_opens: Some(paris_time(d.registration_opens)),
                    registration_closes: Some(paris_time(d.registration_closes)),
                }),
        )
        .collect();
    let per_session = standing
        .held
        .iter()
        .map(|(code, n)| {
            let s = desk.catalogue().session(code);
            HeldView {
                session: code.to_string(),
                sport: s.map(|s| s.sport.clone()).unwrap_or_default(),
                sport_fr: s.map(|s| s.sport_fr()).unwrap_or_default(),
                count: *n,
                cap: config.limits.per_session_per_account,
            }
        })
        .collect();
    let orders = desk
        .orders_of_account(&a.id, ACCOUNT_ORDERS)?
        .iter()
        .map(order_view)
        .collect();
    Ok(AccountView {
        account: summary(&a),
        draws,
        olympic_held: standing.held_in(Games::Olympic, desk.catalogue()),
        olympic_cap: config.limits.per_account(Games::Olympic),
        paralympic_held: standing.held_in(Games::Paralympic, desk.catalogue()),
        paralympic_cap: config.limits.per_account(Games::Paralympic),
        per_session,
        orders,
    })
}

/// The session browser: filters applied here, at most 200 shown.
pub fn sessions(desk: &Desk, q: &SessionQuery) -> guichet_desk::Result<SessionList> {
    let config = SaleConfig::paris2024();
    let now = desk.now();
    // What the desk can sell: the server's availability when it sells online, else its
    // allotment.
    let online = desk.settings().connectivity == guichet_desk::Connectivity::Online;
    let stock = desk.stock(online)?;
    let text = q
        .text
        .as_deref()
        .map(str::trim)
        .unwrap_or("")
        .to_lowercase();
    // English name (the filter's value) → French name.
    let mut sports = BTreeMap::new();
    let mut venues = BTreeMap::new();
    let mut days = std::collections::BTreeSet::new();
    let mut all: Vec<(Timestamp, SessionView)> = Vec::new();
    for s in desk.catalogue().sessions() {
        let day = s.local_start().date().to_string();
        let (sport_fr, venue_fr) = (s.sport_fr(), s.venue_name_fr());
        sports.insert(s.sport.clone(), sport_fr.clone());
        venues.insert(s.venue_name.clone(), venue_fr.clone());
        days.insert(day.clone());
        let offers: Vec<OfferView> = s
            .offers
            .iter()
            .map(|o| OfferView {
                category: o.category.to_string(),
                price_cents: o.price.cents(),
                left: stock
                    .get(&(s.code.clone(), o.category))
                    .copied()
                    .unwrap_or(0),
            })
            .collect();
        let phase_open = config.open_phases(now).any(|p| {
            p.games == s.games
                && !p.held_back_sessions.contains(&s.code)
                && !p.held_back_sports.iter().any(|sp| sp == &s.sport)
        });
        let on_sale = phase_open && offers.iter().any(|o| o.left > 0);
        let description_fr = s.description_fr();
        let keep = (text.is_empty()
            || s.code.as_str().to_lowercase().contains(&text)
            || s.description.to_lowercase().contains(&text)
            || s.sport.to_lowercase().contains(&text)
            || description_fr.to_lowercase().contains(&text)
            || sport_fr.to_lowercase().contains(&text))
            && q.sport
                .as_ref()
                .is_none_or(|x| x.is_empty() || x == &s.sport)
            && q.venue
                .as_ref()
                .is_none_or(|x| x.is_empty() || x == &s.venue_name)
            && q.day.as_ref().is_none_or(|x| x.is_empty() || x == &day)
            && (!q.on_sale_now || on_sale)
            && q.max_price_cents
                .is_none_or(|m| offers.iter().any(|o| o.price_cents <= m));
        if keep {
            all.push((
                s.start,
                SessionView {
                    code: s.code.to_string(),
                    games: match s.games {
                        Games::Olympic => "olympic",
                        Games::Paralympic => "paralympic",
                    }
                    .into(),
                    sport: s.sport.clone(),
                    sport_fr,
                    description: s.description.clone(),
                    description_fr,
                    venue: s.venue_name.clone(),
                    venue_fr,
                    day,
                    start: s.local_start().time().strftime("%H:%M").to_string(),
                    offers,
                    on_sale,
                },
            ));
        }
    }
    all.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.code.cmp(&b.1.code)));
    let matched = all.len() as u32;
    Ok(SessionList {
        sessions: all.into_iter().take(200).map(|(_, v)| v).collect(),
        matched,
        sports: sports.keys().cloned().collect(),
        sports_fr: sports.into_values().collect(),
        venues: venues.keys().cloned().collect(),
        venues_fr: venues.into_values().collect(),
        days: days.into_iter().collect(),
    })
}

/// The store's side of the status bar: outbox events waiting (not pushed, not rejected),
/// tickets left in the allotment, and the last time the server received one of this desk's
/// events (before the sync task has run a round).
pub fn sync_status(desk: &Desk) -> guichet_desk::Result<SyncStatus> {
    let local = desk.local_status()?;
    Ok(SyncStatus {
        waiting: local.waiting,
        last_success: local.last_pushed.map(paris_seconds),
        allotment_left: local.allotment_left,
        ..SyncStatus::default()
    })
}

/// An instant with seconds, Paris time: `20/02/2023 10:00:05`.
pub fn paris_seconds(at: Timestamp) -> String {
    at.to_zoned(paris())
        .strftime("%d/%m/%Y %H:%M:%S")
        .to_string()
}

/// The open shift as the status bar shows it.
pub fn shift_view(s: &Shift) -> ShiftView {
    ShiftView {
        id: s.id.clone(),
        opened_by: s.operator_id.clone(),
        opened_at: paris_time(s.opened_at),
        float_cents: s.float.cents(),
    }
}

/// A Z report for the screen.
pub fn z_view(r: &ZReport, pdf_path: Option<String>) -> ZReportView {
    let c = |m: Money| m.cents();
    ZReportView {
        shift_id: r.shift.id.clone(),
        opened_by: r.shift.operator_id.clone(),
        opened_at: paris_time(r.shift.opened_at),
        closed_at: r.shift.closed_at.map(paris_time),
        orders: r.orders,
        tickets: r.tickets,
        cash_in_cents: c(r.cash_in),
        card_in_cents: c(r.card_in),
        cash_refunded_cents: c(r.cash_refunded),
        card_refunded_cents: c(r.card_refunded),
        voids: r.voids,
        float_cents: c(r.shift.float),
        expected_cash_cents: c(r.expected_cash),
        counted_cash_cents: r.counted_cash.map(c),
        difference_cents: r.difference.map(c),
        pdf_path,
    }
}

/// Valid tickets sold in a shift, by hour of sale (Paris) and by sport.
pub fn dashboard(desk: &Desk, shift_id: &str) -> guichet_desk::Result<Dashboard> {
    let mut by_hour: BTreeMap<String, (u32, i64)> = BTreeMap::new();
    let mut by_sport: BTreeMap<String, (u32, i64)> = BTreeMap::new();
    let mut sport_fr: BTreeMap<String, String> = BTreeMap::new();
    for t in desk.shift_tickets(shift_id)? {
        let (session, cents) = (t.session, t.price.cents());
        let hour = format!("{}:00", t.sold_at.to_zoned(paris()).strftime("%H"));
        let (sport, fr) = SessionCode::parse(&session)
            .ok()
            .and_then(|c| {
                desk.catalogue()
                    .session(&c)
                    .map(|s| (s.sport.clone(), s.sport_fr()))
            })
            .unwrap_or_else(|| (session.clone(), session));
        sport_fr.insert(sport.clone(), fr);
        for (map, key) in [(&mut by_hour, hour), (&mut by_sport, sport)] {
            let e = map.entry(key).or_default();
            e.0 += 1;
            e.1 += cents;
        }
    }
    let list = |m: BTreeMap<String, (u32, i64)>| {
        m.into_iter()
            .map(|(label, (tickets, revenue_cents))| Bucket {
                label_fr: sport_fr
                    .get(&label)
                    .cloned()
                    .unwrap_or_else(|| label.clone()),
                label,
                tickets,
                revenue_cents,
            })
            .collect()
    };
    Ok(Dashboard {
        by_hour: list(by_hour),
        by_sport: list(by_sport),
    })
}
