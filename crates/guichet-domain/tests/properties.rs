//! Properties of the rules over random order sequences.

mod common;

use common::*;
use guichet_domain::rules::{AccountStanding, Code};
use guichet_domain::{check_order, DraftLine, DraftOrder, OrderKind, PriceCategory, SessionCode};
use proptest::prelude::*;

/// A pool of ordinary sessions on sale in every phase, plus one held back in the pack phase.
const POOL: [&str; 8] = [
    "ATH02", "SWM01", "BKB01", "HBL01", "JUD01", "TEN01", "FBL01", "ARC01",
];

fn arb_line() -> impl Strategy<Value = DraftLine> {
    (0..POOL.len(), 0..4usize, 0u32..9).prop_map(|(s, c, q)| DraftLine {
        session: SessionCode::parse(POOL[s]).unwrap(),
        category: PriceCategory::ALL[c],
        quantity: q,
    })
}

fn arb_draft() -> impl Strategy<Value = DraftOrder> {
    (any::<bool>(), prop::collection::vec(arb_line(), 1..5)).prop_map(|(pack, lines)| DraftOrder {
        kind: if pack {
            OrderKind::Pack
        } else {
            OrderKind::Single
        },
        lines,
    })
}

/// An independent statement of the limits, for the pool above (stock never binds there):
/// the general sale takes single tickets, the pack phase takes packs of 3 different sessions
/// with 1–6 tickets each; no session past 6, no account past 30.
fn oracle(d: &DraftOrder, acc: &AccountStanding, general_sale: bool) -> bool {
    use std::collections::BTreeMap;
    let mut per: BTreeMap<&SessionCode, u32> = BTreeMap::new();
    for l in &d.lines {
        *per.entry(&l.session).or_default() += l.quantity;
    }
    let adding: u32 = d.lines.iter().map(|l| l.quantity).sum();
    let held: u32 = acc.held.values().sum();
    let shape = match (general_sale, d.kind) {
        (true, OrderKind::Single) => d.lines.iter().all(|l| l.quantity >= 1),
        (false, OrderKind::Pack) => {
            d.lines.len() == 3
                && per.len() == 3
                && d.lines.iter().all(|l| (1..=6).contains(&l.quantity))
        }
        _ => false,
    };
    shape && held + adding <= 30 && per.iter().all(|(s, n)| acc.held_for(s) + n <= 6)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever sequence of orders is attempted, in the pack phase or the general sale, an
    /// account never goes past 30 Olympic tickets nor past 6 for a session.
    #[test]
    fn accepted_sequences_never_pass_the_caps(
        drafts in prop::collection::vec(arb_draft(), 1..25),
        general_sale in any::<bool>(),
    ) {
        let mut acc: AccountStanding = drawn_club_account();
        let now = if general_sale { at("2024-01-10T10:00:00") } else { at("2023-02-17T12:00:00") };
        let mut accepted = 0;
        for d in &drafts {
            let expected = oracle(d, &acc, general_sale);
            let got = check_order(d, &acc, &config(), catalogue(), catalogue(), now);
            prop_assert_eq!(got.is_ok(), expected, "oracle and rules disagree on {:?}: {:?}", d, got);
            if let Ok(o) = got {
                acc.record(&o);
                accepted += 1;
            }
            let total: u32 = acc.held.values().sum();
            prop_assert!(total <= 30, "account holds {total} after {accepted} accepted orders");
            for (s, n) in &acc.held {
                prop_assert!(*n <= 6, "{s} holds {n}");
            }
        }
    }

    /// A draft made wrong in one known way is refused, and the refusal names that rule.
    #[test]
    fn every_rejected_draft_names_the_rule_it_breaks(
        fault in 0..8usize,
        q in 1u32..=6,
        extra in 7u32..20,
        held in 0u32..=30,
    ) {
        let mut acc = drawn_club_account();
        let mut d = good_pack();
        for l in &mut d.lines { l.quantity = q; }
        let mut now = at("2023-02-17T12:00:00");
        let mut stock_left: Option<u32> = None;
        let expected = match fault {
            0 => { d.lines.push(line("HBL01", PriceCategory::D, 1)); Code::PackSize }
            1 => { d.lines[0].quantity = extra; Code::LineQuantity }
            2 => { d.lines[1] = line("SRF02", PriceCategory::A, q); Code::HeldBack }
            3 => { now = at("2023-02-19T10:00:00"); Code::Timeslot }
            4 => { acc = holding(acc, held.max(31 - 3 * q).min(30)); Code::AccountCap }
            5 => { stock_left = Some(q - 1); Code::Availability }
            6 => { acc.club_member = false; Code::ClubPriority }
            _ => { d.lines[2].session = d.lines[0].session.clone(); Code::PackDuplicateSession }
        };
        let stock: std::collections::BTreeMap<_, _> = match stock_left {
            Some(n) => d.lines.iter().map(|l| ((l.session.clone(), l.category), n)).collect(),
            None => d.lines.iter().map(|l| ((l.session.clone(), l.category), 1_000)).collect(),
        };
        let r = check_order(&d, &acc, &config(), catalogue(), &stock, now);
        let r = r.expect_err("a faulty draft must be refused");
        prop_assert!(r.has(expected), "expected {expected} in {r}");
    }

    /// Any held counts and any quantities, the whole u32 range with the edges near u32::MAX
    /// drawn often: the rules never panic, an accepted order keeps every cap (counted here in
    /// u128, where nothing can wrap), and a well-shaped order that keeps every cap is accepted.
    #[test]
    fn caps_hold_for_any_held_counts_and_quantities(
        held in prop::collection::btree_map(0..POOL.len(), arb_count(), 0..POOL.len()),
        lines in prop::collection::vec((0..POOL.len(), 0..4usize, arb_count()), 1..5),
        pack in any::<bool>(),
        general_sale in any::<bool>(),
    ) {
        let mut acc = drawn_club_account();
        acc.held = held.into_iter().map(|(i, n)| (code(POOL[i]), n)).collect();
        let d = DraftOrder {
            kind: if pack { OrderKind::Pack } else { OrderKind::Single },
            lines: lines
                .into_iter()
                .map(|(s, c, q)| line(POOL[s], PriceCategory::ALL[c], q))
                .collect(),
        };
        let now = if general_sale { at("2024-01-10T10:00:00") } else { at("2023-02-17T12:00:00") };
        let stock = unlimited_stock();
        let got = check_order(&d, &acc, &config(), catalogue(), &stock, now);

        let mut per: std::collections::BTreeMap<&SessionCode, u128> = Default::default();
        for l in &d.lines {
            *per.entry(&l.session).or_default() += u128::from(l.quantity);
        }
        let held_total: u128 = acc.held.values().map(|n| u128::from(*n)).sum();
        let adding: u128 = per.values().sum();
        let session_caps = per.iter().all(|(s, n)| u128::from(acc.held_for(s)) + n <= 6);
        let account_cap = held_total + adding <= 30;
        if got.is_ok() {
            prop_assert!(session_caps, "accepted past the session cap: held {:?}, {:?}", acc.held, d);
            prop_assert!(account_cap, "accepted past 30: held {held_total} + {adding}, {:?}", d);
        }
        let shape = match (general_sale, d.kind) {
            (true, OrderKind::Single) => d.lines.iter().all(|l| l.quantity >= 1),
            (false, OrderKind::Pack) => {
                d.lines.len() == 3
                    && per.len() == 3
                    && d.lines.iter().all(|l| (1..=6).contains(&l.quantity))
            }
            _ => false,
        };
        prop_assert_eq!(
            got.is_ok(),
            shape && session_caps && account_cap,
            "held {:?}, {:?}: {:?}", acc.held, d, got
        );
        // A refusal names the cap the order's tickets break. A line of 0 tickets adds none:
        // it is refused as LINE_QUANTITY, even for a session held past the cap already.
        if let Err(r) = &got {
            let breaks_session = per.iter().any(|(s, n)| *n > 0 && u128::from(acc.held_for(s)) + n > 6);
            if breaks_session {
                prop_assert!(r.has(Code::SessionCap), "no SESSION_CAP in {r}");
            }
            if adding > 0 && !account_cap {
                prop_assert!(r.has(Code::AccountCap), "no ACCOUNT_CAP in {r}");
            }
        }
    }
}

/// A ticket count from anywhere in u32, the small counts and those near u32::MAX drawn often.
fn arb_count() -> impl Strategy<Value = u32> {
    prop_oneof![0u32..=8, (u32::MAX - 8)..=u32::MAX, any::<u32>()]
}

/// Stock that never binds, so that only the caps can refuse a huge line.
fn unlimited_stock() -> std::collections::BTreeMap<(SessionCode, PriceCategory), u32> {
    POOL.iter()
        .flat_map(|s| {
            PriceCategory::ALL
                .iter()
                .map(move |c| ((code(s), *c), u32::MAX))
        })
        .collect()
}

/// Sessions the pairing property draws from, each selling wheelchair places and companions.
const PAIR_POOL: [&str; 4] = ["FBL01", "ATH02", "SWM01", "BKB01"];
/// The categories the pairing property mixes: the pair and an ordinary one.
const PAIR_CATS: [PriceCategory; 3] = [PriceCategory::WCH, PriceCategory::CMP, PriceCategory::D];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Over any sequence of single-ticket orders in the general sale, each recorded once
    /// accepted: no session ever holds more companion seats than wheelchair places, the caps
    /// still hold with the pairs counted, and an order is accepted exactly when an
    /// independent statement of the rules (lines ≥ 1, 6 per session, 30 per account, no
    /// companion beyond the wheelchair places held or bought) says so.
    #[test]
    fn no_accepted_order_breaks_the_pairing(
        orders in prop::collection::vec(
            prop::collection::vec((0..PAIR_POOL.len(), 0..PAIR_CATS.len(), 0u32..4), 1..5),
            1..10,
        ),
    ) {
        let mut acc = drawn_club_account();
        let now = at("2024-01-10T10:00:00");
        for lines in orders {
            let d = single(
                lines
                    .into_iter()
                    .map(|(s, c, q)| line(PAIR_POOL[s], PAIR_CATS[c], q))
                    .collect(),
            );
            let mut per: std::collections::BTreeMap<&SessionCode, (u32, u32, u32)> = Default::default();
            for l in &d.lines {
                let e = per.entry(&l.session).or_default();
                match l.category {
                    PriceCategory::WCH => e.0 += l.quantity,
                    PriceCategory::CMP => e.1 += l.quantity,
                    _ => e.2 += l.quantity,
                }
            }
            let pairing = per.iter().all(|(s, (w, c, _))| {
                let h = acc.pairs_for(s);
                *c == 0 || h.companion + c <= h.wheelchair + w
            });
            let adding: u32 = per.values().map(|(w, c, o)| w + c + o).sum();
            let held: u32 = acc.held.values().sum();
            let caps = held + adding <= 30
                && per.iter().all(|(s, (w, c, o))| acc.held_for(s) + w + c + o <= 6);
            let shape = d.lines.iter().all(|l| l.quantity >= 1);
            let got = check_order(&d, &acc, &config(), catalogue(), catalogue(), now);
            prop_assert_eq!(
                got.is_ok(),
                shape && caps && pairing,
                "held {:?} {:?}, {:?}: {:?}", acc.held, acc.accessible, d, got
            );
            if let Err(r) = &got {
                if !pairing {
                    prop_assert!(
                        r.has(Code::CompanionWithoutWheelchair) || r.has(Code::CompanionsOverWheelchair),
                        "a broken pair must be named: {r}"
                    );
                }
            }
            if let Ok(o) = got {
                acc.record(&o);
                for (s, p) in &acc.accessible {
                    prop_assert!(
                        p.companion <= p.wheelchair,
                        "{s}: {} companions for {} wheelchair places after {:?}", p.companion, p.wheelchair, o
                    );
                }
                prop_assert!(acc.held.values().sum::<u32>() <= 30, "past 30: {:?}", acc.held);
            }
        }
    }
}
