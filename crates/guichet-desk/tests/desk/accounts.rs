use guichet_desk::{account_qr, LookUpBy, WalkIn};

use crate::support::*;

fn ids(v: &[guichet_store::accounts::Account]) -> Vec<String> {
    v.iter().map(|a| a.id.to_string()).collect()
}

#[test]
fn look_up_by_number_email_and_qr() {
    let f = fx();
    let (by, found) = f.desk.look_up("P24-0000007").unwrap();
    assert_eq!(
        (by, ids(&found)),
        (LookUpBy::Number, vec!["P24-0000007".to_string()])
    );
    let (by, found) = f.desk.look_up("  FAN7@Example.ORG ").unwrap();
    assert_eq!(by, LookUpBy::Email);
    assert_eq!(
        ids(&found),
        vec!["P24-0000007"],
        "email look-up ignores case and spaces"
    );
    let (by, found) = f.desk.look_up(&account_qr(&acct(7))).unwrap();
    assert_eq!(
        (by, ids(&found)),
        (LookUpBy::Qr, vec!["P24-0000007".to_string()])
    );
}

#[test]
fn name_prefix_ignores_accents_and_case_but_not_letters() {
    let f = fx();
    // Generated accounts 12 and 24 are "Élodie Martin" and "Élodie Lefèvre".
    for q in ["Élodie", "elodie", "ÉLO", "elo"] {
        let (by, found) = f.desk.look_up(q).unwrap();
        assert_eq!(by, LookUpBy::Name);
        assert_eq!(
            ids(&found),
            vec!["P24-0000024", "P24-0000012"],
            "query {q:?}"
        );
    }
    let (_, found) = f.desk.look_up("Ehlodie").unwrap();
    assert!(
        found.is_empty(),
        "a different spelling is not an accent: {:?}",
        ids(&found)
    );
    // Family name first works too, as staff often type it.
    let (_, found) = f.desk.look_up("lefevre elo").unwrap();
    assert_eq!(ids(&found), vec!["P24-0000024"]);
}

#[test]
fn walk_in_gets_a_device_made_id_with_ledger_and_outbox() {
    let mut f = fx();
    let a = f
        .desk
        .create_walk_in(&WalkIn {
            given_name: "Zoé".into(),
            family_name: "Walkin".into(),
            email: "zoe.walkin@example.org".into(),
            country: "fr".into(),
            club_number: Some("CLUB123456".into()),
        })
        .unwrap();
    assert!(
        a.id.as_str().starts_with("W-"),
        "walk-in ids are W- + UUIDv7: {}",
        a.id
    );
    assert_eq!(a.country, "FR");
    let (_, found) = f.desk.look_up("zoe walk").unwrap();
    assert_eq!(
        ids(&found),
        vec![a.id.to_string()],
        "a walk-in is found at once, offline"
    );
    let (_, standing) = f.desk.account(&a.id).unwrap();
    assert!(
        standing.club_member,
        "the Club number makes the account a Club member"
    );
    let q = format!(
        "SELECT count(*) FROM outbox WHERE kind = 'account_created' AND payload LIKE '%{}%'",
        a.id
    );
    assert_eq!(
        count(&f.desk, &q),
        1,
        "the server learns of the account through the outbox"
    );
}

#[test]
fn walk_in_with_bad_details_is_refused_and_nothing_is_written() {
    let mut f = fx();
    let good = WalkIn {
        given_name: "Léo".into(),
        family_name: "Test".into(),
        email: "leo@example.org".into(),
        country: "FR".into(),
        club_number: None,
    };
    let before = footprint(&f.desk);
    let cases = [
        WalkIn {
            email: "leo-at-example".into(),
            ..good.clone()
        },
        WalkIn {
            email: "leo@example".into(),
            ..good.clone()
        },
        WalkIn {
            country: "France".into(),
            ..good.clone()
        },
        WalkIn {
            given_name: "  ".into(),
            ..good.clone()
        },
        WalkIn {
            family_name: "x".repeat(500),
            ..good.clone()
        },
        WalkIn {
            club_number: Some("12".into()),
            ..good.clone()
        },
    ];
    for w in &cases {
        let e = f.desk.create_walk_in(w).unwrap_err();
        assert_eq!(e.code(), "BAD_INPUT", "{w:?}: {e}");
    }
    assert_eq!(footprint(&f.desk), before);
}
