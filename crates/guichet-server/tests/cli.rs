//! The rules tool, driven the way an operator uses it: the real binary on the example files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn examples() -> PathBuf {
    Path::new(
        &*std::env::var("CARGO_MANIFEST_DIR")
            .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string()),
    )
    .join("../../examples/rules")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_guichet-server"))
        .args(args)
        .output()
        .unwrap()
}

fn check_json(file: &str) -> (i32, serde_json::Value) {
    let path = examples().join(file);
    let out = run(&["check", "--json", path.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{file}: not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), v)
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn each_refused_example_is_refused_with_its_reasons_and_its_fixed_twin_is_accepted() {
    let expected: &[(&str, &[&str])] = &[
        ("1-pack-of-four-sessions", &["PACK_SIZE"]),
        (
            "2-seven-tickets-for-one-session",
            &["LINE_QUANTITY", "SESSION_CAP"],
        ),
        ("3-surfing-in-the-pack-phase", &["HELD_BACK"]),
        ("4-a-31st-ticket", &["ACCOUNT_CAP"]),
        ("5-one-second-after-the-timeslot", &["TIMESLOT"]),
        ("6-non-club-account-on-17-feb", &["CLUB_PRIORITY"]),
        (
            "7-everything-wrong-at-once",
            &[
                "LINE_QUANTITY",
                "HELD_BACK",
                "TIMESLOT",
                "CLUB_PRIORITY",
                "PACK_SIZE",
                "SESSION_CAP",
                "ACCOUNT_CAP",
            ],
        ),
    ];
    let mut files: Vec<String> = std::fs::read_dir(examples())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    for (stem, want) in expected {
        let (code, v) = check_json(&format!("{stem}.refused.json"));
        assert_eq!(code, 1, "{stem}: a refusal exits 1");
        assert_eq!(codes(&v), *want, "{stem}");
        let prefix = &stem[..2];
        if prefix != "7-" {
            let twin = files
                .iter()
                .find(|f| f.starts_with(prefix) && f.ends_with(".accepted.json"))
                .unwrap_or_else(|| panic!("{stem} has an accepted twin"));
            let (code, v) = check_json(twin);
            assert_eq!(code, 0, "{twin}: accepted exits 0: {v}");
            assert!(
                v["order"]["total"].as_i64().unwrap() > 0,
                "{twin} is priced"
            );
        }
    }
}

#[test]
fn refusals_read_as_sentences_in_french_too() {
    let path = examples().join("4-a-31st-ticket.refused.json");
    let out = run(&["check", "--lang", "fr", path.to_str().unwrap()]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("REFUSÉE le 2023-02-17 12:00:00 (heure de Paris) — 1 motif"),
        "{text}"
    );
    assert!(
        text.contains("le compte détient 30 billets olympiques sur 30 ; cette commande en ajoute 3 — retirez-en 3"),
        "{text}"
    );
}

/// The issue's report: an account holding 4294967295 FBL01 tickets made `check` panic with
/// "attempt to add with overflow" (exit 101); a release build wrapped the sum under the cap.
#[test]
fn a_held_count_of_u32_max_is_refused_by_the_session_cap_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("huge.json");
    std::fs::write(
        &f,
        r#"{
          "at": "2023-02-17T12:00:00",
          "account": {
            "club_member": true,
            "draws": {"pack-draw": {"status": "drawn", "timeslot": {
              "start": "2023-02-17T10:00:00+01:00", "end": "2023-02-19T10:00:00+01:00"}}},
            "held": {"FBL01": 4294967295}
          },
          "order": {"kind": "pack", "lines": [
            {"session": "FBL01", "category": "D", "quantity": 1},
            {"session": "SWM01", "category": "C", "quantity": 1},
            {"session": "BKB01", "category": "B", "quantity": 1}
          ]}
        }"#,
    )
    .unwrap();
    let out = run(&["check", f.to_str().unwrap()]);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "a refusal exits 1: {stdout}{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let line = |code: &str| {
        stdout
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("✗ {code} ")))
            .unwrap_or_else(|| panic!("no {code} in {stdout}"))
            .to_string()
    };
    assert!(
        line("SESSION_CAP").ends_with(" FBL01: account holds 4294967295 of 6 tickets allowed per session; this order adds 1 — remove 1: the account is already over the cap and may buy no more for this session"),
        "{stdout}"
    );
    assert!(
        line("ACCOUNT_CAP").ends_with(" account holds 4294967295 of 30 Olympic tickets; this order adds 3 — remove 3: the account is already over the cap and may buy no more Olympic tickets"),
        "{stdout}"
    );
    let (code, v) = {
        let out = run(&["check", "--json", f.to_str().unwrap()]);
        (
            out.status.code().unwrap(),
            serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap(),
        )
    };
    assert_eq!(code, 1);
    assert_eq!(codes(&v), ["SESSION_CAP", "ACCOUNT_CAP"]);
    assert_eq!(v["violations"][0]["details"]["held"], 4294967295u64);
    assert_eq!(v["violations"][0]["details"]["remove"], 1);
}

#[test]
fn the_instant_on_the_command_line_overrides_the_file() {
    let path = examples().join("5-one-second-before-the-timeslot-ends.accepted.json");
    let out = run(&[
        "check",
        "--at",
        "2023-02-19T10:00:00",
        path.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "at the end of the slot the same order is refused"
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("TIMESLOT"), "{text}");
}

#[test]
fn bad_input_is_explained_and_exits_2() {
    let dir = std::env::temp_dir().join(format!("guichet-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        ("{not json", "is not a valid check request"),
        (
            r#"{"order": {"kind": "pack", "lines": [], "extra": 1}}"#,
            "unknown field `extra`",
        ),
        (
            r#"{"order": {"kind": "pack", "lines": [{"session": "ATH 02", "category": "D", "quantity": 1}]}}"#,
            "invalid session code",
        ),
        (
            r#"{"order": {"kind": "pack", "lines": [{"session": "ATH02", "category": "D", "quantity": -1}]}}"#,
            "invalid value: integer `-1`",
        ),
        (
            r#"{"at": "yesterday", "order": {"kind": "pack", "lines": []}}"#,
            "cannot read the instant \"yesterday\"",
        ),
    ];
    for (i, (text, words)) in cases.iter().enumerate() {
        let f = dir.join(format!("{i}.json"));
        std::fs::write(&f, text).unwrap();
        let out = run(&["check", f.to_str().unwrap()]);
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{text}: {err}");
        assert!(err.contains(words), "{text}: expected {words:?} in {err}");
    }
    let out = run(&["check", "/nonexistent.json"]);
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("cannot read /nonexistent.json"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_catalogue_prints_sessions_and_numbers() {
    let out = run(&["catalogue", "--sport", "surfing"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("SRF01       2024-07-27 07:00 -10:00"),
        "local Tahiti time is shown: {text}"
    );
    assert!(text.trim_end().ends_with("4 sessions"), "{text}");
    let out = run(&["catalogue", "--stats", "--games", "olympic"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("Olympic Games: 760 sessions"), "{text}");
}

#[test]
fn phases_show_which_sale_is_open() {
    let out = run(&["phases", "--at", "2023-02-17T12:00:00"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let open: Vec<&str> = text.lines().filter(|l| l.contains("OPEN")).collect();
    assert_eq!(open.len(), 1, "{text}");
    assert!(open[0].contains("pack-sale"), "{text}");
}

/// The numbers printed in the data's README are the importer's own, to the digit: each
/// Games' block there is what `catalogue --stats` prints now.
#[test]
fn the_data_readme_shows_the_catalogue_numbers_the_tool_prints() {
    let readme = examples().join("../../data/paris2024/README.md");
    let readme = std::fs::read_to_string(&readme).unwrap();
    for games in ["olympic", "paralympic"] {
        let out = run(&["catalogue", "--stats", "--games", games]);
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            readme.contains(text.trim_end()),
            "data/paris2024/README.md is out of date for {games}; paste:\n{text}"
        );
    }
}

/// An operator prints a demo fan's card: the text a kiosk scans, and a PNG whose QR decodes
/// back to it; the card checks against the key the server gives devices when they enrol.
#[test]
fn an_account_card_prints_as_text_and_as_a_qr_that_checks() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = dir.path().join("server.sqlite");
    let db_arg = db.to_str().expect("a UTF-8 path");
    let seeded = run(&["seed-demo", "--db", db_arg]);
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let png = dir.path().join("card.png");
    let out = run(&[
        "account-card",
        "--db",
        db_arg,
        "DEMO-0001",
        "--valid-until",
        "2024-09-08",
        "--png",
        png.to_str().expect("a UTF-8 path"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let card = String::from_utf8(out.stdout)
        .expect("UTF-8")
        .trim()
        .to_string();
    assert!(
        card.starts_with("P24-ACCOUNT:DEMO-0001:20240908:"),
        "{card}"
    );
    let decoded = guichet_tickets::decode_qr_image(&png).expect("the PNG holds a QR");
    assert_eq!(decoded, card, "the QR is the card's text");
    let store = guichet_server::store::Store::open(
        &db,
        guichet_domain::SaleConfig::paris2024(),
        guichet_server::store::Durability::Normal,
    )
    .expect("the store");
    let key = store.card_key_entry().expect("the card key");
    let keys = guichet_tickets::KeyList::from_entries(&[guichet_tickets::KeyListEntry {
        key_id: key.key_id,
        public_key: key.public_key_hex,
        label: "server".into(),
        revoked_after: None,
    }])
    .expect("a key list");
    let ok = guichet_tickets::verify_card(&card, &keys, jiff::civil::date(2023, 2, 17))
        .expect("the printed card checks with the server's key");
    assert_eq!(ok.account, "DEMO-0001");
    let unknown = run(&["account-card", "--db", db_arg, "DEMO-9999"]);
    assert!(!unknown.status.success(), "no card for an unknown account");
    let said = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        said.contains("DEMO-9999"),
        "the refusal names the account: {said}"
    );
}
