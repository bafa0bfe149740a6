//! Shared test vectors (tests/vectors/): the Rust verify and docs/draw_check.py must give the
//! same answer on each. `GUICHET_WRITE_VECTORS=1 cargo test -p guichet-draw --test vectors`
//! writes them again after a deliberate change of the specification.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use guichet_draw::registration::canonical;
use guichet_draw::{run, verify, Transcript, Verdict};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

/// (name, transcript, registrations csv, expected first field or MATCH)
fn vectors() -> Vec<(&'static str, String, String, &'static str)> {
    let regs = registrations(40);
    let b = beacon();
    let csv = canonical(&regs);
    let w1 = run(&inputs(
        secret("vector one"),
        &b,
        &regs,
        36,
        0,
        pack_slots(2),
    ))
    .unwrap();
    let w2 = run(&inputs(
        secret("vector one"),
        &b,
        &regs,
        30,
        12,
        pack_slots(2),
    ))
    .unwrap();
    let mut changed = regs.clone();
    changed[4].club = !changed[4].club;
    let mut randomness = w1.clone();
    randomness.beacon.randomness = "00".repeat(32);
    let mut result = w1.clone();
    result.results[3].2 += 3600;
    let mut flipped = w1.clone();
    let mut reveal = guichet_draw::hex::decode(&w1.reveal, "reveal").unwrap();
    reveal[31] ^= 1;
    flipped.reveal = guichet_draw::hex::encode(&reveal);
    // The registrations in reverse order: the checker must sort them itself.
    let mut rows: Vec<&str> = csv.lines().skip(1).collect();
    rows.reverse();
    let reversed = format!("registration_id,account_id,club\n{}\n", rows.join("\n"));
    vec![
        ("first-wave", w1.to_json(), reversed.clone(), "MATCH"),
        ("second-wave", w2.to_json(), csv.clone(), "MATCH"),
        (
            "registration-changed",
            w1.to_json(),
            canonical(&changed),
            "fingerprint",
        ),
        (
            "randomness-changed",
            randomness.to_json(),
            csv.clone(),
            "beacon.randomness",
        ),
        (
            "result-changed",
            result.to_json(),
            csv.clone(),
            "results[3]",
        ),
        ("secret-flipped", flipped.to_json(), csv, "commitment"),
    ]
}

fn field(v: &Verdict) -> String {
    match v {
        Verdict::Match => "MATCH".into(),
        Verdict::Differs { field, .. } => field.clone(),
    }
}

#[test]
fn the_committed_vectors_are_what_the_code_makes() {
    let write = std::env::var_os("GUICHET_WRITE_VECTORS").is_some();
    for (name, t, csv, expected) in vectors() {
        let files = [
            (format!("{name}.json"), format!("{t}\n")),
            (format!("{name}.csv"), csv),
            (format!("{name}.expected"), format!("{expected}\n")),
        ];
        for (file, text) in files {
            let path = dir().join(&file);
            if write {
                std::fs::write(&path, &text).unwrap();
            } else {
                let committed = std::fs::read_to_string(&path).unwrap_or_default();
                assert_eq!(committed, text, "{file} differs from what the code makes: if the specification changed on purpose, run GUICHET_WRITE_VECTORS=1 cargo test -p guichet-draw --test vectors");
            }
        }
    }
}

fn committed() -> Vec<(String, PathBuf, PathBuf, String)> {
    let mut out: Vec<_> = std::fs::read_dir(dir())
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "expected"))
        .map(|p| {
            let expected = std::fs::read_to_string(&p).unwrap().trim().to_string();
            let name = p.file_stem().unwrap().to_string_lossy().to_string();
            (
                name,
                p.with_extension("json"),
                p.with_extension("csv"),
                expected,
            )
        })
        .collect();
    out.sort();
    assert!(
        out.len() >= 6,
        "the vectors are committed in {}",
        dir().display()
    );
    out
}

#[test]
fn rust_verify_gives_each_vectors_expected_answer() {
    for (name, json, csv, expected) in committed() {
        let t = Transcript::from_json(&std::fs::read_to_string(json).unwrap()).unwrap();
        let regs =
            guichet_draw::registration::parse_csv(&std::fs::read_to_string(csv).unwrap()).unwrap();
        let v = verify(&t, &regs).unwrap();
        assert_eq!(field(&v), expected, "vector {name}: {v}");
    }
}

#[test]
fn the_python_checker_gives_each_vectors_expected_answer() {
    let checker = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/draw_check.py");
    for (name, json, csv, expected) in committed() {
        let out = std::process::Command::new("python3")
            .arg(&checker)
            .arg(&json)
            .arg(&csv)
            .output()
            .expect("python3 runs (Debian's python3 package)");
        let said = String::from_utf8_lossy(&out.stdout).to_string();
        let first = if said.starts_with("MATCH") {
            "MATCH".to_string()
        } else {
            said.trim_start_matches("DIFFERS at ")
                .split(':')
                .next()
                .unwrap_or("")
                .to_string()
        };
        assert_eq!(
            first,
            expected,
            "vector {name}: the Python checker said {said:?} (stderr {})",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            out.status.code(),
            Some(if expected == "MATCH" { 0 } else { 1 }),
            "vector {name}: exit code"
        );
    }
}
