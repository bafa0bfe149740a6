//! What a kiosk asks of the desk: an identified account's allowance (held of 30, per session,
//! its timeslot and whether open) and a supervisor's unlock of the maintenance screen.

use guichet_desk::Tender;
use guichet_domain::Money;

use crate::support::*;

fn cash(euros: i64) -> Tender {
    Tender {
        card: Money::ZERO,
        cash_tendered: Money::from_euros(euros),
    }
}

#[test]
fn the_allowance_counts_what_the_account_holds_and_says_whether_its_timeslot_is_open() {
    let mut f = fx();
    let a = f.desk.allowance(&acct(1)).unwrap();
    assert_eq!(
        (a.held, a.left(), a.per_account),
        (0, 30, 30),
        "nothing held yet: 30 left of 30"
    );
    assert_eq!(a.slots.len(), 1, "the account has its pack draw's timeslot");
    assert!(
        a.slots[0].open,
        "20 Feb 10:00 is inside the slot that starts 19 Feb 10:00"
    );
    f.desk.sell(&pack(1), cash(500)).unwrap();
    let a = f.desk.allowance(&acct(1)).unwrap();
    assert_eq!(
        (a.held, a.left()),
        (6, 24),
        "a pack of 3 × 2 leaves 24 of 30"
    );
    let per: Vec<(String, u32)> = a
        .sessions
        .iter()
        .map(|(s, n)| (s.to_string(), *n))
        .collect();
    assert_eq!(
        per,
        vec![
            ("FBL01".into(), 2),
            ("HBL01".into(), 2),
            ("RU701".into(), 2)
        ],
        "two held per session of the pack"
    );
    f.clock.advance(jiff::SignedDuration::from_hours(72));
    let a = f.desk.allowance(&acct(1)).unwrap();
    assert!(!a.slots[0].open, "three days later the timeslot is over");
}

#[test]
fn only_a_supervisors_right_pin_unlocks_the_kiosk_and_the_unlock_is_in_the_ledger() {
    let mut f = bare();
    let e = f.desk.supervisor_unlock(SUP.0, "0000").unwrap_err();
    assert_eq!(e.code(), "WRONG_PIN", "a wrong PIN opens nothing: {e}");
    let e = f.desk.supervisor_unlock(SELL.0, SELL.1).unwrap_err();
    assert_eq!(
        e.code(),
        "NOT_SUPERVISOR",
        "a seller cannot open maintenance: {e}"
    );
    let name = f.desk.supervisor_unlock(SUP.0, SUP.1).unwrap();
    assert_eq!(
        name, "Supervisor One",
        "the supervisor is named on the screen"
    );
    let rows = count(
        &f.desk,
        "SELECT count(*) FROM ledger WHERE action = 'kiosk_unlock'",
    );
    assert_eq!(rows, 1, "the unlock is written to the ledger once");
}
