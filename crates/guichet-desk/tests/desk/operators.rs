use guichet_desk::Error;
use guichet_store::operators::Role;
use jiff::SignedDuration;

use crate::support::*;

#[test]
fn five_wrong_pins_lock_the_operator_until_the_lock_expires() {
    let mut f = bare();
    for left in [4, 3, 2, 1] {
        match f.desk.sign_in(SELL.0, "0000").unwrap_err() {
            Error::WrongPin { left: l, .. } => assert_eq!(l, left, "each wrong PIN is counted"),
            e => panic!("expected WrongPin, got {e}"),
        }
    }
    let e = f.desk.sign_in(SELL.0, "0000").unwrap_err();
    assert_eq!(e.code(), "LOCKED", "the 5th wrong PIN locks: {e}");
    assert!(
        e.to_string().contains("20/02/2023 10:15"),
        "lock end in Paris time: {e}"
    );
    // Even the right PIN is refused while locked: otherwise the lock would only slow guessing.
    assert_eq!(f.desk.sign_in(SELL.0, SELL.1).unwrap_err().code(), "LOCKED");
    f.clock.advance(SignedDuration::from_mins(14));
    assert_eq!(f.desk.sign_in(SELL.0, SELL.1).unwrap_err().code(), "LOCKED");
    f.clock.advance(SignedDuration::from_mins(1));
    let who = f.desk.sign_in(SELL.0, SELL.1).unwrap();
    assert_eq!(
        who.role,
        Role::Seller,
        "the lock lasts the configured 15 minutes, no more"
    );
    let refused = count(
        &f.desk,
        "SELECT count(*) FROM ledger WHERE action = 'pin_refused'",
    );
    let locked = count(
        &f.desk,
        "SELECT count(*) FROM ledger WHERE action = 'operator_locked'",
    );
    assert_eq!(
        (refused, locked),
        (4, 1),
        "every wrong PIN is in the ledger"
    );
}

#[test]
fn a_good_pin_resets_the_count() {
    let mut f = bare();
    for _ in 0..4 {
        f.desk.sign_in(SELL.0, "0000").unwrap_err();
    }
    f.desk.sign_in(SELL.0, SELL.1).unwrap();
    // Four more wrong PINs after a success must not lock: the count restarted at zero.
    for _ in 0..4 {
        assert_eq!(
            f.desk.sign_in(SELL.0, "0000").unwrap_err().code(),
            "WRONG_PIN"
        );
    }
}

#[test]
fn unknown_operator_is_refused_and_nothing_is_written() {
    let mut f = bare();
    let before = footprint(&f.desk);
    let e = f.desk.sign_in("S-NOBODY", "1234").unwrap_err();
    assert_eq!(e.code(), "UNKNOWN_OPERATOR", "{e}");
    assert_eq!(footprint(&f.desk), before);
}

#[test]
fn sign_in_and_out_are_recorded_and_sign_out_ends_the_session() {
    let mut f = bare();
    f.desk.sign_in(SELL.0, SELL.1).unwrap();
    f.desk.sign_out().unwrap();
    assert_eq!(
        f.desk.look_up("elodie").unwrap_err().code(),
        "NOT_SIGNED_IN"
    );
    let rows = count(&f.desk, "SELECT count(*) FROM ledger WHERE operator_id = 'S-SELL' AND action IN ('sign_in', 'sign_out')");
    assert_eq!(rows, 2, "who signed in and out is in the ledger");
}

#[test]
fn only_a_supervisor_adds_operators_and_pins_follow_the_policy() {
    let mut f = bare();
    assert_eq!(
        f.desk
            .add_operator("S-X", "X", Role::Seller, "1111")
            .unwrap_err()
            .code(),
        "NOT_SIGNED_IN",
        "after the first operator, nobody adds staff anonymously"
    );
    f.desk.sign_in(SELL.0, SELL.1).unwrap();
    assert_eq!(
        f.desk
            .add_operator("S-X", "X", Role::Seller, "1111")
            .unwrap_err()
            .code(),
        "NOT_SUPERVISOR"
    );
    f.desk.sign_in(SUP.0, SUP.1).unwrap();
    for bad in ["12", "123456789", "12a4"] {
        assert_eq!(
            f.desk
                .add_operator("S-X", "X", Role::Seller, bad)
                .unwrap_err()
                .code(),
            "PIN_POLICY",
            "{bad} is not a 4–8 digit PIN"
        );
    }
    f.desk
        .add_operator("S-X", "X", Role::Seller, "1111")
        .unwrap();
    let hash: String = f
        .desk
        .store()
        .reader()
        .query_row("SELECT pin_hash FROM operator WHERE id = 'S-X'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(
        hash.starts_with("$argon2id$"),
        "the PIN is stored as an Argon2id hash: {hash}"
    );
}

#[test]
fn a_staff_id_is_read_whatever_its_case_and_spaces() {
    let mut f = bare();
    let typed = format!(" {} ", SELL.0.to_lowercase());
    let who = f.desk.sign_in(&typed, SELL.1).unwrap();
    assert_eq!(who.id, SELL.0, "the operator's own spelling is kept");
    // A wrong PIN under another case counts against the same operator.
    match f.desk.sign_in(&SELL.0.to_lowercase(), "0000").unwrap_err() {
        Error::WrongPin { id, left, .. } => {
            assert_eq!((id.as_str(), left), (SELL.0, 4));
        }
        e => panic!("expected WrongPin, got {e}"),
    }
}
