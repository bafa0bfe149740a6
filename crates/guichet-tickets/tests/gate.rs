//! The gate's answers, in process: each refusal for the reason it names.

mod common;

use common::{evening_of, gate, issued_at, test_key};
use guichet_tickets::demo::{demo_pack, DEMO_SESSIONS};
use guichet_tickets::{
    base45, DeviceKey, Forgery, Revocation, RevocationList, SignedTicket, Verdict,
};

#[test]
fn a_genuine_ticket_on_its_day_is_valid_once_and_then_already_scanned_with_the_first_time() {
    let dir = tempfile::tempdir().unwrap();
    let order = demo_pack(&test_key(), issued_at());
    let t = &order[0]; // ATH07, 4 Aug 2024
    let first = evening_of("2024-08-04");
    let mut g = gate(dir.path(), RevocationList::default());
    let v = g.scan(&t.face.qr_text, first).unwrap();
    assert!(
        v.is_valid(),
        "first scan of a genuine ticket on its day: {v}"
    );
    // A restart: the gate is built again from the same files.
    let mut g = gate(dir.path(), RevocationList::default());
    let v = g
        .scan(&t.face.qr_text, first + jiff::SignedDuration::from_mins(7))
        .unwrap();
    match v {
        Verdict::AlreadyScanned { first_scan, .. } => assert_eq!(
            first_scan.timestamp(),
            first,
            "the refusal names the first scan's time, read back from the log after a restart"
        ),
        other => panic!("second scan must be ALREADY SCANNED, got {other}"),
    }
}

#[test]
fn a_flipped_bit_anywhere_in_the_signed_bytes_is_forged() {
    let dir = tempfile::tempdir().unwrap();
    let t = &demo_pack(&test_key(), issued_at())[0];
    let mut bytes = base45::decode(&t.face.qr_text).unwrap();
    bytes[30] ^= 0x01; // inside the session day: still well-formed, no longer signed
    let v = gate(dir.path(), RevocationList::default())
        .scan(&base45::encode(&bytes), evening_of("2024-08-04"))
        .unwrap();
    assert_eq!(
        v,
        Verdict::Forged(Forgery::BadSignature),
        "altered bytes break the signature"
    );
}

#[test]
fn a_payload_signed_by_another_key_under_a_trusted_key_id_is_forged() {
    let dir = tempfile::tempdir().unwrap();
    let genuine = &demo_pack(&test_key(), issued_at())[0].signed;
    let thief = DeviceKey::from_seed([0x66; 32]);
    let mut forged = SignedTicket::sign(genuine.claims.clone(), &thief)
        .unwrap()
        .as_bytes()
        .to_vec();
    // Claim the trusted key's id: the signature still comes from the thief's key.
    forged[1..9].copy_from_slice(test_key().key_id().as_bytes());
    let v = gate(dir.path(), RevocationList::default())
        .scan(&base45::encode(&forged), evening_of("2024-08-04"))
        .unwrap();
    assert_eq!(
        v,
        Verdict::Forged(Forgery::BadSignature),
        "only the named key's signature counts"
    );
}

#[test]
fn a_ticket_from_a_key_the_gate_does_not_carry_is_unknown_key() {
    let dir = tempfile::tempdir().unwrap();
    let stranger = DeviceKey::from_seed([0x77; 32]);
    let t = &demo_pack(&stranger, issued_at())[0];
    let v = gate(dir.path(), RevocationList::default())
        .scan(&t.face.qr_text, evening_of("2024-08-04"))
        .unwrap();
    assert_eq!(
        v,
        Verdict::UnknownKey(stranger.key_id()),
        "a key not in the list is named"
    );
}

#[test]
fn a_revoked_ticket_is_refused_with_its_reason_and_not_logged() {
    let dir = tempfile::tempdir().unwrap();
    let t = &demo_pack(&test_key(), issued_at())[3];
    let id = t.signed.claims.ticket_id;
    let revoked = RevocationList::from_entries(&[Revocation {
        ticket_id: id,
        reason: "reissued".into(),
    }]);
    let mut g = gate(dir.path(), revoked);
    let v = g.scan(&t.face.qr_text, evening_of("2024-08-04")).unwrap();
    assert_eq!(
        v,
        Verdict::Revoked {
            ticket_id: id,
            reason: "reissued".into()
        }
    );
    assert!(
        g.scan_log.is_empty(),
        "a refused ticket is not an admission"
    );
}

#[test]
fn a_ticket_is_refused_the_day_before_and_the_day_after_its_session() {
    let dir = tempfile::tempdir().unwrap();
    let t = &demo_pack(&test_key(), issued_at())[0];
    let mut g = gate(dir.path(), RevocationList::default());
    for day in ["2024-08-03", "2024-08-05"] {
        let v = g.scan(&t.face.qr_text, evening_of(day)).unwrap();
        assert_eq!(v.word(), "WRONG DAY", "{day} is not the session's day: {v}");
    }
    // 00:30 Paris on 4 Aug is still 3 Aug in UTC: the venue's day counts, not UTC's.
    let just_after_midnight: jiff::Zoned = "2024-08-04T00:30[Europe/Paris]".parse().unwrap();
    let v = g
        .scan(&t.face.qr_text, just_after_midnight.timestamp())
        .unwrap();
    assert!(v.is_valid(), "the day is the venue's local day: {v}");
}

#[test]
fn surfing_tickets_are_checked_on_tahiti_s_day() {
    let dir = tempfile::tempdir().unwrap();
    let order = guichet_tickets::demo::demo_order(&test_key(), issued_at(), &DEMO_SESSIONS[3..], 1);
    let mut g = gate(dir.path(), RevocationList::default());
    // Paris is 12 hours ahead of Tahiti: 20:00 on 27 Jul in Tahiti is 08:00 on 28 Jul in Paris.
    let evening_tahiti: jiff::Zoned = "2024-07-27T20:00[Pacific/Tahiti]".parse().unwrap();
    let at = evening_tahiti.timestamp();
    assert_eq!(
        g.scan(&order[0].face.qr_text, at).unwrap().word(),
        "WRONG DAY",
        "a gate set to Paris time sees 28 Jul"
    );
    g.zone = jiff::tz::TimeZone::get("Pacific/Tahiti").unwrap();
    assert!(
        g.scan(&order[0].face.qr_text, at).unwrap().is_valid(),
        "a Tahiti gate sees 27 Jul"
    );
}

#[test]
fn garbage_text_is_forged_as_unreadable_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = gate(dir.path(), RevocationList::default());
    for text in [
        "",
        "hello",
        "https://example.org/ticket/1",
        "ÀÉ",
        &"A".repeat(5000),
    ] {
        let v = g.scan(text, evening_of("2024-08-04")).unwrap();
        assert!(
            matches!(v, Verdict::Forged(Forgery::Malformed(_))),
            "{text:?} -> {v}"
        );
    }
}
