//! The draw as docs/draw.md specifies it: beacon checks, runs, verify and its first difference.

mod common;

use common::*;
use guichet_draw::beacon::{first_round_after, round_time};
use guichet_draw::{run, verify, DrawError, Verdict};

fn field(v: &Verdict) -> &str {
    match v {
        Verdict::Match => "MATCH",
        Verdict::Differs { field, .. } => field,
    }
}

#[test]
fn the_recorded_quicknet_rounds_verify_against_the_chains_public_key() {
    for b in [beacon(), other_beacon()] {
        assert_eq!(
            b.verify(),
            Ok(()),
            "round {} is a real quicknet round",
            b.round
        );
    }
    assert_eq!(
        guichet_draw::hex::encode(&other_beacon().randomness()),
        RECORDED_ROUND_657413_RANDOMNESS,
        "randomness is SHA-256 of the signature, as the source of round 657413 gives it"
    );
}
const RECORDED_ROUND_657413_RANDOMNESS: &str =
    "fc1873a13f3545aeade8401532ef5519920652eee6b0d2b19ca12643b87b3587";

#[test]
fn a_beacon_whose_signature_does_not_check_is_refused() {
    let regs = registrations(30);
    let mut bad = beacon();
    bad.signature[10] ^= 1;
    let e = run(&inputs(secret("s"), &bad, &regs, 30, 0, pack_slots(2))).unwrap_err();
    assert_eq!(
        e.code(),
        "BEACON_INVALID",
        "a flipped signature bit must not pass: {e}"
    );
    let mut wrong_round = beacon();
    wrong_round.round += 1;
    let e = run(&inputs(
        secret("s"),
        &wrong_round,
        &regs,
        30,
        0,
        pack_slots(2),
    ))
    .unwrap_err();
    assert_eq!(
        e.code(),
        "BEACON_INVALID",
        "round 123's signature is not round 124's: {e}"
    );
}

#[test]
fn the_named_round_is_after_a_given_instant() {
    let close = 1_700_000_000;
    let r = first_round_after(close);
    assert!(
        round_time(r) > close && round_time(r - 1) <= close,
        "round {r} is the first after {close}"
    );
}

#[test]
fn a_run_verifies_as_match_and_reverse_insertion_gives_the_same_winners() {
    let regs = registrations(60);
    let b = beacon();
    let t = run(&inputs(secret("a"), &b, &regs, 45, 0, pack_slots(2))).unwrap();
    assert_eq!(
        t.settings.winners, 15,
        "45 tickets at 3 per winner make 15 winners"
    );
    assert_eq!(
        verify(&t, &regs).unwrap(),
        Verdict::Match,
        "a transcript verifies against its own list"
    );
    let mut rev = regs.clone();
    rev.reverse();
    let t2 = run(&inputs(secret("a"), &b, &rev, 45, 0, pack_slots(2))).unwrap();
    assert_eq!(t, t2, "insertion order must not change anything");
    assert_eq!(
        verify(&t, &rev).unwrap(),
        Verdict::Match,
        "verify sorts the list itself"
    );
}

#[test]
fn a_changed_added_or_dropped_registration_changes_the_result_and_verify_says_where() {
    let regs = registrations(60);
    let b = beacon();
    let base = run(&inputs(secret("a"), &b, &regs, 45, 0, pack_slots(2))).unwrap();
    let mut changed = regs.clone();
    changed[7].account = "ACC-OTHER".into();
    let mut added = regs.clone();
    added.push(guichet_draw::Registration {
        id: 61,
        account: "ACC-NEW".into(),
        club: false,
    });
    let mut dropped = regs.clone();
    dropped.remove(20);
    for (what, list, expect) in [
        ("changed", &changed, "fingerprint"),
        ("added", &added, "count"),
        ("dropped", &dropped, "count"),
    ] {
        let t = run(&inputs(secret("a"), &b, list, 45, 0, pack_slots(2))).unwrap();
        assert_ne!(
            t.fingerprint, base.fingerprint,
            "one registration {what} changes the fingerprint"
        );
        assert_ne!(
            t.results_hash, base.results_hash,
            "one registration {what} changes the seed, so the results"
        );
        let v = verify(&base, list).unwrap();
        assert_eq!(
            field(&v),
            expect,
            "verify names the first difference with one registration {what}: {v}"
        );
    }
}

#[test]
fn a_flipped_secret_bit_is_refused_or_changes_everything() {
    let regs = registrations(60);
    let b = beacon();
    let s = secret("a");
    let mut flipped = s;
    flipped[0] ^= 0x80;
    let mut i = inputs(flipped, &b, &regs, 45, 0, pack_slots(2));
    i.commitment = guichet_draw::commitment(&s);
    let e = run(&i).unwrap_err();
    assert!(
        matches!(e, DrawError::RevealMismatch { .. }),
        "a reveal that is not the committed secret is refused: {e}"
    );
    let base = run(&inputs(s, &b, &regs, 45, 0, pack_slots(2))).unwrap();
    let other = run(&inputs(flipped, &b, &regs, 45, 0, pack_slots(2))).unwrap();
    assert_ne!(
        base.results, other.results,
        "one secret bit changes the winners"
    );
    let mut forged = base.clone();
    forged.reveal = other.reveal.clone();
    let v = verify(&forged, &regs).unwrap();
    assert_eq!(
        field(&v),
        "commitment",
        "verify names the commitment when the reveal is swapped: {v}"
    );
}

#[test]
fn another_beacon_value_changes_the_result_and_verify_says_where() {
    let regs = registrations(60);
    let (b1, b2) = (beacon(), other_beacon());
    let t1 = run(&inputs(secret("a"), &b1, &regs, 45, 0, pack_slots(2))).unwrap();
    let t2 = run(&inputs(secret("a"), &b2, &regs, 45, 0, pack_slots(2))).unwrap();
    assert_ne!(
        t1.results, t2.results,
        "another round's randomness gives other winners"
    );
    let mut swapped = t1.clone();
    swapped.beacon = t2.beacon.clone();
    let v = verify(&swapped, &regs).unwrap();
    assert!(
        field(&v).starts_with("results["),
        "with another valid round the winners differ: {v}"
    );
    let mut bad = t1.clone();
    bad.beacon.randomness = t2.beacon.randomness.clone();
    let v = verify(&bad, &regs).unwrap();
    assert_eq!(
        field(&v),
        "beacon.randomness",
        "randomness that is not SHA-256 of the signature: {v}"
    );
    let mut forged = t1.clone();
    let mut sig = guichet_draw::hex::decode(&forged.beacon.signature, "sig").unwrap();
    sig[5] ^= 4;
    forged.beacon.randomness = guichet_draw::hex::encode(&sha2::Digest::finalize(
        <sha2::Sha256 as sha2::Digest>::new_with_prefix(&sig),
    ));
    forged.beacon.signature = guichet_draw::hex::encode(&sig);
    let v = verify(&forged, &regs).unwrap();
    assert_eq!(
        field(&v),
        "beacon.signature",
        "a made-up signature is named: {v}"
    );
}

#[test]
fn a_second_wave_takes_the_next_ranks_with_the_same_seed() {
    let regs = registrations(60);
    let b = beacon();
    let all = run(&inputs(secret("a"), &b, &regs, 180, 0, pack_slots(60))).unwrap();
    let w1 = run(&inputs(secret("a"), &b, &regs, 30, 0, pack_slots(60))).unwrap();
    let w2 = run(&inputs(secret("a"), &b, &regs, 30, 10, pack_slots(60))).unwrap();
    let ids =
        |t: &guichet_draw::Transcript| t.results.iter().map(|r| (r.0, r.1)).collect::<Vec<_>>();
    assert_eq!(
        ids(&all)[..10],
        ids(&w1)[..],
        "wave 1 is the first 10 of the draw order"
    );
    assert_eq!(
        ids(&all)[10..20],
        ids(&w2)[..],
        "wave 2 is positions 11–20 of the same order"
    );
    assert_eq!(
        verify(&w2, &regs).unwrap(),
        Verdict::Match,
        "a later wave verifies"
    );
}

#[test]
fn slots_are_48_hours_club_first_four_days_others_after_within_capacity() {
    let regs = registrations(3000);
    let b = beacon();
    let cap = 6;
    let t = run(&inputs(
        secret("slots"),
        &b,
        &regs,
        3 * 1500,
        0,
        pack_slots(cap),
    ))
    .unwrap();
    let club: std::collections::HashSet<u64> =
        regs.iter().filter(|r| r.club).map(|r| r.id).collect();
    let mut per_hour = std::collections::BTreeMap::new();
    for (pos, id, start) in &t.results {
        let end = start + guichet_draw::SLOT_SECONDS;
        assert!(
            *start >= PACK_OPENS && end <= PACK_CLOSES,
            "slot of winner {pos} lies inside the sale window"
        );
        if club.contains(id) {
            assert!(
                *start < CLUB_UNTIL,
                "Club winner {pos} starts in 15–18 Feb, not at {start}"
            );
        } else {
            assert!(
                *start >= CLUB_UNTIL,
                "winner {pos}, not in the Club, starts from 19 Feb, not at {start}"
            );
        }
        *per_hour.entry(start / 3600).or_insert(0u32) += 1;
    }
    assert!(
        per_hour.values().all(|n| *n <= cap),
        "no hour holds more than {cap} new slots: {per_hour:?}"
    );
    let club_starts: Vec<i64> = t
        .results
        .iter()
        .filter(|r| club.contains(&r.1))
        .map(|r| r.2)
        .collect();
    assert!(
        club_starts.windows(2).all(|w| w[0] <= w[1]),
        "slots go in draw order: a better rank never starts later"
    );
}

#[test]
fn too_many_winners_for_the_hours_is_refused_with_the_numbers() {
    let regs = registrations(3000);
    let b = beacon();
    let e = run(&inputs(secret("full"), &b, &regs, 9000, 0, pack_slots(1))).unwrap_err();
    assert_eq!(
        e.code(),
        "SLOTS_FULL",
        "1,000 Club winners at one an hour do not fit in 96 hours: {e}"
    );
    assert!(
        e.to_string().contains("raise the hour capacity"),
        "the refusal says the way out: {e}"
    );
}

#[test]
fn a_slot_across_the_march_clock_change_keeps_48_real_hours() {
    use jiff::{tz::TimeZone, Timestamp};
    // A sale from Fri 24 Mar 2023 10:00 (CET): clocks go forward on Sun 26 Mar at 02:00.
    let opens = 1_679_648_400;
    let paris = TimeZone::get("Europe/Paris").unwrap();
    assert_eq!(
        Timestamp::from_second(opens)
            .unwrap()
            .to_zoned(paris.clone())
            .strftime("%d %b %H:%M %:z")
            .to_string(),
        "24 Mar 10:00 +01:00",
        "the window opens before the change"
    );
    let s = guichet_draw::SlotSettings {
        hour_capacity: 1,
        slot_seconds: guichet_draw::SLOT_SECONDS,
        club_from: opens,
        club_until: opens + 86_400,
        others_from: opens + 86_400,
        sale_closes: opens + 10 * 86_400,
    };
    let winners = [guichet_draw::Entry { id: 1, club: true }];
    let start = guichet_draw::assign_slots(&winners, 1, &s).unwrap()[0];
    let end = start + guichet_draw::SLOT_SECONDS;
    let show = |t: i64| {
        Timestamp::from_second(t)
            .unwrap()
            .to_zoned(paris.clone())
            .strftime("%a %d %b %H:%M %:z")
            .to_string()
    };
    assert_eq!(
        show(start),
        "Fri 24 Mar 10:00 +01:00",
        "the slot starts at the opening"
    );
    assert_eq!(
        show(end),
        "Sun 26 Mar 11:00 +02:00",
        "48 real hours later reads 11:00 in summer time"
    );
    assert_eq!(end - start, 172_800, "exactly 48 hours of real time");
}

#[test]
fn registrations_csv_round_trips_and_refuses_duplicates() {
    let regs = registrations(5);
    let text = guichet_draw::registration::canonical(&regs);
    assert!(
        text.starts_with("registration_id,account_id,club\n1,ACC-000001,0\n"),
        "canonical form: {text}"
    );
    assert_eq!(
        guichet_draw::registration::parse_csv(&text).unwrap(),
        regs,
        "the canonical list reads back"
    );
    let dup = format!("{text}3,ACC-X,0\n");
    let e = guichet_draw::registration::parse_csv(&dup).unwrap_err();
    assert!(
        e.to_string().contains("registration id 3 appears twice"),
        "a duplicate id is named: {e}"
    );
}

/// The two-compression rank equals HMAC-SHA256 as the hmac crate computes it, for draw ids
/// that fit one block (up to 47 bytes) and longer ones (which take the general path).
#[test]
fn the_one_block_rank_is_hmac_sha256() {
    use hmac::{Hmac, Mac};
    for draw in [
        "pack-draw",
        "",
        &"d".repeat(47),
        &"e".repeat(48),
        &"f".repeat(100),
    ] {
        let seed: [u8; 32] = std::array::from_fn(|i| (i * 7 + draw.len()) as u8);
        let r = guichet_draw::Ranker::new(&seed, draw);
        for id in [1u64, 2, 255, 1 << 40, (1 << 63) - 1] {
            let mut m = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&seed).expect("any key");
            m.update(draw.as_bytes());
            m.update(&id.to_be_bytes());
            let full: [u8; 32] = m.finalize().into_bytes().into();
            let want = (
                u64::from_be_bytes(full[..8].try_into().expect("8")),
                u64::from_be_bytes(full[8..16].try_into().expect("8")),
            );
            assert_eq!(
                r.rank_hi_lo(id),
                want,
                "draw {draw:?} id {id}: the rank is HMAC-SHA256"
            );
            assert_eq!(r.rank(id), full, "draw {draw:?} id {id}: the full rank too");
        }
    }
}

/// Over several chunks of text, in any order, the fingerprint is SHA-256 of the canonical list
/// written line by line; a duplicate account far apart is still found.
#[test]
fn the_streamed_fingerprint_is_sha256_of_the_canonical_text() {
    use sha2::Digest;
    let n = 150_000u64;
    let mut regs: Vec<guichet_draw::Registration> = (1..=n)
        .map(|id| guichet_draw::Registration {
            id: id * 3,
            account: format!("ACC-{id:07}"),
            club: id % 5 == 0,
        })
        .collect();
    let mut text = String::from("registration_id,account_id,club\n");
    for r in &regs {
        text.push_str(&format!("{},{},{}\n", r.id, r.account, u8::from(r.club)));
    }
    let want: [u8; 32] = sha2::Sha256::digest(text.as_bytes()).into();
    assert_eq!(
        guichet_draw::fingerprint(&regs).expect("a valid list"),
        want,
        "in id order, over 3 chunks"
    );
    regs.reverse();
    regs.swap(10, 100_000);
    assert_eq!(
        guichet_draw::fingerprint(&regs).expect("a valid list"),
        want,
        "the same list in another order"
    );
    assert_eq!(
        guichet_draw::registration::canonical(&regs),
        text,
        "the canonical text is the same"
    );
    regs[140_000].account = regs[3].account.clone();
    let e = guichet_draw::fingerprint(&regs).expect_err("a duplicate account");
    assert!(
        e.to_string()
            .contains(&format!("account {} is registered twice", regs[3].account)),
        "the duplicate account is named: {e}"
    );
}

/// Taking the lowest ranks through the bound gives exactly the first positions of the whole
/// draw order, for waves small and large against the list.
#[test]
fn the_top_of_a_large_list_is_the_start_of_the_whole_draw_order() {
    let entries: Vec<guichet_draw::Entry> = (1..=200_000u64)
        .map(|id| guichet_draw::Entry {
            id,
            club: id % 3 == 0,
        })
        .collect();
    let r = guichet_draw::Ranker::new(&[5u8; 32], "pack-draw");
    let all = r.order(&entries);
    for (skip, take) in [
        (0, 1),
        (0, 1000),
        (1000, 20_000),
        (0, 90_000),
        (150_000, 60_000),
    ] {
        let end = (skip + take).min(entries.len());
        assert_eq!(
            r.top(&entries, skip, take),
            all[skip..end].to_vec(),
            "positions {} to {end} are the same by either path",
            skip + 1
        );
    }
}
