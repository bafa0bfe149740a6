//! One test per rule and per boundary, on the real Paris 2024 catalogue and configuration.

mod common;

use std::collections::BTreeMap;

use common::*;
use guichet_domain::rules::{Code, DrawEntry, DrawStatus};
use guichet_domain::{check_order, Catalogue, Money, PriceCategory::*, SaleConfig};

const IN_SLOT: &str = "2023-02-17T12:00:00";

#[test]
fn a_valid_pack_is_accepted_and_priced_in_cents() {
    let o = check(&good_pack(), &drawn_club_account(), at(IN_SLOT)).unwrap();
    // ATH02 D 24 €, SWM01 C 35 €, BKB01 B 50 € (prices.csv, "standard" tier), 6 of each.
    assert_eq!(o.total, Money::from_euros(6 * 24 + 6 * 35 + 6 * 50));
    assert_eq!(o.tickets(), 18);
    assert_eq!(o.phase, "pack-sale");
}

#[test]
fn a_pack_of_four_sessions_is_refused_with_the_fix() {
    let mut d = good_pack();
    d.lines.push(line("HBL01", D, 1));
    let r = check(&d, &drawn_club_account(), at(IN_SLOT)).unwrap_err();
    assert_eq!(r.codes(), vec![Code::PackSize]);
    assert_eq!(
        r.violations[0].en,
        "a pack is exactly 3 different sessions; this one has 4 — remove 1 session"
    );
    assert!(
        r.violations[0].fr.contains("retirez 1 séance"),
        "{}",
        r.violations[0].fr
    );
}

#[test]
fn a_pack_of_two_sessions_says_add_one() {
    let mut d = good_pack();
    d.lines.pop();
    let r = check(&d, &drawn_club_account(), at(IN_SLOT)).unwrap_err();
    assert!(
        r.violations[0].en.ends_with("— add 1 session"),
        "{}",
        r.violations[0].en
    );
}

#[test]
fn seven_tickets_for_one_session_break_the_line_and_session_caps() {
    let mut d = good_pack();
    d.lines[0].quantity = 7;
    let r = check(&d, &drawn_club_account(), at(IN_SLOT)).unwrap_err();
    assert_eq!(r.codes(), vec![Code::LineQuantity, Code::SessionCap]);
    assert_eq!(
        r.violations[1].en,
        "ATH02: account holds 0 of 6 tickets allowed per session; this order adds 7 — remove 1"
    );
}

#[test]
fn a_zero_quantity_line_is_refused() {
    let mut d = good_pack();
    d.lines[2].quantity = 0;
    let r = check(&d, &drawn_club_account(), at(IN_SLOT)).unwrap_err();
    assert!(
        r.violations[0]
            .en
            .starts_with("BKB01: 0 tickets on this line"),
        "{}",
        r
    );
}

#[test]
fn surfing_and_the_opening_ceremony_are_held_back_in_the_pack_phase() {
    let d = pack(vec![
        line("SRF01", A, 2),
        line("CER-OPENING", D, 2),
        line("BKB01", B, 2),
    ]);
    let r = check(&d, &drawn_club_account(), at(IN_SLOT)).unwrap_err();
    assert_eq!(r.codes(), vec![Code::HeldBack, Code::HeldBack]);
    assert_eq!(
        r.violations[0].en,
        "SRF01 (Surfing) is not on sale in this phase (Make Your Games pack sale) — choose another session"
    );
    assert!(
        r.violations[0]
            .fr
            .starts_with("SRF01 (Surf) n'est pas en vente dans cette phase ("),
        "the French sentence names the sport in French: {}",
        r.violations[0].fr
    );
}

#[test]
fn the_opening_ceremony_sells_in_the_single_ticket_phase_but_surfing_never_does() {
    let mut acc = drawn_club_account();
    acc.draws.insert(
        "single-draw".into(),
        DrawEntry {
            status: DrawStatus::Drawn,
            timeslot: Some(guichet_domain::rules::Timeslot {
                start: at("2023-05-12T10:00:00"),
                end: at("2023-05-14T10:00:00"),
            }),
        },
    );
    let now = at("2023-05-13T09:00:00");
    assert!(check(&single(vec![line("CER-OPENING", A, 2)]), &acc, now).is_ok());
    let r = check(&single(vec![line("SRF04", A, 2)]), &acc, now).unwrap_err();
    assert_eq!(r.codes(), vec![Code::HeldBack]);
    let r = check(
        &single(vec![line("SRF04", A, 2)]),
        &acc,
        at("2024-01-10T10:00:00"),
    )
    .unwrap_err();
    assert_eq!(
        r.codes(),
        vec![Code::HeldBack],
        "surfing is held back in the general sale too"
    );
}

#[test]
fn a_31st_ticket_is_refused_with_the_count_and_the_fix() {
    let acc = holding(drawn_club_account(), 30);
    let d = pack(vec![
        line("ATH02", D, 1),
        line("SWM01", C, 1),
        line("BKB01", B, 1),
    ]);
    let r = check(&d, &acc, at(IN_SLOT)).unwrap_err();
    assert_eq!(r.codes(), vec![Code::AccountCap]);
    assert_eq!(
        r.violations[0].en,
        "account holds 30 of 30 Olympic tickets; this order adds 3 — remove 3"
    );
}

#[test]
fn the_account_cap_message_matches_the_brief() {
    let acc = holding(drawn_club_account(), 27);
    let d = pack(vec![
        line("ATH02", D, 2),
        line("SWM01", C, 2),
        line("BKB01", B, 2),
    ]);
    let r = check(&d, &acc, at(IN_SLOT)).unwrap_err();
    assert_eq!(
        r.violations[0].en,
        "account holds 27 of 30 Olympic tickets; this order adds 6 — remove 3"
    );
    assert_eq!(
        r.violations[0].fr,
        "le compte détient 27 billets olympiques sur 30 ; cette commande en ajoute 6 — retirez-en 3"
    );
    assert_eq!(r.violations[0].details["remove"], 3);
}

#[test]
fn exactly_thirty_is_allowed() {
    let acc = holding(drawn_club_account(), 24);
    let d = pack(vec![
        line("ATH02", D, 2),
        line("SWM01", C, 2),
        line("BKB01", B, 2),
    ]);
    assert_eq!(check(&d, &acc, at(IN_SLOT)).unwrap().tickets(), 6);
}

#[test]
fn the_session_cap_counts_tickets_already_held() {
    let mut acc = drawn_club_account();
    acc.held.insert(code("ATH02"), 4);
    let d = pack(vec![
        line("ATH02", D, 3),
        line("SWM01", C, 1),
        line("BKB01", B, 1),
    ]);
    let r = check(&d, &acc, at(IN_SLOT)).unwrap_err();
    assert_eq!(r.codes(), vec![Code::SessionCap]);
    assert!(
        r.violations[0].en.contains("holds 4 of 6") && r.violations[0].en.ends_with("remove 1")
    );
}

#[test]
fn a_held_count_near_u32_max_is_refused_by_the_session_cap_not_wrapped_under_it() {
    // The report: an account holding 4294967295 FBL01 tickets. `held + 1` used to
    // overflow (a panic in debug, a wrap to 0 in release that kept the cap).
    let mut acc = drawn_club_account();
    acc.held.insert(code("FBL01"), u32::MAX);
    let d = pack(vec![
        line("FBL01", D, 1),
        line("SWM01", C, 1),
        line("BKB01", B, 1),
    ]);
    let r = check(&d, &acc, at(IN_SLOT)).unwrap_err();
    assert_eq!(r.codes(), vec![Code::SessionCap, Code::AccountCap]);
    assert_eq!(
        r.violations[0].en,
        "FBL01: account holds 4294967295 of 6 tickets allowed per session; this order adds 1 — remove 1: the account is already over the cap and may buy no more for this session"
    );
    assert_eq!(
        r.violations[0].fr,
        "FBL01 : le compte détient 4294967295 billets sur 6 autorisés par séance ; cette commande en ajoute 1 — retirez-en 1 : le compte dépasse déjà la limite et ne peut plus en acheter pour cette séance"
    );
    assert_eq!(
        r.violations[1].en,
        "account holds 4294967295 of 30 Olympic tickets; this order adds 3 — remove 3: the account is already over the cap and may buy no more Olympic tickets"
    );
    assert_eq!(r.violations[1].details["remove"], 3);
}

#[test]
fn held_counts_whose_sum_passes_u32_max_are_counted_exactly_against_the_account_cap() {
    let mut acc = drawn_club_account();
    for s in ["FBL01", "HBL01", "JUD01"] {
        acc.held.insert(code(s), u32::MAX / 2 + 1);
    }
    let r = check(&good_pack(), &acc, at(IN_SLOT)).unwrap_err();
    assert_eq!(r.codes(), vec![Code::AccountCap]);
    let held = 3 * (u64::from(u32::MAX / 2) + 1);
    assert_eq!(
        r.violations[0].en,
        format!("account holds {held} of 30 Olympic tickets; this order adds 18 — remove 18: the account is already over the cap and may buy no more Olympic tickets")
    );
}

#[test]
fn lines_whose_quantities_sum_past_u32_max_are_refused_by_the_caps() {
    // Two lines of one session: u32::MAX + 1 tickets, which used to wrap to 0.
    let acc = drawn_club_account();
    let d = single(vec![line("ATH02", D, u32::MAX), line("ATH02", C, 1)]);
    let stock: BTreeMap<_, _> = d
        .lines
        .iter()
        .map(|l| ((l.session.clone(), l.category), u32::MAX))
        .collect();
    let r = check_order(
        &d,
        &acc,
        &config(),
        catalogue(),
        &stock,
        at("2024-01-10T10:00:00"),
    )
    .unwrap_err();
    assert_eq!(r.codes(), vec![Code::SessionCap, Code::AccountCap]);
    assert_eq!(
        r.violations[0].en,
        "ATH02: account holds 0 of 6 tickets allowed per session; this order adds 4294967296 — remove 4294967290"
    );
}

#[test]
fn an_order_priced_beyond_what_an_amount_holds_is_refused_with_order_total() {
    let mut sessions: Vec<_> = catalogue().sessions().cloned().collect();
    // Six tickets at an eighth of the largest amount fit on a line; two such lines do not.
    for s in sessions
        .iter_mut()
        .filter(|s| ["ATH02", "SWM01"].contains(&s.code.as_str()))
    {
        for o in &mut s.offers {
            o.price = Money::from_cents(i64::MAX / 8);
        }
    }
    let dear = Catalogue::new(catalogue().venues().cloned().collect(), sessions);
    let d = good_pack();
    let r = check_order(
        &d,
        &drawn_club_account(),
        &config(),
        &dear,
        &dear,
        at(IN_SLOT),
    )
    .unwrap_err();
    assert_eq!(r.codes(), vec![Code::OrderTotal]);
    assert!(
        r.violations[0].en.starts_with("the order's total is more than the largest amount a sale can hold (92,233,720,368,547,758.07 €) — remove tickets"),
        "{}",
        r.violations[0].en
    );
}

#[test]
fn the_timeslot_is_half_open_to_the_second() {
    let acc = drawn_club_account();
    let d = good_pack();
    let refused = |t: &str| check(&d, &acc, at(t)).unwrap_err().codes();
    assert_eq!(
        refused("2023-02-17T09:59:59"),
        vec![Code::Timeslot],
        "one second before the slot"
    );
    assert!(
        check(&d, &acc, at("2023-02-17T10:00:00")).is_ok(),
        "first second of the slot"
    );
    assert!(
        check(&d, &acc, at("2023-02-19T09:59:59")).is_ok(),
        "last second of the slot"
    );
    assert_eq!(
        refused("2023-02-19T10:00:00"),
        vec![Code::Timeslot],
        "the end is excluded"
    );
    let r = check(&d, &acc, at("2023-02-19T10:00:01")).unwrap_err();
    assert_eq!(
        r.violations[0].en,
        "timeslot is 17 Feb 10:00 – 19 Feb 10:00 (Paris time); it is 19 Feb 10:00:01 — the timeslot has ended; the account may buy again when the general sale opens"
    );
    let r = check(&d, &acc, at("2023-02-17T09:59:59")).unwrap_err();
    assert!(
        r.violations[0].en.ends_with("— come back on 17 Feb 10:00"),
        "{}",
        r.violations[0].en
    );
}

fn non_club_with_slot(start: &str, end: &str) -> guichet_domain::AccountStanding {
    let mut acc = drawn_club_account();
    acc.club_member = false;
    acc.draws.get_mut("pack-draw").unwrap().timeslot = Some(guichet_domain::rules::Timeslot {
        start: at(start),
        end: at(end),
    });
    acc
}

#[test]
fn club_days_one_to_four_refuse_non_members_and_day_five_accepts_them() {
    let acc = non_club_with_slot("2023-02-17T10:00:00", "2023-02-21T10:00:00");
    let d = good_pack();
    let r = check(&d, &acc, at("2023-02-17T10:00:00")).unwrap_err();
    assert_eq!(
        r.codes(),
        vec![Code::ClubPriority],
        "a non-Club account on 17 Feb"
    );
    assert_eq!(
        r.violations[0].en,
        "15 Feb – 18 Feb are reserved for Club Paris 2024 members; this account is not a member — it may buy from 19 Feb 00:00 (Paris time); it is 17 Feb 10:00"
    );
    assert_eq!(
        check(&d, &acc, at("2023-02-18T23:59:59"))
            .unwrap_err()
            .codes(),
        vec![Code::ClubPriority],
        "last second of day 4"
    );
    assert!(
        check(&d, &acc, at("2023-02-19T00:00:00")).is_ok(),
        "first second of day 5"
    );
}

#[test]
fn club_members_buy_on_day_four() {
    let mut acc = non_club_with_slot("2023-02-17T10:00:00", "2023-02-19T10:00:00");
    acc.club_member = true;
    assert!(check(&good_pack(), &acc, at("2023-02-18T23:59:59")).is_ok());
}

#[test]
fn the_pack_phase_window_is_half_open_to_the_second() {
    let acc = non_club_with_slot("2023-02-01T00:00:00", "2023-04-01T00:00:00");
    let mut club = acc.clone();
    club.club_member = true;
    let d = good_pack();
    let r = check(&d, &club, at("2023-02-14T23:59:59")).unwrap_err();
    assert_eq!(r.codes(), vec![Code::SaleClosed]);
    assert!(
        r.violations[0]
            .en
            .contains("the Make Your Games pack sale opens on 15 Feb 00:00"),
        "{}",
        r.violations[0].en
    );
    assert!(
        check(&d, &club, at("2023-02-15T00:00:00")).is_ok(),
        "opening second"
    );
    assert!(
        check(&d, &acc, at("2023-03-15T23:59:59")).is_ok(),
        "last second"
    );
    let r = check(&d, &acc, at("2023-03-16T00:00:00")).unwrap_err();
    assert_eq!(r.codes(), vec![Code::SaleClosed]);
    assert!(
        r.violations[0].en.contains("closed on 16 Mar 00:00"),
        "{}",
        r.violations[0].en
    );
}

#[test]
fn single_tickets_during_the_pack_phase_name_the_open_phase() {
    let r = check(
        &single(vec![line("ATH02", D, 2)]),
        &drawn_club_account(),
        at(IN_SLOT),
    )
    .unwrap_err();
    assert_eq!(r.codes(), vec![Code::OrderKind]);
    assert!(
        r.violations[0]
            .en
            .contains("sells packs — make a pack order"),
        "{}",
        r.violations[0].en
    );
}

#[test]
fn undrawn_unregistered_and_pending_accounts_are_refused_in_draw_phases() {
    for (status, words) in [
        (None, "did not register"),
        (Some(DrawStatus::NotDrawn), "was not drawn"),
        (Some(DrawStatus::Registered), "draw is not made yet"),
    ] {
        let mut acc = drawn_club_account();
        match status {
            None => {
                acc.draws.clear();
            }
            Some(s) => acc.draws.get_mut("pack-draw").unwrap().status = s,
        }
        let r = check(&good_pack(), &acc, at(IN_SLOT)).unwrap_err();
        assert_eq!(r.codes(), vec![Code::DrawRequired], "{words}");
        assert!(r.violations[0].en.contains(words), "{}", r.violations[0].en);
    }
}

#[test]
fn a_drawn_account_without_a_timeslot_is_told_to_wait_for_it() {
    let mut acc = drawn_club_account();
    acc.draws.get_mut("pack-draw").unwrap().timeslot = None;
    assert_eq!(
        check(&good_pack(), &acc, at(IN_SLOT)).unwrap_err().codes(),
        vec![Code::NoTimeslot]
    );
}

#[test]
fn availability_limits_the_order_and_names_what_is_left() {
    let mut stock = BTreeMap::new();
    stock.insert((code("ATH02"), D), 3u32);
    stock.insert((code("SWM01"), C), 100);
    stock.insert((code("BKB01"), B), 0);
    let r = check_order(
        &good_pack(),
        &drawn_club_account(),
        &config(),
        catalogue(),
        &stock,
        at(IN_SLOT),
    )
    .unwrap_err();
    assert_eq!(r.codes(), vec![Code::Availability, Code::Availability]);
    assert_eq!(
        r.violations[0].en,
        "ATH02 category D: 3 left, this order asks 6 — remove 3 or choose another category"
    );
    assert!(r.violations[1]
        .en
        .ends_with("choose another category or session"));
}

#[test]
fn unknown_sessions_missing_categories_and_empty_orders_are_named() {
    let acc = drawn_club_account();
    let r = check(&pack(vec![]), &acc, at(IN_SLOT)).unwrap_err();
    assert!(r.has(Code::EmptyOrder) && r.has(Code::PackSize));
    let r = check(
        &pack(vec![
            line("XYZ99", A, 1),
            line("SWM01", C, 1),
            line("BKB01", B, 1),
        ]),
        &acc,
        at(IN_SLOT),
    )
    .unwrap_err();
    assert_eq!(r.codes(), vec![Code::UnknownSession]);
    assert_eq!(
        r.violations[0].en,
        "XYZ99 is not a session of the catalogue — check the code"
    );
    let late = at("2024-01-10T10:00:00");
    let r = check(&single(vec![line("CER-CLOSING", D, 1)]), &acc, late).unwrap_err();
    assert_eq!(
        r.violations[0].en,
        "CER-CLOSING has no category D — choose A, B, C, WCH, CMP"
    );
}

#[test]
fn olympic_and_paralympic_tickets_are_counted_apart() {
    let acc = holding(drawn_club_account(), 30);
    let now = at("2024-01-10T10:00:00");
    let o = check(&single(vec![line("PWBK01", D, 4)]), &acc, now).unwrap();
    assert_eq!(o.games, guichet_domain::Games::Paralympic);
    assert_eq!(o.total, Money::from_euros(60), "4 × 15 € Paralympic floor");
    let r = check(
        &single(vec![line("PWBK01", D, 1), line("ATH02", D, 1)]),
        &acc,
        now,
    )
    .unwrap_err();
    assert!(r.has(Code::MixedGames), "{r}");
}

#[test]
fn the_different_sports_rule_is_off_by_default_and_works_when_on() {
    let d = pack(vec![
        line("ATH02", D, 1),
        line("ATH04", D, 1),
        line("BKB01", B, 1),
    ]);
    assert!(check(&d, &drawn_club_account(), at(IN_SLOT)).is_ok());
    let mut cfg = config();
    cfg.limits.pack_different_sports = true;
    let r = check_order(
        &d,
        &drawn_club_account(),
        &cfg,
        catalogue(),
        catalogue(),
        at(IN_SLOT),
    )
    .unwrap_err();
    assert_eq!(r.codes(), vec![Code::PackSameSport]);
    assert!(r.violations[0]
        .en
        .starts_with("Athletics appears in 2 sessions of this pack (ATH02, ATH04)"));
}

#[test]
fn the_same_session_twice_in_a_pack_is_refused() {
    let d = pack(vec![
        line("ATH02", D, 1),
        line("ATH02", C, 1),
        line("BKB01", B, 1),
    ]);
    let r = check(&d, &drawn_club_account(), at(IN_SLOT)).unwrap_err();
    assert_eq!(r.codes(), vec![Code::PackSize, Code::PackDuplicateSession]);
}

#[test]
fn every_reason_comes_at_once() {
    // The brief's worst case: 4 sessions with surfing, 7 tickets on a line, an account at 30,
    // a non-Club account on 17 Feb, one second after its timeslot.
    let mut acc = holding(
        non_club_with_slot("2023-02-15T10:00:00", "2023-02-17T10:00:00"),
        30,
    );
    acc.club_member = false;
    let d = pack(vec![
        line("ATH02", D, 7),
        line("SWM01", C, 1),
        line("BKB01", B, 1),
        line("SRF01", A, 1),
    ]);
    let r = check(&d, &acc, at("2023-02-17T10:00:01")).unwrap_err();
    for code in [
        Code::LineQuantity,
        Code::HeldBack,
        Code::Timeslot,
        Code::ClubPriority,
        Code::PackSize,
        Code::SessionCap,
        Code::AccountCap,
    ] {
        assert!(r.has(code), "{code} missing from {r}");
    }
    for v in &r.violations {
        assert!(
            !v.fr.is_empty() && v.fr != v.en,
            "every violation has its own French sentence: {v:?}"
        );
    }
}

#[test]
fn a_config_with_other_limits_changes_the_decision() {
    let mut cfg: SaleConfig = config();
    cfg.limits.olympic_per_account = 10;
    let r = check_order(
        &good_pack(),
        &drawn_club_account(),
        &cfg,
        catalogue(),
        catalogue(),
        at(IN_SLOT),
    )
    .unwrap_err();
    assert_eq!(
        r.violations[0].en,
        "account holds 0 of 10 Olympic tickets; this order adds 18 — remove 8"
    );
}

/// Every phase of the configuration, read from the file (so a new phase is covered too):
/// one second before it opens and at its closing second it does not sell; at its opening
/// second and one second before it closes it does, and the order is priced in that phase.
#[test]
fn every_phase_opens_and_closes_to_the_second() {
    let cfg = config();
    assert_eq!(
        cfg.phases.len(),
        4,
        "the Paris 2024 configuration has four phases"
    );
    let mut acc = drawn_club_account();
    for d in &cfg.draws {
        acc.draws.insert(
            d.id.clone(),
            DrawEntry {
                status: DrawStatus::Drawn,
                timeslot: Some(guichet_domain::rules::Timeslot {
                    start: at("2022-01-01T00:00:00"),
                    end: at("2025-01-01T00:00:00"),
                }),
            },
        );
    }
    let one = jiff::SignedDuration::from_secs(1);
    for p in &cfg.phases {
        let order = match (p.sells, p.games) {
            (guichet_domain::OrderKind::Pack, _) => good_pack(),
            (_, guichet_domain::Games::Olympic) => single(vec![line("ATH02", D, 2)]),
            (_, guichet_domain::Games::Paralympic) => single(vec![line("PWBK01", D, 2)]),
        };
        for (instant, open) in [
            (p.opens - one, false),
            (p.opens, true),
            (p.closes - one, true),
            (p.closes, false),
        ] {
            let r = check_order(&order, &acc, &cfg, catalogue(), catalogue(), instant);
            match (open, r) {
                (true, Ok(o)) => assert_eq!(o.phase, p.id, "{} at {instant}", p.id),
                (true, Err(e)) => panic!("{} must sell at {instant}: {e}", p.id),
                (false, Ok(o)) => panic!(
                    "{} must not sell at {instant}, yet {} accepted it",
                    p.id, o.phase
                ),
                (false, Err(e)) => assert!(
                    e.codes().contains(&Code::SaleClosed),
                    "{} at {instant}: {e}",
                    p.id
                ),
            }
        }
    }
}
