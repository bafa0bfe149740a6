//! A revoked device's key at the gate: tickets it signed after the instant it was revoked as
//! of are REVOKED KEY; those it signed up to that instant stay valid; a key list file carries
//! the instant and reads back with it.

mod common;

use common::{evening_of, issued_at, test_key};
use guichet_tickets::demo::demo_pack;
use guichet_tickets::{Gate, KeyList, RevocationList, ScanLog, Verdict};
use jiff::{tz::TimeZone, SignedDuration, Timestamp};

fn gate_with_revoked_key(dir: &std::path::Path, revoked_after: Timestamp) -> Gate {
    let mut entry = test_key().public_entry("lost desk");
    entry.revoked_after = Some(revoked_after);
    let path = dir.join("keys.json");
    KeyList::save(&[entry], &path).unwrap();
    Gate {
        keys: KeyList::load(&path).expect("a key list with revoked_after reads back"),
        revoked: RevocationList::default(),
        scan_log: ScanLog::open(&dir.join("scans.log")).unwrap(),
        zone: TimeZone::get("Europe/Paris").unwrap(),
        label: "test gate".into(),
    }
}

#[test]
fn a_ticket_signed_after_its_device_was_revoked_is_revoked_key_and_one_signed_before_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let revoked_after = issued_at() + SignedDuration::from_hours(1);
    let mut g = gate_with_revoked_key(dir.path(), revoked_after);
    let before = &demo_pack(&test_key(), issued_at())[0];
    let at_instant = &demo_pack(&test_key(), revoked_after)[1];
    let after = &demo_pack(&test_key(), revoked_after + SignedDuration::from_secs(1))[2];
    let day = evening_of("2024-08-04");

    let v = g.scan(&after.face.qr_text, day).unwrap();
    assert_eq!(
        v,
        Verdict::RevokedKey {
            key_id: test_key().key_id(),
            revoked_after,
            issued_at: revoked_after + SignedDuration::from_secs(1),
        },
        "one second after the revocation instant, the key no longer vouches for a ticket"
    );
    assert_eq!(v.word(), "REVOKED KEY", "the steward reads REVOKED KEY");
    assert!(
        v.to_string().contains(&revoked_after.to_string()),
        "the answer names the instant: {v}"
    );
    assert!(
        g.scan_log.is_empty(),
        "a refused ticket is not an admission"
    );
    let v = g.scan(&before.face.qr_text, day).unwrap();
    assert!(
        v.is_valid(),
        "a ticket signed an hour before stays valid: {v}"
    );
    let v = g.scan(&at_instant.face.qr_text, day).unwrap();
    assert!(
        v.is_valid(),
        "a ticket signed at the very instant is before it (the instant is the last trusted second): {v}"
    );
}

#[test]
fn a_key_list_without_revoked_after_reads_as_before_and_writes_no_such_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys.json");
    KeyList::save(&[test_key().public_entry("desk")], &path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        !text.contains("revoked_after"),
        "a trusted key's entry has no revoked_after, so older gates read the file: {text}"
    );
    let keys = KeyList::load(&path).unwrap();
    assert_eq!(
        keys.revoked_after(&test_key().key_id()),
        None,
        "a key without the field is trusted for every instant"
    );
}
