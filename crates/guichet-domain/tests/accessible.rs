//! Accessible pairs under the one rules function: a wheelchair place and its companion seat.

mod common;

use std::collections::BTreeMap;

use common::*;
use guichet_domain::rules::{Code, HeldPairs};
use guichet_domain::{check_order, Money, PriceCategory, PriceCategory::*, SessionCode};

/// The general sale: single tickets, anyone.
const GENERAL: &str = "2024-01-10T10:00:00";
const IN_SLOT: &str = "2023-02-17T12:00:00";

#[test]
fn a_wheelchair_place_with_its_companion_seat_is_sold_and_both_are_paid() {
    let o = check(
        &single(vec![line("FBL01", WCH, 1), line("FBL01", CMP, 1)]),
        &drawn_club_account(),
        at(GENERAL),
    )
    .unwrap();
    assert_eq!(o.tickets(), 2, "the companion is a ticket of its own");
    assert_eq!(
        o.total,
        Money::from_euros(2 * 24),
        "both at FBL01's cheapest price, 24 € (prices.csv, accessible-pair)"
    );
}

#[test]
fn a_companion_seat_alone_is_refused_naming_the_rule_and_the_way_out() {
    let r = check(
        &single(vec![line("FBL01", CMP, 1)]),
        &drawn_club_account(),
        at(GENERAL),
    )
    .unwrap_err();
    assert_eq!(r.codes(), vec![Code::CompanionWithoutWheelchair], "{r}");
    assert_eq!(
        r.violations[0].en,
        "a companion seat goes with a wheelchair place: this order has 1 companion seat and no wheelchair place at FBL01, and the account holds none there — add a wheelchair place or remove the companion seats"
    );
    assert_eq!(
        r.violations[0].fr,
        "une place accompagnateur va avec une place fauteuil roulant : cette commande compte 1 place accompagnateur et aucune place fauteuil roulant à FBL01, et le compte n'en détient pas pour cette séance — ajoutez une place fauteuil roulant ou retirez les places accompagnateur"
    );
}

#[test]
fn two_companion_seats_for_one_wheelchair_place_are_refused_with_the_number_to_remove() {
    let r = check(
        &single(vec![line("FBL01", WCH, 1), line("FBL01", CMP, 2)]),
        &drawn_club_account(),
        at(GENERAL),
    )
    .unwrap_err();
    assert_eq!(r.codes(), vec![Code::CompanionsOverWheelchair], "{r}");
    assert_eq!(
        r.violations[0].en,
        "a companion seat goes with a wheelchair place, one per place: this order has 2 companion seats for 1 wheelchair place at FBL01 — remove 1 companion seat or add a wheelchair place"
    );
    assert!(
        r.violations[0]
            .fr
            .contains("2 places accompagnateur pour 1 place fauteuil roulant à FBL01 — retirez 1 place accompagnateur"),
        "{}",
        r.violations[0].fr
    );
    assert_eq!(r.violations[0].details["remove"], 1);
}

#[test]
fn a_companion_seat_may_join_a_wheelchair_place_the_account_already_holds_but_only_one() {
    let mut acc = drawn_club_account();
    acc.held.insert(code("FBL01"), 1);
    acc.accessible.insert(
        code("FBL01"),
        HeldPairs {
            wheelchair: 1,
            companion: 0,
        },
    );
    let later = single(vec![line("FBL01", CMP, 1)]);
    assert!(
        check(&later, &acc, at(GENERAL)).is_ok(),
        "the held wheelchair place has no companion yet"
    );
    acc.accessible.get_mut(&code("FBL01")).unwrap().companion = 1;
    let r = check(&later, &acc, at(GENERAL)).unwrap_err();
    assert_eq!(r.codes(), vec![Code::CompanionsOverWheelchair], "{r}");
    assert!(
        r.violations[0]
            .en
            .contains("(the account already holds 1 wheelchair place and 1 companion seat there)"),
        "the sentence counts what is held: {}",
        r.violations[0].en
    );
}

#[test]
fn the_pair_counts_toward_the_six_per_session_and_the_thirty_per_account() {
    let r = check(
        &single(vec![
            line("FBL01", WCH, 3),
            line("FBL01", CMP, 3),
            line("FBL01", D, 1),
        ]),
        &drawn_club_account(),
        at(GENERAL),
    )
    .unwrap_err();
    assert_eq!(
        r.codes(),
        vec![Code::SessionCap],
        "3 + 3 + 1 is 7 of 6: {r}"
    );
    let acc = holding(drawn_club_account(), 28);
    let pair = single(vec![line("ATH02", WCH, 1), line("ATH02", CMP, 1)]);
    assert!(check(&pair, &acc, at(GENERAL)).is_ok(), "28 + 2 is 30");
    let r = check(&pair, &holding(drawn_club_account(), 29), at(GENERAL)).unwrap_err();
    assert_eq!(r.codes(), vec![Code::AccountCap], "29 + 2 is 31: {r}");
    assert!(
        r.violations[0].en.contains("this order adds 2 — remove 1"),
        "{}",
        r.violations[0].en
    );
}

#[test]
fn in_a_pack_a_wheelchair_line_and_its_companion_line_are_one_session() {
    let acc = drawn_club_account();
    let d = pack(vec![
        line("ATH02", WCH, 2),
        line("ATH02", CMP, 2),
        line("SWM01", C, 6),
        line("BKB01", B, 6),
    ]);
    let o = check(&d, &acc, at(IN_SLOT)).expect("three different sessions, one of them a pair");
    assert_eq!(o.tickets(), 16);
    let two = pack(vec![
        line("ATH02", WCH, 1),
        line("ATH02", CMP, 1),
        line("SWM01", C, 6),
    ]);
    let r = check(&two, &acc, at(IN_SLOT)).unwrap_err();
    assert_eq!(
        r.codes(),
        vec![Code::PackSize],
        "the pair is one session of two: {r}"
    );
    let mixed = pack(vec![
        line("ATH02", WCH, 1),
        line("ATH02", D, 1),
        line("SWM01", C, 6),
        line("BKB01", B, 6),
    ]);
    let r = check(&mixed, &acc, at(IN_SLOT)).unwrap_err();
    assert!(
        r.has(Code::PackDuplicateSession),
        "a wheelchair line with a D line is a session twice: {r}"
    );
    let lone = pack(vec![
        line("ATH02", CMP, 1),
        line("SWM01", C, 6),
        line("BKB01", B, 6),
    ]);
    let r = check(&lone, &acc, at(IN_SLOT)).unwrap_err();
    assert_eq!(r.codes(), vec![Code::CompanionWithoutWheelchair], "{r}");
}

#[test]
fn a_paralympic_pair_counts_toward_the_paralympic_tickets() {
    let o = check(
        &single(vec![line("PATH02", WCH, 1), line("PATH02", CMP, 1)]),
        &holding(drawn_club_account(), 30),
        at(GENERAL),
    )
    .expect("30 Olympic tickets held do not count against Paralympic ones");
    assert_eq!(o.games, guichet_domain::Games::Paralympic);
    assert_eq!(
        o.total,
        Money::from_euros(2 * 15),
        "the Paralympic floor, 15 €, each"
    );
}

#[test]
fn companions_running_out_while_wheelchair_places_remain_is_said_so() {
    let stock: BTreeMap<(SessionCode, PriceCategory), u32> =
        [((code("FBL01"), WCH), 3), ((code("FBL01"), CMP), 1)].into();
    let r = check_order(
        &single(vec![line("FBL01", WCH, 2), line("FBL01", CMP, 2)]),
        &drawn_club_account(),
        &config(),
        catalogue(),
        &stock,
        at(GENERAL),
    )
    .unwrap_err();
    assert_eq!(r.codes(), vec![Code::Availability], "{r}");
    assert_eq!(
        r.violations[0].en,
        "FBL01: 3 wheelchair places left but only 1 companion seat — this order asks 2 companion seats; remove 1 companion seat (a wheelchair place may be sold without one) or choose another session"
    );
    let r = check_order(
        &single(vec![line("FBL01", WCH, 4), line("FBL01", CMP, 1)]),
        &drawn_club_account(),
        &config(),
        catalogue(),
        &stock,
        at(GENERAL),
    )
    .unwrap_err();
    assert!(
        r.violations[0]
            .en
            .starts_with("FBL01 category WCH: 3 left, this order asks 4"),
        "a pair needs both places: {}",
        r.violations[0].en
    );
}
