//! The checks, read in the order a seller fixes them: the draft's structure, the phase (open,
//! held back, draw, timeslot, Club), the pack's shape, the limits, then stock.

use std::collections::BTreeMap;

use jiff::{tz::TimeZone, Timestamp};
use serde_json::json;

use super::words::{day_en, day_fr, n_en, n_fr, when_en, when_fr};
use super::{AccountStanding, Code, DraftOrder, DrawStatus, OrderKind, Rejection, Stock};
use super::{ValidLine, ValidOrder, Violation};
use crate::catalogue::{Catalogue, Session};
use crate::config::{Phase, SaleConfig};
use crate::ids::{Games, Money, PriceCategory, SessionCode};

/// Decides a draft order for an account at an instant.
///
/// Returns the priced order, or every violation found. `stock` is what may still be sold:
/// server availability online, the desk's allotment offline.
pub fn check_order(
    draft: &DraftOrder,
    account: &AccountStanding,
    config: &SaleConfig,
    catalogue: &Catalogue,
    stock: &dyn Stock,
    now: Timestamp,
) -> Result<ValidOrder, Rejection> {
    let mut c = Checker {
        v: Vec::new(),
        tz: config.time_zone(),
    };
    let sessions = c.structure(draft, catalogue, config);
    let games = sessions.first().map_or(Games::Olympic, |s| s.games);
    c.mixed_games(&sessions, games);
    let phase = c.phase(draft.kind, games, config, now);
    if let Some(p) = phase {
        c.held_back(p, &sessions);
        c.draw_and_timeslot(p, config, account, now);
    }
    if draft.kind == OrderKind::Pack {
        c.pack_shape(draft, &sessions, config);
    }
    c.v.extend(super::pairs::pairing(draft, account));
    c.limits(draft, account, catalogue, config, games);
    c.stock(draft, catalogue, stock);

    if !c.v.is_empty() {
        return Err(Rejection { violations: c.v });
    }
    let phase = phase.expect("no violation means a phase was found");
    let lines: Vec<ValidLine> = draft
        .lines
        .iter()
        .map(|l| {
            let unit = catalogue
                .session(&l.session)
                .and_then(|s| s.offer(l.category))
                .expect("no violation means every line is priced")
                .price;
            unit.checked_times(l.quantity).map(|amount| ValidLine {
                session: l.session.clone(),
                category: l.category,
                quantity: l.quantity,
                unit_price: unit,
                amount,
            })
        })
        .collect::<Option<_>>()
        .unwrap_or_default();
    let total = (lines.len() == draft.lines.len())
        .then(|| Money::checked_sum(lines.iter().map(|l| l.amount)))
        .flatten();
    let Some(total) = total else {
        c.too_dear();
        return Err(Rejection { violations: c.v });
    };
    Ok(ValidOrder {
        kind: draft.kind,
        games,
        phase: phase.id.clone(),
        lines,
        total,
    })
}

/// How many of `adding` tickets to take off an order so that `held + adding` keeps `cap`;
/// `None` when it already does. Never overflows: it compares `adding` with the room left.
fn excess(held: u64, adding: u64, cap: u64) -> Option<u64> {
    let room = cap.saturating_sub(held);
    (adding > room).then(|| adding - room)
}

struct Checker {
    v: Vec<Violation>,
    tz: TimeZone,
}

impl Checker {
    fn push(&mut self, code: Code, en: String, fr: String, details: serde_json::Value) {
        self.v.push(Violation::new(code, en, fr, details));
    }

    /// An order whose price does not fit in an amount: refused rather than wrapped.
    fn too_dear(&mut self) {
        let max = Money::from_cents(i64::MAX);
        self.push(
            Code::OrderTotal,
            format!("the order's total is more than the largest amount a sale can hold ({max}) — remove tickets"),
            format!("le total de la commande dépasse le plus grand montant qu'une vente peut porter ({}) — retirez des billets", max.fr()),
            json!({ "max_cents": i64::MAX }),
        );
    }

    /// Lines that name known sessions and offered categories, with sane quantities.
    fn structure<'c>(
        &mut self,
        draft: &DraftOrder,
        catalogue: &'c Catalogue,
        config: &SaleConfig,
    ) -> Vec<&'c Session> {
        if draft.lines.is_empty() {
            self.push(
                Code::EmptyOrder,
                "the order has no tickets — add a session".into(),
                "la commande ne contient aucun billet — ajoutez une séance".into(),
                json!({}),
            );
        }
        let mut known = Vec::new();
        let limits = &config.limits;
        for line in &draft.lines {
            let code = &line.session;
            let Some(s) = catalogue.session(code) else {
                self.push(
                    Code::UnknownSession,
                    format!("{code} is not a session of the catalogue — check the code"),
                    format!("{code} n'est pas une séance du catalogue — vérifiez le code"),
                    json!({ "session": code }),
                );
                continue;
            };
            known.push(s);
            if s.offer(line.category).is_none() {
                let offered: Vec<String> =
                    s.offers.iter().map(|o| o.category.to_string()).collect();
                let list = offered.join(", ");
                self.push(
                    Code::CategoryNotOffered,
                    format!("{code} has no category {} — choose {list}", line.category),
                    format!(
                        "{code} n'a pas de catégorie {} — choisissez {list}",
                        line.category
                    ),
                    json!({ "session": code, "category": line.category, "offered": offered }),
                );
            }
            let (min, max) = match draft.kind {
                OrderKind::Pack => (limits.pack_line_min, limits.pack_line_max),
                // A single-ticket line has no cap of its own: the per-session cap applies.
                OrderKind::Single => (1, u32::MAX),
            };
            let q = line.quantity;
            if q < min || q > max {
                let (en_fix, fr_fix) = if q < min {
                    (
                        format!("add {}", min - q),
                        format!("ajoutez-en {}", min - q),
                    )
                } else {
                    (
                        format!("remove {}", q - max),
                        format!("retirez-en {}", q - max),
                    )
                };
                let (en_rule, fr_rule) = if draft.kind == OrderKind::Pack {
                    (
                        format!("a pack line holds {min} to {max} tickets"),
                        format!("une ligne de pack compte de {min} à {max} billets"),
                    )
                } else {
                    (
                        "a line holds at least 1 ticket".into(),
                        "une ligne compte au moins 1 billet".into(),
                    )
                };
                self.push(
                    Code::LineQuantity,
                    format!(
                        "{code}: {} on this line; {en_rule} — {en_fix}",
                        n_en(q, "ticket")
                    ),
                    format!(
                        "{code} : {} sur cette ligne ; {fr_rule} — {fr_fix}",
                        n_fr(q, "billet")
                    ),
                    json!({ "session": code, "quantity": q, "min": min, "max": max }),
                );
            }
        }
        known
    }

    fn mixed_games(&mut self, sessions: &[&Session], games: Games) {
        for s in sessions.iter().filter(|s| s.games != games) {
            self.push(
                Code::MixedGames,
                format!(
                    "{} is a {} session; this order holds {} sessions — sell it in a separate order",
                    s.code,
                    s.games.name_en(),
                    games.name_en()
                ),
                format!(
                    "{} est une séance {}, cette commande contient des séances {} — vendez-la dans une autre commande",
                    s.code,
                    s.games.name_fr().trim_end_matches('s'),
                    games.name_fr()
                ),
                json!({ "session": s.code, "games": s.games, "order_games": games }),
            );
        }
    }

    /// The phase selling this kind of order for these Games now, or a violation saying why
    /// there is none and what to do.
    fn phase<'a>(
        &mut self,
        kind: OrderKind,
        games: Games,
        config: &'a SaleConfig,
        now: Timestamp,
    ) -> Option<&'a Phase> {
        if let Some(p) = config
            .open_phases(now)
            .find(|p| p.sells == kind && p.games == games)
        {
            return Some(p);
        }
        let (now_en, now_fr) = (when_en(now, &self.tz), when_fr(now, &self.tz));
        if let Some(other) = config.open_phases(now).find(|p| p.games == games) {
            self.push(
                Code::OrderKind,
                format!(
                    "{} are not on sale on {now_en} (Paris time); the open phase ({}) sells {} — make a {} order",
                    kind.en(),
                    other.name_en,
                    other.sells.en(),
                    if other.sells == OrderKind::Pack { "pack" } else { "single-ticket" }
                ),
                format!(
                    "{} ne sont pas en vente le {now_fr} (heure de Paris) ; la phase ouverte ({}) vend {} — faites une commande de ce type",
                    kind.fr(),
                    other.name_fr,
                    other.sells.fr()
                ),
                json!({ "kind": kind, "open_phase": other.id, "sells": other.sells }),
            );
            return None;
        }
        let matching = config
            .phases
            .iter()
            .filter(|p| p.sells == kind && p.games == games);
        let next = matching
            .clone()
            .filter(|p| p.opens > now)
            .min_by_key(|p| p.opens);
        let last = matching
            .filter(|p| p.closes <= now)
            .max_by_key(|p| p.closes);
        let what_en = format!("{} {}", games.name_en(), kind.en());
        let what_fr = format!("{} {}", kind.fr(), games.name_fr());
        let (en, fr, details) = match (next, last) {
            (Some(n), _) => (
                format!(
                    "{what_en} are not on sale on {now_en} (Paris time); the {} opens on {} — come back then",
                    n.name_en,
                    when_en(n.opens, &self.tz)
                ),
                format!(
                    "{what_fr} ne sont pas en vente le {now_fr} (heure de Paris) ; la {} ouvre le {} — revenez à cette date",
                    n.name_fr,
                    when_fr(n.opens, &self.tz)
                ),
                json!({ "now": now, "next_phase": n.id, "opens": n.opens }),
            ),
            (None, Some(l)) => (
                format!(
                    "{what_en} are no longer on sale: the {} closed on {} (Paris time); it is {now_en}",
                    l.name_en,
                    when_en(l.closes, &self.tz)
                ),
                format!(
                    "{what_fr} ne sont plus en vente : la {} a fermé le {} (heure de Paris) ; il est {now_fr}",
                    l.name_fr,
                    when_fr(l.closes, &self.tz)
                ),
                json!({ "now": now, "last_phase": l.id, "closed": l.closes }),
            ),
            (None, None) => (
                format!("no phase of this sale sells {what_en}"),
                format!("aucune phase de cette vente ne propose {what_fr}"),
                json!({ "now": now }),
            ),
        };
        self.push(Code::SaleClosed, en, fr, details);
        None
    }

    fn held_back(&mut self, phase: &Phase, sessions: &[&Session]) {
        for s in sessions {
            let held = phase.held_back_sessions.contains(&s.code)
                || phase.held_back_sports.iter().any(|sp| sp == &s.sport);
            if held {
                self.push(
                    Code::HeldBack,
                    format!(
                        "{} ({}) is not on sale in this phase ({}) — choose another session",
                        s.code, s.sport, phase.name_en
                    ),
                    format!(
                        "{} ({}) n'est pas en vente dans cette phase ({}) — choisissez une autre séance",
                        s.code,
                        s.sport_fr(),
                        phase.name_fr
                    ),
                    json!({ "session": s.code, "sport": s.sport, "phase": phase.id }),
                );
            }
        }
    }

    fn draw_and_timeslot(
        &mut self,
        phase: &Phase,
        config: &SaleConfig,
        account: &AccountStanding,
        now: Timestamp,
    ) {
        // Worded only for a violation: most orders break no rule.
        let now_words = |tz: &TimeZone| (when_en(now, tz), when_fr(now, tz));
        if let Some(draw_id) = &phase.draw {
            let (d_en, d_fr) = config
                .draw(draw_id)
                .map_or((draw_id.clone(), draw_id.clone()), |d| {
                    (d.name_en.clone(), d.name_fr.clone())
                });
            let entry = account.draws.get(draw_id);
            match entry.map(|e| e.status) {
                Some(DrawStatus::Drawn) => {}
                status => {
                    let (st_en, st_fr, st) = match status {
                        None => (
                            "did not register for it",
                            "ne s'y est pas inscrit",
                            "not_registered",
                        ),
                        Some(DrawStatus::Registered) => (
                            "is registered but the draw is not made yet",
                            "est inscrit mais le tirage n'a pas eu lieu",
                            "registered",
                        ),
                        _ => ("was not drawn", "n'a pas été tiré au sort", "not_drawn"),
                    };
                    self.push(
                        Code::DrawRequired,
                        format!(
                            "the {} is for accounts drawn in the {d_en}; this account {st_en} — it may buy when the general sale opens",
                            phase.name_en
                        ),
                        format!(
                            "la {} est réservée aux comptes tirés au sort ({d_fr}) ; ce compte {st_fr} — il pourra acheter à l'ouverture de la vente générale",
                            phase.name_fr
                        ),
                        json!({ "draw": draw_id, "status": st }),
                    );
                }
            }
            if phase.timeslot_required && entry.is_some_and(|e| e.status == DrawStatus::Drawn) {
                match entry.and_then(|e| e.timeslot) {
                    None => self.push(
                        Code::NoTimeslot,
                        format!("this account has no purchase timeslot in the {d_en} yet — timeslots are sent by email two days ahead"),
                        format!("ce compte n'a pas encore de créneau d'achat ({d_fr}) — les créneaux sont envoyés par e-mail deux jours avant"),
                        json!({ "draw": draw_id }),
                    ),
                    Some(slot) if !slot.contains(now) => {
                        let (now_en, now_fr) = now_words(&self.tz);
                        let (s_en, e_en) = (when_en(slot.start, &self.tz), when_en(slot.end, &self.tz));
                        let (s_fr, e_fr) = (when_fr(slot.start, &self.tz), when_fr(slot.end, &self.tz));
                        let (fix_en, fix_fr) = if now < slot.start {
                            (format!("come back on {s_en}"), format!("revenez le {s_fr}"))
                        } else {
                            ("the timeslot has ended; the account may buy again when the general sale opens".to_string(),
                             "le créneau est terminé ; le compte pourra acheter à l'ouverture de la vente générale".to_string())
                        };
                        self.push(
                            Code::Timeslot,
                            format!("timeslot is {s_en} – {e_en} (Paris time); it is {now_en} — {fix_en}"),
                            format!("le créneau est du {s_fr} au {e_fr} (heure de Paris) ; il est {now_fr} — {fix_fr}"),
                            json!({ "start": slot.start, "end": slot.end, "now": now }),
                        );
                    }
                    Some(_) => {}
                }
            }
        }
        if let Some(until) = phase.club_priority_until {
            if now < until && !account.club_member {
                let (now_en, now_fr) = now_words(&self.tz);
                let last_day = until - jiff::SignedDuration::from_secs(1);
                let (from_en, to_en) = (day_en(phase.opens, &self.tz), day_en(last_day, &self.tz));
                let (from_fr, to_fr) = (day_fr(phase.opens, &self.tz), day_fr(last_day, &self.tz));
                self.push(
                    Code::ClubPriority,
                    format!(
                        "{from_en} – {to_en} are reserved for Club Paris 2024 members; this account is not a member — it may buy from {} (Paris time); it is {now_en}",
                        when_en(until, &self.tz)
                    ),
                    format!(
                        "du {from_fr} au {to_fr}, la vente est réservée aux membres du Club Paris 2024 ; ce compte n'est pas membre — il pourra acheter à partir du {} (heure de Paris) ; il est {now_fr}",
                        when_fr(until, &self.tz)
                    ),
                    json!({ "until": until, "now": now }),
                );
            }
        }
    }

    fn pack_shape(&mut self, draft: &DraftOrder, sessions: &[&Session], config: &SaleConfig) {
        let want = config.limits.pack_sessions;
        let mut lines: BTreeMap<&SessionCode, Vec<PriceCategory>> = BTreeMap::new();
        for l in &draft.lines {
            lines.entry(&l.session).or_default().push(l.category);
        }
        // A session is one line, except an accessible pair: its wheelchair line and its
        // companion line are that session's tickets together.
        let pair = |cats: &[PriceCategory]| {
            matches!(
                cats,
                [PriceCategory::WCH, PriceCategory::CMP] | [PriceCategory::CMP, PriceCategory::WCH]
            )
        };
        let count: BTreeMap<&SessionCode, u32> = lines
            .iter()
            .map(|(code, cats)| {
                let n = if pair(cats) { 1 } else { cats.len() };
                (*code, u32::try_from(n).unwrap_or(u32::MAX))
            })
            .collect();
        let distinct = u32::try_from(count.len()).unwrap_or(u32::MAX);
        if distinct != want {
            let (fix_en, fix_fr) = if distinct > want {
                (
                    format!("remove {}", n_en(distinct - want, "session")),
                    format!("retirez {}", n_fr(distinct - want, "séance")),
                )
            } else {
                (
                    format!("add {}", n_en(want - distinct, "session")),
                    format!("ajoutez {}", n_fr(want - distinct, "séance")),
                )
            };
            self.push(
                Code::PackSize,
                format!("a pack is exactly {want} different sessions; this one has {distinct} — {fix_en}"),
                format!("un pack compte exactement {want} séances différentes ; celui-ci en a {distinct} — {fix_fr}"),
                json!({ "sessions": distinct, "required": want }),
            );
        }
        for (code, n) in count.iter().filter(|(_, n)| **n > 1) {
            self.push(
                Code::PackDuplicateSession,
                format!("{code} appears {n} times in this pack; a pack is {want} different sessions, each on one line (or a wheelchair line and its companion line) — put all its tickets on one line and choose another session"),
                format!("{code} figure {n} fois dans ce pack ; un pack compte {want} séances différentes, chacune sur une ligne (ou une ligne fauteuil roulant et sa ligne accompagnateur) — regroupez ses billets sur une ligne et choisissez une autre séance"),
                json!({ "session": code, "times": n }),
            );
        }
        if config.limits.pack_different_sports {
            let mut sports: BTreeMap<&str, Vec<&SessionCode>> = BTreeMap::new();
            for s in sessions {
                let v = sports.entry(s.sport.as_str()).or_default();
                if !v.contains(&&s.code) {
                    v.push(&s.code);
                }
            }
            for (sport, codes) in sports.iter().filter(|(_, c)| c.len() > 1) {
                let list: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
                let sport_fr = crate::catalogue::french::sport_fr(sport).unwrap_or(sport);
                self.push(
                    Code::PackSameSport,
                    format!("{sport} appears in {} sessions of this pack ({}); this sale requires {want} different sports — replace one", codes.len(), list.join(", ")),
                    format!("{sport_fr} figure dans {} séances de ce pack ({}) ; cette vente exige {want} sports différents — remplacez-en une", codes.len(), list.join(", ")),
                    json!({ "sport": sport, "sessions": list }),
                );
            }
        }
    }

    fn limits(
        &mut self,
        draft: &DraftOrder,
        account: &AccountStanding,
        catalogue: &Catalogue,
        config: &SaleConfig,
        games: Games,
    ) {
        // Counted in u64: a held count and a line can each be up to u32::MAX.
        let cap = u64::from(config.limits.per_session_per_account);
        let mut per_session: BTreeMap<&SessionCode, u64> = BTreeMap::new();
        for l in &draft.lines {
            let n = per_session.entry(&l.session).or_default();
            *n = n.saturating_add(u64::from(l.quantity));
        }
        for (code, &adding) in &per_session {
            let held = u64::from(account.held_for(code));
            let Some(remove) = excess(held, adding, cap) else {
                continue;
            };
            let (over_en, over_fr) = if held > cap {
                (
                    ": the account is already over the cap and may buy no more for this session",
                    " : le compte dépasse déjà la limite et ne peut plus en acheter pour cette séance",
                )
            } else {
                ("", "")
            };
            self.push(
                Code::SessionCap,
                format!("{code}: account holds {held} of {cap} tickets allowed per session; this order adds {adding} — remove {remove}{over_en}"),
                format!("{code} : le compte détient {} sur {cap} autorisés par séance ; cette commande en ajoute {adding} — retirez-en {remove}{over_fr}", n_fr(held, "billet")),
                json!({ "session": code, "held": held, "adding": adding, "max": cap, "remove": remove }),
            );
        }
        let cap = u64::from(config.limits.per_account(games));
        let held = account.held_total_in(games, catalogue);
        let adding: u64 = draft
            .lines
            .iter()
            .filter(|l| {
                catalogue
                    .session(&l.session)
                    .is_some_and(|s| s.games == games)
            })
            .map(|l| u64::from(l.quantity))
            .fold(0, u64::saturating_add);
        if let Some(remove) = excess(held, adding, cap) {
            let (over_en, over_fr) = if held > cap {
                (
                    format!(
                        ": the account is already over the cap and may buy no more {} tickets",
                        games.name_en()
                    ),
                    format!(
                        " : le compte dépasse déjà la limite et ne peut plus acheter de billets {}",
                        games.name_fr()
                    ),
                )
            } else {
                (String::new(), String::new())
            };
            self.push(
                Code::AccountCap,
                format!("account holds {held} of {cap} {} tickets; this order adds {adding} — remove {remove}{over_en}", games.name_en()),
                format!(
                    "le compte détient {} {} sur {cap} ; cette commande en ajoute {adding} — retirez-en {remove}{over_fr}",
                    n_fr(held, "billet"),
                    if held <= 1 { games.name_fr().trim_end_matches('s') } else { games.name_fr() }
                ),
                json!({ "games": games, "held": held, "adding": adding, "max": cap, "remove": remove }),
            );
        }
    }

    fn stock(&mut self, draft: &DraftOrder, catalogue: &Catalogue, stock: &dyn Stock) {
        let mut asked: BTreeMap<(&SessionCode, PriceCategory), u64> = BTreeMap::new();
        for l in &draft.lines {
            let offered = catalogue
                .session(&l.session)
                .is_some_and(|s| s.offer(l.category).is_some());
            if offered {
                let n = asked.entry((&l.session, l.category)).or_default();
                *n = n.saturating_add(u64::from(l.quantity));
            }
        }
        for ((code, cat), n) in asked {
            let left = u64::from(stock.remaining(code, cat));
            let wheelchair_left = u64::from(stock.remaining(code, PriceCategory::WCH));
            if n > left && cat == PriceCategory::CMP && wheelchair_left > left {
                // Sold as a pair, but the companion seats ran out first: say so.
                let remove = n - left;
                self.push(
                    Code::Availability,
                    format!("{code}: {} left but only {} — this order asks {}; remove {} (a wheelchair place may be sold without one) or choose another session", n_en(wheelchair_left, "wheelchair place"), n_en(left, "companion seat"), n_en(n, "companion seat"), n_en(remove, "companion seat")),
                    format!("{code} : il reste {wheelchair_left} {} mais seulement {left} {} — cette commande en demande {n} ; retirez-en {remove} (une place fauteuil roulant peut se vendre sans accompagnateur) ou choisissez une autre séance", if wheelchair_left > 1 { "places fauteuil roulant" } else { "place fauteuil roulant" }, if left > 1 { "places accompagnateur" } else { "place accompagnateur" }),
                    json!({ "session": code, "category": cat, "remaining": left, "asked": n, "wheelchair_remaining": wheelchair_left }),
                );
                continue;
            }
            if n > left {
                let (fix_en, fix_fr) = if left == 0 {
                    (
                        "choose another category or session".to_string(),
                        "choisissez une autre catégorie ou séance".to_string(),
                    )
                } else {
                    (
                        format!("remove {} or choose another category", n - left),
                        format!("retirez-en {} ou choisissez une autre catégorie", n - left),
                    )
                };
                self.push(
                    Code::Availability,
                    format!("{code} category {cat}: {left} left, this order asks {n} — {fix_en}"),
                    format!("{code} catégorie {cat} : il en reste {left}, cette commande en demande {n} — {fix_fr}"),
                    json!({ "session": code, "category": cat, "remaining": left, "asked": n }),
                );
            }
        }
    }
}
